import FoundationEssentials

/// What the monitor keeps of every credential's expiry across restarts: the expiry, the `.top` it was estimated for,
/// and the state last notified (so that a restart repeats no notification). One JSON file in the state directory,
/// `expiry.json` (0600), written atomically.
public enum ExpiryStore {
    /// One credential's line.
    public struct Entry: Sendable, Equatable {
        public var expiry: CredentialExpiry?
        public var estimatedForSeed: Int64?
        public var notified: HealthAssessment?
    }

    public static let fileName = "expiry.json"
    /// The largest file read back (about 150 bytes a credential).
    static let sizeLimit = 64 << 20

    /// Whether a record has anything the store keeps: an expiry that cannot be told again from its kind alone (not
    /// `never`), or a notification. A local issuer's credentials have none: 10,000 of them write an empty store.
    public static func keeps(_ record: CredentialRecord) -> Bool {
        (record.expiry != nil && record.expiry != .never) || record.notified != nil
    }

    /// The entries of `records` worth keeping (``keeps(_:)``).
    public static func entries(of records: some Collection<CredentialRecord>) -> [CredentialID: Entry] {
        var kept: [CredentialID: Entry] = [:]
        for record in records where keeps(record) {
            kept[record.id] = Entry(expiry: record.expiry, estimatedForSeed: record.expiryEstimatedForSeed, notified: record.notified)
        }
        return kept
    }

    /// Writes `entries` of the credential directory `credentialDirectory` to `stateDirectory`.
    public static func write(_ entries: [CredentialID: Entry], to stateDirectory: String, credentialDirectory: String? = nil) throws {
        let directory = try DirectoryHandle.open(path: stateDirectory)
        try AtomicWriter.write(serialize(entries, credentialDirectory: credentialDirectory), to: fileName, in: directory, mode: 0o600,
                               durability: .atomic)
    }

    /// The file's bytes for `entries` (of `credentialDirectory`, when given).
    public static func serialize(_ entries: [CredentialID: Entry], credentialDirectory: String? = nil) -> Data {
        var list: [JSONValue] = []
        list.reserveCapacity(entries.count)
        for (id, entry) in entries.sorted(by: { $0.key < $1.key }) {
            var object: [String: JSONValue] = ["user": .string(id.user), "token": .string(id.token.stem)]
            if let expiry = entry.expiry {
                object["source"] = .string(expiry.source.rawValue)
                if let date = expiry.expiresAt { object["expiresAt"] = .integer(ExternalTime.epochSeconds(date)) }
            }
            if let seed = entry.estimatedForSeed { object["seedModified"] = .integer(seed) }
            if let notified = entry.notified {
                object["notified"] = .string(notified.health.rawValue)
                if let threshold = notified.threshold { object["threshold"] = .integer(Int64(threshold)) }
            }
            list.append(.object(object))
        }
        var file: [String: JSONValue] = ["version": .integer(1), "credentials": .array(list)]
        if let credentialDirectory { file["credentialDirectory"] = .string(credentialDirectory) }
        return JSONValue.serialize(file)
    }

    /// Reads the entries back; a missing file is empty, a damaged one is a ``FormatError`` (the caller logs it and
    /// starts afresh: the expiries are estimated again, and a notification may repeat).
    /// A store written for another credential directory (a state directory two daemons share) is not this one's: it
    /// reads as empty.
    public static func read(from stateDirectory: String, credentialDirectory: String? = nil,
                            allowSpecialCharacters: Bool) throws -> [CredentialID: Entry] {
        let path = stateDirectory + "/" + fileName
        guard let contents = try SafeFile.read(path: path, limit: sizeLimit) else { return [:] }
        if let credentialDirectory, let written = JSONValue.parseObject(contents.bytes)?["credentialDirectory"]?.stringValue,
           written != credentialDirectory {
            return [:]
        }
        return try parse(contents.bytes, path: path, allowSpecialCharacters: allowSpecialCharacters)
    }

    /// The entries of a store file's bytes (`path` names it in errors). Lines with a bad name are dropped, values out
    /// of range are left out.
    public static func parse(_ bytes: [UInt8], path: String, allowSpecialCharacters: Bool) throws(FormatError) -> [CredentialID: Entry] {
        guard let object = JSONValue.parseObject(bytes), case .array(let list)? = object["credentials"] else {
            throw FormatError(path: path, problem: "not a JSON object with a credentials list; it is rewritten from what the daemon sees")
        }
        var entries: [CredentialID: Entry] = [:]
        for case .object(let item) in list {
            guard let user = item["user"]?.stringValue, CredentialNames.isValidUser(user),
                  let stem = item["token"]?.stringValue, let token = TokenName(stem: stem, allowSpecialCharacters: allowSpecialCharacters)
            else { continue }
            var entry = Entry()
            if let source = item["source"]?.stringValue.flatMap(CredentialExpiry.Source.init(rawValue:)) {
                // Whole seconds, as written: a store read and written again is the same store.
                let date = item["expiresAt"].flatMap { try? ExternalTime.timestamp($0, field: "expiresAt") }
                    .map { Date(timeIntervalSince1970: $0.timeIntervalSince1970.rounded()) }
                entry.expiry = CredentialExpiry(expiresAt: date, source: source)
            }
            if case .integer(let seed)? = item["seedModified"] { entry.estimatedForSeed = seed }
            if let health = item["notified"]?.stringValue.flatMap(CredentialHealth.init(rawValue:)) {
                let threshold = item["threshold"]?.numberValue.map { $0.rounded() }.flatMap { (60...31_536_000).contains($0) ? $0 : nil }
                entry.notified = HealthAssessment(health, threshold: threshold)
            }
            entries[CredentialID(user: user, token: token)] = entry
        }
        return entries
    }
}
