import Engine
import FoundationEssentials
import Glibc

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
        /// When the seed's own credential (a Vault token, a refresh token) expires, where known: the same date as
        /// ``credentialExpiresAt`` (the older name, kept).
        public var seedExpiresAt: Double?
        /// The long-lived credential's health: `ok`, `expiring`, `expired`, `revoked`; null for a credential no
        /// provider serves (or refuses).
        public var credentialState: String?
        /// When the long-lived credential expires (epoch seconds); null when unknown or never.
        public var credentialExpiresAt: Double?
        /// How that is known (``CredentialExpiry/Source``), `unknown` when it is not.
        public var credentialExpirySource: String?

        private enum CodingKeys: String, CodingKey {
            case user, token, service, provider, state, expiresAt, nextDue, lastRenewal, consecutiveFailures, lastError, seedExpiresAt
            case credentialState, credentialExpiresAt, credentialExpirySource
        }

        /// As decoded, with the three `credential…` keys always written (null when unknown).
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(user, forKey: .user)
            try container.encode(token, forKey: .token)
            try container.encode(service, forKey: .service)
            try container.encodeIfPresent(provider, forKey: .provider)
            try container.encode(state, forKey: .state)
            try container.encodeIfPresent(expiresAt, forKey: .expiresAt)
            try container.encodeIfPresent(nextDue, forKey: .nextDue)
            try container.encodeIfPresent(lastRenewal, forKey: .lastRenewal)
            try container.encode(consecutiveFailures, forKey: .consecutiveFailures)
            try container.encodeIfPresent(lastError, forKey: .lastError)
            try container.encodeIfPresent(seedExpiresAt, forKey: .seedExpiresAt)
            try container.encode(credentialState, forKey: .credentialState)
            try container.encode(credentialExpiresAt, forKey: .credentialExpiresAt)
            try container.encode(credentialExpirySource, forKey: .credentialExpirySource)
        }
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

    /// How much of the status text is held before it is written out.
    static let chunkSize = 64 * 1024

    /// Writes the status of `records` atomically into `stateDirectory`, encoding straight from the records into the
    /// file in pieces of ``chunkSize`` bytes (the status of 10,000 credentials is about 4.6 MB: held whole, it was
    /// the daemon's largest allocation).
    public static func write<Records: Collection<CredentialRecord>>(
        records: Records, providers: [String], credentialDirectory: String, to stateDirectory: String, now: Date = Date()
    ) throws {
        let handle = try DirectoryHandle.open(path: stateDirectory)
        try AtomicWriter.write(to: fileName, in: handle, mode: 0o600, durability: .atomic) { output in
            encode(records: records, providers: providers, credentialDirectory: credentialDirectory, now: now, to: output)
        }
    }

    private static func encode<Records: Collection<CredentialRecord>>(
        records: Records, providers: [String], credentialDirectory: String, now: Date,
        to output: (UnsafeRawBufferPointer) -> Void
    ) {
        var out = JSONWriter(capacity: chunkSize + 1024)
        out.raw("{\"credentialDirectory\":"); out.string(credentialDirectory)
        out.raw(",\"credentials\":[")
        var first = true
        for record in records {
            if !first { out.raw(",") }
            first = false
            out.raw("{\"consecutiveFailures\":\(record.consecutiveFailures)")
            out.raw(",\"credentialExpiresAt\":")
            if let value = record.expiry?.expiresAt { out.raw("\(ExternalTime.epochSeconds(value))") } else { out.raw("null") }
            out.raw(",\"credentialExpirySource\":"); out.string(record.expiry?.source.rawValue ?? "unknown")
            out.raw(",\"credentialState\":")
            if let health = record.health?.health { out.string(health.rawValue) } else { out.raw("null") }
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
            out.flush(to: output, atLeast: chunkSize)
        }
        out.raw("],\"generatedAt\":\(now.timeIntervalSince1970.rounded()),\"pid\":\(getpid()),\"providers\":[")
        for (index, provider) in providers.enumerated() {
            if index > 0 { out.raw(",") }
            out.string(provider)
        }
        out.raw("]}")
        out.flush(to: output)
    }
}
