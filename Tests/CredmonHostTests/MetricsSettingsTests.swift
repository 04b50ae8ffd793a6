@testable import CredmonHost
import Engine
import Testing

@Suite("Metrics settings: --metrics-listen / CREDMON_METRICS_LISTEN, the textfile, flag over knob")
struct MetricsSettingsTests {
    @Test("addresses: HOST:PORT, [IPv6]:PORT, PORT and :PORT for 127.0.0.1")
    func parsesAddresses() throws {
        #expect(try MetricsAddress.parse("127.0.0.1:9120").get() == MetricsAddress(host: "127.0.0.1", port: 9120))
        #expect(try MetricsAddress.parse("9120").get() == MetricsAddress(host: "127.0.0.1", port: 9120))
        #expect(try MetricsAddress.parse(":9120").get() == MetricsAddress(host: "127.0.0.1", port: 9120))
        #expect(try MetricsAddress.parse("[::1]:9120").get() == MetricsAddress(host: "::1", port: 9120))
        #expect(try MetricsAddress.parse("0.0.0.0:9120").get().isLoopback == false)
        #expect(try MetricsAddress.parse("localhost:9120").get().isLoopback)
        #expect(try MetricsAddress.parse("[::1]:9120").get().isLoopback)
        for bad in ["", "host:", "host:http", "::1:9120", "[::1]9120", "127.0.0.1:70000", "a b:1", "127.0.0.1:-1"] {
            #expect(throws: MetricsSettingError.self, "\(bad)") { try MetricsAddress.parse(bad).get() }
        }
    }

    @Test("off without flags or knobs; a flag wins over its knob; a bad knob is reported and ignored")
    func flagOverKnob() {
        #expect(!MetricsSettings.resolve(listenFlag: nil, textfileFlag: nil, knobs: nil).settings.isOn)
        let knobs = CondorKnobs(values: ["credmon_metrics_listen": "127.0.0.1:9000", "CREDMON_METRICS_TEXTFILE": "/k/credmon.prom"], origin: "test")
        let fromKnobs = MetricsSettings.resolve(listenFlag: nil, textfileFlag: nil, knobs: knobs)
        #expect(fromKnobs.settings == MetricsSettings(listen: MetricsAddress(host: "127.0.0.1", port: 9000), textfile: "/k/credmon.prom"))
        let fromFlags = MetricsSettings.resolve(listenFlag: MetricsAddress(host: "::1", port: 9001), textfileFlag: "/f.prom", knobs: knobs)
        #expect(fromFlags.settings == MetricsSettings(listen: MetricsAddress(host: "::1", port: 9001), textfile: "/f.prom"))
        let bad = MetricsSettings.resolve(listenFlag: nil, textfileFlag: nil,
                                          knobs: CondorKnobs(values: ["CREDMON_METRICS_LISTEN": "nine"], origin: "test"))
        #expect(bad.settings.listen == nil)
        #expect(bad.problems.count == 1 && bad.problems[0].contains("CREDMON_METRICS_LISTEN"), "\(bad.problems)")
    }
}
