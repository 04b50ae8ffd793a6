/// The credentials a scan's caller tracks, grouped by user, each with a digest of its files' stamps: a deep scan
/// stats the known files of the directories it does not list, any scan checks the directories it lists against them
/// (see ``DirectoryScanner/list(_:root:handOver:checking:into:)``), and a credential whose files match is counted as
/// unchanged instead of reported.
///
/// One flat array grouped by buckets of the users' hashes (placed by counting, without a sort), 64 bytes a
/// credential and 4 a bucket (0.7 MB for 10,000), where a dictionary of per-user arrays of ``KnownCredential`` took
/// 1.84 MB (10,000 small arrays) and set the daemon's peak in every deep pass. The stamps are kept as a 64-bit
/// digest (Swift's `Hasher`, seeded anew by every process, so no file can be made to match another's): a credential
/// whose files changed and whose new stamps have the old digest (one chance in 2^64) is counted as unchanged, which
/// only a deep pass or a listing would have caught: a safety net behind the watcher.
public struct KnownCredentials: Sendable {
    struct Entry: Sendable {
        /// The low 32 bits of the user's hash (its bucket: the low bits).
        var userHash: UInt32
        /// False when the `.top`'s stamp is not known: the credential is always reported.
        var seedKnown: Bool
        var user: String
        var token: TokenName
        var digest: UInt64
    }

    /// The entries, bucket after bucket.
    private var entries: ContiguousArray<Entry> = []
    /// Where each bucket's entries begin in `entries` (one more than there are buckets: the last is the end).
    private var bucketStarts: ContiguousArray<Int32> = [0, 0]
    /// Buckets less one (a power of two less one).
    private var bucketMask: UInt32 = 0

    /// No credentials.
    public init() {}

    /// The credentials of `credentials`, read twice: their users' buckets counted, then each placed in the next free
    /// place of its bucket (no second array of them, and no sort).
    public init(_ credentials: some Collection<(user: String, credential: KnownCredential)>) {
        let count = credentials.count
        guard count > 0, count < Int(Int32.max) else { return }
        // About one bucket per credential: a count per bucket, then their running sums.
        let buckets = 1 << max(1, Int.bitWidth - (count - 1).leadingZeroBitCount)
        let mask = UInt32(buckets - 1)
        var starts = ContiguousArray<Int32>(repeating: 0, count: buckets + 1)
        for (user, _) in credentials { starts[Int(Self.hash(user) & mask) + 1] += 1 }
        for bucket in 0..<buckets { starts[bucket + 1] += starts[bucket] }
        var next = starts
        var placed = 0
        entries = ContiguousArray(unsafeUninitializedCapacity: count) { buffer, initialized in
            for (user, credential) in credentials where placed < count {
                let hash = Self.hash(user)
                let bucket = Int(hash & mask)
                (buffer.baseAddress! + Int(next[bucket])).initialize(to: Entry(
                    userHash: hash, seedKnown: credential.seed != nil, user: user, token: credential.token,
                    digest: credential.seed.map { Self.digest(seed: $0, access: credential.access) } ?? 0))
                next[bucket] += 1
                placed += 1
            }
            initialized = placed
        }
        precondition(placed == count, "a collection of known credentials changed while it was read")
        bucketMask = mask
        bucketStarts = starts
    }

    /// The credentials of a dictionary by user (tests, callers that have one).
    public init(_ byUser: [String: [KnownCredential]]) {
        self.init(byUser.flatMap { user, credentials in credentials.map { (user: user, credential: $0) } })
    }

    /// How many credentials are known.
    public var count: Int { entries.count }

    /// The known credentials of `user`, in no particular order.
    func credentials(of user: String) -> some Sequence<Entry> {
        let hash = Self.hash(user)
        let bucket = Int(hash & bucketMask)
        return entries[Int(bucketStarts[bucket])..<Int(bucketStarts[bucket + 1])].lazy.filter { $0.userHash == hash && $0.user == user }
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
