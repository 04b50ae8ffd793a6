import Engine
import Foundation

/// `expiry`: the parsers of credential expiry (Sources/Engine/Expiry). The first byte picks the parser, the rest is
/// its input (seeds start with a readable letter):
///
/// - `S` (and any first byte ≡ 0 mod 3): `ExpiryStore.parse` (the daemon's `<state>/expiry.json`) with and without
///   special characters in names, and `ExpiryStore.serialize`;
/// - `T` (≡ 1): `RefreshTokenExpiry.estimate` on a token answer or a `.top` (`refresh_token` as a JWT,
///   `refresh_expires_in`), and `CredentialLifetime.expiry(ofSeed:modified:)` on the same bytes as a `.top`;
/// - `W` (≡ 2): `ExpiryPolicy.parseWarnings` (`CREDMON_EXPIRY_WARNINGS`, `--expiry-warnings`).
enum ExpiryHarness {
    /// The answer's (or the `.top`'s) time in every estimate.
    static let issuedAt = Date(timeIntervalSince1970: 1_780_000_000)
    /// The `refresh_token_lifetime`s tried: unknown, "does not expire", 30 days.
    static let maxima: [TimeInterval?] = [nil, 0, 2_592_000]
    static let latestEstimate = ExternalTime.latestTimestamp + ExternalTime.maximumDuration

    static func check(_ bytes: [UInt8]) throws(FuzzViolation) {
        guard let first = bytes.first else { return }
        let rest = Array(bytes.dropFirst())
        switch first {
        case UInt8(ascii: "S"): try checkStore(rest)
        case UInt8(ascii: "T"): try checkEstimate(rest)
        case UInt8(ascii: "W"): try checkWarnings(rest)
        default:
            switch first % 3 {
            case 0: try checkStore(rest)
            case 1: try checkEstimate(rest)
            default: try checkWarnings(rest)
            }
        }
    }

    // MARK: expiry.json

    static func checkStore(_ bytes: [UInt8]) throws(FuzzViolation) {
        var byStem: [Bool: [String: ExpiryStore.Entry]] = [:]
        for allowSpecial in [false, true] {
            let entries: [CredentialID: ExpiryStore.Entry]
            do {
                entries = try ExpiryStore.parse(bytes, path: "/var/lib/condor/credmon/expiry.json", allowSpecialCharacters: allowSpecial)
            } catch {
                try checkMessage(error.description, what: "ExpiryStore.parse's error", input: bytes)
                // Whether the file is readable does not depend on the names it holds.
                try fuzzExpect(byStem.isEmpty, "expiry.json refused only with allowSpecialCharacters \(allowSpecial): \(fuzzPreview(bytes))")
                return
            }
            for (id, entry) in entries { try checkEntry(id, entry, allowSpecial: allowSpecial, input: bytes) }

            // Written back and read again: the same entries, and the same bytes when written once more.
            let written = Array(ExpiryStore.serialize(entries))
            guard let object = JSONValue.parseObject(written) else {
                throw FuzzViolation("serialize() wrote what is not a JSON object: \(fuzzPreview(written))")
            }
            try fuzzExpect(JSONChecks.allNumbersFinite(.object(object)), "serialize() wrote a non-finite number: \(fuzzPreview(written))")
            let again: [CredentialID: ExpiryStore.Entry]
            do {
                again = try ExpiryStore.parse(written, path: "expiry.json", allowSpecialCharacters: allowSpecial)
            } catch {
                throw FuzzViolation("serialize(parse(x)) does not parse: \(error); written: \(fuzzPreview(written)); input: \(fuzzPreview(bytes))")
            }
            if again != entries {
                throw FuzzViolation("parse(serialize(parse(x))) != parse(x) (allowSpecialCharacters \(allowSpecial)): "
                    + difference(entries, again) + "; input: \(fuzzPreview(bytes)); written: \(fuzzPreview(written))")
            }
            let twice = Array(ExpiryStore.serialize(again))
            try fuzzExpect(twice == written, "serialize is not stable: \(fuzzPreview(written)) then \(fuzzPreview(twice))")
            // Naming the credential directory (as the daemon writes it) changes nothing the entries read back as.
            let named = Array(ExpiryStore.serialize(entries, credentialDirectory: "/var/lib/condor/oauth_credentials"))
            let namedAgain = try? ExpiryStore.parse(named, path: "expiry.json", allowSpecialCharacters: allowSpecial)
            try fuzzExpect(namedAgain == entries, "the store written with its credential directory reads differently: \(fuzzPreview(named))")

            var stems: [String: ExpiryStore.Entry] = [:]
            for (id, entry) in entries { stems[id.user + "/" + id.token.stem] = entry }
            try fuzzExpect(stems.count == entries.count, "two entries with the same user and stem: \(fuzzPreview(bytes))")
            byStem[allowSpecial] = stems
        }
        // A name accepted without special characters is accepted with them, and its entry reads the same.
        if let strict = byStem[false], let wide = byStem[true] {
            for (name, entry) in strict {
                try fuzzExpect(wide[name] == entry, "\(name) reads differently with allowSpecialCharacters: \(fuzzPreview(bytes))")
            }
        }
    }

