import FoundationEssentials

/// How a provider's credentials are watched for expiry: the common fragment keys `refresh_token_lifetime`,
/// `expiry_warnings` and `notify_command`, which every kind accepts (read by the provider table, not by the kinds).
public struct ExpiryPolicy: Sendable, Equatable {
    /// What the kind knows of its credentials' lifetime, with the fragment's `refresh_token_lifetime` applied.
    public var lifetime: CredentialLifetime
    /// `expiry_warnings`: seconds before the expiry at which to warn, largest first; nil: the global default.
    public var warnings: [TimeInterval]?
    /// `notify_command`: the argv of the notification command; nil: the global default.
    public var notifyCommand: [String]?

    public init(lifetime: CredentialLifetime, warnings: [TimeInterval]? = nil, notifyCommand: [String]? = nil) {
        self.lifetime = lifetime
        self.warnings = warnings
        self.notifyCommand = notifyCommand
    }

    /// The default warning thresholds: 7 days and 1 day before the expiry.
    public static let defaultWarnings: [TimeInterval] = [604_800, 86_400]

    /// Reads the keys from a fragment of a kind whose credentials live `lifetime`; errors name the key and line.
    public static func read(_ fragment: inout FragmentReader, lifetime: CredentialLifetime) -> ExpiryPolicy {
        var policy = ExpiryPolicy(lifetime: lifetime)
        if fragment.has("refresh_token_lifetime") {
            let seconds = fragment.integer("refresh_token_lifetime", in: 0...Int(ExternalTime.maximumDuration), unit: "seconds")
            switch lifetime {
            case .refreshToken:
                if let seconds { policy.lifetime = .refreshToken(maximum: TimeInterval(seconds)) }
            case .never, .unknown, .reportedByProvider:
                fragment.fail("refresh_token_lifetime", "this kind keeps no refresh token whose lifetime could be set",
                              fix: "remove the key")
            }
        }
        policy.warnings = readWarnings(&fragment)
        if fragment.has("notify_command"), let argv = fragment.stringList("notify_command") {
            if let problem = NotifyCommand.problem(with: argv) {
                fragment.fail("notify_command", problem, fix: "write the command as a list: [/absolute/path/to/program, argument, …]")
            } else {
                policy.notifyCommand = argv
            }
        }
        return policy
    }

    private static func readWarnings(_ fragment: inout FragmentReader) -> [TimeInterval]? {
        guard let values = fragment.integerList("expiry_warnings", in: warningRange, unit: "seconds") else { return nil }
        switch normalise(values) {
        case .success(let thresholds): return thresholds
        case .failure(let problem):
            fragment.fail("expiry_warnings", problem.description, fix: "write a list of seconds, e.g. [604800, 86400]")
            return nil
        }
    }

    /// A threshold's bounds: a minute to a year.
    public static let warningRange = 60...31_536_000

    /// Thresholds as the monitor uses them: at most 8, largest first, duplicates dropped.
    public static func normalise(_ values: [Int]) -> Result<[TimeInterval], WarningProblem> {
        guard values.count <= 8 else { return .failure(WarningProblem(description: "at most 8 thresholds, found \(values.count)")) }
        return .success(Set(values).sorted(by: >).map(TimeInterval.init))
    }

    /// Parses thresholds written as text (`CREDMON_EXPIRY_WARNINGS`, `--expiry-warnings`): seconds separated by commas or
    /// spaces, each from a minute to a year.
    public static func parseWarnings(_ text: String) -> Result<[TimeInterval], WarningProblem> {
        var values: [Int] = []
        for item in text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }) {
            guard let seconds = Int(item), warningRange.contains(seconds) else {
                return .failure(WarningProblem(description: "'\(SafeText.printable(String(item), limit: 40))' is not a number of seconds from 60 to 31536000 (a year)"))
            }
            values.append(seconds)
        }
        return normalise(values)
    }

    /// Why a list of thresholds was refused.
    public struct WarningProblem: Error, Sendable, CustomStringConvertible {
        public var description: String
    }
}

extension ExpiryPolicy {
    /// The effective settings, for `credmon check` (after the provider's own).
    public var settings: [ProviderProfile.Setting] {
        var settings: [ProviderProfile.Setting] = []
        switch lifetime {
        case .refreshToken(let maximum?): settings.append(.init("refresh_token_lifetime", maximum == 0 ? "0 (does not expire)" : "\(Int(maximum))"))
        case .refreshToken(nil): settings.append(.init("refresh_token_lifetime", "unknown (the refresh token's exp or refresh_expires_in, where sent)"))
        case .never: settings.append(.init("credential_expiry", "never"))
        case .reportedByProvider: settings.append(.init("credential_expiry", "the Vault token's TTL"))
        case .unknown: break
        }
        settings.append(.init("expiry_warnings", warnings.map { $0.map { String(Int($0)) }.joined(separator: ", ") } ?? "global (CREDMON_EXPIRY_WARNINGS, default 604800, 86400)"))
        settings.append(.init("notify_command", notifyCommand?.joined(separator: " ") ?? "global (CREDMON_NOTIFY_COMMAND, default none)"))
        return settings
    }
}
