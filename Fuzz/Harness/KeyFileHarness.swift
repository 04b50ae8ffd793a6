import Engine

/// `key-file`: `CondorKeyFile.parse`, as credmon-web reads `$CD/<64 hex>` (bytes decoded as UTF-8, repairing).
enum KeyFileHarness {
    static func check(_ bytes: [UInt8]) throws(FuzzViolation) {
        guard bytes.count <= CondorKeyFile.sizeLimit else { return }
        let text = String(decoding: bytes, as: UTF8.self)
        let ads = try? CondorKeyFile.parseAds(text, path: "fuzz")
        guard let services = try? CondorKeyFile.parse(text, path: "fuzz") else { return }
        try fuzzExpect(ads != nil && !services.isEmpty && services.count == ads?.count,
                       "parse gave \(services.count) services from \(ads?.count ?? -1) ads")
        for service in services {
            // The secret is never printed: the description does not depend on it.
            var redacted = service
            redacted.clientSecret = nil
            try fuzzExpect(service.description == redacted.description, "the description shows the client secret")
            try fuzzExpect(!service.provider.isEmpty && !service.localUser.isEmpty, "an empty Provider or LocalUser was accepted")
            try fuzzExpect(service.attributes["provider"]?.stringValue == service.provider, "Provider differs from its attribute")
        }
        // Written back in old ClassAd syntax (as condor_credd writes them: only `"` escaped), the ads read the same.
        guard let ads else { return }
        // A real too large for a Double (`1e999`) is read as infinity, which has no literal: nothing to write back.
        let reals = ads.flatMap(\.attributes.values).compactMap { if case .real(let real) = $0 { real } else { nil } }
        guard reals.allSatisfy(\.isFinite) else { return }
        let rendered = ads.map(render).joined(separator: "\n")
        let again: [CondorKeyFile.Ad]
        do { again = try CondorKeyFile.parseAds(rendered, path: "rendered") } catch {
            throw FuzzViolation("the ads written back do not parse: \(error); text: \(fuzzPreview(rendered))")
        }
        try fuzzExpect(again.map(\.attributes) == ads.map(\.attributes),
                       "the ads written back read differently: \(fuzzPreview(rendered))")
        let servicesAgain = try? CondorKeyFile.parse(rendered, path: "rendered")
        try fuzzExpect(servicesAgain?.map(\.tokenName) == services.map(\.tokenName) && servicesAgain?.map(\.clientSecret) == services.map(\.clientSecret),
                       "the services written back read differently: \(fuzzPreview(rendered))")
    }

    /// One ad in old ClassAd syntax, one attribute per line, ending with a blank line.
    static func render(_ ad: CondorKeyFile.Ad) -> String {
        var lines: [String] = []
        for (name, value) in ad.attributes.sorted(by: { $0.key < $1.key }) {
            let literal: String
            switch value {
            case .string(let text): literal = "\"" + text.replacingOccurrences(of: "\"", with: "\\\"") + "\""
            case .integer(let integer): literal = String(integer)
            case .real(let real): literal = "\(real)"
            case .boolean(let flag): literal = flag ? "true" : "false"
            case .undefined: literal = "undefined"
            case .error: literal = "error"  // the key-file reader never produces it
            }
            lines.append("\(name) = \(literal)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
