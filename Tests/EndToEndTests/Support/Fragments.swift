/// Provider fragments used by the end-to-end tests.
enum Fragments {
    static func local(name: String = "scitokens", lifetime: Int = 1200, renewFraction: Double = 0.5,
                      scopes: String = "read:/user/{username} write:/user/{username}", extra: String = "") -> String {
        """
        name: \(name)
        kind: local-scitoken
        issuer: https://credmon.test
        audience: ["https://storage.example.org"]
        lifetime: \(lifetime)
        renew_fraction: \(renewFraction)
        scopes: "\(scopes)"
        \(extra)
        """
    }

    /// A `kind: oauth2` provider (by default taking client and token URL from each credential's `.meta`, as the web
    /// login writes it), with `notify_command` when given (a flow list, each item quoted).
    static func oauth(name: String = "issuer", kind: String = "oauth2", notifyCommand: [String]? = nil, extra: String = "") -> String {
        let notify = notifyCommand.map { argv in
            "notify_command: [" + argv.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
                .joined(separator: ", ") + "]"
        } ?? ""
        return """
            name: \(name)
            kind: \(kind)
            \(notify)
            \(extra)
            """
    }
}

/// Decodes the payload of the JWT inside a `.use` file.
import Foundation

enum UseFile {
    static func claims(_ text: String) -> [String: Any]? {
        let token: String
        if let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], let value = object["access_token"] as? String {
            token = value
        } else {
            token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let parts = token.split(separator: ".")
        guard parts.count == 3 else { return nil }
        var base64 = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64) else { return nil }
        return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    }
}
