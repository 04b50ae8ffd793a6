/// A `<token>.top` file: a JSON object (OAuth refresh token and credd's `scopes`/`audience`, kept as they are) or
/// opaque bytes (a local issuer's `<user>@foo` placeholder).
public enum SeedFile: Sendable, Equatable {
    case json([String: JSONValue])
    case opaque([UInt8])

    public static func parse(_ bytes: [UInt8]) -> SeedFile {
        if let object = JSONValue.parseObject(bytes) { return .json(object) }
        return .opaque(bytes)
    }

    /// The refresh token, if this is an OAuth seed.
    public var refreshToken: String? {
        if case .json(let object) = self { return object["refresh_token"]?.stringValue }
        return nil
    }

    /// The same seed with `refresh_token` replaced and every other key kept.
    public func replacingRefreshToken(_ token: String) -> [UInt8] {
        var object: [String: JSONValue] = [:]
        if case .json(let existing) = self { object = existing }
        object["refresh_token"] = .string(token)
        return Array(JSONValue.serialize(object))
    }
}

/// A `<token>.meta` file (OAuth client data written by the web login); unknown keys are kept.
public struct ClientMetadata: Sendable, Equatable, CustomStringConvertible {
    public var object: [String: JSONValue]

    public static func parse(_ bytes: [UInt8], path: String) throws(FormatError) -> ClientMetadata {
        guard let object = JSONValue.parseObject(bytes) else {
            throw FormatError(path: path, problem: "not a JSON object; expected {\"client_id\", \"client_secret\", \"token_url\", \"use_refresh_token\"}")
        }
        return ClientMetadata(object: object)
    }

    public var clientID: String? { object["client_id"]?.stringValue }
    public var clientSecret: String? { object["client_secret"]?.stringValue }
    public var tokenURL: String? { object["token_url"]?.stringValue }
    /// False only when the file says so explicitly.
    public var useRefreshToken: Bool { object["use_refresh_token"]?.boolValue ?? true }

    public var description: String {
        "ClientMetadata(client_id: \(clientID ?? "-"), client_secret: <redacted>, token_url: \(tokenURL ?? "-"))"
    }
}
