import Engine
import FoundationEssentials

/// The global expiry settings, from `credmon run`'s flags and HTCondor's knobs (a flag wins over its knob): the
/// notification command and warning thresholds used where a fragment names none.
public struct NotificationSettings: Sendable, Equatable {
    public var notifyCommand: NotifyCommand?
    public var expiryWarnings: [TimeInterval]

    public init(notifyCommand: NotifyCommand? = nil, expiryWarnings: [TimeInterval] = ExpiryPolicy.defaultWarnings) {
        self.notifyCommand = notifyCommand
        self.expiryWarnings = expiryWarnings
    }

    /// The settings in force, and the problems of the knobs (each logged by the daemon; the knob is then ignored and
    /// the default used). Flags are checked by the command line before.
    public static func resolve(commandFlag: String?, warningsFlag: String?, knobs: CondorKnobs?) -> (settings: NotificationSettings, problems: [String]) {
        var settings = NotificationSettings()
        var problems: [String] = []
        if let commandFlag {
            settings.notifyCommand = NotifyCommand(argv: [commandFlag])
        } else if let text = knobs?[CondorKnobs.notifyCommandKnob], !text.isEmpty {
            let argv = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            if let problem = NotifyCommand.problem(with: argv) {
                problems.append("\(CondorKnobs.notifyCommandKnob) \(problem); no notifications are sent")
            } else {
                settings.notifyCommand = NotifyCommand(argv: argv)
            }
        }
        if let warningsFlag, case .success(let thresholds) = ExpiryPolicy.parseWarnings(warningsFlag) {
            settings.expiryWarnings = thresholds
        } else if let text = knobs?[CondorKnobs.expiryWarningsKnob], !text.isEmpty {
            switch ExpiryPolicy.parseWarnings(text) {
            case .success(let thresholds): settings.expiryWarnings = thresholds
            case .failure(let problem):
                problems.append("\(CondorKnobs.expiryWarningsKnob): \(problem); the default (604800, 86400) is used")
            }
        }
        return (settings, problems)
    }
}
