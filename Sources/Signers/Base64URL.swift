import FoundationEssentials

/// Unpadded base64url (RFC 4648 §5) as used by JOSE.
public enum Base64URL {
    private static let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

    /// Maps an ASCII byte to its 6-bit value, or 0xFF when it is not in the alphabet.
    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        let chars = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        for (index, char) in chars.enumerated() {
            table[Int(char)] = UInt8(index)
        }
        return table
    }()

    /// Encodes `data` as unpadded base64url.
    public static func encode(_ data: Data) -> String {
        data.withUnsafeBytes { encode(bytes: $0) }
    }

    /// Encodes raw bytes as unpadded base64url.
    static func encode(bytes: UnsafeRawBufferPointer) -> String {
        let length = encodedLength(bytes.count)
        if length == 0 { return "" }
        return String(unsafeUninitializedCapacity: length) { output in
            encode(bytes, into: output.baseAddress!)
        }
    }

    /// Decodes unpadded base64url; returns nil for padding, whitespace, characters outside the alphabet or an impossible length.
    public static func decode(_ string: some StringProtocol) -> Data? {
        let utf8 = string.utf8
        let count = utf8.count
        if count % 4 == 1 { return nil }
        var output = Data(capacity: count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for char in utf8 {
            let value = decodeTable[Int(char)]
            if value == 0xFF { return nil }
            accumulator = (accumulator << 6) | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        // Leftover bits must be zero for a canonical encoding.
        if bits > 0, accumulator & ((1 << UInt32(bits)) - 1) != 0 { return nil }
        return output
    }

    /// The length of the unpadded encoding of `byteCount` bytes.
    static func encodedLength(_ byteCount: Int) -> Int {
        (byteCount * 4 + 2) / 3
    }

    /// Writes the unpadded encoding of `input` at `output`; returns the number of bytes written
    /// (always `encodedLength(input.count)`).
    @discardableResult
    static func encode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutablePointer<UInt8>) -> Int {
        let table = alphabet.utf8Start
        let count = input.count
        var inIndex = 0
        var outIndex = 0
        while inIndex + 3 <= count {
            let b0 = UInt32(input[inIndex]), b1 = UInt32(input[inIndex + 1]), b2 = UInt32(input[inIndex + 2])
            let group = (b0 << 16) | (b1 << 8) | b2
            output[outIndex] = table[Int(group >> 18)]
            output[outIndex + 1] = table[Int((group >> 12) & 0x3F)]
            output[outIndex + 2] = table[Int((group >> 6) & 0x3F)]
            output[outIndex + 3] = table[Int(group & 0x3F)]
            inIndex += 3
            outIndex += 4
        }
        switch count - inIndex {
        case 1:
            let b0 = UInt32(input[inIndex])
            output[outIndex] = table[Int(b0 >> 2)]
            output[outIndex + 1] = table[Int((b0 << 4) & 0x3F)]
            outIndex += 2
        case 2:
            let b0 = UInt32(input[inIndex]), b1 = UInt32(input[inIndex + 1])
            output[outIndex] = table[Int(b0 >> 2)]
            output[outIndex + 1] = table[Int(((b0 << 4) | (b1 >> 4)) & 0x3F)]
            output[outIndex + 2] = table[Int((b1 << 2) & 0x3F)]
            outIndex += 3
        default:
            break
        }
        return outIndex
    }
}
