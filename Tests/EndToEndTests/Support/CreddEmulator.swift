import Foundation
import Glibc

/// Writes credential files exactly as condor_credd does (contract §B.2, §B.7.3): the user directory 0700, the
/// `.top` written as `<path>.tmp` and renamed into place, mode 0600, content `<user>@foo` for local issuers.
struct CreddEmulator {
    let credentialDirectory: URL

    func userDirectory(_ user: String) -> URL { credentialDirectory.appendingPathComponent(user) }

    func path(_ user: String, _ file: String) -> String { userDirectory(user).appendingPathComponent(file).path }

    /// Stores `<user>/<token>.top` the way credd's `CREDD_CHECK_CREDS` does for a local issuer.
    func storeLocalCredential(user: String, token: String = "scitokens") throws {
        try store(user: user, token: token, content: Data("\(user)@foo".utf8))
    }

    func store(user: String, token: String, content: Data) throws {
        let directory = userDirectory(user)
        if !FileManager.default.fileExists(atPath: directory.path) {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        }
        let final = directory.appendingPathComponent("\(token).top").path
        let temporary = final + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
        _ = content.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard rename(temporary, final) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    func read(_ user: String, _ file: String) -> String? {
        FileManager.default.contents(atPath: path(user, file)).map { String(decoding: $0, as: UTF8.self) }
    }

    func mode(_ user: String, _ file: String) -> UInt32? {
        var st = stat()
        guard lstat(path(user, file), &st) == 0 else { return nil }
        return UInt32(st.st_mode & 0o7777)
    }
}
