import ArgumentParser

extension AsyncParsableCommand {
    /// Parses the command line as this root command and runs the chosen (sub)command asynchronously: the entry point
    /// of an executable's `main.swift`.
    public static func launchAsRoot() async {
        do {
            var command = try await asyncParseAsRoot(nil)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
