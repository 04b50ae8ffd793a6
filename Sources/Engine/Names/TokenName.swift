/// Rules for the names that appear in the credential directory (contract §B.1.2).
public enum CredentialNames {
    /// Characters condor_credd accepts in user, service and handle names (`okay_for_oauth_filename`).
    public static func isValidFileComponent(_ name: some StringProtocol) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 255, name != ".", name != ".." else { return false }
        return name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "="), UInt8(ascii: "_"), UInt8(ascii: "."):
                return true
            default:
                return false
            }
        }
    }

    /// A user directory name: credd's character set, and not a dot-file.
    public static func isValidUser(_ name: some StringProtocol) -> Bool {
        isValidFileComponent(name) && !name.hasPrefix(".")
    }

    /// A configured provider (service) name: `[A-Za-z0-9-]+`, or credd's wider set when special characters are allowed.
    public static func isValidProviderName(_ name: some StringProtocol, allowSpecialCharacters: Bool) -> Bool {
        if allowSpecialCharacters { return isValidFileComponent(name) && !name.hasPrefix(".") }
        guard !name.isEmpty, name.utf8.count <= 255 else { return false }
        return name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
                return true
            default:
                return false
            }
        }
    }
}

/// A token name, the stem of `<user>/<token>.top`: `service` or `service_handle`.
public struct TokenName: Hashable, Sendable, CustomStringConvertible, Comparable {
    /// The service (provider) part.
    public let service: String
    /// The user's handle, if any.
    public let handle: String?

    public init(service: String, handle: String? = nil) {
        self.service = service
        self.handle = handle
    }

    /// Parses a file stem. The service is the part before the first `_` (as HTCondor's credmons parse it) unless
    /// special characters are allowed, in which case the whole stem is the service and handles are not supported.
    /// Returns nil for names credd would never write (bad characters, empty, or ending in `_`).
    public init?(stem: some StringProtocol, allowSpecialCharacters: Bool = false) {
        guard CredentialNames.isValidFileComponent(stem), !stem.hasPrefix(".") else { return nil }
        if allowSpecialCharacters {
            self.init(service: String(stem))
            return
        }
        guard !stem.hasSuffix("_") else { return nil }
        if let underscore = stem.firstIndex(of: "_") {
            let service = stem[..<underscore]
            let handle = stem[stem.index(after: underscore)...]
            guard !service.isEmpty, !handle.isEmpty else { return nil }
            self.init(service: String(service), handle: String(handle))
        } else {
            self.init(service: String(stem))
        }
    }

    /// The file stem: `service` or `service_handle`.
    public var stem: String { handle.map { "\(service)_\($0)" } ?? service }

    /// For a handle, the stem before the last `_` (`igwn_read_h` → `igwn_read`): the record HTCondor's Vault credmon
    /// takes the Vault token from when this one holds none.
    public var parentStem: String? {
        guard handle != nil, let underscore = stem.lastIndex(of: "_") else { return nil }
        return String(stem[..<underscore])
    }
    public var description: String { stem }
    public static func < (a: Self, b: Self) -> Bool { a.stem < b.stem }
}

/// One credential: a user's token name.
public struct CredentialID: Hashable, Sendable, CustomStringConvertible, Comparable {
    public let user: String
    public let token: TokenName

    public init(user: String, token: TokenName) {
        self.user = user
        self.token = token
    }

    public var description: String { "\(user)/\(token.stem)" }
    public static func < (a: Self, b: Self) -> Bool { (a.user, a.token.stem) < (b.user, b.token.stem) }
}