    static func checkEntry(_ id: CredentialID, _ entry: ExpiryStore.Entry, allowSpecial: Bool, input: [UInt8]) throws(FuzzViolation) {
        try fuzzExpect(CredentialNames.isValidUser(id.user), "user \(fuzzPreview(id.user)) accepted: \(fuzzPreview(input))")
        try fuzzExpect(TokenName(stem: id.token.stem, allowSpecialCharacters: allowSpecial) == id.token,
                       "token \(fuzzPreview(id.token.stem)) accepted that does not read back: \(fuzzPreview(input))")
        if let expiry = entry.expiry {
            try checkExpiry(expiry, latest: ExternalTime.latestTimestamp, what: "expiry.json's \(id)", input: input)
        }
        if let threshold = entry.notified?.threshold {
            try fuzzExpect(threshold.isFinite && threshold >= 60 && threshold <= 31_536_000,
                           "threshold \(threshold) kept for \(id): \(fuzzPreview(input))")
        }
    }

    /// A date, when there is one, finite and within 1970...`latest`; `.never` without a date.
    static func checkExpiry(_ expiry: CredentialExpiry, latest: TimeInterval, what: String, input: [UInt8]) throws(FuzzViolation) {
        if expiry.source == .never {
            try fuzzExpect(expiry.expiresAt == nil, "\(what): .never with a date \(String(describing: expiry.expiresAt)): \(fuzzPreview(input))")
        }
        if let date = expiry.expiresAt {
            let seconds = date.timeIntervalSince1970
            try fuzzExpect(seconds.isFinite && seconds >= ExternalTime.earliestTimestamp && seconds <= latest,
                           "\(what): expiresAt \(seconds) outside 1970...\(Int(latest)): \(fuzzPreview(input))")
        }
    }

    static func difference(_ a: [CredentialID: ExpiryStore.Entry], _ b: [CredentialID: ExpiryStore.Entry]) -> String {
        if a.count != b.count { return "\(a.count) entries, then \(b.count)" }
        for (id, entry) in a.sorted(by: { $0.key < $1.key }) where b[id] != entry {
            return "\(id): \(describe(entry)) then \(b[id].map(describe) ?? "missing")"
        }
        return "(no entry differs)"
    }

    static func describe(_ entry: ExpiryStore.Entry) -> String {
        let expiry = entry.expiry.map { "\($0.source.rawValue)@\($0.expiresAt.map { String($0.timeIntervalSince1970) } ?? "-")" } ?? "-"
        let notified = entry.notified.map { "\($0.health.rawValue)/\($0.threshold.map { String($0) } ?? "-")" } ?? "-"
        return "expiry \(expiry), seed \(entry.estimatedForSeed.map { String($0) } ?? "-"), notified \(notified)"
    }

    // MARK: token answers and .top files

