extension Array where Element == UInt8 {
    /// Overwrites the bytes with zeros (best effort, for buffers that held secret material).
    mutating func wipe() {
        withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            base.initializeMemory(as: UInt8.self, repeating: 0, count: buffer.count)
        }
    }
}
