import Engine
import Foundation

/// The status file the daemon writes (`<state dir>/status.json`, 0600) and `credmon status` reads.
public struct StatusReport: Codable, Sendable {
    public struct Entry: Codable, Sendable {
        public var user: String
        public var token: String
        public var service: String
        public var provider: String?
        public var state: String
        public var expiresAt: Double?
        public var nextDue: Double?
        public var lastRenewal: Double?
        public var consecutiveFailures: Int
        public var lastError: String?
    }

    public var generatedAt: Double
    public var pid: Int32
    public var credentialDirectory: String
    public var providers: [String]
    public var credentials: [Entry]

    public static let fileName = "status.json"

    public init(records: [CredentialRecord], providers: [String], credentialDirectory: String, now: Date = Date()) {
        generatedAt = now.timeIntervalSince1970.rounded()
        pid = getpid()
        self.credentialDirectory = credentialDirectory
        self.providers = providers
        credentials = records.map { record in
            Entry(user: record.id.user, token: record.id.token.stem, service: record.id.token.service,
                  provider: record.provider, state: record.state.rawValue,
                  expiresAt: record.validity?.expiresAt.timeIntervalSince1970,
                  nextDue: record.dueAt?.timeIntervalSince1970,
                  lastRenewal: record.lastRenewal?.timeIntervalSince1970,
                  consecutiveFailures: record.consecutiveFailures, lastError: record.lastError)
        }
    }

    /// Writes the report atomically into `stateDirectory`.
    public func write(to stateDirectory: String) throws {
        let handle = try DirectoryHandle.open(path: stateDirectory)
        try AtomicWriter.write(jsonBytes(), to: Self.fileName, in: handle, mode: 0o600, durability: .atomic)
    }

    /// The report as JSON, written directly (a status of 10,000 credentials must not cost a large transient tree).
    func jsonBytes() -> [UInt8] {
        var out = JSONWriter()
        out.raw("{\"credentialDirectory\":"); out.string(credentialDirectory)
        out.raw(",\"credentials\":[")
        for (index, entry) in credentials.enumerated() {
            if index > 0 { out.raw(",") }
            out.raw("{\"consecutiveFailures\":\(entry.consecutiveFailures)")
            if let value = entry.expiresAt { out.raw(",\"expiresAt\":\(value)") }
            if let value = entry.lastError { out.raw(",\"lastError\":"); out.string(value) }
            if let value = entry.lastRenewal { out.raw(",\"lastRenewal\":\(value)") }
            if let value = entry.nextDue { out.raw(",\"nextDue\":\(value)") }
            if let value = entry.provider { out.raw(",\"provider\":"); out.string(value) }
            out.raw(",\"service\":"); out.string(entry.service)
            out.raw(",\"state\":"); out.string(entry.state)
            out.raw(",\"token\":"); out.string(entry.token)
            out.raw(",\"user\":"); out.string(entry.user)
            out.raw("}")
        }
        out.raw("],\"generatedAt\":\(generatedAt),\"pid\":\(pid),\"providers\":[")
        for (index, provider) in providers.enumerated() {
            if index > 0 { out.raw(",") }
            out.string(provider)
        }
        out.raw("]}")
        return out.bytes
    }

    /// Reads the report from `stateDirectory`.
    public static func read(from stateDirectory: String) throws -> StatusReport {
        let data = try Data(contentsOf: URL(fileURLWithPath: stateDirectory + "/" + fileName))
        return try JSONDecoder().decode(StatusReport.self, from: data)
    }
}
