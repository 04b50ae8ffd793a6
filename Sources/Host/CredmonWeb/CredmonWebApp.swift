import CondorConfig
import Engine
import Foundation
import Hummingbird
import Logging
import OAuthClient
import ProviderCatalog
import Signers

/// The web app's state: configuration, the session cookie codec (keyed by `wsgi_session_key`), the providers of
/// `providers.d` and the published issuers. ``makeRouter()`` gives the Hummingbird router with every route.
public struct CredmonWebApp: Sendable {
    public let configuration: WebConfiguration
    let codec: SessionCookieCodec
    let providers: ProviderTable
    let catalog: KindCatalog
    let issuers: IssuerDocuments
    let http: any HTTPClient
    let discovery: MetadataDiscovery
    let logger: Logger

    /// Why the app cannot start.
    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Validates the credential directory, loads (or creates) the session key and reads `providers.d`. Bad
    /// fragments are logged and skipped (key files carry everything HTCondor's own flow needs).
    /// - Parameter http: the HTTP client of every exchange (owned by the caller, which shuts it down).
    public init(configuration: WebConfiguration, http: any HTTPClient, logger: Logger) throws(StartError) {
        do {
            catalog = try ProviderCatalog.load()
        } catch {
            throw StartError(description: "this build's provider catalog is invalid: \(error)")
        }
        self.http = http
        self.logger = logger
        discovery = MetadataDiscovery(http: http)
        // A symlinked $CD is served through its target, as the daemon does (resolved once, then used by path).
        var configuration = configuration
        do {
            let directory = try CredentialDirectory(path: configuration.credentialDirectory).resolvedForUse()
            configuration.credentialDirectory = directory.path
            codec = SessionCookieCodec(sessionKey: try SessionKeyFile.loadOrCreate(in: try directory.open()))
        } catch {
            throw StartError(description: "\(error)")
        }
        self.configuration = configuration
        let table = Self.loadProviders(configuration, catalog: catalog, http: http, logger: logger)
        providers = table
        issuers = IssuerDocuments(issuers: table.names.compactMap { name in
            (table.provider(for: name) as? any IssuerPublishing).map { IssuerDocuments.Issuer(issuer: $0.issuer, key: $0.publicKey) }
        })
        logger.info("Ready", metadata: [
            "credmon.cred_dir": "\(configuration.credentialDirectory)", "credmon.prefix": "\(configuration.prefix.isEmpty ? "/" : configuration.prefix)",
            "credmon.oauth_fragments": "\(table.names.filter { table.provider(for: $0) is any WebLoginProvider }.joined(separator: ","))",
            "credmon.local_issuers": "\(Set(issuers.issuers.map(\.issuer)).sorted().joined(separator: ","))",
        ])
    }

    /// The providers as the daemon sees them (`providers.d` plus HTCondor's knobs), built for this app: local
    /// issuers only by their public keys, OAuth providers without their client secret files (this app runs as
    /// `condor`; each client secret comes from the key file condor_credd wrote). What fails is logged and skipped.
    static func loadProviders(_ configuration: WebConfiguration, catalog: KindCatalog, http: any HTTPClient, logger: Logger) -> ProviderTable {
        let context = ProviderBuildContext(keyDirectory: configuration.keyDirectory, hostName: configuration.hostName,
                                           createMissingKeys: false,
                                           allowSpecialCharacterNames: configuration.allowsSpecialCharacterNames,
                                           readsClientSecrets: false, http: http, logger: logger)
        var fragments = ProviderTable.LoadResult(table: ProviderTable(), errors: [], failedFiles: [])
        if FileManager.default.fileExists(atPath: configuration.providersDirectory) {
            fragments = ProviderTable.load(directory: configuration.providersDirectory, catalog: catalog, context: context)
        }
        let effective = EffectiveProviders.merge(fragments: fragments, knobs: configuration.condorKnobs, catalog: catalog, context: context)
        for error in effective.errors {
            logger.warning("Provider skipped", metadata: ["credmon.error": "\(error)"])
        }
        return effective.table
    }

    /// The web-login provider of a service, if `providers.d` or HTCondor's knobs configure one.
    func loginProvider(for service: String) -> (any WebLoginProvider)? {
        providers.provider(for: service) as? any WebLoginProvider
    }

    /// The web-login provider of a service no fragment or knob configures (a key file alone describes it): one of
    /// the kind HTCondor would recognise by the token URL's host or the service name, with its preset's settings.
    func recognisedLoginProvider(service: String, tokenURL: String?) -> (provider: any WebLoginProvider, byHost: Bool)? {
        guard let (kind, byHost) = catalog.recognition(service: service, type: .oauth2, tokenURL: tokenURL) else { return nil }
        let context = ProviderBuildContext(keyDirectory: configuration.keyDirectory, hostName: configuration.hostName, createMissingKeys: false,
                                           allowSpecialCharacterNames: true, readsClientSecrets: false, http: http, logger: logger)
        let fragment = KnobFragment(service: service, kind: kind.kind, credentialType: .oauth2)
        guard case .success(let entry) = fragment.makeEntry(catalog: catalog, context: context, origin: "the key file"),
              let provider = entry.provider as? any WebLoginProvider else { return nil }
        return (provider, byHost)
    }

    /// The router: every route under the prefix, the security headers, the access log, the request limits, the
    /// cross-site refusal and the provider's answers at a login's own return path.
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        let pages = Pages(prefix: configuration.prefix)
        router.middlewares.add(SecurityHeadersMiddleware())
        router.middlewares.add(AccessLogMiddleware(logger: logger, pages: pages))
        router.middlewares.add(RequestLimitsMiddleware(limits: configuration.limits, pages: pages))
        router.middlewares.add(CrossSiteMiddleware(prefix: configuration.prefix, pages: pages, logger: logger))
        let routes = Routes(app: self, pages: pages)
        router.middlewares.add(OAuthReturnMiddleware(routes: routes))
        if configuration.prefix.isEmpty {
            routes.add(to: router)
        } else {
            routes.add(to: router.group(RouterPath(configuration.prefix)))
        }
        return router
    }

    /// The Hummingbird application listening on `host:port`, with the idle timeout and the HTTP decoder's bounds of
    /// ``WebConfiguration/limits``.
    public func makeApplication(host: String, port: Int) -> some ApplicationProtocol {
        Application(router: makeRouter(), server: .http1(configuration: configuration.limits.serverConfiguration),
                    configuration: .init(address: .hostname(host, port: port), serverName: nil), logger: logger)
    }
}
