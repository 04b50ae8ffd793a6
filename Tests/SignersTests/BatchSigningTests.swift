import Crypto
import Foundation
import Signers
import Testing

/// ES256 with per-signature values computed in batches (P256BatchSigner): every signature verifies, and no value
/// is ever used twice, also when several threads sign at once.
@Suite struct BatchSigningTests {
    @Test("ES256 keys sign in batches, RS256 keys do not")
    func batchesAreUsed() throws {
        #expect(try SigningKey.generate(algorithm: .es256, keyID: "k").signsInBatches)
        #expect(try !SigningKey.generate(algorithm: .rs256, keyID: "k").signsInBatches)
    }

    @Test("1,000 signatures from four threads verify under the public key, each with its own r")
    func concurrentSignaturesVerify() async throws {
        let key = try SigningKey.generate(algorithm: .es256, keyID: "k")
        let publicKey = try P256.Signing.PublicKey(rawRepresentation: try Self.publicPoint(of: key))
        let results = try await withThrowingTaskGroup(of: [(payload: Data, token: String)].self) { group in
            for thread in 0..<4 {
                group.addTask {
                    try (0..<250).map { index in
                        let payload = Data("{\"thread\":\(thread),\"n\":\(index)}".utf8)
                        return (payload, try key.signCompact(payload: payload))
                    }
                }
            }
            var all: [(payload: Data, token: String)] = []
            for try await part in group { all += part }
            return all
        }
        #expect(results.count == 1000)
        var rValues = Set<Data>()
        for (payload, token) in results {
            let parts = token.split(separator: ".")
            let signature = try #require(SignatureFormats.base64URLDecode(parts[2]))
            #expect(try SignatureFormats.base64URLDecode(parts[1]) == payload)
            let signed = Data(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
            let parsed = try P256.Signing.ECDSASignature(rawRepresentation: signature)
            #expect(publicKey.isValidSignature(parsed, for: SHA256.hash(data: signed)))
            rValues.insert(signature.prefix(32))
        }
        #expect(rValues.count == 1000)
    }

    @Test("a signature of a changed message does not verify")
    func changedMessageFails() throws {
        let key = try SigningKey.generate(algorithm: .es256, keyID: "k")
        let publicKey = try P256.Signing.PublicKey(rawRepresentation: try Self.publicPoint(of: key))
        let token = try key.signCompact(payload: Data("{\"sub\":\"alice\"}".utf8))
        let parts = token.split(separator: ".")
        let parsed = try P256.Signing.ECDSASignature(rawRepresentation: try #require(SignatureFormats.base64URLDecode(parts[2])))
        let other = Data("\(parts[0]).\(Base64URL.encode(Data("{\"sub\":\"bob\"}".utf8)))".utf8)
        #expect(!publicKey.isValidSignature(parsed, for: SHA256.hash(data: other)))
    }

    /// The public key's x || y from its JWK.
    static func publicPoint(of key: SigningKey) throws -> Data {
        let x = try #require(key.publicJWK.x.flatMap { SignatureFormats.base64URLDecode(Substring($0)) })
        let y = try #require(key.publicJWK.y.flatMap { SignatureFormats.base64URLDecode(Substring($0)) })
        return x + y
    }
}
