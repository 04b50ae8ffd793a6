import Crypto
import FoundationEssentials

extension JSONWebKey {
    /// The RFC 7638 JWK thumbprint (SHA-256, unpadded base64url), or nil when required members are missing
    /// or the key type is neither EC nor RSA. Usable as a stable key id.
    public var thumbprint: String? {
        let canonical: String
        switch kty {
        case "EC":
            guard let crv, let x, let y else { return nil }
            canonical = "{\"crv\":\(JSONText.quoted(crv)),\"kty\":\"EC\",\"x\":\(JSONText.quoted(x)),\"y\":\(JSONText.quoted(y))}"
        case "RSA":
            guard let e, let n else { return nil }
            canonical = "{\"e\":\(JSONText.quoted(e)),\"kty\":\"RSA\",\"n\":\(JSONText.quoted(n))}"
        default:
            return nil
        }
        return Base64URL.encode(Data(SHA256.hash(data: Data(canonical.utf8))))
    }
}
