/// A minimal reader for the DER subset found in key files (single-byte tags, definite lengths).
struct DERReader {
    /// ASN.1 tags used by key structures.
    enum Tag {
        static let integer: UInt8 = 0x02
        static let bitString: UInt8 = 0x03
        static let octetString: UInt8 = 0x04
        static let null: UInt8 = 0x05
        static let objectIdentifier: UInt8 = 0x06
        static let sequence: UInt8 = 0x30
        static let contextConstructed0: UInt8 = 0xA0
        static let contextConstructed1: UInt8 = 0xA1
    }

    private let bytes: ArraySlice<UInt8>
    private var position: Int

    /// A reader over `bytes`.
    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.position = bytes.startIndex
    }

    /// Whether every byte has been consumed.
    var isAtEnd: Bool { position == bytes.endIndex }

    /// The tag of the next element, without consuming it.
    var nextTag: UInt8? { isAtEnd ? nil : bytes[position] }

    /// Reads the next element of any tag; nil if the encoding is malformed.
    mutating func readAny() -> (tag: UInt8, content: ArraySlice<UInt8>)? {
        guard position < bytes.endIndex else { return nil }
        let tag = bytes[position]
        guard tag & 0x1F != 0x1F else { return nil }  // multi-byte tags are not used by key formats
        var index = position + 1
        guard index < bytes.endIndex else { return nil }
        let first = bytes[index]
        index += 1
        var length = 0
        if first < 0x80 {
            length = Int(first)
        } else {
            let count = Int(first & 0x7F)
            guard count >= 1, count <= 4, index + count <= bytes.endIndex else { return nil }
            for _ in 0..<count {
                length = (length << 8) | Int(bytes[index])
                index += 1
            }
        }
        guard length <= bytes.endIndex - index else { return nil }
        let content = bytes[index..<(index + length)]
        position = index + length
        return (tag, content)
    }

    /// Reads the next element, which must have `tag`; returns its content.
    mutating func read(_ tag: UInt8) -> ArraySlice<UInt8>? {
        guard nextTag == tag, let element = readAny() else { return nil }
        return element.content
    }

    /// Reads the next element if it has `tag`; returns nil (consuming nothing) otherwise.
    mutating func readOptional(_ tag: UInt8) -> ArraySlice<UInt8>? {
        nextTag == tag ? read(tag) : nil
    }

    /// Reads the content of a single element that must span all of `bytes`.
    static func single(_ tag: UInt8, in bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        var reader = DERReader(bytes)
        guard let content = reader.read(tag), reader.isAtEnd else { return nil }
        return content
    }
}

/// Helpers for INTEGER contents.
enum DERInteger {
    /// The magnitude of a non-negative INTEGER without leading zero bytes.
    static func magnitude(_ content: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        content.drop(while: { $0 == 0 })
    }

    /// The bit length of a non-negative INTEGER.
    static func bitLength(_ content: ArraySlice<UInt8>) -> Int {
        let magnitude = magnitude(content)
        guard let first = magnitude.first else { return 0 }
        return (magnitude.count - 1) * 8 + (8 - first.leadingZeroBitCount)
    }

    /// The value of a small non-negative INTEGER, or nil if it is negative or too large.
    static func smallValue(_ content: ArraySlice<UInt8>) -> Int? {
        guard let first = content.first, first & 0x80 == 0, content.count <= 4 else { return nil }
        return content.reduce(0) { ($0 << 8) | Int($1) }
    }
}
