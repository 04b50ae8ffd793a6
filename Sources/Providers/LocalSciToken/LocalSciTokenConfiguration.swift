import Engine
import FoundationEssentials
import Signers

/// The settings of one `kind: local-scitoken` fragment, defaults applied.
public struct LocalSciTokenConfiguration: Sendable, Equatable {
    public var name: String
    public var issuer: String
    public var privateKeyPath: String
    public var publicKeyPath: String
    public var keyID: String
    public var algorithm: SigningAlgorithm
    public var lifetime: Int
    public var audience: [String]
    public var profile: TokenProfile
    public var scopes: ScopeTemplate
    /// HTCondor's `AUTHZ_TEMPLATE_EXPR`: a ClassAd expression over `Username` whose string result is added to the
    /// scopes (checked to parse when read).
    public var scopesExpression: String?
    public var groupScopes: ScopeTemplate?
    public var groupMapFile: String?
    public var groupRequirement: String?
    public var useJSON: Bool
    public var renewFraction: Double

    /// Every key a fragment of this kind may have, with its meaning (for documentation and `credmon check`).
    public static let keys: [(key: String, meaning: String)] = [
        ("name", "service name (default: the file name without .yaml)"),
        ("kind", "local-scitoken"),
        ("issuer", "the tokens' iss, an https URL (default https://<this host>)"),
        ("private_key", "PEM signing key (default <key dir>/<name>-private.pem; a P-256 key is generated if missing)"),
        ("public_key", "where the generated public key is written (default <key dir>/<name>.pem)"),
        ("key_id", "JOSE kid (default local)"),
        ("algorithm", "ES256 (default) or RS256"),
        ("lifetime", "token lifetime in seconds (default 1200)"),
        ("audience", "list of aud values (required for scitoken:2.0)"),
        ("profile", "scitoken:2.0 (default), scitoken:1.0 or wlcg:1.0"),
        ("scopes", "scope template (default read:/user/{username} write:/user/{username})"),
        ("scopes_expression", "a ClassAd expression over Username whose string result is added to the scopes (HTCondor's AUTHZ_TEMPLATE_EXPR)"),
        ("group_scopes", "scope template added once per group of the user ({groupname})"),
        ("group_mapfile", "file of '* <user> g1,g2' lines"),
        ("group_requirement", "a group the user must be in to get a non-empty token"),
        ("use_json", "write {\"access_token\", \"expires_in\"} (default true) or a bare token line"),
        ("renew_fraction", "renew after this fraction of the lifetime (default 0.5)"),
    ]

    private static func parse(_ text: String) -> Result<ClassAdExpression, ClassAdExpressionError> {
        do { return .success(try ClassAdExpression(parsing: text)) } catch { return .failure(error) }
    }

    /// The longest lifetime a fragment may ask for: a day. HTCondor's knobs may ask for more (with a warning).
    public static let longestFragmentLifetime = 86_400

    /// `lifetime`: 1 s to a day in a fragment; from HTCondor's knobs up to ten years, warned about above a day.
    static func lifetime(_ fragment: inout FragmentReader) -> Int {
        guard fragment.fromHTCondorKnobs else {
            return fragment.integer("lifetime", in: 1...longestFragmentLifetime, unit: "seconds") ?? 1200
        }
        guard let seconds = fragment.integer("lifetime", in: 1...315_360_000, unit: "seconds") else { return 1200 }
        if seconds > longestFragmentLifetime {
            fragment.warn("lifetime", "\(seconds) s is more than a day: tokens are minted with it, as HTCondor does (scitokens-cpp and "
                          + "python-scitokens accept them), but a copied token stays usable that long and the WLCG profile asks for at most 6 hours",
                          fix: "lower it to 1200 (HTCondor's default) unless jobs need it")
        }
        return seconds
    }

