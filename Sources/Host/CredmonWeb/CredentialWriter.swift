import Engine
import Foundation
import Glibc
import OAuthClient

/// Stores a completed login under `$CD/<LocalUser>/`: `<token>.meta`, `<token>.top`, then `<token>.use`, each 0400,
/// atomic and durable, never following a symlink. `.meta` comes first because the daemon acts on a new `.top` at once
/// and may need its client; `.use` comes last because condor_credd takes its existence to mean "ready".
enum CredentialWriter {
    /// Why nothing (or not everything) was stored.
    enum Failure: Error {
        /// The token answer cannot be rendered as a `.use` (an already expired token, …): nothing was written.
        case unusableAnswer(TokenAnswerError)
        case system(SystemError)
    }

    static func store(_ ad: KeyFileService, token: TokenResponse, client: ClientCredentials, tokenURL: URL,
                      credentialDirectory: DirectoryHandle, now: Date) throws(Failure) {
        let use: [UInt8]
        do {
            use = try token.accessTokenFile(issuedAt: now).bytes
        } catch {
            throw .unusableAnswer(error)
        }
        do {
            let user = try userDirectory(ad.localUser, in: credentialDirectory)
            let stem = ad.tokenName.stem
            try AtomicWriter.write(metadata(token: token, client: client, tokenURL: tokenURL), to: stem + ".meta", in: user, mode: 0o400, durability: .durable)
            try AtomicWriter.write(seed(ad, token: token), to: stem + ".top", in: user, mode: 0o400, durability: .durable)
            try AtomicWriter.write(use, to: stem + ".use", in: user, mode: 0o400, durability: .durable)
        } catch {
            throw .system(error)
        }
    }

    /// `.top` (§B.3.1): the refresh token ("" if none) and condor_credd's `Scopes`/`Audience` exactly as it wrote them.
    static func seed(_ ad: KeyFileService, token: TokenResponse) -> [UInt8] {
        var object: [String: JSONValue] = ["refresh_token": .string(token.refreshToken ?? "")]
        if !ad.scopes.isEmpty { object["scopes"] = .string(ad.scopes) }
        if !ad.audience.isEmpty { object["audience"] = .string(ad.audience) }
        return Array(JSONValue.serialize(object))
    }

    /// `.meta` (§B.3.3). A public client (no secret) has no `client_secret` key.
    static func metadata(token: TokenResponse, client: ClientCredentials, tokenURL: URL) -> [UInt8] {
        var object: [String: JSONValue] = [
            "client_id": .string(client.id), "token_url": .string(tokenURL.absoluteString),
            "use_refresh_token": .bool(token.refreshToken != nil),
        ]
        if let secret = client.secret { object["client_secret"] = .string(secret) }
        return Array(JSONValue.serialize(object))
    }

    /// Opens `$CD/<user>`, creating it (0700) if missing; refuses a symlink.
    static func userDirectory(_ user: String, in directory: DirectoryHandle) throws(SystemError) -> DirectoryHandle {
        if mkdirat(directory.descriptor, user, 0o700) != 0 && errno != EEXIST {
            throw SystemError("create the user directory", path: directory.childPath(user))
        }
        return try directory.openChild(user)
    }
}
