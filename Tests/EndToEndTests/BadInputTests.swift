import Foundation
import Glibc
import Testing

/// Bad input gives a clear error naming the file, line and key; the daemon keeps serving everyone else.
@Suite("Bad input: fragments, directories, symlinks, garbage files")
struct BadInputTests {
    @Test("credmon check names the file, line and key of every bad fragment and exits 1")
    func checkReportsFragmentErrors() throws {
        let daemon = try DaemonProcess(label: "check", fragments: [
            "10-good.yaml": Fragments.local(name: "good"),
            "20-typo.yaml": "name: typo\nkind: local-scitoken\naudience: [x]\nlifetme: 600\n",
            "30-type.yaml": "name: typed\nkind: local-scitoken\naudience: [x]\nlifetime: \"20m\"\nuse_json: \"false\"\n",
            "40-noaud.yaml": "name: noaud\nkind: local-scitoken\nprofile: scitoken:2.0\n",
            "50-kind.yaml": "name: kindless\nkind: local-sci-token\n",
            "60-dup.yaml": Fragments.local(name: "good"),
            "70-yaml.yaml": "name: broken\nkind: [local-scitoken\n",
            "80-placeholder.yaml": "name: braces\nkind: local-scitoken\naudience: [x]\nscopes: \"read:/{user}\"\n",
            "90-name.yaml": "name: \"bad name\"\nkind: local-scitoken\n",
        ])
        defer { daemon.cleanUp() }
        let result = try daemon.command("check")
        #expect(result.status == 1)
        let errors = result.stderr
        let dir = daemon.providersDirectory.path
        #expect(errors.contains("\(dir)/20-typo.yaml:4: key 'lifetme': unknown key; did you mean 'lifetime'?"), "\(errors)")
        #expect(errors.contains("\(dir)/30-type.yaml:4: key 'lifetime': expected a whole number of seconds, found '20m'"), "\(errors)")
        #expect(errors.contains("\(dir)/30-type.yaml:5: key 'use_json': expected true or false, found 'false'"), "\(errors)")
        #expect(errors.contains("\(dir)/40-noaud.yaml:1: key 'audience': is required by profile scitoken:2.0"), "\(errors)")
        #expect(errors.contains("\(dir)/50-kind.yaml:2: key 'kind': unknown kind 'local-sci-token'; did you mean 'local-scitoken'? known kinds: box, cilogon, client-credentials, dropbox, gdrive, local-scitoken, oauth2, onedrive, token-exchange, vault"), "\(errors)")
        #expect(errors.contains("\(dir)/60-dup.yaml:1: key 'name': the service 'good' is already configured in \(dir)/10-good.yaml"), "\(errors)")
        #expect(errors.contains("\(dir)/70-yaml.yaml:3: not valid YAML"), "\(errors)")
        #expect(errors.contains("\(dir)/80-placeholder.yaml:4: key 'scopes': unknown placeholder {user}"), "\(errors)")
        #expect(errors.contains("\(dir)/90-name.yaml:1: key 'name': 'bad name' is not a valid service name"), "\(errors)")
        #expect(result.stdout.contains("good  (kind local-scitoken"))
        #expect(errors.contains("10 errors") || errors.contains("9 errors"), "\(errors)")
    }

    @Test("a daemon with one bad fragment serves the good ones")
    func badFragmentDoesNotStopOthers() throws {
        let daemon = try DaemonProcess(label: "partial", fragments: [
            "good.yaml": Fragments.local(name: "scitokens"),
            "bad.yaml": "name: other\nkind: local-scitoken\nprofile: nonsense\n",
        ])
        defer { daemon.cleanUp() }
        try daemon.start()
        try daemon.credd.storeLocalCredential(user: "alice")
        #expect(eventually(timeout: 10) { daemon.credd.read("alice", "scitokens.use") != nil })
        #expect(daemon.log.contains("bad.yaml:3: key 'profile': 'nonsense' is not a known profile"), "\(daemon.log)")
    }

    @Test("a credential directory readable by others is refused with what to do")
    func worldReadableDirectoryRefused() throws {
        let daemon = try DaemonProcess(label: "perm", fragments: ["scitokens.yaml": Fragments.local()])
        defer { daemon.cleanUp() }
        #expect(chmod(daemon.credentialDirectory.path, 0o2775) == 0)
        try daemon.start()
        let status = daemon.waitForExit(timeout: 10)
        #expect(status != nil && status != 0)
        #expect(daemon.log.contains("credential directory \(daemon.credentialDirectory.path): permissions 2775 give access to other users; run: chmod o-rwx"), "\(daemon.log)")
        #expect(!FileManager.default.fileExists(atPath: daemon.credentialDirectory.appendingPathComponent("pid").path))
    }

    @Test("a missing credential directory is created with mode 2770")
    func missingDirectoryCreated() throws {
        let daemon = try DaemonProcess(label: "create", fragments: ["scitokens.yaml": Fragments.local()])
        defer { daemon.cleanUp() }
        try FileManager.default.removeItem(at: daemon.credentialDirectory)
        try daemon.start()
        var st = stat()
        #expect(stat(daemon.credentialDirectory.path, &st) == 0)
        #expect(st.st_mode & 0o7777 == 0o2770)
    }

