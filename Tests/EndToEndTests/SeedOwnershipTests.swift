import Foundation
import Glibc
import Testing

/// A local issuer mints a token for whoever's directory holds a `.top`: only seeds written by condor_credd (root, or
/// the user the daemon runs as) count.
@Suite("Local issuers trust only seeds written by condor_credd")
struct SeedOwnershipTests {
    @Test("a .top owned by another user is refused with a clear status; root's beside it is served")
    func plantedSeedRefused() throws {
        let daemon = try DaemonProcess(label: "owner", fragments: ["scitokens.yaml": Fragments.local()])
        defer { daemon.cleanUp() }
        try daemon.credd.storeLocalCredential(user: "root")
        try daemon.credd.storeLocalCredential(user: "mallory")
        // As if the condor user (or a compromised web app) had planted it: owned by nobody.
        #expect(chown(daemon.credd.path("mallory", "scitokens.top"), 65_534, 65_534) == 0)
        try daemon.start()
        #expect(eventually(timeout: 10) { daemon.credd.read("root", "scitokens.use") != nil })
        #expect(eventually(timeout: 10) { daemon.log.contains("Refused: this .top is not owned by root or by the daemon's user") }, "\(daemon.log)")
        #expect(daemon.credd.read("mallory", "scitokens.use") == nil, "no token minted for a planted seed")
        // The status file is rewritten when records change (at most once a second).
        #expect(eventually(timeout: 10, interval: 0.25) {
            (try? daemon.command("status", ["--json"]))?.stdout.contains("scitokens.top is owned by uid 65534") == true
        })

        // Rewritten by condor_credd (root), it is served.
        try daemon.credd.storeLocalCredential(user: "mallory")
        #expect(eventually(timeout: 10) { daemon.credd.read("mallory", "scitokens.use") != nil })
    }
}
