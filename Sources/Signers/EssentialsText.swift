/// What FoundationEssentials lacks and this module used NSString and CharacterSet for (Signers does not link Engine,
/// whose `PathText` and `TextSets` these follow).
enum SignersText {
    /// NSString's `deletingLastPathComponent`: `/a/b` → `/a`, `/a` → `/`, `a` → ``.
    static func deletingLastComponent(_ path: String) -> String {
        if path == "/" { return "/" }
        let trimmed = stripTrailingSlashes(Substring(path))
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        let parent = trimmed[..<slash]
        if parent.allSatisfy({ $0 == "/" }) { return "/" }
        return String(stripTrailingSlashes(parent))
    }

    /// NSString's `lastPathComponent`: the part after the last slash, trailing slashes ignored.
    static func lastComponent(_ path: String) -> String {
        if path.utf8.count <= 1 { return path }
        let trimmed = stripTrailingSlashes(Substring(path))
        guard let slash = trimmed.lastIndex(of: "/") else { return String(trimmed) }
        return String(trimmed[trimmed.index(after: slash)...])
    }

    private static func stripTrailingSlashes(_ text: Substring) -> Substring {
        var text = text
        while text.hasSuffix("/") { text = text.dropLast() }
        return text
    }

    /// `CharacterSet.whitespaces`: Unicode Zs and the tab.
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\t" || scalar.properties.generalCategory == .spaceSeparator
    }

    /// `CharacterSet.whitespacesAndNewlines`.
    static func isSpaceOrNewline(_ scalar: Unicode.Scalar) -> Bool {
        isSpace(scalar) || (0x0A...0x0D).contains(scalar.value) || scalar.value == 0x85
            || scalar.properties.generalCategory == .lineSeparator || scalar.properties.generalCategory == .paragraphSeparator
    }
}

extension StringProtocol {
    /// The text without the leading and trailing Unicode scalars `drop` accepts (`trimmingCharacters(in:)`).
    func trimmed(where drop: (Unicode.Scalar) -> Bool) -> String {
        let scalars = Substring(self).unicodeScalars
        guard let first = scalars.firstIndex(where: { !drop($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !drop($0) })!
        return String(scalars[first...last])
    }
}
