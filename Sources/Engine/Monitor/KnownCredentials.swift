/// The credentials a deep scan's caller tracks, grouped by user, each with a digest of its files' stamps: a deep scan
/// stats the known files of the directories it does not list, and counts a credential whose files match as unchanged.
///
/// One flat array sorted by the users' hashes, 64 bytes a credential (0.64 MB for 10,000), where a dictionary of
/// per-user arrays of ``KnownCredential`` took 1.84 MB (10,000 small arrays) and set the daemon's peak in every deep
/// pass. The stamps are kept as a 64-bit digest (Swift's `Hasher`, seeded anew by every process, so no file can be
/// made to match another's): a credential whose files changed and whose new stamps have the old digest (one chance
/// in 2^64) is counted as unchanged by a deep pass, which is a safety net behind the watcher and the listings.
public struct KnownCredentials: Sendable {
    struct Entry: Sendable {
        /// The low 32 bits of the user's hash: the sort key.
        var userHash: UInt32
        /// False when the `.top`'s stamp is not known: the credential is always reported.
        var seedKnown: Bool
        var user: String
        var token: TokenName
        var digest: UInt64
    }

    private var entries: ContiguousArray<Entry> = []

    /// No credentials.
    public init() {}

    /// The credentials of `credentials` (`count`: how many there are, for room at once).
    public init(_ credentials: some Sequence<(user: String, credential: KnownCredential)>, count: Int = 0) {
        entries.reserveCapacity(count)
        for (user, credential) in credentials {
            entries.append(Entry(userHash: Self.hash(user), seedKnown: credential.seed != nil, user: user, token: credential.token,
                                 digest: credential.seed.map { Self.digest(seed: $0, access: credential.access) } ?? 0))
        }
        entries.sort { $0.userHash < $1.userHash }
    }

    /// The credentials of a dictionary by user (tests, callers that have one).
    public init(_ byUser: [String: [KnownCredential]]) {
        self.init(byUser.lazy.flatMap { user, credentials in credentials.lazy.map { (user: user, credential: $0) } },
                  count: byUser.values.reduce(0) { $0 + $1.count })
    }

    /// How many credentials are known.
    public var count: Int { entries.count }

    /// The known credentials of `user`, in no particular order.
    func credentials(of user: String) -> some Sequence<Entry> {
        let hash = Self.hash(user)
        var low = 0, high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].userHash < hash { low = middle + 1 } else { high = middle }
        }
        return entries[low...].lazy.prefix { $0.userHash == hash }.filter { $0.user == user }
    }

    /// Whether the files of `entry` are as the caller saw them: the `.top`'s stamp known and the same, and the `.use`
    /// the same (or missing, as before).
    static func matches(_ entry: Entry, seed: FileStamp, access: FileStamp?) -> Bool {
        entry.seedKnown && entry.digest == digest(seed: seed, access: access)
    }

    static func hash(_ user: String) -> UInt32 { UInt32(truncatingIfNeeded: user.hashValue) }

    static func digest(seed: FileStamp, access: FileStamp?) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(seed)
        hasher.combine(access)
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }
}
