import Foundation
import Testing
@testable import Engine

#if canImport(Glibc)
import Glibc
#endif

@Suite("The credential directory")
struct CredentialDirectoryTests {
    @Test("A missing directory is created with mode 02770 (setgid)")
    func createsMissing() throws {
        let root = try TemporaryDirectory()
        let path = root.file("oauth_credentials")
        try CredentialDirectory(path: path).prepare()
        var st = stat()
        #expect(lstat(path, &st) == 0)
        #expect(st.st_mode & S_IFMT == S_IFDIR)
        #expect(st.st_mode & 0o7777 == 0o2770)
        #expect(st.st_mode & 0o2000 != 0, "the setgid bit is set")
        // Preparing again is fine.
        try CredentialDirectory(path: path).prepare()
    }

    @Test("An existing directory without other bits is accepted as it is", arguments: [0o700, 0o2770, 0o750] as [mode_t])
    func acceptsPrivate(mode: mode_t) throws {
        let root = try TemporaryDirectory()
        let path = try root.makeDirectory("cd", mode: mode)
        try CredentialDirectory(path: path).prepare()
        #expect(Files.mode(path) == mode, "prepare does not change an acceptable mode")
    }

    @Test("A directory with any 'other' permission bit is refused, with the path and a chmod fix", arguments: [0o701, 0o702, 0o704, 0o2777, 0o755] as [mode_t])
    func refusesOtherBits(mode: mode_t) throws {
        let root = try TemporaryDirectory()
        let path = try root.makeDirectory("cd", mode: mode)
        let error = #expect(throws: CredentialDirectory.ValidationError.self) {
            try CredentialDirectory(path: path).prepare()
        }
        #expect(error?.path == path)
        #expect(error?.description.contains(path) == true)
        #expect(error?.description.contains("chmod o-rwx \(path)") == true, "\(String(describing: error))")
        #expect(Files.mode(path) == mode, "the mode is not changed behind the admin's back")
    }

    @Test("A symlink to a good directory is refused")
    func refusesSymlink() throws {
        let root = try TemporaryDirectory()
        let real = try root.makeDirectory("real", mode: 0o700)
        let link = try root.symlink("link", to: real)
        let error = #expect(throws: CredentialDirectory.ValidationError.self) {
            try CredentialDirectory(path: link).prepare()
        }
        #expect(error?.path == link)
        #expect(error?.problem.contains("symlink") == true, "\(String(describing: error))")
    }

    @Test("A regular file is refused")
    func refusesRegularFile() throws {
        let root = try TemporaryDirectory()
        let file = try root.write("cd", "not a directory")
        let error = #expect(throws: CredentialDirectory.ValidationError.self) {
            try CredentialDirectory(path: file).prepare()
        }
        #expect(error?.description.contains(file) == true)
        #expect(error?.problem.contains("not a directory") == true, "\(String(describing: error))")
    }

    @Test("pid holds the decimal pid, no newline, and is removed only when it names us")
    func pidFile() throws {
        let root = try TemporaryDirectory()
        let directory = CredentialDirectory(path: root.path)
        try directory.writePID(12345)
        #expect(root.text("pid") == "12345")
        try directory.writePID(678)
        #expect(root.text("pid") == "678")
        #expect(root.names() == ["pid"], "no temporary file is left")
        directory.removePID(ifItIs: 12345)
        #expect(root.exists("pid"), "another process's pid file stays")
        directory.removePID(ifItIs: 678)
        #expect(!root.exists("pid"))
    }

    @Test("CREDMON_COMPLETE is created, then its modification time is updated")
    func completeMarker() throws {
        let root = try TemporaryDirectory()
        let directory = CredentialDirectory(path: root.path)
        let marker = root.file("CREDMON_COMPLETE")
        try directory.touchCompleteMarker()
        #expect(root.text("CREDMON_COMPLETE") == "")
        let old = Date(timeIntervalSince1970: 1_000_000_000)
        try Files.setModified(marker, old)
        #expect(Files.modified(marker) == old)
        try directory.touchCompleteMarker()
        let touched = try #require(Files.modified(marker))
        #expect(touched > Date(timeIntervalSinceNow: -3600), "touched now, not left at \(old)")
        #expect(root.text("CREDMON_COMPLETE") == "", "touching does not write")
    }

    @Test("removeCompleteMarker removes the marker, but not a directory of that name")
    func removeCompleteMarker() throws {
        let root = try TemporaryDirectory()
        let directory = CredentialDirectory(path: root.path)
        try directory.touchCompleteMarker()
        directory.removeCompleteMarker()
        #expect(!root.exists("CREDMON_COMPLETE"))
        directory.removeCompleteMarker()  // absent: nothing happens

        try root.makeDirectory("CREDMON_COMPLETE")
        directory.removeCompleteMarker()
        #expect(root.exists("CREDMON_COMPLETE"))
    }

    @Test("Touching the marker does not follow a symlink")
    func completeMarkerSymlink() throws {
        let root = try TemporaryDirectory()
        let outside = try TemporaryDirectory()
        defer { withExtendedLifetime(outside) {} }
        let victim = try outside.write("victim", "data")
        let old = Date(timeIntervalSince1970: 1_000_000_000)
        try Files.setModified(victim, old)
        try root.symlink("CREDMON_COMPLETE", to: victim)
        #expect(throws: SystemError.self) { try CredentialDirectory(path: root.path).touchCompleteMarker() }
        #expect(Files.modified(victim) == old)
    }
}

