import CredmonHost
import Logging
import Testing

/// `<NAME>_DEBUG` as HTCondor's dprintf reads it: which flags turn on Credmon's debug logging.
@Suite("<NAME>_DEBUG flags")
struct DebugFlagsTests {
    @Test("D_FULLDEBUG, D_ALL and D_ALWAYS:2 select debug; case, separators and verbosity suffixes as dprintf takes them", arguments: [
        ("D_FULLDEBUG", true), ("d_fulldebug", true), ("D_FULLDEBUG:2", true), ("D_ALL", true), ("D_ALL:1", true),
        ("D_SECURITY D_FULLDEBUG", true), ("D_SECURITY,D_FULLDEBUG", true), ("D_SECURITY|D_FULLDEBUG", true),
        ("D_SECURITY, D_FULLDEBUG:2 D_NETWORK", true), ("D_ALWAYS:2", true), ("D_ALWAYS:3", true),
        ("D_ALWAYS", false), ("D_ALWAYS:1", false), ("D_SECURITY", false), ("D_SECURITY:2", false), ("", false),
        ("D_FULLDEBUGX", false), ("D_FULLDEBUG -D_FULLDEBUG", false), ("-D_ALL", false),
    ] as [(String, Bool)])
    func selects(flags: String, debug: Bool) {
        #expect(DebugFlags.selectsDebug(flags) == debug)
    }

    @Test("unset flags do not select debug; -d always does")
    func levels() {
        #expect(!DebugFlags.selectsDebug(nil))
        #expect(LogLevelControl.level(debugFlag: false, debugFlags: nil) == .info)
        #expect(LogLevelControl.level(debugFlag: true, debugFlags: "D_ALWAYS") == .debug)
        #expect(LogLevelControl.level(debugFlag: false, debugFlags: "D_FULLDEBUG") == .debug)
    }
}
