import Foundation
import Testing
@testable import Engine

@Suite("The .use file: formats and validity")
struct AccessTokenFileTests {
    let path = "/creds/alice/box.use"

    private func parse(_ text: String) throws -> AccessTokenFile {
        try AccessTokenFile.parse(Array(text.utf8), path: path)
    }

    // MARK: Formats

    @Test("HTCondor's JSON form: token, expires_in, and unknown keys kept in object")
    func jsonForm() throws {
        let file = try parse(#"{"access_token":"abc","expires_in":3600,"token_type":"Bearer","scope":["read:/a","write:/b"],"x-extra":{"n":1}}"#)
        #expect(file.format == .json)
        #expect(file.accessToken == "abc")
        #expect(file.expiresIn == 3600)
        #expect(file.expiresAt == nil)
        #expect(file.object["token_type"] == .string("Bearer"))
        #expect(file.object["scope"] == .array([.string("read:/a"), .string("write:/b")]))
        #expect(file.object["x-extra"] == .object(["n": .integer(1)]))
        #expect(file.object["access_token"] == .string("abc"))
    }

    @Test("JSON after leading white space is still JSON; a fractional expires_in is rounded")
    func jsonWithWhiteSpace() throws {
        let file = try parse("\n  {\"access_token\": \"t\", \"expires_in\": 1199.6, \"expires_at\": 1700000000}\n")
        #expect(file.format == .json)
        #expect(file.accessToken == "t")
        #expect(file.expiresIn == 1200)
        #expect(file.expiresAt == 1_700_000_000)
    }

    @Test("A bare token line (LF or CRLF) is the token")
    func bareToken() throws {
        let file = try parse("eyJhbGciOi.eyJzdWIi.c2ln\n")
        #expect(file.format == .bare)
        #expect(file.accessToken == "eyJhbGciOi.eyJzdWIi.c2ln")
        #expect(file.expiresIn == nil)
        #expect(file.object.isEmpty)
        #expect(try parse("opaque-token\r\n").accessToken == "opaque-token")
        #expect(try parse("no-newline").accessToken == "no-newline")
    }

    @Test("Garbage is a FormatError that names the file", arguments: [
        "binary": [0x00, 0xFF, 0xFE, 0x10, 0x41],
        "two words": Array("two words\n".utf8),
        "json without access_token": Array(#"{"token": "x", "expires_in": 5}"#.utf8),
        "non-string access_token": Array(#"{"access_token": 5}"#.utf8),
        "broken json": Array(#"{"access_token": "x""#.utf8),
        "json array": Array(#"["tok"]"#.utf8),
    ] as [String: [UInt8]])
    func garbage(label: String, bytes: [UInt8]) {
        let error = #expect(throws: FormatError.self, "\(label) should be refused") {
            try AccessTokenFile.parse(bytes, path: path)
        }
        guard let error else { return }
        #expect(error.path == path)
        #expect(error.description.hasPrefix(path + ": "), "\(error.description)")
        #expect(!error.problem.isEmpty)
    }

    // MARK: Validity

    @Test("Validity comes from the JWT's iat and exp, whatever the file says")
    func validityFromJWT() throws {
        // "???>>>" makes the standard base64 of the payload contain '/' and '+', so base64url uses '_' and '-'.
        let token = FakeJWT.token(claims: #"{"iat":1700000000,"exp":1700001200,"x":"???>>>~~~"}"#)
        let payload = String(token.split(separator: ".")[1])
        #expect(payload.contains("_") || payload.contains("-"), "the payload should exercise base64url's alphabet: \(payload)")

        let modified = Date(timeIntervalSince1970: 1_000)
        let json = try parse(#"{"access_token":"\#(token)","expires_in":99}"#)
        let fromJSON = try #require(json.validity(fileModified: modified))
        #expect(fromJSON.issuedAt == Date(timeIntervalSince1970: 1_700_000_000))
        #expect(fromJSON.expiresAt == Date(timeIntervalSince1970: 1_700_001_200))
        #expect(fromJSON.lifetime == 1200)

        let bare = try parse(token + "\n")
        #expect(bare.validity(fileModified: modified) == fromJSON)
    }

    @Test("A JWT without iat: issued at exp - expires_in, else at the file's modification time")
    func jwtWithoutIssuedAt() throws {
        let token = FakeJWT.token(claims: #"{"exp":1700001200}"#)
        let modified = Date(timeIntervalSince1970: 1_699_999_000)
        let withExpiresIn = try parse(#"{"access_token":"\#(token)","expires_in":600}"#).validity(fileModified: modified)
        #expect(withExpiresIn == TokenValidity(issuedAt: Date(timeIntervalSince1970: 1_700_000_600), expiresAt: Date(timeIntervalSince1970: 1_700_001_200)))
        let bare = try parse(token).validity(fileModified: modified)
        #expect(bare == TokenValidity(issuedAt: modified, expiresAt: Date(timeIntervalSince1970: 1_700_001_200)))
    }

    @Test("Validity from expires_at (and expires_in for the start)")
    func validityFromExpiresAt() throws {
        let modified = Date(timeIntervalSince1970: 5)
        let both = try parse(#"{"access_token":"opaque","expires_at":1700003600,"expires_in":3600}"#).validity(fileModified: modified)
        #expect(both == TokenValidity(issuedAt: Date(timeIntervalSince1970: 1_700_000_000), expiresAt: Date(timeIntervalSince1970: 1_700_003_600)))
        let only = try parse(#"{"access_token":"opaque","expires_at":1700003600}"#).validity(fileModified: modified)
        #expect(only == TokenValidity(issuedAt: modified, expiresAt: Date(timeIntervalSince1970: 1_700_003_600)))
    }

    @Test("Validity from the modification time plus expires_in")
    func validityFromModificationTime() throws {
        let modified = Date(timeIntervalSince1970: 1_650_000_000.25)
        let validity = try #require(try parse(#"{"access_token":"opaque","expires_in":1200}"#).validity(fileModified: modified))
        #expect(validity.issuedAt == modified)
        #expect(validity.expiresAt == modified.addingTimeInterval(1200))
        #expect(validity.point(atFraction: 0.5) == modified.addingTimeInterval(600))
    }

    @Test("Nothing to go by: no validity")
    func noValidity() throws {
        #expect(try parse(#"{"access_token":"opaque"}"#).validity(fileModified: Date()) == nil)
        #expect(try parse("opaque\n").validity(fileModified: Date()) == nil)
        // Three dot-separated parts that are not a JWT.
        #expect(try parse("a.b.c\n").validity(fileModified: Date()) == nil)
    }

    @Test("A token that expired before it was issued renews at its start, not before")
    func negativeLifetime() {
        let validity = TokenValidity(issuedAt: Date(timeIntervalSince1970: 100), expiresAt: Date(timeIntervalSince1970: 50))
        #expect(validity.point(atFraction: 0.5) == Date(timeIntervalSince1970: 100))
    }

    @Test("The earliest end counts: a JWT living an hour in a .use that says 60 s is renewed as a 60 s token")
    func earliestEndWins() throws {
        let payload = Data(#"{"iat":1800000000,"exp":1800003600}"#.utf8).base64EncodedString()
            .replacingOccurrences(of: "=", with: "").replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        let text = #"{"access_token":"e30.\#(payload).c2ln","expires_in":60,"expires_at":1800000060}"#
        let file = try AccessTokenFile.parse(Array(text.utf8), path: "u/s.use")
        let validity = try #require(file.validity(fileModified: Date(timeIntervalSince1970: 1_800_000_000)))
        #expect(validity.expiresAt == Date(timeIntervalSince1970: 1_800_000_060))
        let jwtFirst = #"{"access_token":"e30.\#(payload).c2ln","expires_in":7200,"expires_at":1800007200}"#
        let earlier = try AccessTokenFile.parse(Array(jwtFirst.utf8), path: "u/s.use").validity(fileModified: Date())
        #expect(earlier?.expiresAt == Date(timeIntervalSince1970: 1_800_003_600))
    }
}