    @Test("a symlinked user directory and a symlinked .top are never followed; other users are served")
    func symlinksIgnored() throws {
        let daemon = try DaemonProcess(label: "symlink", fragments: ["scitokens.yaml": Fragments.local()])
        defer { daemon.cleanUp() }
        let elsewhere = daemon.root.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        try "mallory@foo".write(to: elsewhere.appendingPathComponent("scitokens.top"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: daemon.credentialDirectory.appendingPathComponent("mallory").path, withDestinationPath: elsewhere.path)
        try daemon.credd.storeLocalCredential(user: "eve")
        try FileManager.default.removeItem(atPath: daemon.credd.path("eve", "scitokens.top"))
        try FileManager.default.createSymbolicLink(atPath: daemon.credd.path("eve", "scitokens.top"), withDestinationPath: elsewhere.appendingPathComponent("scitokens.top").path)
        try daemon.start()
        try daemon.credd.storeLocalCredential(user: "alice")
        #expect(eventually(timeout: 10) { daemon.credd.read("alice", "scitokens.use") != nil })
        #expect(eventually(timeout: 10) { daemon.log.contains("cred/mallory credmon.problem=\"is a symlink") }, "\(daemon.log)")
        #expect(daemon.log.contains("eve/scitokens.top credmon.problem=\"is a symlink"), "\(daemon.log)")
        #expect(!FileManager.default.fileExists(atPath: elsewhere.appendingPathComponent("scitokens.use").path))
        #expect(daemon.credd.read("eve", "scitokens.use") == nil)
    }

    @Test("garbage in a .use is reported with its path and replaced; the others are untouched")
    func garbageUseReplaced() throws {
        let daemon = try DaemonProcess(label: "garbage", fragments: ["scitokens.yaml": Fragments.local()])
        defer { daemon.cleanUp() }
        try daemon.start()
        try daemon.credd.storeLocalCredential(user: "alice")
        try daemon.credd.storeLocalCredential(user: "bob")
        #expect(eventually(timeout: 10) { daemon.credd.read("alice", "scitokens.use") != nil && daemon.credd.read("bob", "scitokens.use") != nil })
        let bob = daemon.credd.read("bob", "scitokens.use")
        let alicePath = daemon.credd.path("alice", "scitokens.use")
        let garbage = daemon.credd.path("alice", "garbage.tmp")
        try Data([0x00, 0xFF, 0x7B, 0x20, 0x6E, 0x6F]).write(to: URL(fileURLWithPath: garbage))
        #expect(rename(garbage, alicePath) == 0)
        #expect(eventually(timeout: 10) { UseFile.claims(daemon.credd.read("alice", "scitokens.use") ?? "")?["sub"] as? String == "alice" },
                "garbage not replaced; log:\n\(daemon.log)")
        #expect(daemon.log.contains("Unreadable access token file"), "\(daemon.log)")
        #expect(daemon.log.contains(alicePath), "\(daemon.log)")
        #expect(daemon.credd.read("bob", "scitokens.use") == bob)
    }

    @Test("a handle on a local issuer is refused, as condor_credd refuses it")
    func handleRefused() throws {
        let daemon = try DaemonProcess(label: "handle", fragments: ["scitokens.yaml": Fragments.local()])
        defer { daemon.cleanUp() }
        try daemon.start()
        try daemon.credd.storeLocalCredential(user: "alice", token: "scitokens_work")
        try daemon.credd.storeLocalCredential(user: "alice")
        #expect(eventually(timeout: 10) { daemon.credd.read("alice", "scitokens.use") != nil })
        #expect(eventually(timeout: 10) { daemon.log.contains("does not accept handles") }, "\(daemon.log)")
        #expect(daemon.credd.read("alice", "scitokens_work.use") == nil)
    }

    @Test("a log file that cannot be opened exits with status 44, as HTCondor daemons do")
    func unopenableLogExits44() throws {
        let daemon = try DaemonProcess(label: "log44", fragments: ["scitokens.yaml": Fragments.local()])
        defer { daemon.cleanUp() }
        let result = try ProcessRunner.run(TestPaths.credmon, ["run"] + daemon.locationArguments + ["--log-file", "/nonexistent/dir/CredmonLog"])
        #expect(result.status == 44)
        #expect(result.stderr.contains("/nonexistent/dir/CredmonLog"))
    }

    @Test("temporary files left by a hard kill are removed at start")
    func orphansRemoved() throws {
        let daemon = try DaemonProcess(label: "orphans", fragments: ["scitokens.yaml": Fragments.local()])
        defer { daemon.cleanUp() }
        try daemon.credd.storeLocalCredential(user: "alice")
        let orphan = daemon.credd.path("alice", ".credmon-tmp.scitokens.use.abc123")
        try "half a token".write(toFile: orphan, atomically: false, encoding: .utf8)
        try daemon.start()
        #expect(eventually(timeout: 10) { !FileManager.default.fileExists(atPath: orphan) })
        #expect(eventually(timeout: 10) { daemon.credd.read("alice", "scitokens.use") != nil })
    }
}
