import Foundation

/// One `-----BEGIN <label>-----` … `-----END <label>-----` block of a PEM text (RFC 7468, with RFC 1421 headers).
struct PEMBlock: Sendable {
    /// The label, e.g. `EC PRIVATE KEY`.
    let label: String
    /// RFC 1421 header names (e.g. `Proc-Type`, `DEK-Info`) mapped to their values.
    let headers: [String: String]
    /// The decoded DER bytes, or nil when the base64 body is damaged or the END line is missing.
    let der: [UInt8]?

    /// Whether the block is a legacy OpenSSL encrypted block (`Proc-Type: 4,ENCRYPTED`).
    var isLegacyEncrypted: Bool {
        headers["Proc-Type"]?.uppercased().contains("ENCRYPTED") ?? false
    }
}

/// Parses and writes PEM text.
enum PEMDocument {
    /// Every block in `text`, in order. Text outside blocks is ignored, as OpenSSL does.
    static func blocks(in text: String) -> [PEMBlock] {
        var blocks: [PEMBlock] = []
        var label: String?
        var headers: [String: String] = [:]
        var body = ""
        var inBody = false

        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\r")))
            if let current = label {
                if line.hasPrefix("-----END ") {
                    let endLabel = Self.label(of: line, prefix: "-----END ")
                    let der = endLabel == current ? Data(base64Encoded: body).map { [UInt8]($0) } : nil
                    blocks.append(PEMBlock(label: current, headers: headers, der: der))
                    label = nil
                } else if line.hasPrefix("-----BEGIN ") {
                    // A new block before the previous one ended: the previous one is damaged.
                    blocks.append(PEMBlock(label: current, headers: headers, der: nil))
                    startBlock(line)
                } else if !inBody, let colon = line.firstIndex(of: ":") {
                    let name = line[..<colon].trimmingCharacters(in: .whitespaces)
                    headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                } else if !line.isEmpty {
                    inBody = true
                    body += line
                }
            } else if line.hasPrefix("-----BEGIN ") {
                startBlock(line)
            }
        }
        if let current = label {
            blocks.append(PEMBlock(label: current, headers: headers, der: nil))
        }
        return blocks

        func startBlock(_ line: String) {
            label = Self.label(of: line, prefix: "-----BEGIN ")
            headers = [:]
            body = ""
            inBody = false
        }
    }

    private static func label(of line: String, prefix: String) -> String {
        var rest = Substring(line.dropFirst(prefix.count))
        while rest.hasSuffix("-") { rest = rest.dropLast() }
        return String(rest)
    }

    /// PEM text for `der` under `label`: 64-character base64 lines, ending with a newline.
    static func encode(label: String, der: [UInt8]) -> String {
        String(decoding: encodeBytes(label: label, der: der), as: UTF8.self)
    }

    /// Like ``encode(label:der:)`` but returns the UTF-8 bytes, so that a caller holding secret
    /// material can wipe the buffer afterwards.
    static func encodeBytes(label: String, der: [UInt8]) -> [UInt8] {
        var raw = Data(der)
        var base64 = raw.base64EncodedData()
        defer {
            raw.resetBytes(in: 0..<raw.count)
            base64.resetBytes(in: 0..<base64.count)
        }
        var out: [UInt8] = []
        out.reserveCapacity(base64.count + base64.count / 64 + 2 * label.utf8.count + 40)
        out += Array("-----BEGIN \(label)-----\n".utf8)
        var index = base64.startIndex
        while index < base64.endIndex {
            let end = min(index + 64, base64.endIndex)
            out += base64[index..<end]
            out.append(UInt8(ascii: "\n"))
            index = end
        }
        out += Array("-----END \(label)-----\n".utf8)
        return out
    }
}
