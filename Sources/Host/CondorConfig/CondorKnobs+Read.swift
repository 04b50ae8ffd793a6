import Engine

extension CondorKnobs {
    /// Reads the snapshot: one dump and a few single lookups (a single lookup answers for its knob even when the dump
    /// listed it, and its absence removes the dump's value). The daemon's `<NAME>_DEBUG` is among them. To read as
    /// the daemon's subsystem, give a ``ConfigValTool`` with its ``ConfigValTool/subsystem`` set.
    public static func read(from source: any CondorConfigSource, daemonName: String = "CREDMON_OAUTH") throws(CondorConfigError) -> CondorKnobs {
        var values = try source.values(matching: dumpPattern)
        for name in singleKnobs(daemonName: daemonName) + [debugKnob(daemonName: daemonName)] {
            let spelled = values.keys.filter { $0.uppercased() == name.uppercased() }
            let value = try source.value(name)
            for key in spelled { values[key] = nil }
            if let value { values[spelled.first ?? name] = value }
        }
        return CondorKnobs(values: values, origin: source.origin, daemonName: daemonName)
    }
}
