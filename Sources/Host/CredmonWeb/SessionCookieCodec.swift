import Crypto
import Foundation
import Signers

/// Seals a ``LoginSession`` into a cookie value and opens it again: AES-GCM with a key derived (HKDF-SHA256) from
/// `wsgi_session_key`, so the cookie is both secret and tamper-proof. An expired, forged or undecodable cookie opens
/// as nil (a fresh session).
struct SessionCookieCodec: Sendable {
    private let key: SymmetricKey
    /// Cookie values longer than this are refused by browsers; a session that would need more is trimmed.
    static let maximumLength = 3800

    init(sessionKey: [UInt8]) {
        key = HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: sessionKey),
                                     info: Data("credmon-web session cookie v1".utf8), outputByteCount: 32)
    }

    func seal(_ session: LoginSession) -> String? {
        var session = session
        while true {
            guard let json = try? JSONEncoder().encode(session),
                  let box = try? AES.GCM.seal(json, using: key), let combined = box.combined else { return nil }
            let value = Base64URL.encode(combined)
            if value.count <= Self.maximumLength || session.logins.count <= 1 { return value.count <= Self.maximumLength ? value : nil }
            session.logins.removeLast()
        }
    }

    func open(_ value: String, now: Date) -> LoginSession? {
        guard value.count <= Self.maximumLength * 2, let combined = Base64URL.decode(value),
              let box = try? AES.GCM.SealedBox(combined: combined),
              let json = try? AES.GCM.open(box, using: key),
              let session = try? JSONDecoder().decode(LoginSession.self, from: json),
              session.expires > now.timeIntervalSince1970 else { return nil }
        return session
    }
}
