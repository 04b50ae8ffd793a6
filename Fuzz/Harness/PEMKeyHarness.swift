import Foundation
import Signers

/// `pem-key`: the key parsers behind `local-scitoken`'s `private_key` (`SigningKey(pem:keyID:algorithm:source:)`,
/// what `SigningKey.load(privateKeyFile:…)` calls on the file's text) and the published public keys
/// (`JSONWebKey(publicKeyPEM:keyID:source:)`).
///
/// An input that does not look like PEM text is taken as DER and wrapped in each PEM label the parsers know, so that
/// the fuzzer mutates the DER structure directly rather than its base64.
enum PEMKeyHarness {
    static let labels = ["EC PRIVATE KEY", "PRIVATE KEY", "RSA PRIVATE KEY", "PUBLIC KEY"]

    static func check(_ bytes: [UInt8]) throws(FuzzViolation) {
        if bytes.starts(with: Array("-----".utf8)) || containsBegin(bytes) {
            try checkText(String(decoding: bytes, as: UTF8.self))
        } else {
            let base64 = Data(bytes).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
            for label in labels {
                try checkText("-----BEGIN \(label)-----\n\(base64)\n-----END \(label)-----\n")
            }
        }
    }

    static func containsBegin(_ bytes: [UInt8]) -> Bool {
        let marker = Array("-----BEGIN ".utf8)
        guard bytes.count >= marker.count else { return false }
        return (0...(bytes.count - marker.count)).contains { bytes[$0..<($0 + marker.count)].elementsEqual(marker) }
    }

    static func checkText(_ text: String) throws(FuzzViolation) {
        for algorithm in SigningAlgorithm.allCases {
            guard let key = try? SigningKey(pem: text, keyID: "fuzz", algorithm: algorithm, source: "fuzz.pem") else { continue }
            try fuzzExpect(key.algorithm == algorithm, "a \(key.algorithm) key accepted as \(algorithm)")
            // The public key it publishes reads back as the same JWK.
            let published: JSONWebKey
            do { published = try JSONWebKey(publicKeyPEM: key.publicKeyPEM, keyID: "fuzz", source: "published") } catch {
                throw FuzzViolation("the public key of an accepted private key does not parse: \(error)")
            }
            try fuzzExpect(published == key.publicJWK, "the published public key differs from the JWK")
            // And it signs (ES256 only: an RSA signature costs milliseconds in the unoptimised debug build).
            guard algorithm == .es256 else { continue }
            do { _ = try key.signCompact(payload: Data("{\"sub\":\"fuzz\"}".utf8)) } catch {
                throw FuzzViolation("an accepted \(algorithm) key cannot sign: \(error)")
            }
        }
        if let jwk = try? JSONWebKey(publicKeyPEM: text, keyID: "fuzz", source: "fuzz.pem") {
            try fuzzExpect(jwk.kty == "EC" || jwk.kty == "RSA", "a public key of type \(jwk.kty)")
            try fuzzExpect(jwk.kty == "EC" ? (jwk.x != nil && jwk.y != nil) : (jwk.n != nil && jwk.e != nil), "an incomplete JWK")
        }
    }
}
