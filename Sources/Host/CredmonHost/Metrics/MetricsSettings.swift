import Engine

/// What the daemon exports, from `credmon run`'s flags and HTCondor's knobs (a flag wins over its knob). Metrics are
/// on when either is set; off, the monitor counts nothing and no `MetricsSystem` is bootstrapped.
public struct MetricsSettings: Sendable, Equatable {
    /// Where `/metrics` is served (nil: no endpoint).
    public var listen: MetricsAddress?
    /// The node_exporter textfile written after every pass (nil: none).
    public var textfile: String?

    public init(listen: MetricsAddress? = nil, textfile: String? = nil) {
        self.listen = listen
        self.textfile = textfile
    }

    public var isOn: Bool { listen != nil || textfile != nil }

    /// The settings in force: each flag, else its knob. A knob that is not an address is an error the daemon logs
    /// (it then serves no endpoint); a bad flag is refused by the command line before.
    public static func resolve(listenFlag: MetricsAddress?, textfileFlag: String?,
                               knobs: CondorKnobs?) -> (settings: MetricsSettings, problems: [String]) {
        var settings = MetricsSettings(listen: listenFlag, textfile: textfileFlag)
        var problems: [String] = []
        if settings.listen == nil, let text = knobs?.metricsListen {
            switch MetricsAddress.parse(text) {
            case .success(let address): settings.listen = address
            case .failure(let error): problems.append("\(CondorKnobs.metricsListenKnob): \(error)")
            }
        }
        if settings.textfile == nil { settings.textfile = knobs?.metricsTextfile }
        return (settings, problems)
    }
}
