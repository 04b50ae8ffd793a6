import Foundation

/// HTCondor's group map file (`* <user> g1,g2` per line), re-read when it changes.
final class GroupMap: @unchecked Sendable {
    let path: String
    private let lock = NSLock()
    private var loaded: (signature: [Int], groups: [String: [String]])?

    init(path: String) { self.path = path }

    /// The groups of `user`, or an error message when the file cannot be read.
    func groups(of user: String) -> Result<[String], GroupMapError> {
        var st = stat()
        guard stat(path, &st) == 0 else {
            return .failure(GroupMapError(message: "\(path): cannot read the group map file (\(String(cString: strerror(errno))))"))
        }
        let signature = [Int(st.st_ino), Int(st.st_size), Int(st.st_mtim.tv_sec), Int(st.st_mtim.tv_nsec)]
        if let cached = lock.withLock({ loaded }), cached.signature == signature {
            return .success(cached.groups[user] ?? [])
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            return .failure(GroupMapError(message: "\(path): cannot read the group map file"))
        }
        let groups = Self.parse(text)
        lock.withLock { loaded = (signature, groups) }
        return .success(groups[user] ?? [])
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
