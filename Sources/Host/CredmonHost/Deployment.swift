import Foundation

/// Where things live: resolved from the flags, then HTCondor's configuration, then a local development default.
public struct Deployment: Sendable, Equatable {
    public var credentialDirectory: String
    public var providersDirectory: String
    public var stateDirectory: String
    public var keyDirectory: String
    /// Nil means standard error.
    public var logFile: String?
    /// True when nothing pointed at HTCondor and the local state directory is used.
    public var isLocalMode: Bool

    /// Production defaults (HTCondor in sight).
    public static let systemProvidersDirectory = "/etc/credmon/providers.d"
    public static let systemStateDirectory = "/var/lib/credmon"
    public static let systemKeyDirectory = "/etc/condor"

    /// Resolves the locations from explicit flags (nil = not given).
    public static func resolve(
        credentialDirectory: String?,
        providersDirectory: String?,
        stateDirectory: String?,
        keyDirectory: String?,
        logFile: String?,
        daemonName: String,
        condor: CondorConfiguration? = CondorConfiguration.detect()
    ) -> Deployment {
        let explicitLog = logFile.flatMap { $0 == "-" ? nil : $0 }
        if let condor, credentialDirectory == nil || logFile == nil {
            let directory = credentialDirectory ?? condor.value("SEC_CREDENTIAL_DIRECTORY_OAUTH") ?? condor.value("SEC_CREDENTIAL_DIRECTORY")
            if let directory {
                let log = logFile == nil ? condor.logFile(daemonName: daemonName) : explicitLog
                return Deployment(
                    credentialDirectory: directory,
                    providersDirectory: providersDirectory ?? systemProvidersDirectory,
                    stateDirectory: stateDirectory ?? systemStateDirectory,
                    keyDirectory: keyDirectory ?? systemKeyDirectory,
                    logFile: log, isLocalMode: false)
            }
        }
        if let credentialDirectory {
            return Deployment(
                credentialDirectory: credentialDirectory,
                providersDirectory: providersDirectory ?? localProvidersDirectory() ?? systemProvidersDirectory,
                stateDirectory: stateDirectory ?? systemStateDirectory,
                keyDirectory: keyDirectory ?? systemKeyDirectory,
                logFile: explicitLog, isLocalMode: false)
        }
        let base = FileManager.default.currentDirectoryPath + "/.credmon"
        return Deployment(
            credentialDirectory: base + "/credentials",
            providersDirectory: providersDirectory ?? localProvidersDirectory() ?? systemProvidersDirectory,
            stateDirectory: stateDirectory ?? base + "/state",
            keyDirectory: keyDirectory ?? base + "/keys",
            logFile: explicitLog, isLocalMode: true)
    }

    /// `./providers.d`, else the `providers.d` of the source checkout this binary was built in.
    static func localProvidersDirectory() -> String? {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        let here = fileManager.currentDirectoryPath + "/providers.d"
        if fileManager.fileExists(atPath: here, isDirectory: &isDirectory), isDirectory.boolValue { return here }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = directory.appendingPathComponent("providers.d").path
            if fileManager.fileExists(atPath: directory.appendingPathComponent("Package.swift").path),
               fileManager.fileExists(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        return nil
    }
}
