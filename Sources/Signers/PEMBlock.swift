import FoundationEssentials
import SwiftASN1

/// One `-----BEGIN <label>-----` … `-----END <label>-----` block of a PEM text (RFC 7468, with RFC 1421 headers).
///
/// Key files are read with this scanner rather than SwiftASN1's `PEMDocument`, which throws on the first damaged block
/// and knows no RFC 1421 headers or line lengths other than 64: the messages need each block's label even when its
/// body is damaged, legacy encrypted keys are recognised by their `Proc-Type` header, and keys wrapped at other
/// widths are accepted, as OpenSSL accepts them.
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

    /// Every block in `text`, in order. Text outside blocks is ignored, as OpenSSL does.
    static func blocks(in text: String) -> [PEMBlock] {
        var blocks: [PEMBlock] = []
        var label: String?
        var headers: [String: String] = [:]
        var body = ""
        var inBody = false

        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = rawLine.trimmed(where: { SignersText.isSpace($0) || $0 == "\r" })
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
                    let name = line[..<colon].trimmed(where: SignersText.isSpace)
                    headers[name] = line[line.index(after: colon)...].trimmed(where: SignersText.isSpace)
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
}

extension PEMDocument {
    /// The PEM text of a SubjectPublicKeyInfo DER (`-----BEGIN PUBLIC KEY-----`), ending with a newline as OpenSSL's does.
    static func publicKeyText(spki: Data) -> String {
        PEMDocument(type: "PUBLIC KEY", derBytes: [UInt8](spki)).pemString + "\n"
    }
}
