import FoundationEssentials

/// The JSON encoding shared by the published documents: sorted keys, slashes not escaped.
enum JSONDocumentEncoding {
    /// Encodes `value`; these documents hold only strings, so encoding cannot fail in practice.
    static func encode(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)) ?? Data("{}".utf8)
    }
}
