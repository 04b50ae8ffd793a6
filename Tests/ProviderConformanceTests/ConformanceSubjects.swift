import Box
import CILogon
import ClientCredentials
import Dropbox
import Engine
import GenericOAuth
import GoogleDrive
import LocalSciToken
import OneDrive
import TokenExchange
import Vault

/// The kinds under the conformance suite: one line per kind of `ProviderCatalog.kinds`.
enum ConformanceSubjects {
    static let all: [ConformanceSubject] = [
        .localSciToken,
        .oauth(GenericOAuthKind.self),
        .oauth(CILogonKind.self),
        .oauth(BoxKind.self),
        .oauth(GoogleDriveKind.self),
        .oauth(OneDriveKind.self),
        .oauth(DropboxKind.self),
        .clientCredentials,
        .tokenExchange,
        .vault,
    ]

    /// The subject of a kind, if it has one.
    static func subject(of kind: any ProviderKind.Type) -> ConformanceSubject? {
        all.first { $0.kind == kind }
    }
}

extension ConformanceSubject {
    /// An OAuth kind (`oauth2` or a preset) against the loopback server: the fragment overrides the preset's https
    /// endpoints with the server's (loopback http is allowed by `EndpointPolicy`). The server has no Dropbox-style
    /// revocation call; its `/userinfo`, which takes a Bearer POST, stands in for it.
    static func oauth<Kind: OAuthPresetKind>(_ kind: Kind.Type) -> ConformanceSubject {
        let bearer = Kind.preset.revocation == .bearerAccessToken
        return ConformanceSubject(
            kind: kind,
            keys: { fixture in
                ["client_id: \(ConformanceFixture.client.id)",
                 "client_secret_file: \(fixture.secretFile)",
                 "token_url: \(fixture.url("/token"))",
                 "revocation_url: \(fixture.url(bearer ? "/userinfo" : "/revoke"))",
                 "timeout: 5"]
            },
            seed: .refreshToken,
            rotatesSeed: Kind.preset.rotation != .never,
            revocation: bearer ? .bearerAccessToken : Kind.preset.revocation == .none ? .nothing : .rfc7009,
            errorClasses: .applies,
            tokenSetting: ("client_id", "another-client"),
            wrongType: ("max_concurrent", "\"many\""),
            requiredKey: .key("client_id"),
            knobs: { fixture in
                let service = fixture.service.uppercased()
                return (["\(service)_CLIENT_ID": ConformanceFixture.client.id,
                         "\(service)_CLIENT_SECRET_FILE": fixture.secretFile,
                         "\(service)_TOKEN_URL": fixture.url("/token"),
                         "\(service)_AUTHORIZATION_URL": fixture.url("/authorize")],
                        ["client_id: \(ConformanceFixture.client.id)",
                         "client_secret_file: \(fixture.secretFile)",
                         "token_url: \(fixture.url("/token"))",
                         "authorization_url: \(fixture.url("/authorize"))",
                         // HTCondor's credmon never revokes, so knob-only services do not either.
                         "revoke_on_removal: false"])
            })
    }

    /// The local issuer: signs with a key generated in the test's key directory; no server is involved, so the
    /// error classes of a remote server do not apply.
    static let localSciToken = ConformanceSubject(
        kind: LocalSciTokenKind.self,
        keys: { fixture in
            ["issuer: https://issuer.example.org",
             "private_key: \(fixture.directory.file("keys/conformance-private.pem"))",
             "public_key: \(fixture.directory.file("keys/conformance.pem"))",
             "audience: [\"https://storage.example.org\"]",
             "lifetime: 600"]
        },
        seed: .placeholder,
        rotatesSeed: false,
        revocation: .nothing,
        errorClasses: .notApplicable("signs locally: no server refuses a grant, answers 503 or is unreachable"),
        tokenSetting: ("lifetime", "900"),
        wrongType: ("lifetime", "\"soon\""),
        requiredKey: .key("audience"),
        knobs: { fixture in
            (["LOCAL_CREDMON_ISSUER": "https://issuer.example.org",
              "LOCAL_CREDMON_PRIVATE_KEY": fixture.directory.file("keys/conformance-private.pem"),
              "LOCAL_CREDMON_PUBLIC_KEY": fixture.directory.file("keys/conformance.pem"),
              "LOCAL_CREDMON_TOKEN_AUDIENCE": "https://storage.example.org",
              "LOCAL_CREDMON_TOKEN_LIFETIME": "600"],
             ["issuer: https://issuer.example.org",
              "private_key: \(fixture.directory.file("keys/conformance-private.pem"))",
              "public_key: \(fixture.directory.file("keys/conformance.pem"))",
              "audience: [\"https://storage.example.org\"]",
              "lifetime: 600"])
        })

