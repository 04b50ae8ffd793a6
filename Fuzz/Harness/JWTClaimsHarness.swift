import Engine
import Foundation

/// `jwt-claims`: `JWTClaims.peek`, which reads `iat` and `exp` from every access token the daemon writes or finds.
enum JWTClaimsHarness {
    static func check(_ bytes: [UInt8]) throws(FuzzViolation) {
        let token = String(decoding: bytes, as: UTF8.self)
        let claims: JWTClaims?
        do { claims = try JWTClaims.peek(token) } catch {
            try fuzzExpect(Printable.isPrintable(error.description), "an unprintable error \(fuzzPreview(error.description))")
            try fuzzExpect(error.description.utf8.count <= 300, "an error of \(error.description.utf8.count) bytes")
            return
        }
        guard let claims else { return }
        for date in [claims.issuedAt, claims.expiration].compactMap({ $0 }) {
            let seconds = date.timeIntervalSince1970
            try fuzzExpect(seconds.isFinite && seconds >= ExternalTime.earliestTimestamp && seconds <= ExternalTime.latestTimestamp,
                           "a JWT date \(seconds) outside 1970...2200 accepted: \(fuzzPreview(bytes))")
        }
        // A .use holding this token (bare, when it is a bare token) takes its expiry from the JWT.
        if let exp = claims.expiration, let file = try? AccessTokenFile.parse(bytes, path: "jwt.use"), file.format == .bare,
           file.accessToken == token {
            let validity = file.validity(fileModified: Date(timeIntervalSince1970: 1_780_000_000))
            try fuzzExpect(validity?.expiresAt == exp, "a .use holding the token does not expire at its exp")
        }
    }
}