    static func checkEstimate(_ bytes: [UInt8]) throws(FuzzViolation) {
        let object = JSONValue.parseObject(bytes)
        var estimates: [CredentialExpiry?] = []
        for maximum in maxima {
            let configured = RefreshTokenExpiry.configured(maximum, issuedAt: issuedAt)
            let estimate = object.map { RefreshTokenExpiry.estimate(from: $0, issuedAt: issuedAt, maximum: maximum) } ?? configured
            if let estimate {
                try checkExpiry(estimate, latest: latestEstimate, what: "estimate (maximum \(String(describing: maximum)))", input: bytes)
                try fuzzExpect(estimate.source == .never || estimate.expiresAt != nil,
                               "an estimate from \(estimate.source.rawValue) without a date: \(fuzzPreview(bytes))")
                switch estimate.source {
                case .refreshExpiresIn:
                    let lifetime = estimate.expiresAt!.timeIntervalSince(issuedAt)
                    try fuzzExpect(lifetime > 0 && lifetime <= ExternalTime.maximumDuration,
                                   "refresh_expires_in of \(lifetime) s accepted: \(fuzzPreview(bytes))")
                case .refreshTokenClaim:
                    try checkExpiry(estimate, latest: ExternalTime.latestTimestamp, what: "a refresh token's exp", input: bytes)
                case .configuredLifetime, .never:
                    try fuzzExpect(estimate == configured, "the configured lifetime gave \(estimate) instead of \(String(describing: configured))")
                case .vaultTokenTTL:
                    throw FuzzViolation("a Vault TTL from a token answer: \(fuzzPreview(bytes))")
                }
            }
            // The .top path (the monitor, credmon-web's outlook) reads the same bytes the same way.
            let fromSeed = CredentialLifetime.refreshToken(maximum: maximum).expiry(ofSeed: bytes, modified: issuedAt)
            try fuzzExpect(fromSeed == estimate, "expiry(ofSeed:) gave \(String(describing: fromSeed)), estimate \(String(describing: estimate)): \(fuzzPreview(bytes))")
            estimates.append(estimate)
        }
        // What the answer tells does not depend on the configured lifetime; only an answer that tells nothing falls back to it.
        if let told = estimates[0] {
            try fuzzExpect(estimates.allSatisfy { $0 == told }, "the estimate from the answer depends on the configured maximum: \(fuzzPreview(bytes))")
        } else {
            try fuzzExpect(estimates[1] == CredentialExpiry.never, "maximum 0 gave \(String(describing: estimates[1])), not .never")
            try fuzzExpect(estimates[2] == CredentialExpiry(expiresAt: issuedAt.addingTimeInterval(2_592_000), source: .configuredLifetime),
                           "maximum 30 days gave \(String(describing: estimates[2]))")
        }
        try fuzzExpect(CredentialLifetime.never.expiry(ofSeed: bytes, modified: issuedAt) == .never, "a .never lifetime gave another expiry")
        try fuzzExpect(CredentialLifetime.unknown.expiry(ofSeed: bytes, modified: issuedAt) == nil, "an unknown lifetime gave an expiry")
        try fuzzExpect(CredentialLifetime.reportedByProvider.expiry(ofSeed: bytes, modified: issuedAt) == nil,
                       "a lifetime reported by the provider was estimated from the .top")
    }

    // MARK: expiry_warnings as text

    static func checkWarnings(_ bytes: [UInt8]) throws(FuzzViolation) {
        let text = String(decoding: bytes, as: UTF8.self)
        switch ExpiryPolicy.parseWarnings(text) {
        case .failure(let problem):
            try checkMessage(problem.description, what: "parseWarnings' refusal", input: bytes)
        case .success(let thresholds):
            try fuzzExpect(thresholds.count <= 8, "\(thresholds.count) thresholds accepted: \(fuzzPreview(bytes))")
            try fuzzExpect(zip(thresholds, thresholds.dropFirst()).allSatisfy { $0 > $1 },
                           "thresholds \(thresholds) not strictly descending: \(fuzzPreview(bytes))")
            for threshold in thresholds {
                try fuzzExpect(threshold.isFinite && threshold.rounded() == threshold
                               && ExpiryPolicy.warningRange.contains(Int(exactly: threshold) ?? -1),
                               "threshold \(threshold) accepted: \(fuzzPreview(bytes))")
            }
            // Written as the documentation writes them, they read the same.
            let written = thresholds.map { String(Int($0)) }.joined(separator: ", ")
            guard case .success(let again) = ExpiryPolicy.parseWarnings(written), again == thresholds else {
                throw FuzzViolation("thresholds \(written) do not read back: \(fuzzPreview(bytes))")
            }
        }
    }

    /// An error or refusal that reaches a log line or `credmon check`: printable and short.
    static func checkMessage(_ message: String, what: String, input: [UInt8]) throws(FuzzViolation) {
        try fuzzExpect(Printable.isPrintable(message), "\(what) is unprintable: \(fuzzPreview(message)); input: \(fuzzPreview(input))")
        try fuzzExpect(message.utf8.count <= 300, "\(what) is \(message.utf8.count) bytes long; input: \(fuzzPreview(input))")
    }
}
