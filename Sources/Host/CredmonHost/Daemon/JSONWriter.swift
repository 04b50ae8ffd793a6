import Engine

/// Appends JSON text to a byte buffer without building an intermediate tree.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// A quoted, escaped JSON string.
    mutating func string(_ text: String) { JSONEscaping.append(text, to: &bytes) }

    /// Hands the text so far to `output` and starts again with the same buffer, once it holds at least `threshold`
    /// bytes: a long document goes out in pieces of about that size.
    mutating func flush(to output: (UnsafeRawBufferPointer) -> Void, atLeast threshold: Int = 0) {
        guard bytes.count >= threshold, !bytes.isEmpty else { return }
        bytes.withUnsafeBytes(output)
        bytes.removeAll(keepingCapacity: true)
    }
}
