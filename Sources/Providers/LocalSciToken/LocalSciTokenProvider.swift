import Engine
import FoundationEssentials
import Logging
import Signers

/// Issues SciTokens / WLCG tokens signed with a local key. `fetch` and `refresh` both mint a new token;
/// there is nothing to revoke (tokens are short-lived and the `.top` is only a placeholder).
public struct LocalSciTokenProvider: ImmediateCredentialProvider {
    public let configuration: LocalSciTokenConfiguration
    public let key: SigningKey
    public let profile: ProviderProfile
    /// False while the configured private key does not exist yet (`credmon check` signs with a throw-away key).
    public let hasConfiguredKey: Bool
    private let groupMap: GroupMap?
    private let scopesExpression: ScopeExpression?
    private let logger: Logger
    /// `["aud1","aud2"]` and `"issuer"`, encoded once.
    private let audienceJSON: [UInt8]
    private let issuerJSON: [UInt8]

    public init(configuration: LocalSciTokenConfiguration, key: SigningKey, keyNote: String? = nil, logger: Logger) {
        self.configuration = configuration
        self.key = key
        self.logger = logger
        self.hasConfiguredKey = keyNote == nil
        self.groupMap = configuration.groupMapFile.map(GroupMap.init(path:))
        // The configuration checked that it parses.
        self.scopesExpression = configuration.scopesExpression.flatMap { try? ScopeExpression($0, logger: logger) }
        var audience: [UInt8] = []
        if !configuration.audience.isEmpty {
            audience.append(UInt8(ascii: "["))
            for (index, value) in configuration.audience.enumerated() {
                if index > 0 { audience.append(UInt8(ascii: ",")) }
                JSONEscaping.append(value, to: &audience)
            }
            audience.append(UInt8(ascii: "]"))
        }
        self.audienceJSON = audience
        var issuer: [UInt8] = []
        JSONEscaping.append(configuration.issuer, to: &issuer)
        self.issuerJSON = issuer
        var settings: [ProviderProfile.Setting] = [
            .init("issuer", configuration.issuer),
            .init("private_key", configuration.privateKeyPath + (keyNote.map { " (\($0))" } ?? "")),
            .init("public_key", configuration.publicKeyPath),
            .init("key_id", configuration.keyID),
            .init("algorithm", configuration.algorithm.rawValue),
            .init("profile", configuration.profile.rawValue),
            .init("audience", configuration.audience.isEmpty ? "(none)" : configuration.audience.joined(separator: " ")),
            .init("lifetime", "\(configuration.lifetime)s"),
            .init("scopes", configuration.scopes.text),
            .init("use_json", "\(configuration.useJSON)"),
            .init("renew_fraction", "\(configuration.renewFraction)"),
        ]
        if let expression = configuration.scopesExpression { settings.append(.init("scopes_expression", expression)) }
        if let groupScopes = configuration.groupScopes { settings.append(.init("group_scopes", groupScopes.text)) }
        if let file = configuration.groupMapFile { settings.append(.init("group_mapfile", file)) }
        if let group = configuration.groupRequirement { settings.append(.init("group_requirement", group)) }
        var hasher = Hasher()
        for setting in settings { hasher.combine(setting.key); hasher.combine(setting.value) }
        hasher.combine(key.publicKeyPEM)
        let fingerprint = String(UInt(bitPattern: hasher.finalize()), radix: 16)
        self.profile = ProviderProfile(
            name: configuration.name, kind: LocalSciTokenKind.kind,
            traits: ProviderTraits(allowsHandles: false, readsSeed: false, renewFraction: configuration.renewFraction,
                                   revokesOnRemoval: false, requiresPrivilegedSeed: true),
            settings: settings, fingerprint: fingerprint)
    }

    /// The issuer's public key as a JWK (for `credmon jwks` and the web app).
    public var publicJWK: JSONWebKey { key.publicJWK }

    public func fetch(_ request: CredentialRequest) async throws -> CredentialUpdate {
        try mint(for: request.id.user, now: request.now)
    }

    public func refresh(_ request: CredentialRequest) async throws -> CredentialUpdate {
        try mint(for: request.id.user, now: request.now)
    }

    public func revoke(_ request: RevocationRequest) async throws {}

    /// Signing needs only the CPU: the monitor mints in batches on its blocking-I/O pool.
    public func renewImmediately(_ request: CredentialRequest) throws -> CredentialUpdate {
        try mint(for: request.id.user, now: request.now)
    }

