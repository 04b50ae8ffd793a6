import Engine
import FoundationEssentials
import OAuthClient

/// `kind: oauth2`: any RFC 6749 authorization server; also every OAuth2 service no preset recognises.
public enum GenericOAuthKind: OAuthPresetKind {
    public static let kind = "oauth2"
    public static let preset = OAuthPreset.generic
    public static var servesUnrecognisedServices: Bool { true }
    public static var serviceNames: [String] { [] }
}

/// Builds OAuth providers for `oauth2` and the presets: reads the fragment, then the client secret file.
public enum OAuthProviderFactory {
    public static func make(name: String, kind: String, preset: OAuthPreset, fragment: inout FragmentReader,
                            context: ProviderBuildContext) throws(ConfigurationErrors) -> any CredentialProvider {
        var configuration = OAuthProviderConfiguration.read(name: name, fragment: &fragment, preset: preset)
        for deprecation in configuration.deprecations {
            context.logger.warning("Deprecated fragment key", metadata: ["credmon.problem": "\(deprecation)"])
        }
        if context.readsClientSecrets, let file = configuration.clientSecretFile {
            switch ClientSecretFile.read(file) {
            case .success(let secret): configuration.clientSecret = secret
            case .failure(let problem): fragment.fail("client_secret_file", problem.message)
            }
        }
        if configuration.clientSecretFile != nil && configuration.clientID == nil {
            fragment.fail("client_id", "is required with client_secret_file")
        }
        let errors = fragment.finish()
        guard errors.isEmpty else { throw ConfigurationErrors(errors) }
        return OAuthRefreshProvider(configuration: configuration, kind: kind, http: context.http ?? UnavailableHTTPClient())
    }
}

/// A client secret file as HTCondor reads it: the bytes up to the first control character; the file must not be
/// readable by group or others. Read through ``SafeFile``: a symlink, a FIFO or a device is refused without
/// blocking, and at most ``maximumSize`` bytes are read.
enum ClientSecretFile {
    struct Problem: Error { var message: String }

    /// The largest secret file accepted: 64 KiB (a client secret is a few dozen bytes).
    static let maximumSize = 64 << 10

    static func read(_ path: String) -> Result<String, Problem> {
        let contents: SafeFile.Contents
        do {
            guard let read = try SafeFile.read(path: path, limit: maximumSize) else {
                return .failure(Problem(message: "cannot read \(path) (it does not exist); create it or fix the path"))
            }
            contents = read
        } catch {
            return .failure(Problem(message: "cannot read \(error)"))
        }
        guard contents.status.mode & 0o077 == 0 else {
            return .failure(Problem(message: "\(path) is readable by group or others (mode \(String(contents.status.mode & 0o777, radix: 8))); run chmod 600 \(path)"))
        }
        var bytes = contents.bytes
        defer { for index in bytes.indices { bytes[index] = 0 } }
        let secret = String(decoding: bytes.prefix { $0 >= 0x20 }, as: UTF8.self)
        guard !secret.isEmpty else { return .failure(Problem(message: "\(path) is empty")) }
        return .success(secret)
    }
}
