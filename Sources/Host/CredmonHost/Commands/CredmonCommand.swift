import Engine
import FoundationEssentials
import ArgumentParser

/// `credmon`: the credential monitor daemon and its admin tools.
public struct CredmonCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "credmon",
        abstract: "Keeps HTCondor's access tokens fresh: a drop-in for condor_credmon_oauth.",
        subcommands: [RunCommand.self, CheckCommand.self, StatusCommand.self, KeygenCommand.self, JWKSCommand.self, RevokeCommand.self,
                      ImportCondorConfigCommand.self],
        defaultSubcommand: RunCommand.self)

    public init() {}
}

extension CredmonCommand {
    /// What the process does first, on its only thread: grows its descriptor table to the size a first pass needs
    /// (``DescriptorTable``), which waits for nothing only while no other thread exists, and fixes malloc's mmap
    /// threshold (``MallocThreshold``) before anything is allocated on another thread.
    public static func prepareProcess() {
        DescriptorTable.grow()
        MallocThreshold.fix()
    }

    /// Parses the command line and runs the chosen command asynchronously (the executable's entry point).
    /// Refuses to run when the build's provider catalog is invalid (two kinds with one name).
    public static func launch() async {
        if case .failure(let problem) = HostCatalog.loaded {
            var standardError = StandardError()
            print("credmon: this build's provider catalog is invalid: \(problem)", to: &standardError)
            exit(withError: ExitCode.failure)
        }
        await launchAsRoot()
    }
}
