import Engine
import FoundationEssentials

/// HTCondor's group map file (`* <user> g1,g2` per line), re-read when it changes. Read through ``SafeFile``: a
/// symlink, a FIFO or a device is refused without blocking, and at most ``maximumSize`` bytes are read.
final class GroupMap: @unchecked Sendable {
    /// The largest group map accepted: 16 MiB (about 300,000 users).
    static let maximumSize = 16 << 20

    let path: String
    private let lock = PosixLock()
    private var loaded: (signature: [Int64], groups: [String: [String]])?

    init(path: String) { self.path = path }

    /// The groups of `user`, or an error message when the file cannot be read.
    func groups(of user: String) -> Result<[String], GroupMapError> {
        let current: FileStatus?
        do {
            current = try FileStatus.of(path: path)
        } catch {
            return .failure(GroupMapError(message: "\(path): cannot read the group map file (\(error.reason)); check group_mapfile"))
        }
        if let current, current.type == .regular, let cached = lock.withLock({ loaded }), cached.signature == Self.signature(current) {
            return .success(cached.groups[user] ?? [])
        }
        let contents: SafeFile.Contents
        do {
            guard let read = try SafeFile.read(path: path, limit: Self.maximumSize) else {
                return .failure(GroupMapError(message: "\(path): the group map file does not exist; create it or fix group_mapfile"))
            }
            contents = read
        } catch {
            return .failure(GroupMapError(message: "cannot read the group map file \(error)"))
        }
        guard let text = String(validating: contents.bytes, as: UTF8.self) else {
            return .failure(GroupMapError(message: "\(path): the group map file is not UTF-8 text; save it as UTF-8"))
        }
        let groups = Self.parse(text)
        lock.withLock { loaded = (Self.signature(contents.status), groups) }
        return .success(groups[user] ?? [])
    }

    private static func signature(_ status: FileStatus) -> [Int64] {
        [Int64(bitPattern: status.inode), status.size, Int64(status.modified.seconds), Int64(status.modified.nanoseconds)]
    }

    /// Lines with fewer than three fields or whose first field is not `*` are ignored; the first line for a user wins.
    static func parse(_ text: String) -> [String: [String]] {
        var groups: [String: [String]] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 3, fields[0] == "*" else { continue }
            let user = String(fields[1])
            guard groups[user] == nil else { continue }
            groups[user] = fields[2].split(separator: ",").map(String.init).filter { !$0.isEmpty }
        }
        return groups
    }
}

struct GroupMapError: Error, Sendable {
    var message: String
}
