import CondorConfig
import CredmonHost
import CredmonTestKit
import Engine
import Foundation
import Testing

/// The files under deploy/ are what admins copy: they must be valid and mean what they say.
@Suite("Deployment files", .serialized)
struct DeploymentFilesTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test("every providers.d example loads without an error (paths moved into a temporary directory)")
    func examplesLoad() throws {
        let directory = try TemporaryDirectory()
        let examples = Self.repository + "/deploy/providers.d.examples"
        let files = try FileManager.default.contentsOfDirectory(atPath: examples).filter { $0.hasSuffix(".yaml") }
        for file in files {
            let text = try String(contentsOfFile: examples + "/" + file, encoding: .utf8)
                .replacingOccurrences(of: "/etc/condor/", with: directory.path + "/etc/")
            try directory.write("providers.d/\(file)", text)
        }
        for service in ["box", "gdrive", "onedrive", "dropbox", "cilogon", "other", "campus", "osdf"] {
            let path = try directory.write("etc/.secrets/\(service)", "secret\n")
            chmod(path, 0o600)
        }
        let effective = try CondorFixtures.effective(nil, providers: directory.file("providers.d"), keys: directory)
        #expect(effective.errors.isEmpty, "\(effective.errors)")
        #expect(Set(effective.table.entries.values.map { $0.provider.profile.kind }) == Set(HostCatalog.catalog.names),
                "every kind of the catalog has an example")
    }

    @Test("deploy/40-credmon.conf sets exactly what `use feature : OAUTH` sets, with CREDMON_OAUTH = /usr/sbin/credmon")
    func snippetMatchesMetaknob() throws {
        let directory = try TemporaryDirectory()
        let base = "LOG = /var/log/condor\nFULL_HOSTNAME = ap.example.org\n"
        let withFeature = try directory.write("feature/condor_config", base + "use feature : OAUTH\nCREDMON_OAUTH = /usr/sbin/credmon\n")
        let withSnippet = try directory.write("snippet/condor_config", base + "include : \(Self.repository)/deploy/40-credmon.conf\n")
        func dump(_ config: String) throws -> [String: String] {
            var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("_CONDOR_") }
            environment["CONDOR_CONFIG"] = config
            var values = try ConfigValTool(path: CondorFixtures.configValTool, environment: environment).values(matching: ".")
            for volatile in ["PID", "PPID", "PERIODIC_CHECKPOINT", "CONFIG_ROOT"] { values[volatile] = nil }
            return values
        }
        let feature = try dump(withFeature), snippet = try dump(withSnippet)
        #expect(feature["CREDMON_OAUTH"] == "/usr/sbin/credmon")
        #expect(feature["DAEMON_LIST"]?.contains("CREDMON_OAUTH") == true)
        let differing = Set(feature.keys).union(snippet.keys).filter { feature[$0] != snippet[$0] }
        #expect(differing.isEmpty, "\(differing.sorted().map { "\($0): \(feature[$0] ?? "-") vs \(snippet[$0] ?? "-")" })")
    }
}
