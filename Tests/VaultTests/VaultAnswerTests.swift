import Engine
import Foundation
import Testing
@testable import Vault

@Suite("Vault: answers and renewal")
struct VaultAnswerTests {
    func response(_ status: Int, _ body: String, headers: [String: String] = [:]) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: Data(body.utf8))
    }

    @Test("a 200 answer gives data.access_token; anything else in its place is malformed")
    func accessToken() throws {
        #expect(try VaultAnswer.accessToken(response(200, #"{"data":{"access_token":"eyJ.a.b"},"warnings":null}"#)).get() == "eyJ.a.b")
        for body in [#"{"data":{}}"#, #"{"data":{"access_token":7}}"#, #"{"data":{"access_token":""}}"#,
                     #"{"data":{"access_token":"two words"}}"#, #"{"data":{"access_token":"a\nb"}}"#, #"{"data":{"access_token":"abc\r"}}"#,
                     "[]", "not json"] {
            guard case .failure(let error) = VaultAnswer.accessToken(response(200, body)) else {
                Issue.record("accepted \(body)")
                continue
            }
            #expect(error.disposition == .transient && error.code == .malformedResponse)
        }
    }

    @Test("permission denied discards the credential; 5xx and 429 are transient with Retry-After; other 4xx terminal")
    func failures() {
        let denied = VaultAnswer.failure(response(403, #"{"errors":["permission denied"]}"#))
        #expect(denied.disposition == .discard && denied.code == .seedRejected)
        #expect(denied.message.contains("permission denied"))
        let policy = VaultAnswer.failure(response(403, #"{"errors":["1 error occurred:\n\t* permission denied\n\n"]}"#))
        #expect(policy.disposition == .discard)
        let down = VaultAnswer.failure(response(503, #"{"errors":["Vault is sealed"]}"#, headers: ["retry-after": "7"]))
        #expect(down.disposition == .transient && down.retryAfter == 7 && down.code == .httpStatus(503))
        let slow = VaultAnswer.failure(response(429, "", headers: ["retry-after": "99999999"]))
        #expect(slow.disposition == .transient && slow.retryAfter == 3600, "a hostile Retry-After is capped")
        for hostile in ["nan", "NaN", "-5", "1e999", "inf"] {
            #expect(VaultAnswer.failure(response(503, "", headers: ["retry-after": hostile])).retryAfter == nil, "Retry-After \(hostile) is ignored")
        }
        let missing = VaultAnswer.failure(response(404, #"{"errors":[]}"#))
        #expect(missing.disposition == .terminal && missing.code == .httpStatus(404))
        let huge = VaultAnswer.failure(response(400, #"{"errors":["\#(String(repeating: "x", count: 5000))"]}"#))
        #expect(huge.message.count < 600)
    }

    @Test("lookup-self: expire_time with nanoseconds, else ttl; a token that never expires has none")
    func tokenExpiry() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let dated = VaultAnswer.tokenExpiry(response(200, #"{"data":{"expire_time":"2026-12-30T12:34:39.024150813Z","ttl":5}}"#), now: now)
        #expect(dated.map { Int($0.timeIntervalSince1970) } == 1_798_634_079)
        #expect(VaultAnswer.tokenExpiry(response(200, #"{"data":{"expire_time":null,"ttl":600}}"#), now: now) == now.addingTimeInterval(600))
        #expect(VaultAnswer.tokenExpiry(response(200, #"{"data":{"expire_time":null,"ttl":0}}"#), now: now) == nil)
        #expect(VaultAnswer.tokenExpiry(response(200, #"{"data":{"ttl":1e300}}"#), now: now) == nil)
        #expect(VaultAnswer.tokenExpiry(response(403, #"{"errors":["permission denied"]}"#), now: now) == nil)
        #expect(VaultAnswer.parseRFC3339("2026-12-30T12:34:39Z") != nil)
        #expect(VaultAnswer.parseRFC3339(String(decoding: [0x74, 0xD6, 0xA3, 0x8B, 0xD3], as: UTF8.self)) == nil)
    }

    @Test("renewal: refresh_interval after the .use was written, or at half the token's remaining life if sooner")
    func renewal() throws {
        var fragment = FragmentReader(file: "vault.yaml", mapping: .init([]))
        let configuration = VaultConfiguration.read(name: "igwn", fragment: &fragment)
        #expect(configuration.minimumSeconds == 2400 && configuration.refreshInterval == 1200, "HTCondor's defaults")
        let provider = VaultProvider(configuration: configuration, connection: VaultConnection(http: UnavailableHTTPClient(), trust: configuration.trust),
                                     logger: .init(label: "test"))
        let written = Date(timeIntervalSince1970: 1_800_000_000)
        // An opaque token: minimum_seconds from the write, renewed after refresh_interval (HTCondor's rule).
        let opaque = provider.validity(of: "hvs-opaque-token", written: written)
        #expect(opaque.expiresAt == written.addingTimeInterval(2400))
        #expect(provider.renewalDate(for: opaque) == written.addingTimeInterval(1200))
        // A JWT with 10 minutes left (a cached token issued long ago): half its remaining life, not 20 minutes.
        let jwt = Self.jwt(exp: Int(written.timeIntervalSince1970) + 600, iat: Int(written.timeIntervalSince1970) - 7200)
        let short = provider.validity(of: jwt, written: written)
        #expect(short.expiresAt == written.addingTimeInterval(600))
        #expect(provider.renewalDate(for: short) == written.addingTimeInterval(300))
        // A JWT with 3 hours left: HTCondor's 20 minutes.
        let long = provider.validity(of: Self.jwt(exp: Int(written.timeIntervalSince1970) + 10800, iat: nil), written: written)
        #expect(provider.renewalDate(for: long) == written.addingTimeInterval(1200))
    }

    static func jwt(exp: Int, iat: Int?) -> String {
        func b64(_ text: String) -> String {
            Data(text.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        }
        let payload = iat.map { #"{"exp":\#(exp),"iat":\#($0),"sub":"alice"}"# } ?? #"{"exp":\#(exp),"sub":"alice"}"#
        return b64(#"{"alg":"ES256","typ":"JWT"}"#) + "." + b64(payload) + ".c2ln"
    }
}
