import Engine
import Foundation

/// A successful token endpoint answer (RFC 6749 §5.1), with everything the server sent kept in `object`.
public struct TokenResponse: Sendable, Equatable {
    public var accessToken: String
    public var tokenType: String?
    public var expiresIn: Int?
    public var refreshToken: String?
    public var scope: String?
    /// The whole JSON object.
    public var object: [String: JSONValue]

    /// Parses a 200 answer: a JSON object (or, as some servers answer, a form-encoded body) with `access_token`.
    static func parse(_ body: Data) -> TokenResponse? {
        var object = JSONValue.parseObject(body)
        if object == nil, let text = String(data: body, encoding: .utf8), text.contains("access_token=") {
            object = FormDecoding.decode(text).reduce(into: [:]) { $0[$1.0] = .string($1.1) }
        }
        guard let object, let accessToken = object["access_token"]?.stringValue, !accessToken.isEmpty else { return nil }
        let expiresIn: Int?
        switch object["expires_in"] {
        case .integer(let value): expiresIn = Int(value)
        case .double(let value) where value.isFinite: expiresIn = Int(value)
        case .string(let value): expiresIn = Int(value)
        default: expiresIn = nil
        }
        let scope: String?
        switch object["scope"] {
        case .string(let value): scope = value
        case .array(let values): scope = values.compactMap(\.stringValue).joined(separator: " ")
        default: scope = nil
        }
        return TokenResponse(accessToken: accessToken, tokenType: object["token_type"]?.stringValue, expiresIn: expiresIn,
                             refreshToken: object["refresh_token"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 },
                             scope: scope, object: object)
    }
}

/// Decodes `application/x-www-form-urlencoded` text.
enum FormDecoding {
    static func decode(_ text: String) -> [(String, String)] {
        text.split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = parts.first.flatMap({ unescape($0) }) else { return nil }
            return (name, parts.count > 1 ? unescape(parts[1]) ?? "" : "")
        }
    }

    static func unescape(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
