import Foundation

/// What the daemon's log must never hold: raw control characters, lines that do not start with the daemon's own
/// timestamp (a forged line), secrets. Returns the problems found (empty: clean).
enum LogInspection {
    static func problems(in data: Data, secrets: [String], forgedTimestamp: String) -> [String] {
        var found: [String] = []
        guard let text = String(validating: data, as: UTF8.self) else { return ["the log is not valid UTF-8"] }
        if let scalar = text.unicodeScalars.first(where: isControl) {
            found.append(String(format: "a raw control character U+%04X", scalar.value))
        }
        for line in text.split(separator: "\n") {
            if line.hasPrefix(forgedTimestamp) { found.append("a forged line: \(line.prefix(120))") }
            else if line.range(of: #"^20\d\d-\d\d-\d\dT"#, options: .regularExpression) == nil {
                found.append("a line that is not the daemon's: \(line.prefix(120).debugDescription)")
            }
        }
        for secret in secrets where text.contains(secret) { found.append("a secret: \(secret.prefix(24))…") }
        return found
    }

    /// C0 controls but the newline, DEL, C1 controls.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value < 0x20 && scalar != "\n") || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value)
    }

    /// Whether `text` holds any control character (the newline included).
    static func hasControl(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0 == "\n" || isControl($0) }
    }
}
