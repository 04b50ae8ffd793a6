import Engine

/// What the daemon exports, from `credmon run`'s flags and HTCondor's knobs (a flag wins over its knob). Metrics are
/// on when either is set; off, the monitor counts nothing and no `MetricsSystem` is bootstrapped.
public struct MetricsSettings: Sendable, Equatable {
    /// Where `/metrics` is served (nil: no endpoint).
    public var listen: MetricsAddress?
    /// The node_exporter textfile written after every pass (nil: none).
    public var textfile: String?
    /// Whether the credential-health metrics carry a `user` label (`--metrics-per-user`, `CREDMON_METRICS_PER_USER`).
    public var perUser = false

    public init(listen: MetricsAddress? = nil, textfile: String? = nil, perUser: Bool = false) {
        self.listen = listen
        self.textfile = textfile
        self.perUser = perUser
    }

    public var isOn: Bool { listen != nil || textfile != nil }

    /// The settings in force: each flag, else its knob. A knob that is not an address is an error the daemon logs
    /// (it then serves no endpoint); a bad flag is refused by the command line before.
    public static func resolve(listenFlag: MetricsAddress?, textfileFlag: String?, perUserFlag: Bool = false,
                               knobs: CondorKnobs?) -> (settings: MetricsSettings, problems: [String]) {
        var settings = MetricsSettings(listen: listenFlag, textfile: textfileFlag, perUser: perUserFlag)
        var problems: [String] = []
        if settings.listen == nil, let text = knobs?.metricsListen {
            switch MetricsAddress.parse(text) {
            case .success(let address): settings.listen = address
            case .failure(let error): problems.append("\(CondorKnobs.metricsListenKnob): \(error)")
            }
        }
        if settings.textfile == nil { settings.textfile = knobs?.metricsTextfile }
        if !perUserFlag, let text = knobs?[CondorKnobs.metricsPerUserKnob] {
            if let value = CondorBoolean.parse(text) {
                settings.perUser = value
            } else {
                problems.append(CondorBoolean.problem(knob: CondorKnobs.metricsPerUserKnob, value: text, default: false).problem)
            }
        }
        return (settings, problems)
    }
}
