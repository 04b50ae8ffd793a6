import Foundation
import Testing
@testable import Engine

@Suite("Numbers and strings from outside: bounded, never trapped")
struct ExternalNumbersTests {
    @Test("Durations: 0 to 10 years, numbers or digit strings; anything else names the field", arguments: [
        (JSONValue.integer(3600), 3600.0), (.double(59.5), 59.5), (.string("120"), 120), (.integer(0), 0),
        (.integer(315_360_000), 315_360_000),
    ])
    func durationsInRange(value: JSONValue, seconds: Double) throws {
        #expect(try ExternalTime.duration(value, field: "expires_in") == seconds)
    }

    @Test("Durations out of range or of the wrong type are errors, not traps", arguments: [
        JSONValue.double(1e300), .integer(.max), .integer(-5), .integer(315_360_001), .string("1e999"), .string("nan"),
        .string("-1"), .string(""), .string("99999999999999999999999"), .bool(true), .null, .array([]), .object([:]),
        .double(-0.5),
    ])
    func durationsRefused(value: JSONValue) {
        #expect(throws: ExternalValueError.self) { try ExternalTime.duration(value, field: "expires_in") }
        do {
            _ = try ExternalTime.duration(value, field: "expires_in")
        } catch {
            #expect(error.description.hasPrefix("expires_in "))
            #expect(error.value.count <= 41)
        }
    }

    @Test("Timestamps: 1970 to 2200")
    func timestamps() throws {
        #expect(try ExternalTime.timestamp(.integer(1_700_000_000), field: "exp") == Date(timeIntervalSince1970: 1_700_000_000))
        #expect(throws: ExternalValueError.self) { try ExternalTime.timestamp(.integer(-1), field: "exp") }
        #expect(throws: ExternalValueError.self) { try ExternalTime.timestamp(.integer(7_258_118_401), field: "exp") }
        #expect(throws: ExternalValueError.self) { try ExternalTime.timestamp(.double(1e300), field: "exp") }
        #expect(ExternalTime.epochSeconds(Date(timeIntervalSince1970: 1e300)) == Int64(ExternalTime.latestTimestamp))
        #expect(ExternalTime.epochSeconds(Date(timeIntervalSince1970: -.infinity)) == 0)
    }

    @Test("JSON has no Infinity: a number too large for a Double makes the document invalid")
    func nonFiniteNumbers() {
        #expect(JSONValue.parseObject(Array(#"{"access_token":"at","x":1e999}"#.utf8)) == nil)
        #expect(JSONValue.parseObject(Array(#"{"x":-1e999}"#.utf8)) == nil)
        #expect(JSONValue.parseObject(Array(#"{"x":1e300}"#.utf8)) == ["x": .double(1e300)])
    }

    @Test("A repeated key makes an object invalid")
    func duplicateKeys() {
        #expect(JSONValue.parseObject(Array(#"{"access_token":"a","access_token":"b"}"#.utf8)) == nil)
        #expect(JSONValue.parseObject(Array(#"{"a":{"k":1,"k":2}}"#.utf8)) == nil)
    }

    @Test("Serialising never loses the document: a non-finite number becomes null")
    func serialiseNonFinite() {
        let text = String(decoding: JSONValue.serialize(["access_token": .string("at"), "x": .double(.infinity)]), as: UTF8.self)
        #expect(text == #"{"access_token":"at","x":null}"#)
        let escaped = String(decoding: JSONValue.serialize(["s": .string("a/\"\n\u{1}é")]), as: UTF8.self)
        #expect(escaped == #"{"s":"a/\"\n\u0001é"}"#)
        #expect(JSONValue.parseObject(Array(escaped.utf8)) == ["s": .string("a/\"\n\u{1}é")])
    }

    @Test("A .use with out-of-range numbers has an unknown validity, not a trap")
    func accessTokenFileBounds() throws {
        let file = try AccessTokenFile.parse(Array(#"{"access_token":"at","expires_in":1e300,"expires_at":-7}"#.utf8), path: "u/s.use")
        #expect(file.expiresIn == nil && file.expiresAt == nil)
        #expect(file.validity(fileModified: Date()) == nil)
    }

    @Test("JWT dates go through the same bounds")
    func jwtClaims() throws {
        func jwt(_ payload: String) -> String {
            "e30." + Data(payload.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_") + ".c2ln"
        }
        let claims = try #require(try JWTClaims.peek(jwt(#"{"iat":1700000000,"exp":1700000600}"#)))
        #expect(claims.expiration == Date(timeIntervalSince1970: 1_700_000_600))
        #expect(throws: ExternalValueError.self) { try JWTClaims.peek(jwt(#"{"exp":1e300}"#)) }
        #expect(throws: ExternalValueError.self) { try JWTClaims.peek(jwt(#"{"exp":"soon"}"#)) }
        #expect(try JWTClaims.peek("not-a-jwt") == nil)
        #expect(try JWTClaims.peek("a.b.c") == nil)
    }

    @Test("Text from outside is printable: control characters escaped, length bounded")
    func safeText() {
        #expect(SafeText.printable("a\nb\r\u{1B}[2Jc\t\u{7F}\u{85}\u{2028}\u{202E}") == #"a\nb\r\u{1b}[2Jc\t\u{7f}\u{85}\u{2028}\u{202e}"#)
        #expect(SafeText.printable("abcdef", limit: 3) == "abc…")
        #expect(SafeText.printable("back\\slash") == #"back\\slash"#)
        #expect(SafeText.isPrintable("plain text é"))
        #expect(!SafeText.isPrintable("two\nlines"))
        #expect(SafeText.oauthErrorCode("invalid_grant") == "invalid_grant")
        #expect(SafeText.oauthErrorCode("bad\ncode") == nil)
        #expect(SafeText.oauthErrorCode("quote\"") == nil)
        #expect(SafeText.oauthErrorCode(String(repeating: "x", count: 65)) == nil)
        #expect(SafeText.oauthErrorCode("") == nil)
    }

    @Test("A record's last error is short and printable")
    func recordError() {
        var record = CredentialRecord(id: CredentialID(user: "alice", token: TokenName(service: "scitokens")))
        record.lastError = "line one\nFAKE LOG LINE " + String(repeating: "x", count: 1000)
        #expect(record.lastError!.count <= CredentialRecord.errorLimit + 1)
        #expect(!record.lastError!.contains("\n"))
    }
}
