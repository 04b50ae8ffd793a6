import Engine
import Foundation
import Testing

@Suite("AuthorizationGrant")
struct AuthorizationGrantTests {
    @Test("its description names the client and the endpoint, never the code, the verifier or the secret")
    func redacted() throws {
        let grant = AuthorizationGrant(code: "code-123", redirectURI: "https://ap.example/return/box", codeVerifier: "verifier-456",
                                       tokenURL: try #require(URL(string: "https://idp.example/token")), clientID: "client-1",
                                       clientSecret: "secret-789")
        let text = "\(grant)"
        #expect(text.contains("client-1") && text.contains("https://idp.example/token"))
        #expect(!text.contains("code-123") && !text.contains("verifier-456") && !text.contains("secret-789"), "\(text)")
    }
}