    /// A client-credentials grant per user (RFC 6749 §4.4) at the loopback server: the `.top` is a placeholder, a
    /// renewal fetches anew, nothing is revoked; the server refuses by forgetting the client (there is no grant).
    static let clientCredentials = ConformanceSubject(
        kind: ClientCredentialsKind.self,
        keys: { fixture in
            ["client_id: \(ConformanceFixture.client.id)",
             "client_secret_file: \(fixture.secretFile)",
             "token_url: \(fixture.url("/token"))",
             "timeout: 5"]
        },
        seed: .clientCredentials,
        rotatesSeed: false,
        revocation: .nothing,
        errorClasses: .applies,
        tokenSetting: ("scopes", "\"read:/other\""),
        wrongType: ("max_concurrent", "\"many\""),
        requiredKey: .key("client_id"),
        knobs: { fixture in
            (["CLIENT_CREDMON_CLIENT_ID": ConformanceFixture.client.id,
              "CLIENT_CREDMON_CLIENT_SECRET_FILE": fixture.secretFile,
              "CLIENT_CREDMON_TOKEN_URL": fixture.url("/token"),
              "CLIENT_CREDMON_\(fixture.service.uppercased())_TOKEN_LIFETIME": "900"],
             ["client_id: \(ConformanceFixture.client.id)",
              "client_secret_file: \(fixture.secretFile)",
              "token_url: \(fixture.url("/token"))",
              "lifetime_fallback: 900"])
        },
        refusal: .unregisteredClient)

    /// RFC 8693 token exchange of a storer's subject token at the loopback server, which returns a refresh token:
    /// the new seed holds it (the storer's `scopes` kept); nothing is revoked.
    static let tokenExchange = ConformanceSubject(
        kind: TokenExchangeKind.self,
        keys: { fixture in
            ["client_id: \(ConformanceFixture.client.id)",
             "client_secret_file: \(fixture.secretFile)",
             "token_url: \(fixture.url("/token"))",
             "timeout: 5"]
        },
        seed: .subjectToken,
        rotatesSeed: true,
        revocation: .nothing,
        errorClasses: .applies,
        tokenSetting: ("client_id", "another-client"),
        wrongType: ("minimum_lifetime", "\"soon\""),
        requiredKey: .key("client_id"),
        knobs: { fixture in
            let service = fixture.service.uppercased()
            return (["\(service)_PELICAN_CLIENT_ID": ConformanceFixture.client.id,
                     "\(service)_PELICAN_CLIENT_SECRET_FILE": fixture.secretFile,
                     "\(service)_PELICAN_TOKEN_URL": fixture.url("/token"),
                     "CREDMON_OAUTH_TOKEN_MINIMUM": "900"],
                    ["client_id: \(ConformanceFixture.client.id)",
                     "client_secret_file: \(fixture.secretFile)",
                     "token_url: \(fixture.url("/token"))",
                     "minimum_lifetime: 900"])
        })

    /// Vault (htgettoken / htvault-config) against the loopback server's `/v1/` stand-in: the Vault token is an access
    /// token of a grant the server issued; revoking the grant is the Vault token expiring (`permission denied`).
    /// Fetch and refresh are the same request; nothing is revoked (the Vault token is the user's).
    static let vault = ConformanceSubject(
        kind: VaultKind.self,
        keys: { _ in ["allowed_ports: [any]", "timeout: 5"] },
        seed: .vaultToken,
        rotatesSeed: false,
        revocation: .nothing,
        errorClasses: .applies,
        tokenSetting: ("minimum_seconds", "3600"),
        wrongType: ("minimum_seconds", "\"soon\""),
        requiredKey: .none("every key has HTCondor's default; the .top carries the Vault URL and token"),
        knobs: { _ in
            (["CREDMON_OAUTH_TOKEN_MINIMUM": "3600", "CREDMON_OAUTH_TOKEN_REFRESH": "1000", "TRUSTED_VAULT_HOSTS": "127.0.0.1"],
             ["minimum_seconds: 3600", "refresh_interval: 1000", "trusted_hosts: [\"127.0.0.1\"]"])
        },
        refusal: .revokedVaultToken,
        accessFileFormat: .bare,
        tokenPath: ConformanceFixture.vaultPath)
}