    /// Reads a fragment; every problem is recorded in `fragment`.
    public static func read(name: String, fragment: inout FragmentReader, context: ProviderBuildContext) -> LocalSciTokenConfiguration? {
        let stem = name == "scitokens" ? "scitokens" : name
        let keyDirectory = context.keyDirectory
        let issuer = fragment.string("issuer", example: "https://\(context.hostName)") ?? "https://\(context.hostName)"
        if let url = WebURL.parse(issuer), url.scheme == "https", url.host != nil {} else if fragment.fromHTCondorKnobs && !issuer.isEmpty {
            fragment.warn("issuer", "'\(issuer)' is not an https URL: tokens are minted, as HTCondor does, but scitokens-cpp ('Issuer URL must be HTTPS') "
                          + "and python-scitokens refuse to fetch this issuer's keys, so servers using them reject the tokens",
                          fix: "use an https issuer, e.g. https://\(context.hostName)")
        } else {
            fragment.fail("issuer", "'\(issuer)' is not an https URL", fix: "verifiers (scitokens-cpp, python-scitokens) require https, e.g. https://\(context.hostName)")
        }
        let privateKey = fragment.string("private_key") ?? PathText.appending(keyDirectory, "\(stem)-private.pem")
        let publicKey = fragment.string("public_key") ?? PathText.appending(keyDirectory, "\(stem).pem")
        let keyID = fragment.string("key_id") ?? "local"
        if keyID.isEmpty || keyID.contains(where: { $0.isWhitespace || $0 == "\"" || $0 == "\\" }) {
            fragment.fail("key_id", "'\(keyID)' is not a usable key id", fix: "use letters, digits, '-', '_' or '.'")
        }
        let algorithmName = fragment.choice("algorithm", of: SigningAlgorithm.allCases.map(\.rawValue)) ?? "ES256"
        let lifetime = Self.lifetime(&fragment)
        let profileName = fragment.string("profile") ?? TokenProfile.scitoken2.rawValue
        let profile = TokenProfile(setting: profileName)
        if profile == nil {
            fragment.fail("profile", "'\(profileName)' is not a known profile", fix: "use scitoken:2.0, scitoken:1.0 or wlcg:1.0")
        }
        var audience = fragment.stringList("audience") ?? []
        if audience.isEmpty && fragment.has("audience") {
            fragment.fail("audience", "is empty", fix: "list at least one audience, or remove the key")
        }
        switch profile {
        case .scitoken2 where audience.isEmpty:
            fragment.fail("audience", "is required by profile scitoken:2.0 (verifiers reject tokens without aud)",
                          fix: "add e.g. audience: [\"https://storage.example.org\"] or use ANY for any server")
        case .wlcg1 where audience.isEmpty:
            audience = [TokenProfile.wlcgAnyAudience]
        default:
            break
        }
        let scopesText = fragment.string("scopes") ?? "read:/user/{username} write:/user/{username}"
        if let bad = ScopeTemplate.validate(scopesText, placeholders: ["username"]) {
            fragment.fail("scopes", "unknown placeholder \(bad)", fix: "only {username} is replaced")
        } else if ScopeTemplate(scopesText).expand(["username": "u"]).isEmpty {
            fragment.fail("scopes", "is empty", fix: "tokens need at least one scope")
        }
        let scopesExpression = fragment.string("scopes_expression")
        if let scopesExpression, case .failure(let error) = Self.parse(scopesExpression) {
            fragment.fail("scopes_expression", error.description,
                          fix: "use the ClassAd functions Credmon evaluates (strcat, ifThenElse, regexp, toLower, toUpper, substr, size, comparisons, && || !)")
        }
        let groupScopesText = fragment.string("group_scopes")
        if let groupScopesText, let bad = ScopeTemplate.validate(groupScopesText, placeholders: ["groupname", "username"]) {
            fragment.fail("group_scopes", "unknown placeholder \(bad)", fix: "only {groupname} and {username} are replaced")
        }
        let groupMapFile = fragment.string("group_mapfile")
        let groupRequirement = fragment.string("group_requirement")
        if groupMapFile == nil && (groupScopesText != nil || groupRequirement != nil) {
            fragment.fail(groupScopesText != nil ? "group_scopes" : "group_requirement", "needs group_mapfile",
                          fix: "add group_mapfile: /etc/condor/groups.map (lines: * <user> g1,g2)")
        }
        let useJSON = fragment.bool("use_json") ?? true
        let renewFraction = fragment.number("renew_fraction", in: 0.05...0.99) ?? 0.5
        guard let profile, let algorithm = SigningAlgorithm(rawValue: algorithmName) else { return nil }
        return LocalSciTokenConfiguration(
            name: name, issuer: issuer, privateKeyPath: privateKey, publicKeyPath: publicKey, keyID: keyID,
            algorithm: algorithm, lifetime: lifetime, audience: audience, profile: profile,
            scopes: ScopeTemplate(scopesText), scopesExpression: scopesExpression, groupScopes: groupScopesText.map(ScopeTemplate.init),
            groupMapFile: groupMapFile, groupRequirement: groupRequirement, useJSON: useJSON, renewFraction: renewFraction)
    }
}
