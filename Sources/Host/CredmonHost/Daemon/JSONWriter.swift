import Engine

/// Appends JSON text to a byte buffer without building an intermediate tree.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// A quoted, escaped JSON string.
    mutating func string(_ text: String) { JSONEscaping.append(text, to: &bytes) }
}
