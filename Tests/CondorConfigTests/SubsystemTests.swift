@testable import CondorConfig
import CredmonHost
import CredmonTestKit
import Engine
import Foundation
import Testing

/// The configuration read as HTCondor's daemon reads it: as its subsystem (`-n NAME`, default `CREDMON_OAUTH`), so
/// `NAME.X = v` overrides `X` (`condor_config_val -subsystem NAME`, through HTCondor's own parser).
@Suite("Reading as the daemon's subsystem", .serialized)
struct SubsystemTests {
    private static func site(_ directory: TemporaryDirectory) throws -> ConfigValTool {
        let config = try directory.write("condor_config", """
        use feature : OAUTH
        LOCAL_CREDMON_PROVIDER_NAMES = scitokens
        LOCAL_CREDMON_TOKEN_LIFETIME = 1200
        CREDMON_OAUTH.LOCAL_CREDMON_TOKEN_LIFETIME = 600
        CREDMON_OAUTH.LOCAL_CREDMON_TOKEN_AUDIENCE = https://only.for.credmon
        CREDMON_VAULT.LOCAL_CREDMON_TOKEN_LIFETIME = 300
        CREDMON_OAUTH.CREDMON_OAUTH_DEBUG = D_FULLDEBUG
        """)
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("_CONDOR_") }
        environment["CONDOR_CONFIG"] = config
        environment["CREDMON_TEST_CONFIG_VAL_LOG"] = directory.file("calls.log")
        return ConfigValTool(path: CondorFixtures.configValTool, environment: environment)
    }

    @Test("every call carries -subsystem NAME first, value lookups and the dump alike")
    func arguments() {
        let tool = ConfigValTool(path: "/x", environment: [:]).reading(asSubsystem: "credmon_oauth")
        #expect(tool.subsystem == "CREDMON_OAUTH")
        #expect(tool.arguments(["LOG"]) == ["-subsystem", "CREDMON_OAUTH", "LOG"])
        #expect(tool.arguments(["-dump", "-expand", "CREDMON"]) == ["-subsystem", "CREDMON_OAUTH", "-dump", "-expand", "CREDMON"])
        #expect(ConfigValTool(path: "/x", environment: [:]).arguments(["LOG"]) == ["LOG"])
    }

    @Test("SUBSYSTEM.X entries of a dump answer for X; other subsystems' entries stay as they are")
    func foldsDump() {
        let folded = ConfigValTool.applyingSubsystem("CREDMON_OAUTH", to: [
            "LOCAL_CREDMON_TOKEN_LIFETIME": "1200", "credmon_oauth.Local_Credmon_Token_Lifetime": "600",
            "CREDMON_OAUTH.ONLY_HERE": "yes", "CREDMON_VAULT.X": "1",
        ])
        #expect(folded == ["Local_Credmon_Token_Lifetime": "600", "ONLY_HERE": "yes", "CREDMON_VAULT.X": "1"])
    }

    @Test("the knobs of daemon CREDMON_OAUTH honour CREDMON_OAUTH.X; another daemon name reads its own prefix")
    func knobsHonourPrefix() throws {
        let directory = try TemporaryDirectory()
        let tool = try Self.site(directory)
        #expect(try tool.value("LOCAL_CREDMON_TOKEN_LIFETIME") == "1200", "a tool (no -subsystem) reads the plain value")

        let knobs = try CondorConfiguration(tool: tool).knobs(daemonName: "CREDMON_OAUTH")
        #expect(knobs["LOCAL_CREDMON_TOKEN_LIFETIME"] == "600")
        #expect(knobs["LOCAL_CREDMON_TOKEN_AUDIENCE"] == "https://only.for.credmon", "set only with the prefix")
        #expect(knobs.debugFlags == "D_FULLDEBUG")
        #expect(!knobs.names.contains { $0.hasPrefix("CREDMON_OAUTH.") })

        let vault = try CondorConfiguration(tool: tool).knobs(daemonName: "CREDMON_VAULT")
        #expect(vault["LOCAL_CREDMON_TOKEN_LIFETIME"] == "300")
        #expect(vault["LOCAL_CREDMON_TOKEN_AUDIENCE"] == nil)
        #expect(vault.debugFlags == nil)

        let calls = (try? String(contentsOfFile: directory.file("calls.log"), encoding: .utf8)) ?? ""
        let subsystemCalls = calls.split(separator: "\n").dropFirst()  // the first is the plain lookup above
        #expect(!subsystemCalls.isEmpty && subsystemCalls.allSatisfy { $0.hasPrefix("-subsystem CREDMON_") }, "\(calls)")
    }

    @Test("the daemon's deployment and the effective table see the prefixed value")
    func effectiveTable() throws {
        let directory = try TemporaryDirectory()
        let tool = try Self.site(directory)
        let deployment = Deployment.resolve(credentialDirectory: nil, providersDirectory: nil, stateDirectory: nil, keyDirectory: nil,
                                            logFile: nil, daemonName: "CREDMON_OAUTH", condor: CondorConfiguration(tool: tool))
        #expect(deployment.condorKnobs?["LOCAL_CREDMON_TOKEN_LIFETIME"] == "600")
        let effective = try CondorFixtures.effective(deployment.condorKnobs, keys: directory)
        #expect(CondorFixtures.setting(effective.table, "scitokens", "lifetime").map { $0.hasPrefix("600") } == true,
                "\(CondorFixtures.summary(effective.table))")
    }
}
