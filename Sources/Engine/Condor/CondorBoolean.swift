import FoundationEssentials

/// HTCondor booleans as `param_boolean` reads them, without the reference credmon's bug of treating the string
/// "false" as true (contract §F.1-9).
///
/// HTCondor accepts `true`/`false` (any case, surrounding blanks ignored) and numbers (non-zero is true); anything
/// else is evaluated as a ClassAd expression, and a value that does not evaluate (e.g. `yes`, `on`: undefined
/// attribute references) silently becomes the knob's default. Credmon does the same, but not silently: the knob's
/// default applies and a warning names the knob (``problem(knob:value:default:)``).
public enum CondorBoolean {
    /// The boolean, or nil when the text is not one HTCondor reads as a literal boolean or number.
    public static func parse(_ text: String) -> Bool? {
        let trimmed = text.trimmingSpaces()
        switch trimmed.lowercased() {
        case "true": return true
        case "false": return false
        default: break
        }
        if let integer = Int(trimmed) { return integer != 0 }
        if let real = Double(trimmed), real.isFinite { return real != 0 }
        return nil
    }

    /// Why a value is not read as a boolean, what applies instead, and what to write.
    public static func problem(knob: String, value: String, default fallback: Bool) -> (problem: String, fix: String) {
        ("'\(value)' is not a boolean HTCondor reads (it evaluates such text as an expression, which does not give a boolean), "
            + "so the default, \(fallback), applies as in HTCondor",
         "write \(knob) = true or \(knob) = false")
    }
}
