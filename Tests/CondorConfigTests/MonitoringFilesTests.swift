import CredmonTestKit
import Engine
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// deploy/monitoring: the Prometheus alerting rules pass promtool's checks and their own unit tests, and the rules and
/// the Grafana dashboard name only metrics credmon exports, the dashboard every one of them.
@Suite("Monitoring files (deploy/monitoring)")
struct MonitoringFilesTests {
    static let directory = DeploymentFilesTests.repository + "/deploy/monitoring"
    static let rules = directory + "/credmon-alerts.yml"
    static let ruleTests = directory + "/credmon-alerts.test.yml"
    static let dashboard = directory + "/credmon-dashboard.json"

    /// The metrics credmon exports (README, section Metrics), and which are histograms.
    static let metrics: Set<String> = [
        "credmon_token_requests_total", "credmon_token_request_duration_seconds", "credmon_pass_duration_seconds",
        "credmon_last_complete_timestamp_seconds", "credmon_queue_depth", "credmon_backoffs", "credmon_credentials",
        "credmon_long_lived_credentials", "credmon_credential_expiry_seconds",
    ]
    static let histograms: Set<String> = ["credmon_token_request_duration_seconds", "credmon_pass_duration_seconds"]

    static let alerts: Set<String> = [
        "CredmonCredentialExpiring", "CredmonCredentialExpired", "CredmonCredentialRevoked", "CredmonRefreshesFailing",
        "CredmonBackoffs", "CredmonPassStalled", "CredmonMetricsAbsent",
    ]

    /// The metric a series name in a query belongs to (a histogram's `_bucket`, `_sum`, `_count` series: the
    /// histogram), or nil when it is none of credmon's.
    static func metric(of series: String) -> String? {
        if metrics.contains(series) { return series }
        for suffix in ["_bucket", "_sum", "_count"] where series.hasSuffix(suffix) {
            let base = String(series.dropLast(suffix.count))
            if histograms.contains(base) { return base }
        }
        return nil
    }

