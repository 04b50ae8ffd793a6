import FoundationEssentials

/// The dates of a JWT's payload (`iat`, `exp`), read without verifying the token: the engine only needs to know when
/// a token it was handed expires. Both go through ``ExternalTime``.
public struct JWTClaims: Sendable, Equatable {
    public var issuedAt: Date?
    public var expiration: Date?

    /// The largest token read (a JWT in a `.use` or a token answer is a few KiB).
    public static let maximumTokenLength = 64 * 1024

    /// Nil when `token` is not a JWS compact serialisation with a JSON object payload; throws when it is one but its
    /// `iat` or `exp` is not a time between 1970 and 2200.
    public static func peek(_ token: String) throws(ExternalValueError) -> JWTClaims? {
        guard let claims = payload(token) else { return nil }
        var result = JWTClaims()
        if let iat = claims["iat"] { result.issuedAt = try ExternalTime.timestamp(iat, field: "JWT iat") }
        if let exp = claims["exp"] { result.expiration = try ExternalTime.timestamp(exp, field: "JWT exp") }
        return result
    }

    /// The payload of a JWS compact serialisation, unverified (an ID token's `nonce`, straight from the token
    /// endpoint over TLS); nil when `token` is not one or is longer than ``maximumTokenLength``.
    public static func payload(_ token: String) -> [String: JSONValue]? {
        guard token.utf8.count <= maximumTokenLength else { return nil }
        let parts = token.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = base64URLDecode(parts[1]) else { return nil }
        return JSONValue.parseObject(payload)
    }

    private static func base64URLDecode(_ text: Substring.UTF8View) -> Data? {
        var base64 = String(decoding: text, as: UTF8.self)
        base64 = base64.replacing("-", with: "+").replacing("_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
