@testable import CondorConfig
import Engine
import Foundation
import Testing

@Suite("condor_config_val source", .serialized)
struct ConfigValToolTests {
    @Test("a -dump listing is parsed, multi-line @=end values included, comments and empty values skipped")
    func parsesDump() {
        let text = """
        # Configuration from machine: ap

        # Parameters with names that match CREDMON:
        CREDMON_OAUTH = /usr/sbin/credmon
        Box_Client_Id = abc
        EMPTY_ONE =
        LONG @=end
           line one
           line two
        @end
        # Contributing configuration file(s):
        #\t/etc/condor/condor_config
        """
        let parsed = ConfigValTool.parseDump(text)
        #expect(parsed == ["CREDMON_OAUTH": "/usr/sbin/credmon", "Box_Client_Id": "abc", "LONG": "line one\nline two"])
    }

    @Test("an undefined knob is nil (the tool says 'Not defined' and exits 1); a defined one is its expanded value")
    func undefinedAndDefined() throws {
        let tool = CondorFixtures.tool("multi-issuer")
        #expect(try tool.value("NO_SUCH_KNOB_AT_ALL") == nil)
        #expect(try tool.value("SEC_CREDENTIAL_DIRECTORY_OAUTH") == "/var/lib/condor/tokens")
        #expect(try tool.value("local_credmon_issuer") == "https://tokens.example.org")
    }

    @Test("_CONDOR_<NAME> environment overrides win, as for HTCondor daemons")
    func environmentOverrides() throws {
        let tool = CondorFixtures.tool("multi-issuer", overrides: ["SEC_CREDENTIAL_DIRECTORY_OAUTH": "/tmp/elsewhere"])
        #expect(try tool.value("SEC_CREDENTIAL_DIRECTORY_OAUTH") == "/tmp/elsewhere")
        let knobs = try CondorKnobs.read(from: tool)
        #expect(knobs.credentialDirectory == "/tmp/elsewhere")
    }

    @Test("a tool that cannot run is a clear error, not an empty configuration")
    func missingTool() {
        #expect(throws: CondorConfigError.self) { try ConfigValTool(path: "/nonexistent/condor_config_val").value("LOG") }
    }
}

