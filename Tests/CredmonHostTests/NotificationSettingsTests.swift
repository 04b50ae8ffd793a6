@testable import CredmonHost
import Engine
import Testing

/// Issue 12: the global expiry settings, from `credmon run`'s flags and HTCondor's knobs (a flag wins).
@Suite("Notification settings: --notify-command / CREDMON_NOTIFY_COMMAND, --expiry-warnings / CREDMON_EXPIRY_WARNINGS")
struct NotificationSettingsTests {
    @Test("none by default; the knob's words are the argv; a flag wins over its knob")
    func flagOverKnob() {
        let none = NotificationSettings.resolve(commandFlag: nil, warningsFlag: nil, knobs: nil)
        #expect(none.settings == NotificationSettings() && none.problems.isEmpty)
        #expect(none.settings.expiryWarnings == [604_800, 86_400])
        let knobs = CondorKnobs(values: ["CREDMON_NOTIFY_COMMAND": "/usr/libexec/credmon/notify  --to %u@example.org",
                                         "credmon_expiry_warnings": "86400,1209600"], origin: "test")
        let fromKnobs = NotificationSettings.resolve(commandFlag: nil, warningsFlag: nil, knobs: knobs)
        #expect(fromKnobs.settings.notifyCommand?.argv == ["/usr/libexec/credmon/notify", "--to", "%u@example.org"])
        #expect(fromKnobs.settings.expiryWarnings == [1_209_600, 86_400])
        let fromFlags = NotificationSettings.resolve(commandFlag: "/bin/notify-me", warningsFlag: "3600", knobs: knobs)
        #expect(fromFlags.settings.notifyCommand?.argv == ["/bin/notify-me"])
        #expect(fromFlags.settings.expiryWarnings == [3600])
    }

    @Test("a bad knob is reported naming it, and the default is used")
    func badKnobs() {
        let knobs = CondorKnobs(values: ["CREDMON_NOTIFY_COMMAND": "notify-me", "CREDMON_EXPIRY_WARNINGS": "a week"], origin: "test")
        let resolved = NotificationSettings.resolve(commandFlag: nil, warningsFlag: nil, knobs: knobs)
        #expect(resolved.settings == NotificationSettings())
        #expect(resolved.problems.count == 2, "\(resolved.problems)")
        #expect(resolved.problems.contains { $0.hasPrefix("CREDMON_NOTIFY_COMMAND") && $0.contains("absolute path") }, "\(resolved.problems)")
        #expect(resolved.problems.contains { $0.hasPrefix("CREDMON_EXPIRY_WARNINGS") && $0.contains("'a'") }, "\(resolved.problems)")
    }

    @Test("CREDMON_METRICS_PER_USER: a boolean as HTCondor reads it; the flag wins; an unreadable value is reported")
    func perUser() {
        #expect(MetricsSettings.resolve(listenFlag: nil, textfileFlag: nil, knobs: CondorKnobs(values: ["CREDMON_METRICS_PER_USER": "True"], origin: "t")).settings.perUser)
        #expect(!MetricsSettings.resolve(listenFlag: nil, textfileFlag: nil, knobs: nil).settings.perUser)
        #expect(MetricsSettings.resolve(listenFlag: nil, textfileFlag: nil, perUserFlag: true, knobs: nil).settings.perUser)
        let bad = MetricsSettings.resolve(listenFlag: nil, textfileFlag: nil, knobs: CondorKnobs(values: ["CREDMON_METRICS_PER_USER": "yes please"], origin: "t"))
        #expect(!bad.settings.perUser && bad.problems.count == 1, "\(bad.problems)")
    }
}
