import Engine
import FoundationEssentials

/// Vault's answers (contract §C.4.3 steps 5–6): `data.access_token` on 200; otherwise the `errors` array, where
/// `permission denied` means the Vault token expired or was revoked.
public enum VaultAnswer {
    /// The access token of a 200 answer, or why it is unusable.
    public static func accessToken(_ response: HTTPResponse) -> Result<String, ProviderError> {
        guard let object = JSONValue.parseObject(response.body), case .object(let data)? = object["data"],
              let token = data["access_token"]?.stringValue else {
            return .failure(.transient(.malformedResponse, "Vault answered 200 without a string data.access_token"))
        }
        guard token.utf8.count <= JWTClaims.maximumTokenLength, AccessTokenFile.isBareToken(token) else {
            return .failure(.transient(.malformedResponse, "Vault's data.access_token is empty, too long or not a bearer token"))
        }
        return .success(token)
    }

    /// The failure a non-200 answer means.
    public static func failure(_ response: HTTPResponse) -> ProviderError {
        let errors = messages(response.body)
        let text = "Vault answered HTTP \(response.status)" + (errors.isEmpty ? "" : ": " + errors.joined(separator: "; "))
        if errors.contains(where: { $0.lowercased().contains("permission denied") }) {
            return .discard(.seedRejected, text + " (the Vault token expired or was revoked)")
        }
        let retryAfter = response.headers["retry-after"].flatMap { RetryAfter.seconds($0, now: Date(), maximum: 3600) }
        if response.status == 429 || response.status >= 500 {
            return .transient(.httpStatus(response.status), text, retryAfter: retryAfter)
        }
        return .terminal(.httpStatus(response.status), text)
    }

    /// At most 5 printable messages of 200 characters from an `errors` array.
    public static func messages(_ body: Data) -> [String] {
        guard let object = JSONValue.parseObject(body), case .array(let items)? = object["errors"] else { return [] }
        return items.prefix(5).compactMap { $0.stringValue }.map {
            SafeText.printable($0.replacing("\n", with: " ").replacing("\t", with: " "), limit: 200)
                .trimmingSpaces()
        }.filter { !$0.isEmpty }
    }

    /// When a `lookup-self` answer says the token expires: `data.expire_time` (RFC 3339), else `data.ttl` seconds from
    /// `now`; nil for a token that never expires or an answer that does not say.
    public static func tokenExpiry(_ response: HTTPResponse, now: Date) -> Date? {
        guard response.status == 200, let object = JSONValue.parseObject(response.body), case .object(let data)? = object["data"] else {
            return nil
        }
        if let text = data["expire_time"]?.stringValue, let date = parseRFC3339(text) { return date }
        if let ttl = data["ttl"]?.numberValue, ttl > 0, ttl < 1e10 { return now.addingTimeInterval(ttl) }
        return nil
    }

    /// An RFC 3339 date as Vault writes it (nanoseconds allowed); nil otherwise.
    public static func parseRFC3339(_ text: String) -> Date? {
        // RFC 3339 is printable ASCII; Foundation's date formatters trap on some other text.
        guard text.utf8.count <= 64, text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return nil }
        // Vault writes nanoseconds; the reader (ISO8601DateFormatter before, the same rules now) wants none: cut the fraction.
        var trimmed = text
        if let dot = trimmed.firstIndex(of: "."), let zone = trimmed[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" }) {
            trimmed = String(trimmed[..<dot]) + String(trimmed[zone...])
        }
        return try? Date.ISO8601FormatStyle().parse(trimmed)
    }
}
