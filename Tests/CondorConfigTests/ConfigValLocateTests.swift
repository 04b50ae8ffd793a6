@testable import CondorConfig
import CredmonHost
import CredmonTestKit
import Foundation
import Testing

/// Finding condor_config_val: the PATH outside HTCondor; also where HTCondor installs it when condor_master started
/// us (or `CONDOR_CONFIG` names the configuration); never local mode under HTCondor.
@Suite("Locating condor_config_val", .serialized)
struct ConfigValLocateTests {
    private static let master = ["CONDOR_INHERIT": "1 <127.0.0.1:9618> 0 0"]

    @Test("outside HTCondor only the PATH is searched")
    func pathOnly() {
        #expect(ConfigValTool.searchDirectories(environment: ["PATH": "/a:/b"]) == ["/a", "/b"])
        #expect(ConfigValTool.htcondorContext(environment: ["PATH": "/a"]) == nil)
    }

    @Test("under condor_master: the PATH, $CONDOR_LOCATION/bin, the release's bin beside CONDOR_CONFIG, then the packages' places")
    func underMaster() {
        let environment = Self.master.merging([
            "PATH": "/usr/bin:/a", "CONDOR_LOCATION": "/opt/htc", "CONDOR_CONFIG": "/srv/condor-23/etc/condor_config",
        ]) { $1 }
        #expect(ConfigValTool.searchDirectories(environment: environment)
            == ["/usr/bin", "/a", "/opt/htc/bin", "/srv/condor-23/bin", "/usr/local/bin", "/opt/condor/bin"])
        // <release>/etc/condor/condor_config: <release>/bin too; the packages' /etc/condor/condor_config gives /bin.
        let nested = ["CONDOR_CONFIG": "/srv/rel/etc/condor/condor_config", "PATH": "/a"]
        #expect(ConfigValTool.searchDirectories(environment: nested)
            == ["/a", "/srv/rel/bin", "/usr/bin", "/usr/local/bin", "/opt/condor/bin"])
        #expect(ConfigValTool.searchDirectories(environment: ["CONDOR_CONFIG": "/etc/condor/condor_config", "PATH": "/a"])
            == ["/a", "/bin", "/usr/bin", "/usr/local/bin", "/opt/condor/bin"])
        #expect(ConfigValTool.htcondorContext(environment: nested)?.contains("CONDOR_CONFIG") == true)
        #expect(ConfigValTool.htcondorContext(environment: Self.master)?.contains("CONDOR_INHERIT") == true)
    }

    @Test("a tarball release's condor_config_val is found from CONDOR_CONFIG when the PATH lacks it")
    func findsReleaseTool() throws {
        let release = try TemporaryDirectory()
        let config = try release.write("etc/condor_config", "LOG = /tmp\n")
        let tool = try release.write("bin/condor_config_val", "#!/bin/sh\nexit 0\n")
        chmod(tool, 0o755)
        let environment = ["PATH": "/nonexistent", "CONDOR_CONFIG": config]
        #expect(ConfigValTool.locate(environment: environment)?.path == tool)
        #expect(ConfigValTool.locate(environment: ["PATH": "/nonexistent"]) == nil, "outside HTCondor only the PATH")
    }

    @Test("under HTCondor without the tool: no local mode, a problem naming condor_config_val and the fix")
    func missingUnderHTCondor() throws {
        let working = try TemporaryDirectory()
        let environment = Self.master.merging(["PATH": working.path]) { $1 }
        let deployment = Deployment.resolve(credentialDirectory: nil, providersDirectory: nil, stateDirectory: nil, keyDirectory: nil,
                                            logFile: nil, daemonName: "CREDMON_OAUTH", condor: nil, environment: environment)
        #expect(!deployment.isLocalMode)
        #expect(!deployment.credentialDirectory.contains(".credmon"))
        let problem = try #require(deployment.missingConfigVal)
        #expect(problem.contains("condor_config_val") && problem.contains("CONDOR_INHERIT"), "\(problem)")
        #expect(problem.contains("CREDMON_OAUTH_ARGS = --condor-config-val") && problem.contains(working.path), "\(problem)")

        let local = Deployment.resolve(credentialDirectory: nil, providersDirectory: nil, stateDirectory: nil, keyDirectory: nil,
                                       logFile: nil, daemonName: "CREDMON_OAUTH", condor: nil, environment: ["PATH": working.path])
        #expect(local.isLocalMode && local.missingConfigVal == nil, "outside HTCondor local mode stays")
    }
}
