import CredmonWeb
import Foundation
import CredmonTestKit
import Logging
import Testing

/// credmon-web serves a symlinked `$CD` through its target, as the daemon does (issue 14, contract §B.1.1).
@Suite("credmon-web: a symlinked credential directory")
struct SymlinkedDirectoryTests {
    @Test("a link owned by root (or by the user the app runs as) to a valid directory is used through its target")
    func servedThroughTarget() throws {
        let fixture = try WebFixture()
        let link = fixture.directory.file("cred-link")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: fixture.credentialDirectory)
        var configuration = fixture.app.configuration
        configuration.credentialDirectory = link
        let app = try CredmonWebApp(configuration: configuration, http: URLSessionHTTPClient(), logger: Logger(label: "t"))
        let target = try #require(realpath(fixture.credentialDirectory, nil).map { pointer in
            defer { free(pointer) }
            return String(cString: pointer)
        })
        #expect(app.configuration.credentialDirectory == target)
    }

    @Test("a link to a directory others may read is refused, naming the link")
    func refusedWhenTargetIsOpen() throws {
        let fixture = try WebFixture()
        let open = try fixture.directory.makeDirectory("open", mode: 0o777)
        chmod(open, 0o777)
        let link = fixture.directory.file("open-link")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: open)
        var configuration = fixture.app.configuration
        configuration.credentialDirectory = link
        #expect {
            _ = try CredmonWebApp(configuration: configuration, http: URLSessionHTTPClient(), logger: Logger(label: "t"))
        } throws: { error in
            "\(error)".contains(link) || "\(error)".contains(open)
        }
    }
}
