extension KnobFragment {
    /// The fragment as a `providers.d/<service>.yaml` file, each value commented with the knob it came from.
    public func yamlText(origin: String) -> String {
        var lines = [
            "# Imported from HTCondor's configuration by `credmon import-condor-config` (read through \(origin)).",
            "# Once Credmon runs with this file, the knobs named below can be removed from HTCondor's configuration;",
            "# keep the service in HTCondor's provider lists so that condor_credd routes it the same way.",
        ]
        for note in notes { lines.append("# " + note) }
        for problem in problems { lines.append("# NOT IMPORTED: \(problem)") }
        lines.append("name: \(Value.quote(service))")
        lines.append("kind: \(kind)")
        for entry in entries {
            lines.append("\(entry.key): \(entry.value.yaml)    # from \(entry.source)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
