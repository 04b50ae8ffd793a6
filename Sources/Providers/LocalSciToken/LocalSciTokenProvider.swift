import Engine
import Foundation
import Logging
import Signers

/// Issues SciTokens / WLCG tokens signed with a local key. `fetch` and `refresh` both mint a new token;
/// there is nothing to revoke (tokens are short-lived and the `.top` is only a placeholder).
public struct LocalSciTokenProvider: CredentialProvider {
    public let configuration: LocalSciTokenConfiguration
    public let key: SigningKey
    public let profile: ProviderProfile
    private let groupMap: GroupMap?
    private let logger: Logger

    public init(configuration: LocalSciTokenConfiguration, key: SigningKey, keyNote: String? = nil, logger: Logger) {
        self.configuration = configuration
        self.key = key
        self.logger = logger
        self.groupMap = configuration.groupMapFile.map(GroupMap.init(path:))
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
                                   revokesOnRemoval: false),
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

    /// Signs a token for `user` and renders the `.use` file.
    public func mint(for user: String, now: Date) throws(ProviderError) -> CredentialUpdate {
        let issuedAt = Int(now.timeIntervalSince1970)
        let expiresAt = issuedAt + configuration.lifetime
        let validity = TokenValidity(issuedAt: Date(timeIntervalSince1970: Double(issuedAt)),
                                     expiresAt: Date(timeIntervalSince1970: Double(expiresAt)))
        var scopes = configuration.scopes.expand(["username": user])
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
                    throw .transient("group_mapfile_unreadable", error.message)
                }
                logger.warning("Group map unreadable; token issued without group scopes", metadata: ["credmon.error": "\(error.message)"])
            }
        }
        let payload = claims(user: user, scope: scopes.joined(separator: " "), issuedAt: issuedAt, expiresAt: expiresAt)
        let token: String
        do {
            token = try key.signCompact(payload: payload)
        } catch {
            throw .transient("signing_failed", error.description)
        }
        return CredentialUpdate(accessTokenFile: render(token: token, expiresIn: configuration.lifetime), validity: validity)
    }

    /// The claim set, serialised directly (this is the hot path of a first pass).
    func claims(user: String, scope: String, issuedAt: Int, expiresAt: Int) -> Data {
        var json = "{"
        if !configuration.audience.isEmpty {
            json += "\"aud\":[" + configuration.audience.map(JSONString.quote).joined(separator: ",") + "],"
        }
        json += "\"exp\":\(expiresAt),\"iat\":\(issuedAt),\"iss\":\(JSONString.quote(configuration.issuer)),"
        json += "\"jti\":\"\(UUID().uuidString.lowercased())\",\"nbf\":\(issuedAt),"
        json += "\"scope\":\(JSONString.quote(scope)),\"sub\":\(JSONString.quote(user))"
        switch configuration.profile {
        case .scitoken2: json += ",\"ver\":\"scitoken:2.0\""
        case .scitoken1: break
        case .wlcg1: json += ",\"wlcg.ver\":\"1.0\""
        }
        json += "}"
        return Data(json.utf8)
    }

    /// HTCondor's `.use` formats: `{"access_token": …, "expires_in": …}` or the bare token and a newline.
    func render(token: String, expiresIn: Int) -> [UInt8] {
        if configuration.useJSON {
            return Array("{\"access_token\": \(JSONString.quote(token)), \"expires_in\": \(expiresIn)}".utf8)
        }
        return Array((token + "\n").utf8)
    }
}

/// JSON string quoting for the few strings this module writes by hand.
enum JSONString {
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
