import Engine
import Foundation
import Testing
@testable import OAuthClient

/// The pure parts of the OAuth client: form encoding, client authentication, token responses, error classes.
@Suite("OAuth client: encoding, parsing, classification")
struct EncodingAndParsingTests {
    @Test("form encoding follows RFC 6749 appendix B (space as +, everything but ALPHA DIGIT -._~ escaped)")
    func formEncoding() {
        #expect(FormEncoding.escape("a b+c/d=e&f~g.h_i-j") == "a+b%2Bc%2Fd%3De%26f~g.h_i-j")
        #expect(FormEncoding.escape("ü") == "%C3%BC")
        let body = String(decoding: FormEncoding.encode([("grant_type", "refresh_token"), ("refresh_token", "r/t+=")]), as: UTF8.self)
        #expect(body == "grant_type=refresh_token&refresh_token=r%2Ft%2B%3D")
        #expect(FormDecoding.decode(body).map { "\($0.0)=\($0.1)" } == ["grant_type=refresh_token", "refresh_token=r/t+="])
    }

    @Test("client_secret_basic form-encodes id and secret before base64 (RFC 6749 §2.3.1); post puts them in the body")
    func clientAuthentication() throws {
        var fields: [(String, String)] = []
        var headers: [(name: String, value: String)] = []
        ClientCredentials(id: "my id:1", secret: "s%c ret", authentication: .basic).authenticate(fields: &fields, headers: &headers)
        #expect(fields.isEmpty)
        let header = try #require(headers.first { $0.name == "Authorization" }?.value)
        let decoded = String(decoding: try #require(Data(base64Encoded: String(header.dropFirst("Basic ".count)))), as: UTF8.self)
        #expect(decoded == "my+id%3A1:s%25c+ret")
        fields = []
        headers = []
        ClientCredentials(id: "cid", secret: "sec").authenticate(fields: &fields, headers: &headers)
        #expect(fields.map(\.0) == ["client_id", "client_secret"] && headers.isEmpty)
        #expect(!ClientCredentials(id: "cid", secret: "topsecret").description.contains("topsecret"))
    }

    @Test("token responses: JSON, numeric strings, scope arrays, form-encoded bodies; no access_token is not a token")
    func tokenResponses() throws {
        let json = try TokenResponse.parse(Data(#"{"access_token":"at","token_type":"bearer","expires_in":"3600","refresh_token":"rt","scope":["a","b"],"restricted_to":[]}"#.utf8))
        #expect(json.accessToken == "at" && json.expiresIn == 3600 && json.refreshToken == "rt" && json.scope == "a b")
        #expect(json.object["restricted_to"] == .array([]))
        let form = try TokenResponse.parse(Data("access_token=at2&token_type=bearer&expires_in=60".utf8))
        #expect(form.accessToken == "at2" && form.expiresIn == 60 && form.refreshToken == nil)
        #expect(throws: TokenAnswerError.self) { try TokenResponse.parse(Data(#"{"token_type":"bearer"}"#.utf8)) }
        #expect(throws: TokenAnswerError.self) { try TokenResponse.parse(Data(#"{"access_token":""}"#.utf8)) }
        #expect(throws: TokenAnswerError.self) { try TokenResponse.parse(Data("<html>".utf8)) }
        let empty = try TokenResponse.parse(Data(#"{"access_token":"a","refresh_token":""}"#.utf8))
        #expect(empty.refreshToken == nil, "an empty refresh_token means none")
    }

    @Test("errors: invalid_grant and invalid_client are terminal; 5xx, 429, network and malformed answers are transient")
    func classification() {
        func response(_ status: Int, _ body: String, _ headers: [String: String] = [:]) -> HTTPResponse {
            HTTPResponse(status: status, headers: headers, body: Data(body.utf8))
        }
        let grant = OAuth2Client.failure(response(400, #"{"error":"invalid_grant","error_description":"expired"}"#), endpoint: "https://x/token")
        #expect(grant.providerError.disposition == .terminal && grant.providerError.code == .server("invalid_grant"))
        #expect(grant.description == "https://x/token: HTTP 400 invalid_grant: expired")
        let client = OAuth2Client.failure(response(401, #"{"error":"invalid_client"}"#), endpoint: "e")
        #expect(client.providerError.disposition == .terminal)
        let busy = OAuth2Client.failure(response(503, "<html>busy</html>"), endpoint: "e")
        #expect(busy.providerError.disposition == .transient && busy.providerError.code == .httpStatus(503))
        let limited = OAuth2Client.failure(response(429, "", ["retry-after": "17"]), endpoint: "e")
        #expect(limited.providerError.disposition == .transient && limited.retryAfter == 17)
        let dated = OAuth2Client.retryAfter(response(429, "", ["retry-after": "Wed, 21 Oct 2099 07:28:00 GMT"]))
        #expect(dated == RetryAfter.defaultMaximum, "a date far ahead is clamped")
        let unavailable = OAuth2Client.failure(response(400, #"{"error":"temporarily_unavailable"}"#), endpoint: "e")
        #expect(unavailable.providerError.disposition == .transient)
        #expect(OAuthError(kind: .transport, endpoint: "e", message: "m").providerError.disposition == .transient)
        #expect(OAuthError(kind: .malformedResponse, endpoint: "e", message: "m").providerError.disposition == .transient)
    }

    @Test("endpoints in messages carry no query string or user info")
    func endpointRedaction() throws {
        let url = try #require(URL(string: "https://user:pw@idp.example/token?client_secret=s"))
        #expect(OAuth2Client.endpoint(url) == "https://idp.example/token")
    }
}
