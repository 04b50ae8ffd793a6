/// HTCondor's dprintf flags, as `<NAME>_DEBUG` gives them (contract §A.2.1, §E.1): which of them make Credmon log at
/// debug level.
///
/// Flags are separated by white space, commas or `|`, are case-insensitive and may carry a verbosity suffix
/// (`D_SECURITY:2`). `D_FULLDEBUG` and `D_ALL` select debug logging, as does `D_ALWAYS:2` (dprintf's spelling of
/// `D_FULLDEBUG`); a flag written with a leading `-` is one being turned off, which never selects it.
public enum DebugFlags {
    /// Whether `flags` selects debug-level logging.
    public static func selectsDebug(_ flags: String?) -> Bool {
        guard let flags else { return false }
        var debug = false
        for token in flags.split(whereSeparator: { $0 == "," || $0 == "|" || $0.isWhitespace }) {
            var text = token.uppercased()[...]
            let off = text.hasPrefix("-")
            if off { text = text.dropFirst() }
            let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let name = parts.first.map(String.init) ?? ""
            let verbosity = parts.count > 1 ? Int(parts[1]) : nil
            let selects = name == "D_FULLDEBUG" || name == "D_ALL" || (name == "D_ALWAYS" && (verbosity ?? 1) >= 2)
            if selects { debug = !off }
        }
        return debug
    }
}
