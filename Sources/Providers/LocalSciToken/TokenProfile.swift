/// The claim profile of issued tokens.
public enum TokenProfile: String, Sendable, CaseIterable {
    /// SciTokens 2.0: `ver: "scitoken:2.0"`, `aud` required.
    case scitoken2 = "scitoken:2.0"
    /// SciTokens 1.0: no `ver` claim (the profile says a missing `ver` means 1.0; both field verifiers accept it).
    case scitoken1 = "scitoken:1.0"
    /// WLCG Common JWT Profile 1.0: `wlcg.ver: "1.0"`, `aud` defaulting to the WLCG "any" audience.
    case wlcg1 = "wlcg:1.0"

    /// The WLCG audience that matches any relying party.
    public static let wlcgAnyAudience = "https://wlcg.cern.ch/jwt/v1/any"

    /// Accepts HTCondor's `LOCAL_CREDMON_TOKEN_VERSION` spellings too (`wlcg`, case-insensitive).
    public init?(setting: String) {
        switch setting.lowercased() {
        case "scitoken:2.0": self = .scitoken2
        case "scitoken:1.0", "scitokens:1.0": self = .scitoken1
        case "wlcg", "wlcg:1.0": self = .wlcg1
        default: return nil
        }
    }
}
