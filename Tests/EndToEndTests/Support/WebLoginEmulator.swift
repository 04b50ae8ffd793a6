import Foundation
import Glibc
import OAuthTestServer

/// Writes a credential the way HTCondor's web app does after a login (contract §D.3): `<tok>.use` (the token
/// response minus the refresh token), `<tok>.top` (`refresh_token` plus the raw `scopes`), `<tok>.meta` (client,
/// token URL), each 0400.
struct WebLoginEmulator {
    let credentialDirectory: URL

    func store(user: String, token: String, refreshToken: String, accessToken: String, expiresIn: Int,
               clientID: String, clientSecret: String, tokenURL: String, scopes: String = "read:/data", useRefreshToken: Bool = true) throws {
        let directory = credentialDirectory.appendingPathComponent(user)
        if !FileManager.default.fileExists(atPath: directory.path) {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        }
        let now = Int(Date().timeIntervalSince1970)
        try write(directory, "\(token).use", #"{"access_token": "\#(accessToken)", "token_type": "Bearer", "expires_in": \#(expiresIn), "expires_at": \#(now + expiresIn)}"#)
        try write(directory, "\(token).top", #"{"refresh_token": "\#(refreshToken)", "scopes": "\#(scopes)"}"#)
        try write(directory, "\(token).meta", #"{"client_id": "\#(clientID)", "client_secret": "\#(clientSecret)", "token_url": "\#(tokenURL)", "use_refresh_token": \#(useRefreshToken)}"#)
    }

    private func write(_ directory: URL, _ name: String, _ text: String) throws {
        let temporary = directory.appendingPathComponent("tmp\(UUID().uuidString.prefix(8))")
        try Data(text.utf8).write(to: temporary)
        chmod(temporary.path, 0o400)
        guard rename(temporary.path, directory.appendingPathComponent(name).path) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }
}
