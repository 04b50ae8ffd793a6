import Engine
import FoundationEssentials

/// The endpoints an issuer publishes (OIDC discovery / RFC 8414).
public struct AuthorizationServerMetadata: Sendable, Equatable {
    public var issuer: String
    public var tokenEndpoint: URL
    public var authorizationEndpoint: URL?
    public var revocationEndpoint: URL?
    public var userinfoEndpoint: URL?
    public var introspectionEndpoint: URL?
    /// `authorization_response_iss_parameter_supported` (RFC 9207 §3): the server sends `iss` in every authorization
    /// response, so an answer without it must be refused.
    public var sendsIssuerInAuthorizationResponse = false

    /// The first endpoint of the document that must not carry secrets (not https, not loopback), by member name.
    var insecureEndpoint: String? {
        let endpoints: [(String, URL?)] = [("token_endpoint", tokenEndpoint), ("authorization_endpoint", authorizationEndpoint),
                                           ("revocation_endpoint", revocationEndpoint), ("userinfo_endpoint", userinfoEndpoint),
                                           ("introspection_endpoint", introspectionEndpoint)]
        return endpoints.first { $0.1.map(EndpointPolicy.allows) == false }?.0
    }

    /// Reads a metadata document; nil when it lacks `issuer` or `token_endpoint`.
    static func parse(_ body: Data) -> AuthorizationServerMetadata? {
        guard let object = JSONValue.parseObject(body), let issuer = object["issuer"]?.stringValue,
              let token = object["token_endpoint"]?.stringValue.flatMap(URL.init(string:)) else { return nil }
        func url(_ key: String) -> URL? { object[key]?.stringValue.flatMap(URL.init(string:)) }
        var metadata = AuthorizationServerMetadata(issuer: issuer, tokenEndpoint: token, authorizationEndpoint: url("authorization_endpoint"),
                                                   revocationEndpoint: url("revocation_endpoint"), userinfoEndpoint: url("userinfo_endpoint"),
                                                   introspectionEndpoint: url("introspection_endpoint"))
        metadata.sendsIssuerInAuthorizationResponse = object["authorization_response_iss_parameter_supported"] == .bool(true)
        return metadata
    }
}

/// Discovers and caches issuers' metadata: OIDC (`<issuer>/.well-known/openid-configuration`) first, then RFC 8414
/// (`<origin>/.well-known/oauth-authorization-server<path>`). The document's `issuer` must equal the issuer exactly.
/// Results live for `lifetime`; when a refresh fails, the last good document is kept.
public actor MetadataDiscovery {
    private let http: any HTTPClient
    private let lifetime: TimeInterval
    private let timeout: Duration
    private var cache: [String: (metadata: AuthorizationServerMetadata, fetched: Date)] = [:]

    public init(http: any HTTPClient, lifetime: TimeInterval = 3600, timeout: Duration = .seconds(10)) {
        self.http = http
        self.lifetime = lifetime
        self.timeout = timeout
    }

    /// The metadata of `issuer`, from the cache when fresh.
    public func metadata(for issuer: String, now: Date = Date()) async throws(OAuthError) -> AuthorizationServerMetadata {
        if let cached = cache[issuer], now.timeIntervalSince(cached.fetched) < lifetime { return cached.metadata }
        do {
            let metadata = try await fetch(issuer)
            cache[issuer] = (metadata, now)
            return metadata
        } catch {
            if let stale = cache[issuer]?.metadata { return stale }
            throw error
        }
    }

    private func fetch(_ issuer: String) async throws(OAuthError) -> AuthorizationServerMetadata {
        let trimmed = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        var candidates: [URL] = []
        if let oidc = WebURL.parse(trimmed + "/.well-known/openid-configuration") { candidates.append(oidc) }
        if let components = WebURL.components(trimmed), let scheme = components.scheme, let host = components.host {
            let port = components.port.map { ":\($0)" } ?? ""
            if let rfc8414 = WebURL.parse("\(scheme)://\(host)\(port)/.well-known/oauth-authorization-server\(components.path)") {
                candidates.append(rfc8414)
            }
        }
        var problems: [String] = []
        for url in candidates {
            let response: HTTPResponse
            do {
                response = try await http.send(HTTPRequest(method: "GET", url: url, headers: [("Accept", "application/json")], timeout: timeout))
            } catch {
                problems.append("\(url.absoluteString): \(error.message)")
                continue
            }
            guard response.status == 200, let metadata = AuthorizationServerMetadata.parse(response.body) else {
                problems.append("\(url.absoluteString): HTTP \(response.status)\(response.status == 200 ? " without issuer and token_endpoint" : "")")
                continue
            }
            guard metadata.issuer == issuer || metadata.issuer == trimmed else {
                problems.append("\(url.absoluteString): names issuer \(SafeText.printable(metadata.issuer, limit: 100)), not \(issuer)")
                continue
            }
            if let insecure = metadata.insecureEndpoint {
                // Nothing is sent to it: a token or a client secret would travel in clear text.
                throw OAuthError(kind: .transport, endpoint: issuer,
                                 message: "discovery at \(url.absoluteString) names a \(insecure) that is not https; refused (only loopback may use http)")
            }
            return metadata
        }
        throw OAuthError(kind: .transport, endpoint: issuer, message: "discovery failed: " + problems.joined(separator: "; "))
    }
}
