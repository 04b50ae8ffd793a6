import FoundationEssentials

/// A `<token>.use` file: HTCondor's JSON form (`{"access_token": …, "expires_in": …, …}`) or a bare token line.
public struct AccessTokenFile: Sendable, Equatable {
    public enum Format: Sendable, Equatable { case json, bare }

    public var format: Format
    public var accessToken: String
    public var expiresIn: Int?
    public var expiresAt: Double?
    /// The whole JSON object (unknown keys kept), for the JSON form.
    public var object: [String: JSONValue]

    /// Parses a `.use` file's bytes; `path` is for the error message.
    public static func parse(_ bytes: [UInt8], path: String) throws(FormatError) -> AccessTokenFile {
        let firstNonSpace = bytes.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
        if firstNonSpace == UInt8(ascii: "{") {
            guard let object = JSONValue.parseObject(bytes) else {
                throw FormatError(path: path, problem: "not valid JSON; expected {\"access_token\": \"…\", \"expires_in\": N}")
            }
            guard let token = object["access_token"]?.stringValue else {
                throw FormatError(path: path, problem: "JSON without a string \"access_token\"")
            }
            // Out-of-range numbers in a .use (written by anyone) mean "unknown": the token is then renewed.
            let expiresIn = object["expires_in"].flatMap { try? ExternalTime.duration($0, field: "expires_in") }.map { Int($0.rounded()) }
            let expiresAt = object["expires_at"].flatMap { try? ExternalTime.timestamp($0, field: "expires_at") }?.timeIntervalSince1970
            return AccessTokenFile(format: .json, accessToken: token, expiresIn: expiresIn, expiresAt: expiresAt, object: object)
        }
        var body = bytes[...]
        while let last = body.last, last == 0x0A || last == 0x0D { body = body.dropLast() }
        guard body.allSatisfy(Self.isTokenCharacter) else {
            throw FormatError(path: path, problem: "neither a JSON object nor a bare token (a bare token has only A-Z a-z 0-9 - . _ ~ + / =)")
        }
        return AccessTokenFile(format: .bare, accessToken: String(decoding: body, as: UTF8.self), expiresIn: nil, expiresAt: nil, object: [:])
    }

    /// Whether `text` is a bearer token that can stand alone on a `.use` line: not empty, only RFC 6750 b64token
    /// characters (no white space or control character anywhere).
    public static func isBareToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy(isTokenCharacter)
    }

    /// Characters of a bare bearer token (RFC 6750 b64token).
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="):
            return true
        default:
            return false
        }
    }

    /// When the token was issued and expires: the earlier of the JWT's `exp` and `expires_at` (the rule the token
    /// answer was written with, so that a restarted daemon renews at the same time); with neither, the file's
    /// modification time plus `expires_in`. Nil when nothing says.
    public func validity(fileModified: Date) -> TokenValidity? {
        var candidates: [TokenValidity] = []
        if let claims = try? JWTClaims.peek(accessToken), let exp = claims.expiration {
            let issued = claims.issuedAt ?? expiresIn.map { exp.addingTimeInterval(-Double($0)) } ?? fileModified
            candidates.append(TokenValidity(issuedAt: issued, expiresAt: exp))
        }
        if let expiresAt {
            let end = Date(timeIntervalSince1970: expiresAt)
            let issued = expiresIn.map { end.addingTimeInterval(-Double($0)) } ?? fileModified
            candidates.append(TokenValidity(issuedAt: issued, expiresAt: end))
        } else if let expiresIn, candidates.isEmpty {
            candidates.append(TokenValidity(issuedAt: fileModified, expiresAt: fileModified.addingTimeInterval(Double(expiresIn))))
        }
        return candidates.min { $0.expiresAt < $1.expiresAt }
    }
}
