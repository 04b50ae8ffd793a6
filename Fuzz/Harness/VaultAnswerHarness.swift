import Engine
import Foundation
import Vault

/// `vault-answer`: what a Vault server and a `.top` hand the Vault kind. The input is read four ways: as the body of a
/// 200 answer (`VaultAnswer.accessToken`), of a refusal (`VaultAnswer.failure`, statuses 403/404/429/503, with the
/// input's first line as `Retry-After`), of `lookup-self` (`VaultAnswer.tokenExpiry`), and as a `.top`
/// (`VaultSeed`, then the URL policy and the request URL built from it).
enum VaultAnswerHarness {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let policies = [VaultURLPolicy(allowedPorts: [8200], trustedHosts: nil),
                           VaultURLPolicy(allowedPorts: nil, trustedHosts: ["vault.example.org"])]

    static func check(_ bytes: [UInt8]) throws(FuzzViolation) {
        let body = Data(bytes)
        if case .success(let token) = VaultAnswer.accessToken(HTTPResponse(status: 200, headers: [:], body: body)) {
            try fuzzExpect(!token.isEmpty && token.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F },
                           "an access token with spaces or control characters from \(fuzzPreview(bytes))")
        }
        let retryAfter = String(decoding: bytes.prefix { $0 != 0x0A }.prefix(64), as: UTF8.self)
        for status in [403, 404, 429, 503] {
            let failure = VaultAnswer.failure(HTTPResponse(status: status, headers: ["retry-after": retryAfter], body: body))
            try fuzzExpect(failure.message.count <= 1400, "a \(failure.message.count)-character message from \(fuzzPreview(bytes))")
            try fuzzExpect(!failure.message.contains("\n") && !failure.message.contains("\u{1B}"), "a control character in \(fuzzPreview(failure.message))")
            if let seconds = failure.retryAfter { try fuzzExpect(seconds.isFinite && seconds >= 0 && seconds <= 3600, "Retry-After \(seconds)") }
        }
        if let expiry = VaultAnswer.tokenExpiry(HTTPResponse(status: 200, headers: [:], body: body), now: now) {
            try fuzzExpect(expiry.timeIntervalSince1970.isFinite, "a non-finite expiry from \(fuzzPreview(bytes))")
        }
        guard let seed = VaultSeed(SeedFile.parse(bytes)) else { return }
        if let token = seed.vaultToken, VaultSeed.isHeaderSafe(token) {
            try fuzzExpect(!token.contains("\r") && !token.contains("\n"), "a header-safe token with a line break")
        }
        for policy in policies {
            guard case .success(let components) = policy.check(seed.vaultURL) else { continue }
            try fuzzExpect(components.scheme == "https" || components.scheme == "http", "scheme \(components.scheme ?? "-") passed")
            try fuzzExpect(components.percentEncodedPath.hasPrefix("/v1"), "path \(fuzzPreview(components.percentEncodedPath)) passed")
            if let url = seed.requestURL(components, minimumSeconds: 2400), let token = seed.vaultToken, token.count >= 8 {
                try fuzzExpect(!url.absoluteString.contains(token), "the Vault token is in the request URL")
            }
        }
    }
}
