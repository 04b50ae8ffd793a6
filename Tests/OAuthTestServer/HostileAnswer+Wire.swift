import Foundation

/// Building blocks of the hostile rows: raw heads and whole responses, written by hand so they can lie.
extension HostileAnswer {
    /// A response head: status line, `headers` in order, `Content-Length` when given, `Connection: close`.
    static func head(_ status: Int, _ headers: [(String, String)] = [], contentLength: Int?) -> [UInt8] {
        var text = "HTTP/1.1 \(status) \(HTTPServer.Response.reasonPhrase(status))\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if let contentLength { text += "Content-Length: \(contentLength)\r\n" }
        text += "Cache-Control: no-store\r\nConnection: close\r\n\r\n"
        return Array(text.utf8)
    }

    /// A whole response with a correct `Content-Length`.
    static func response(_ status: Int, contentType: String?, body: [UInt8], headers: [(String, String)] = []) -> [WireStep] {
        let typed = contentType.map { [("Content-Type", $0)] } ?? []
        return [.send(head(status, typed + headers, contentLength: body.count) + body)]
    }

    /// A whole `application/json` response of `text`.
    static func json(_ status: Int, _ text: String, headers: [(String, String)] = []) -> [WireStep] {
        response(status, contentType: "application/json", body: Array(text.utf8), headers: headers)
    }

    /// A row whose answer is a complete JSON response built from the context.
    static func jsonRow(_ id: String, _ kind: Kind, sends: String, status: Int = 200, rotates: Bool = false, marker: String? = nil,
                        _ body: @escaping @Sendable (Context) -> String) -> HostileAnswer {
        HostileAnswer(id, kind, sends: sends, outcome: .response(status: status), rotates: rotates, marker: marker) { context in
            json(status, body(context))
        }
    }

    /// A JSON string literal of `text` (quotes and backslashes escaped, control characters as `\u00XX`).
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value):
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// An access token value that is plainly a secret (tests assert it never reaches a log).
    static let accessToken = "at-\(secretMarker)-0123456789"

    /// A refresh token the server does not know (rows that do not rotate but still send one).
    static let unknownRefreshToken = "rt-\(secretMarker)-unknown"

    /// A forged log line: a fake timestamp no real line has, a level and a message, with an ANSI escape that would
    /// clear root's terminal and colour the text.
    static let forgedLine = "\n1999-12-31T23:59:59.999Z ERROR FORGED-LINE credmon.user=root\r\u{1B}[2J\u{1B}[31mred\u{1B}[0m\u{07}\u{9B}0m"

    /// The fake timestamp of ``forgedLine``: a log line starting with it was forged.
    public static let forgedTimestamp = "1999-12-31T23:59:59.999Z"

    /// A compact JWT with `claims`, signed HS256 with a key of the server's own (a client cannot check it, but
    /// it has the shape of a real one).
    static func jwt(_ claims: [String: Any]) -> String {
        let header = base64URL(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let payload = base64URL(Array((try? JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys])) ?? Data()))
        let signature = SHA256.hmac(key: Array("hostile-signing-key".utf8), message: Array((header + "." + payload).utf8))
        return header + "." + payload + "." + base64URL(signature)
    }
}