    /// Every `credmon_[a-z_]+` token of a query.
    static func seriesNames(in query: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: "credmon_[a-z_]+")
        let range = NSRange(query.startIndex..., in: query)
        return regex.matches(in: query, range: range).compactMap { Range($0.range, in: query).map { String(query[$0]) } }
    }

    static func promtool() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let candidates = path.split(separator: ":").map { "\($0)/promtool" } + ["/usr/bin/promtool", "/usr/local/bin/promtool"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The `expr` of every rule of a rules file, by the line the rule starts at: the text after `expr:`, or the
    /// lines of its block scalar (`expr: |`).
    static func expressions(ofRules text: String) -> [String] {
        let lines = text.components(separatedBy: "\n")
        var expressions: [String] = []
        var index = 0
        while index < lines.count {
            let line = lines[index]
            let trimmed = line.drop { $0 == " " }
            index += 1
            guard trimmed.hasPrefix("expr:") else { continue }
            let value = trimmed.dropFirst("expr:".count).trimmingCharacters(in: .whitespaces)
            guard value == "|" || value == ">" || value == "|-" || value == ">-" else {
                expressions.append(value)
                continue
            }
            let indentation = line.count - trimmed.count
            var block: [String] = []
            while index < lines.count {
                let next = lines[index]
                let nextIndentation = next.count - next.drop { $0 == " " }.count
                if !next.trimmingCharacters(in: .whitespaces).isEmpty && nextIndentation <= indentation { break }
                block.append(next)
                index += 1
            }
            expressions.append(block.joined(separator: "\n"))
        }
        return expressions
    }

    @Test("the files are where the README says")
    func filesExist() {
        for path in [Self.rules, Self.ruleTests, Self.dashboard, Self.directory + "/README.md"] {
            #expect(FileManager.default.fileExists(atPath: path), "\(path) is missing")
        }
    }

    @Test("promtool check rules and promtool test rules pass (each killed after 60 s)")
    func promtoolPasses() throws {
        let promtool = try #require(Self.promtool(),
                                    "promtool is missing: run scripts/install-test-deps (Debian package prometheus, /usr/bin/promtool)")
        let environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        for arguments in [["check", "rules", Self.rules], ["test", "rules", Self.ruleTests]] {
            let run = try DeadlineRun.run(promtool, arguments, environment: environment, deadline: 60)
            #expect(!run.timedOut, "promtool \(arguments.joined(separator: " ")) ran for more than 60 s and was killed")
            #expect(run.status == 0, "promtool \(arguments.joined(separator: " ")) exited \(run.status):\n\(run.stdout)\(run.stderr)")
            #expect(run.stdout.contains("SUCCESS"), "\(run.stdout)\(run.stderr)")
        }
    }

    @Test("the rules: every alert of the issue, each with a severity and what to do, and only credmon's metrics in the queries")
    func rulesNameKnownMetrics() throws {
        let text = try String(contentsOfFile: Self.rules, encoding: .utf8)
        #expect(text.contains("- name: credmon\n"), "the rule group is named credmon")
        let blocks = text.components(separatedBy: "- alert: ").dropFirst()
        var names = Set<String>()
        for block in blocks {
            let name = String(block.prefix { $0 != "\n" }).trimmingCharacters(in: .whitespaces)
            names.insert(name)
            #expect(block.contains("severity: warning") || block.contains("severity: critical"), "\(name): no severity label")
            #expect(block.contains("summary:") && block.contains("description:"), "\(name): no summary or description")
        }
        #expect(names == Self.alerts, "alerts: \(names.sorted())")
        #expect(text.contains("condor_store_cred delete-oauth -s <service>") && text.contains("credmon status"),
                "the descriptions tell the admin what to do")

        let expressions = Self.expressions(ofRules: text)
        #expect(expressions.count == Self.alerts.count, "\(expressions)")
        var used = Set<String>()
        for expression in expressions {
            let series = Self.seriesNames(in: expression)
            #expect(!series.isEmpty, "an expression names no credmon metric: \(expression)")
            for name in series {
                #expect(Self.metric(of: name) != nil, "unknown metric \(name) in: \(expression)")
                if let metric = Self.metric(of: name) { used.insert(metric) }
            }
        }
        let alerted: Set<String> = ["credmon_token_requests_total", "credmon_last_complete_timestamp_seconds", "credmon_backoffs",
                                    "credmon_long_lived_credentials", "credmon_credential_expiry_seconds"]
        #expect(alerted.isSubset(of: used), "not alerted on: \(alerted.subtracting(used).sorted())")
    }

    @Test("the rule tests exercise every alert both firing and not firing")
    func ruleTestsCoverEveryAlert() throws {
        let lines = try String(contentsOfFile: Self.ruleTests, encoding: .utf8).components(separatedBy: "\n")
        #expect(lines.contains("  - credmon-alerts.yml"), "rule_files names credmon-alerts.yml")
        var firing = Set<String>(), quiet = Set<String>()
        for (index, line) in lines.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("alertname:"), index + 1 < lines.count else { continue }
            let name = trimmed.dropFirst("alertname:".count).trimmingCharacters(in: .whitespaces)
            let next = lines[index + 1].trimmingCharacters(in: .whitespaces)
            if next == "exp_alerts: []" {
                quiet.insert(name)
            } else if next == "exp_alerts:", index + 2 < lines.count,
                      lines[index + 2].trimmingCharacters(in: .whitespaces).hasPrefix("- exp_labels:") {
                firing.insert(name)
            }
        }
        #expect(firing == Self.alerts, "tested firing: \(firing.sorted())")
        #expect(quiet == Self.alerts, "tested not firing: \(quiet.sorted())")
    }

    @Test("the dashboard: a Prometheus datasource variable, a provider variable, credmon's metrics only and every one of them")
    func dashboardNamesEveryMetric() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.dashboard))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect((dashboard["schemaVersion"] as? Int).map { $0 >= 39 } == true, "schemaVersion \(String(describing: dashboard["schemaVersion"]))")
        #expect(dashboard["uid"] as? String == "credmon")

        let variables = try #require((dashboard["templating"] as? [String: Any])?["list"] as? [[String: Any]])
        let datasource = variables.first { $0["name"] as? String == "datasource" }
        #expect(datasource?["type"] as? String == "datasource" && datasource?["query"] as? String == "prometheus",
                "a variable `datasource` of type datasource, query prometheus")
        let provider = try #require(variables.first { $0["name"] as? String == "provider" }, "a variable `provider`")
        #expect(provider["definition"] as? String == "label_values(credmon_token_requests_total, provider)")
        for variable in variables {
            for name in Self.seriesNames(in: variable["definition"] as? String ?? "") {
                #expect(Self.metric(of: name) != nil, "variable \(variable["name"] as? String ?? "?"): unknown metric \(name)")
            }
        }

        func panels(_ list: [[String: Any]]) -> [[String: Any]] {
            list.flatMap { [$0] + panels($0["panels"] as? [[String: Any]] ?? []) }
        }
        let all = panels(try #require(dashboard["panels"] as? [[String: Any]]))
        let ids = all.compactMap { $0["id"] as? Int }
        #expect(ids.count == all.count && Set(ids).count == ids.count, "every panel has an id of its own")

        var used = Set<String>(), expressions = 0
        for panel in all where panel["type"] as? String != "row" {
            let title = panel["title"] as? String ?? "?"
            #expect(((panel["datasource"] as? [String: Any])?["uid"] as? String) == "${datasource}", "\(title): datasource")
            let targets = panel["targets"] as? [[String: Any]] ?? []
            #expect(!targets.isEmpty, "\(title): no query")
            for target in targets {
                let expression = try #require(target["expr"] as? String, "\(title): a target without expr")
                expressions += 1
                #expect(((target["datasource"] as? [String: Any])?["uid"] as? String) == "${datasource}", "\(title): target datasource")
                let series = Self.seriesNames(in: expression)
                #expect(!series.isEmpty, "\(title): names no credmon metric: \(expression)")
                for name in series {
                    #expect(Self.metric(of: name) != nil, "\(title): unknown metric \(name) in \(expression)")
                    if let metric = Self.metric(of: name) { used.insert(metric) }
                }
            }
        }
        #expect(expressions > 0)
        #expect(used == Self.metrics, "no panel shows \(Self.metrics.subtracting(used).sorted())")
    }

    @Test("every metric the engine names is one these files know")
    func engineNamesAreKnown() {
        let unknown = Set(MonitorMetrics.Name.all).subtracting(Self.metrics)
        #expect(unknown.isEmpty, "deploy/monitoring does not know \(unknown.sorted()): add it to the dashboard (and the rules)")
    }
}

/// A program run to its end or killed at its deadline. Its output goes to files, not pipes, so that nothing it
/// leaves running can keep the caller reading.
struct DeadlineRun {
    var status: Int32
    var stdout: String
    var stderr: String
    var timedOut: Bool

    /// Runs `path` with exactly `environment` (nothing inherited) and standard input from /dev/null; kills it
    /// (`SIGKILL`) after `deadline` seconds.
    static func run(_ path: String, _ arguments: [String], environment: [String: String], deadline: TimeInterval) throws -> DeadlineRun {
        let directory = try TemporaryDirectory("credmon-run")
        let outPath = try directory.write("stdout", ""), errPath = try directory.write("stderr", "")
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let end = Date().addingTimeInterval(deadline)
        while process.isRunning && Date() < end { usleep(10_000) }
        let timedOut = process.isRunning
        if timedOut { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try out.close()
        try err.close()
        return DeadlineRun(status: process.terminationStatus,
                           stdout: try String(contentsOfFile: outPath, encoding: .utf8),
                           stderr: try String(contentsOfFile: errPath, encoding: .utf8),
                           timedOut: timedOut)
    }
}
