import CredmonHost
import Engine
import CondorConfig
import Testing

@Suite("HTCondor booleans")
struct CondorBooleanTests {
    @Test("true/false in any case and numbers read as HTCondor's param_boolean reads them",
          arguments: [("true", true), ("TRUE", true), ("  True ", true), ("false", false), ("FALSE", false),
                      ("1", true), ("0", false), ("2", true), ("2.5", true), ("0.0", false)])
    func literals(text: String, expected: Bool) {
        #expect(CondorBoolean.parse(text) == expected)
    }

    @Test("words HTCondor evaluates as undefined expressions, and expressions, are refused rather than guessed",
          arguments: ["yes", "no", "on", "off", "t", "f", "1 > 2", "foo", ""])
    func refused(text: String) {
        #expect(CondorBoolean.parse(text) == nil)
    }

    @Test("a per-provider 'false' is false (the Python credmon read it as the truthy string)")
    func perProviderFalse() throws {
        let knobs = CondorKnobs(values: ["LOCAL_CREDMON_WLCG_TOKEN_USE_JSON": "false", "LOCAL_CREDMON_PROVIDER_NAMES": "wlcg"], origin: "test")
        let fragment = try #require(KnobTranslator(knobs: knobs, catalog: HostCatalog.catalog).translate().fragments.first)
        #expect(fragment.value(of: "use_json") == .boolean(false))
    }

    @Test("an unreadable boolean knob is an error naming the knob and what to write")
    func invalidKnobIsNamed() throws {
        let knobs = CondorKnobs(values: ["local_credmon_token_use_json": "yes", "LOCAL_CREDMON_TOKEN_AUDIENCE": "ANY"], origin: "test")
        let fragment = try #require(KnobTranslator(knobs: knobs, catalog: HostCatalog.catalog).translate().fragments.first)
        let problem = try #require(fragment.problems.first)
        #expect(problem.key == "local_credmon_token_use_json")
        #expect(problem.description.contains("'yes' is not a boolean"))
        #expect(problem.fix?.contains("= true or") == true)
    }
}
