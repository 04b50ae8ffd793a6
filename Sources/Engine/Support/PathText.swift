import FoundationEssentials

/// File-path text operations with NSString's results (`appendingPathComponent`, `lastPathComponent`,
/// `deletingLastPathComponent`, `deletingPathExtension`), for the targets that link FoundationEssentials only.
package enum PathText {
    /// `directory` + "/" + `component` (no slash doubled at the join; `component` as given).
    package static func appending(_ directory: String, _ component: String) -> String {
        if directory.isEmpty { return component }
        if component.isEmpty || directory.hasSuffix("/") { return directory + component }
        return directory + "/" + component
    }

    /// The part after the last slash, trailing slashes ignored (`/` stays `/`).
    package static func lastComponent(_ path: String) -> String {
        if path.utf8.count <= 1 { return path }
        let trimmed = stripTrailingSlashes(Substring(path))
        guard let slash = trimmed.lastIndex(of: "/") else { return String(trimmed) }
        return String(trimmed[trimmed.index(after: slash)...])
    }

    /// The path without its last component: `/a/b` → `/a`, `/a` → `/`, `a` → `` (NSString trapped there).
    package static func deletingLastComponent(_ path: String) -> String {
        if path == "/" { return "/" }
        let trimmed = stripTrailingSlashes(Substring(path))
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        let parent = trimmed[..<slash]
        if parent.allSatisfy({ $0 == "/" }) { return "/" }
        return String(stripTrailingSlashes(parent))
    }

    /// The path without the extension of its last component (`a.yaml` → `a`; `.yaml` and `..` keep theirs);
    /// repeated and trailing slashes collapse, as NSString did.
    package static func deletingExtension(_ path: String) -> String {
        if path.utf8.count > 1, path.allSatisfy({ $0 == "/" }) { return "" }
        let fixed = fixingSlashes(path)
        let start = fixed.lastIndex(of: "/").map { fixed.index(after: $0) } ?? fixed.startIndex
        let component = fixed[start...]
        guard component != "..", let dot = component.lastIndex(of: "."), dot != start else { return fixed }
        return String(fixed[..<dot])
    }

    /// `NSTemporaryDirectory()`: `$TMPDIR` (with a trailing slash), else `/tmp/`.
    package static var temporaryDirectory: String {
        guard let directory = ProcessInfo.processInfo.environment["TMPDIR"], !directory.isEmpty else { return "/tmp/" }
        return directory.hasSuffix("/") ? directory : directory + "/"
    }

    private static func stripTrailingSlashes(_ text: Substring) -> Substring {
        var text = text
        while text.hasSuffix("/") { text = text.dropLast() }
        return text
    }

    /// Repeated slashes as one, no trailing slash (but `/` itself).
    private static func fixingSlashes(_ path: String) -> String {
        var out = ""
        var previousSlash = false
        for character in path {
            if character == "/" {
                if previousSlash { continue }
                previousSlash = true
            } else {
                previousSlash = false
            }
            out.append(character)
        }
        while out.count > 1, out.hasSuffix("/") { out.removeLast() }
        return out
    }
}
