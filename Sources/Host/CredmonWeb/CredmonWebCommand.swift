import Engine
import ArgumentParser
import CondorConfig
import CredmonHost
import Foundation
import Hummingbird
import Logging
import OAuthClient
import ServiceLifecycle
import UnixSignals

/// `credmon-web`: the OAuth login pages and the local issuers' public documents, run as `condor` behind a TLS proxy.
public struct CredmonWebCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "credmon-web",
        abstract: "Serve the OAuth login pages (HTCondor's CREDMON_WEB_PREFIX) and the local issuers' openid-configuration and JWKS.",
        discussion: """
            Run it as the condor user behind a TLS proxy (nginx, Apache). Where HTCondor is installed (condor_config_val \
            found), --cred-dir and --prefix default to SEC_CREDENTIAL_DIRECTORY_OAUTH and CREDMON_WEB_PREFIX; flags win.
            """)

    @Option(name: .customLong("listen"), help: "Address to listen on, HOST:PORT (keep it on loopback behind the proxy).")
    var listen = "127.0.0.1:8080"

    @Option(name: [.customShort("c"), .customLong("cred-dir")],
            help: "The credential directory (default: HTCondor's SEC_CREDENTIAL_DIRECTORY_OAUTH, else /var/lib/condor/oauth_credentials).")
    var credentialDirectory: String?

    @Option(name: .customLong("providers-dir"), help: "Directory of provider fragments (*.yaml).")
    var providersDirectory = "/etc/credmon/providers.d"

    @Option(name: .customLong("key-dir"), help: "Directory of local issuers' keys whose fragment gives no path (as credmon --key-dir).")
    var keyDirectory = "/etc/condor"

    @Option(name: .customLong("prefix"), help: "CREDMON_WEB_PREFIX: a path (/credmon) or a full URL (https://host/credmon) (default: HTCondor's, else /).")
    var prefix: String?

    @Option(name: .customLong("condor-config-val"), help: "The condor_config_val to read HTCondor's configuration with (default: $CREDMON_CONDOR_CONFIG_VAL, else on the PATH).")
    var condorConfigVal: String?

    @Option(name: .customLong("public-url"), help: "The https origin users reach (https://host[:port]); sets Secure cookies and the default redirect URIs.")
    var publicURL: String?

    @Option(name: .customLong("session-lifetime"), help: "Seconds a login session lasts.")
    var sessionLifetime: Int = 7200

    @Option(name: [.customShort("l"), .customLong("log-file")], help: "Log file (default: standard error).")
    var logFile: String?

    @Flag(name: [.customShort("v"), .customLong("verbose")], help: "Also log to standard error when logging to a file.")
    var verbose = false

    @Flag(name: [.customShort("d"), .customLong("debug")], help: "Log debug messages.")
    var debug = false

    public init() {}

    public func validate() throws {
        guard Self.address(listen) != nil else { throw ValidationError("--listen must be HOST:PORT, e.g. 127.0.0.1:8080") }
        guard (60...86_400).contains(sessionLifetime) else { throw ValidationError("--session-lifetime must be from 60 to 86400 seconds") }
        if let publicURL, URLComponents(string: publicURL)?.host == nil { throw ValidationError("--public-url must be a URL such as https://host") }
    }

    public func run() async throws {
        let destination: LogDestination
        if let logFile {
            destination = try LogDestination(path: logFile, alsoStderr: verbose)
        } else {
            destination = LogDestination()
        }
        let level: Logger.Level = debug ? .debug : .info
        LoggingSystem.bootstrap { label in LineLogHandler(label: label, destination: destination, level: level) }
        let logger = Logger(label: "credmon-web")
        var knobs: CondorKnobs?
        if let tool = ConfigValTool.locate(explicit: condorConfigVal) {
            do {
                knobs = try CondorKnobs.read(from: tool)
            } catch {
                logger.warning("Cannot read HTCondor's configuration; using defaults", metadata: ["credmon.error": "\(error)"])
            }
        }
        let split = WebConfiguration.splitWebPrefix(prefix ?? knobs?.webPrefix ?? "/")
        let configuration = WebConfiguration(
            credentialDirectory: credentialDirectory ?? knobs?.credentialDirectory ?? "/var/lib/condor/oauth_credentials", providersDirectory: providersDirectory, keyDirectory: keyDirectory,
            prefix: split.path, publicOrigin: publicURL ?? split.origin, sessionLifetime: TimeInterval(sessionLifetime),
            hostName: ProcessInfo.processInfo.hostName, condorKnobs: knobs)
        let app: CredmonWebApp
        // One HTTP client for every exchange; a service, listed first so that it closes last.
        let http = NIOHTTPClient(maxConnectionsPerHost: 16)
        do {
            app = try CredmonWebApp(configuration: configuration, http: http, logger: logger)
        } catch {
            logger.critical("Cannot start", metadata: ["credmon.error": "\(error)"])
            FileHandle.standardError.write(Data("credmon-web: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let (host, port) = Self.address(listen)!
        // Named services: an unnamed one is described by reflecting over all its stored properties.
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: http, serviceName: "http-client"),
                       .init(service: app.makeApplication(host: host, port: port), serviceName: "web-server")],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        logger.info("Stopped")
    }

    static func address(_ text: String) -> (String, Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }
}