/// A symlinked `$CD` (contract §B.1.1): resolved once, used through its target when nobody else can redirect it.
@Suite("A symlinked credential directory")
struct SymlinkedCredentialDirectoryTests {
    @Test("A symlink (owned by root or by this user) to a good directory resolves to the target, prepared")
    func acceptsTrustedLink() throws {
        let root = try TemporaryDirectory()
        let real = try root.makeDirectory("real", mode: 0o2770)
        let link = try root.symlink("link", to: real)
        let resolved = try CredentialDirectory(path: link).resolvedForUse()
        #expect(resolved.path == URL(fileURLWithPath: real).resolvingSymlinksInPath().path)
        #expect(Files.mode(real) == 0o2770)
        // A relative link through a second link works too.
        let relative = try root.symlink("again", to: "link")
        #expect(try CredentialDirectory(path: relative).resolvedForUse().path == resolved.path)
        // A directory that is no symlink resolves to itself.
        #expect(try CredentialDirectory(path: real).resolvedForUse().path == real)
    }

    @Test("A symlink to a directory with an 'other' bit is refused, naming the link, the target and the fix")
    func refusesOpenTarget() throws {
        let root = try TemporaryDirectory()
        let real = try root.makeDirectory("open", mode: 0o755)
        let link = try root.symlink("link", to: real)
        let error = #expect(throws: CredentialDirectory.ValidationError.self) {
            try CredentialDirectory(path: link).resolvedForUse()
        }
        let text = error?.description ?? ""
        let target = URL(fileURLWithPath: real).resolvingSymlinksInPath().path
        #expect(error?.path == link)
        #expect(error?.target == target)
        #expect(text.contains(link) && text.contains(target) && text.contains("chmod o-rwx \(target)"), "\(text)")
        #expect(Files.mode(real) == 0o755)
    }

    @Test("A dangling symlink is refused and nothing is created through it")
    func refusesDanglingLink() throws {
        let root = try TemporaryDirectory()
        let link = try root.symlink("link", to: root.file("missing"))
        let error = #expect(throws: CredentialDirectory.ValidationError.self) {
            try CredentialDirectory(path: link).resolvedForUse()
        }
        #expect(error?.description.contains(root.file("missing")) == true, "\(String(describing: error))")
        #expect(!root.exists("missing"))
    }

    @Test("A symlink to something that is not a directory is refused")
    func refusesLinkToFile() throws {
        let root = try TemporaryDirectory()
        let file = try root.write("file", "x")
        let link = try root.symlink("link", to: file)
        let error = #expect(throws: CredentialDirectory.ValidationError.self) {
            try CredentialDirectory(path: link).resolvedForUse()
        }
        #expect(error?.problem.contains("not a directory") == true, "\(String(describing: error))")
    }

    @Test("A symlink, or a target, owned by another user is refused (run as root: the other user is nobody)",
          .enabled(if: geteuid() == 0))
    func refusesForeignOwner() throws {
        let root = try TemporaryDirectory()
        let real = try root.makeDirectory("real", mode: 0o2770)
        let link = try root.symlink("link", to: real)
        #expect(lchown(link, 65534, 65534) == 0)
        let linkError = #expect(throws: CredentialDirectory.ValidationError.self) {
            try CredentialDirectory(path: link).resolvedForUse()
        }
        #expect(linkError?.problem.contains("symlink \(link) is owned by uid 65534") == true, "\(String(describing: linkError))")
        #expect(linkError?.description.contains(real) == true, "\(String(describing: linkError))")

        #expect(lchown(link, 0, 0) == 0)
        #expect(chown(real, 65534, 65534) == 0)
        let targetError = #expect(throws: CredentialDirectory.ValidationError.self) {
            try CredentialDirectory(path: link).resolvedForUse()
        }
        #expect(targetError?.problem.contains("target is owned by uid 65534") == true, "\(String(describing: targetError))")
        #expect(targetError?.description.contains("chown root") == true, "\(String(describing: targetError))")
    }
}
