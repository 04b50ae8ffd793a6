import CondorConfig
import CredmonHost
import CredmonTestKit
import Foundation
import Testing

/// `credmon -n NAME` as condor_master starts a named daemon, and the knob that widens the name rules, read through
/// HTCondor's own parser.
@Suite("Daemon name and special-character names", .serialized)
struct DaemonNameTests {
    @Test("-n NAME reads <NAME>_LOG, else $(LOG)/<Name>Log; the log flag still wins")
    func namedDaemonLog() throws {
        let named = CondorConfiguration(tool: CondorFixtures.tool("seed-readme", overrides: ["CREDMON_TEST_LOG": "/var/log/condor/Named.log"]))
        let resolved = Deployment.resolve(credentialDirectory: nil, providersDirectory: nil, stateDirectory: nil, keyDirectory: nil,
                                          logFile: nil, daemonName: "CREDMON_TEST", condor: named)
        #expect(resolved.logFile == "/var/log/condor/Named.log")
        #expect(resolved.credentialDirectory == "/var/lib/condor/credentials")

        let computed = Deployment.resolve(credentialDirectory: nil, providersDirectory: nil, stateDirectory: nil, keyDirectory: nil,
                                          logFile: nil, daemonName: "CREDMON_TEST",
                                          condor: CondorConfiguration(tool: CondorFixtures.tool("seed-readme")))
        #expect(computed.logFile == "/var/log/condor/CredmonTestLog")

        let flagged = Deployment.resolve(credentialDirectory: nil, providersDirectory: nil, stateDirectory: nil, keyDirectory: nil,
                                         logFile: "/tmp/mine.log", daemonName: "CREDMON_TEST", condor: named)
        #expect(flagged.logFile == "/tmp/mine.log")
    }

    @Test("CREDMON_ALLOW_SPECIAL_CHAR_NAMES is read as HTCondor reads booleans", arguments: [
        ("true", true), ("TRUE", true), ("1", true), ("false", false), ("0", false), (nil, false),
    ] as [(String?, Bool)])
    func specialCharacterNames(value: String?, expected: Bool) throws {
        let overrides = value.map { ["CREDMON_ALLOW_SPECIAL_CHAR_NAMES": $0] } ?? [:]
        let knobs = try CondorFixtures.knobs("seed-readme", overrides: overrides)
        #expect(knobs.allowSpecialCharacterNames == expected)
    }
}
