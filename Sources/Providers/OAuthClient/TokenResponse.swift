import Engine
import FoundationEssentials

/// A successful token endpoint answer (RFC 6749 §5.1), with everything the server sent kept in `object`.
public struct TokenResponse: Sendable, Equatable {
    public var accessToken: String
    public var tokenType: String?
    /// `expires_in`, checked by ``ExternalTime`` (0 to 10 years).
    public var expiresIn: TimeInterval?
    public var refreshToken: String?
    public var scope: String?
    /// The whole JSON object.
    public var object: [String: JSONValue]

    /// The longest access or refresh token accepted.
    public static let maximumTokenLength = 64 * 1024

    /// Parses a 200 answer: a JSON object (or, as some servers answer, a form-encoded body) with `access_token`.
    /// Every member the engine uses is checked (types, RFC 6749's character sets, number bounds); the first problem
    /// is thrown, carrying the answer's refresh token when that one is well-formed (it may be the only live one).
    public static func parse(_ body: Data) throws(TokenAnswerError) -> TokenResponse {
        var object = JSONValue.parseObject(body)
        if object == nil, let text = String(data: body, encoding: .utf8), text.hasPrefix("access_token=") || text.contains("&access_token=") {
            object = FormDecoding.decode(text).reduce(into: [:]) { $0[$1.0] = .string($1.1) }
        }
        guard let object else {
            throw TokenAnswerError(problem: body.isEmpty ? "an empty body (expected a JSON object with access_token)"
                                                         : "not a JSON object (expected {\"access_token\": …})")
        }
        let salvage = wellFormedToken(object["refresh_token"])
        func fail(_ problem: String) -> TokenAnswerError { TokenAnswerError(problem: problem, refreshToken: salvage) }

        guard let accessToken = wellFormedToken(object["access_token"]) else {
            throw fail(object["access_token"] == nil ? "no access_token" : "access_token is not a string of visible ASCII characters (RFC 6749 A.12)")
        }
        var refreshToken: String?
        switch object["refresh_token"] {
        case nil, .null: refreshToken = nil
        case .string(""): refreshToken = nil
        default:
            guard let salvage else { throw fail("refresh_token is not a string of visible ASCII characters (RFC 6749 A.17)") }
            refreshToken = salvage
        }
        var tokenType: String?
        switch object["token_type"] {
        case nil, .null: tokenType = nil
        case .string(let text) where SafeText.isVisibleASCII(text) && text.utf8.count <= 64: tokenType = text
        default: throw fail("token_type is not a short string of visible ASCII characters (RFC 6749 A.13)")
        }
        var expiresIn: TimeInterval?
        do {
            if let value = object["expires_in"], value != .null { expiresIn = try ExternalTime.duration(value, field: "expires_in") }
            if let value = object["expires_at"], value != .null { _ = try ExternalTime.timestamp(value, field: "expires_at") }
        } catch {
            throw fail(error.description)
        }
        let scope: String?
        switch object["scope"] {
        case nil, .null: scope = nil
        case .string(let value): scope = value
        case .array(let values):
            let strings = values.compactMap(\.stringValue)
            guard strings.count == values.count else { throw fail("scope is an array with members that are not strings") }
            scope = strings.joined(separator: " ")
        default: throw fail("scope is neither a string nor an array of strings")
        }
        if let scope, !scope.utf8.allSatisfy({ $0 >= 0x20 && $0 <= 0x7E }) {
            throw fail("scope has characters outside RFC 6749's scope-token set (A.4)")
        }
        return TokenResponse(accessToken: accessToken, tokenType: tokenType, expiresIn: expiresIn, refreshToken: refreshToken,
                             scope: scope, object: object)
    }

    /// The string if `value` is a token of RFC 6749's character set (VSCHAR) of a sane length.
    private static func wellFormedToken(_ value: JSONValue?) -> String? {
        guard case .string(let text)? = value, text.utf8.count <= maximumTokenLength, SafeText.isVisibleASCII(text) else { return nil }
        return text
    }
}

/// A 200 token answer that cannot be used; says why (never a token), and keeps a well-formed refresh token found in
/// it so that a rotation is not lost.
public struct TokenAnswerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, already safe to print.
    public var problem: String
    /// The answer's `refresh_token`, when it is well-formed.
    public var refreshToken: String?

    public init(problem: String, refreshToken: String? = nil) {
        self.problem = problem
        self.refreshToken = refreshToken
    }

    public var description: String { problem }
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
        PercentEncoding.decode(String(text.replacing("+", with: " ")))
    }
}
