import Foundation
import Glibc
import Testing

/// kill -9 at random moments: after a restart every `.use` is whole and fresh, and no temporary file survives.
@Suite("Crash safety of the local issuer")
struct CrashSafetyTests {
    @Test("20 hard kills during first passes leave no torn .use and no temporary file after restart", .timeLimit(.minutes(3)))
    func hardKills() throws {
        let daemon = try DaemonProcess(label: "kill9", fragments: ["scitokens.yaml": Fragments.local(lifetime: 600)])
        defer { daemon.cleanUp() }
        let users = (0..<400).map { "user\($0)" }
        for user in users { try daemon.credd.storeLocalCredential(user: user) }
        var generator = SystemRandomNumberGenerator()
        var interruptedPasses = 0
        for round in 0..<20 {
            // Make every token due again, so that each start rewrites all of them while we kill it.
            for user in users where round % 2 == 0 {
                try? FileManager.default.removeItem(atPath: daemon.credd.path(user, "scitokens.use"))
            }
            try daemon.start()
            if round % 2 == 0 {
                // Kill while the pass writes: as soon as the first .use is back (the start-up sweeps before the pass
                // take a varying time, so a fixed delay after the pid file often missed the pass).
                _ = eventually(timeout: 5, interval: 0.001) { users.contains { access(daemon.credd.path($0, "scitokens.use"), F_OK) == 0 } }
                usleep(UInt32.random(in: 0...3_000, using: &generator))
            } else {
                usleep(UInt32.random(in: 0...40_000, using: &generator))
            }
            daemon.send(SIGKILL)
            _ = daemon.waitForExit(timeout: 5)
            var present = 0
            for user in users {
                guard let text = daemon.credd.read(user, "scitokens.use") else { continue }
                present += 1
                #expect(UseFile.claims(text)?["sub"] as? String == user, "torn or foreign .use for \(user) after kill \(round): \(text.prefix(80))")
            }
            if round % 2 == 0 && present > 0 && present < users.count { interruptedPasses += 1 }
        }
        #expect(interruptedPasses > 0, "no kill landed in the middle of a pass; the test proved nothing")
        try daemon.start()
        #expect(eventually(timeout: 10) { users.allSatisfy { daemon.credd.read($0, "scitokens.use") != nil } }, "log:\n\(daemon.log)")
        #expect(eventually(timeout: 10) {
            let names = FileManager.default.enumerator(atPath: daemon.credentialDirectory.path)?.compactMap { $0 as? String } ?? []
            return !names.contains { $0.contains(".credmon-tmp.") }
        }, "temporary files survived the restart")
        for user in users {
            let claims = UseFile.claims(daemon.credd.read(user, "scitokens.use") ?? "")
            #expect(claims?["sub"] as? String == user)
            #expect(daemon.credd.mode(user, "scitokens.use") == 0o400)
        }
    }
}
