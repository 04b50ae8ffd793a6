/// A problem in a provider fragment: the file, the line, the key, what is wrong and what to do.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var key: String?
    public var problem: String
    public var fix: String?
    /// An error (the setting is not used as written) or a warning (it is used, but something will likely go wrong).
    public var severity: Severity

    /// How serious a configuration problem is.
    public enum Severity: String, Sendable, Equatable {
        case error, warning
    }

    public init(file: String, line: Int? = nil, key: String? = nil, problem: String, fix: String? = nil, severity: Severity = .error) {
        self.file = file
        self.line = line
        self.key = key
        self.problem = problem
        self.fix = fix
        self.severity = severity
    }

    /// Whether this is only a warning.
    public var isWarning: Bool { severity == .warning }

    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        text += ": "
        if let key { text += "key '\(key)': " }
        if isWarning { text += "warning: " }
        text += problem
        if let fix { text += "; \(fix)" }
        return text
    }
}

/// Several configuration problems found in one go.
public struct ConfigurationErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [ConfigurationError]
    public init(_ errors: [ConfigurationError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
