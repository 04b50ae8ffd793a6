import Engine
import FoundationEssentials
import Glibc
import Signers

/// `kind: local-scitoken` as credmon-web builds it (``ProviderBuildContext/readsClientSecrets`` off): only the
/// issuer and its public key, which the web app publishes (openid-configuration and JWKS). The web app runs as
/// `condor` and never reads the private key.
enum PublishedIssuerBuilder {
    static func make(name: String, fragment: inout FragmentReader, context: ProviderBuildContext) throws(ConfigurationErrors) -> any CredentialProvider {
        let configuration = LocalSciTokenConfiguration.read(name: name, fragment: &fragment, context: context)
        let errors = fragment.finish()
        guard errors.isEmpty, let configuration else { throw ConfigurationErrors(errors) }
        let path = configuration.publicKeyPath
        let pem: String
        do {
            guard let contents = try SafeFile.read(path: path, limit: 64 << 10) else { throw SystemError("read", path: path, errno: ENOENT) }
            pem = String(decoding: contents.bytes, as: UTF8.self)
        } catch {
            throw ConfigurationErrors([ConfigurationError(
                file: fragment.file, line: fragment.line(of: "public_key"), key: "public_key",
                problem: "cannot read the public key \(path)",
                fix: "start the credmon daemon once (it generates the key pair) or run `credmon keygen`, and let this user read the .pem")])
        }
        do {
            let key = try JSONWebKey(publicKeyPEM: pem, keyID: configuration.keyID, source: path)
            return PublishedIssuer(name: name, issuer: configuration.issuer, key: key)
        } catch {
            throw ConfigurationErrors([ConfigurationError(file: fragment.file, line: fragment.line(of: "public_key"), key: "public_key",
                                                          problem: error.description)])
        }
    }
}

/// A local issuer's public face. It is in the web app's provider table only to be published; it issues nothing.
struct PublishedIssuer: CredentialProvider, IssuerPublishing {
    let issuer: String
    let publicKey: JSONWebKey
    let profile: ProviderProfile

    init(name: String, issuer: String, key: JSONWebKey) {
        self.issuer = issuer
        self.publicKey = key
        profile = ProviderProfile(name: name, kind: LocalSciTokenKind.kind,
                                  traits: ProviderTraits(allowsHandles: false, readsSeed: false, renewFraction: 0.5, revokesOnRemoval: false),
                                  settings: [.init("issuer", issuer), .init("key_id", key.kid)], fingerprint: key.kid)
    }

    func fetch(_ request: CredentialRequest) async throws -> CredentialUpdate {
        throw ProviderError.terminal(.webOnly, "credmon-web issues no tokens")
    }
    func refresh(_ request: CredentialRequest) async throws -> CredentialUpdate { try await fetch(request) }
    func revoke(_ request: RevocationRequest) async throws {}
}