    /// Signs a token for `user` and renders the `.use` file.
    public func mint(for user: String, now: Date) throws(ProviderError) -> CredentialUpdate {
        let issuedAt = Int(now.timeIntervalSince1970)
        let expiresAt = issuedAt + configuration.lifetime
        let validity = TokenValidity(issuedAt: Date(timeIntervalSince1970: Double(issuedAt)),
                                     expiresAt: Date(timeIntervalSince1970: Double(expiresAt)))
        var scopes = configuration.scopes.expand(["username": user])
        if let scopesExpression { scopes += scopesExpression.scopes(for: user) }
        if configuration.groupScopes != nil || configuration.groupRequirement != nil, let groupMap {
            switch groupMap.groups(of: user) {
            case .success(let groups):
                if let required = configuration.groupRequirement, !groups.contains(required) {
                    logger.info("User is not in the required group; issued an empty token", metadata: [
                        "credmon.user": "\(user)", "credmon.group": "\(required)",
                    ])
                    return CredentialUpdate(accessTokenFile: render(token: "", expiresIn: configuration.lifetime), validity: validity)
                }
                if let template = configuration.groupScopes {
                    for group in groups { scopes += template.expand(["groupname": group, "username": user]) }
                }
            case .failure(let error):
                if configuration.groupRequirement != nil {
                    throw .transient(.groupMapfileUnreadable, error.message)
                }
                logger.warning("Group map unreadable; token issued without group scopes", metadata: ["credmon.error": "\(error.message)"])
            }
        }
        let payload = claims(user: user, scope: scopes.joined(separator: " "), issuedAt: issuedAt, expiresAt: expiresAt)
        let token: String
        do {
            token = try key.signCompact(payload: payload)
        } catch {
            throw .transient(.signingFailed, error.description)
        }
        return CredentialUpdate(accessTokenFile: render(token: token, expiresIn: configuration.lifetime), validity: validity)
    }

    /// The claim set, serialised directly into bytes (this is the hot path of a first pass).
    func claims(user: String, scope: String, issuedAt: Int, expiresAt: Int) -> Data {
        var json: [UInt8] = []
        json.reserveCapacity(256 + scope.utf8.count + audienceJSON.count + issuerJSON.count)
        json.append(contentsOf: "{".utf8)
        if !audienceJSON.isEmpty {
            json.append(contentsOf: "\"aud\":".utf8)
            json.append(contentsOf: audienceJSON)
            json.append(UInt8(ascii: ","))
        }
        json.append(contentsOf: "\"exp\":\(expiresAt),\"iat\":\(issuedAt),\"iss\":".utf8)
        json.append(contentsOf: issuerJSON)
        json.append(contentsOf: ",\"jti\":\"".utf8)
        TokenIdentifier.appendUUID(to: &json)
        json.append(contentsOf: "\",\"nbf\":\(issuedAt),\"scope\":".utf8)
        JSONEscaping.append(scope, to: &json)
        json.append(contentsOf: ",\"sub\":".utf8)
        JSONEscaping.append(user, to: &json)
        switch configuration.profile {
        case .scitoken2: json.append(contentsOf: ",\"ver\":\"scitoken:2.0\"".utf8)
        case .scitoken1: break
        case .wlcg1: json.append(contentsOf: ",\"wlcg.ver\":\"1.0\"".utf8)
        }
        json.append(UInt8(ascii: "}"))
        return Data(json)
    }

    /// HTCondor's `.use` formats: `{"access_token": …, "expires_in": …}` or the bare token and a newline.
    func render(token: String, expiresIn: Int) -> [UInt8] {
        guard configuration.useJSON else { return Array((token + "\n").utf8) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(token.utf8.count + 48)
        bytes.append(contentsOf: "{\"access_token\": ".utf8)
        JSONEscaping.append(token, to: &bytes)
        bytes.append(contentsOf: ", \"expires_in\": \(expiresIn)}".utf8)
        return bytes
    }
}

/// Random (version 4) UUIDs for `jti`, written straight into the claim bytes (drawn from ``RandomPool``: a `jti` is
/// published in the token, and one `getrandom(2)` serves 256 of them).
enum TokenIdentifier {
    static func appendUUID(to bytes: inout [UInt8]) {
        var random = (UInt64(0), UInt64(0))
        withUnsafeMutableBytes(of: &random) { raw in
            RandomPool.shared.fill(raw)
            raw[6] = (raw[6] & 0x0F) | 0x40
            raw[8] = (raw[8] & 0x3F) | 0x80
            for index in 0..<16 {
                if index == 4 || index == 6 || index == 8 || index == 10 { bytes.append(UInt8(ascii: "-")) }
                bytes.append(JSONEscaping.hexDigits[Int(raw[index] >> 4)])
                bytes.append(JSONEscaping.hexDigits[Int(raw[index] & 0xF)])
            }
        }
    }
}
