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
        /// When the seed's own credential (a Vault token) expires, where the provider said.
        public var seedExpiresAt: Double?
    }

    public var generatedAt: Double
    public var pid: Int32
    public var credentialDirectory: String
    public var providers: [String]
    public var credentials: [Entry]

    public static let fileName = "status.json"

    /// Reads the report from `stateDirectory`.
    public static func read(from stateDirectory: String) throws -> StatusReport {
        let data = try Data(contentsOf: URL(fileURLWithPath: stateDirectory + "/" + fileName))
        return try JSONDecoder().decode(StatusReport.self, from: data)
    }

    /// Writes the status of `records` atomically into `stateDirectory`, encoding straight from the records (a status
    /// of 10,000 credentials must not cost a large transient tree).
    public static func write<Records: Collection<CredentialRecord>>(
        records: Records, providers: [String], credentialDirectory: String, to stateDirectory: String, now: Date = Date()
    ) throws {
        var out = JSONWriter(capacity: 256 + records.count * 240)
        out.raw("{\"credentialDirectory\":"); out.string(credentialDirectory)
        out.raw(",\"credentials\":[")
        var first = true
        for record in records {
            if !first { out.raw(",") }
            first = false
            out.raw("{\"consecutiveFailures\":\(record.consecutiveFailures)")
            if let value = record.validity?.expiresAt { out.raw(",\"expiresAt\":\(value.timeIntervalSince1970)") }
            if let value = record.lastError { out.raw(",\"lastError\":"); out.string(value) }
            if let value = record.lastRenewal { out.raw(",\"lastRenewal\":\(value.timeIntervalSince1970)") }
            if let value = record.dueAt { out.raw(",\"nextDue\":\(value.timeIntervalSince1970)") }
            if let value = record.seedExpiresAt { out.raw(",\"seedExpiresAt\":\(value.timeIntervalSince1970)") }
            if let value = record.provider { out.raw(",\"provider\":"); out.string(value) }
            out.raw(",\"service\":"); out.string(record.id.token.service)
            out.raw(",\"state\":"); out.string(record.state.rawValue)
            out.raw(",\"token\":"); out.string(record.id.token.stem)
            out.raw(",\"user\":"); out.string(record.id.user)
            out.raw("}")
        }
        out.raw("],\"generatedAt\":\(now.timeIntervalSince1970.rounded()),\"pid\":\(getpid()),\"providers\":[")
        for (index, provider) in providers.enumerated() {
            if index > 0 { out.raw(",") }
            out.string(provider)
        }
        out.raw("]}")
        let handle = try DirectoryHandle.open(path: stateDirectory)
        try AtomicWriter.write(out.bytes, to: fileName, in: handle, mode: 0o600, durability: .atomic)
    }
}
