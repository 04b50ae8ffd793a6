import Engine
import Foundation
import OAuthClient

/// `kind: oauth2`: any RFC 6749 authorization server.
public enum GenericOAuthKind: ProviderKind {
    public static let kind = "oauth2"

    public static func makeProvider(name: String, fragment: inout FragmentReader, context: ProviderBuildContext) throws(ConfigurationErrors) -> any CredentialProvider {
        try OAuthProviderFactory.make(name: name, kind: kind, preset: .generic, fragment: &fragment, context: context)
    }
}

/// Builds OAuth providers for `oauth2` and the presets: reads the fragment, then the client secret file.
public enum OAuthProviderFactory {
    /// The HTTP client all OAuth providers of this process share.
    public static let sharedHTTP: any HTTPClient = NIOHTTPClient(maxConnectionsPerHost: 64)

    public static func make(name: String, kind: String, preset: OAuthPreset, fragment: inout FragmentReader,
                            context: ProviderBuildContext) throws(ConfigurationErrors) -> any CredentialProvider {
        var configuration = OAuthProviderConfiguration.read(name: name, fragment: &fragment, preset: preset)
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
        return OAuthRefreshProvider(configuration: configuration, kind: kind, http: sharedHTTP)
    }
}

/// A client secret file as HTCondor reads it: the bytes up to the first control character; the file must not be
/// readable by group or others.
enum ClientSecretFile {
    struct Problem: Error { var message: String }

    static func read(_ path: String) -> Result<String, Problem> {
        var st = stat()
        guard lstat(path, &st) == 0 else { return .failure(Problem(message: "cannot read \(path) (\(String(cString: strerror(errno))))")) }
        guard st.st_mode & S_IFMT == S_IFREG else { return .failure(Problem(message: "\(path) is not a regular file")) }
        guard st.st_mode & 0o077 == 0 else {
            return .failure(Problem(message: "\(path) is readable by group or others (mode \(String(st.st_mode & 0o777, radix: 8))); run chmod 600 \(path)"))
        }
        guard let data = FileManager.default.contents(atPath: path) else { return .failure(Problem(message: "cannot read \(path)")) }
        let secret = String(decoding: data.prefix { $0 >= 0x20 }, as: UTF8.self)
        guard !secret.isEmpty else { return .failure(Problem(message: "\(path) is empty")) }
        return .success(secret)
    }
}
