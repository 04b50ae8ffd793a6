import FoundationEssentials


/// One service of a key file: the old-style ClassAd condor_credd writes for each OAuth service that lacks a `.top`
/// (contract §B.3.4).
public struct KeyFileService: Sendable, Equatable, CustomStringConvertible {
    /// `Provider`: the service name.
    public var provider: String
    /// `Handle`: nil when absent or empty.
    public var handle: String?
    /// `LocalUser`: the user the credential belongs to.
    public var localUser: String
    /// `Scopes`, raw: condor_credd later compares this exact string with `.top`'s `scopes`.
    public var scopes: String
    /// `Audience`, raw.
    public var audience: String
    public var clientID: String?
    /// Never printed.
    public var clientSecret: String?
    public var returnURL: String?
    public var authorizationURL: String?
    public var tokenURL: String?
    /// Every attribute, names lower-cased.
    public var attributes: [String: ClassAdValue]
    /// Line of the ad's first attribute.
    public var line: Int

    /// The credential's token name (`service` or `service_handle`).
    public var tokenName: TokenName { TokenName(service: provider, handle: handle) }

    public var description: String {
        "KeyFileService(\(localUser)/\(tokenName.stem), client_id: \(clientID ?? "-"), client_secret: <redacted>)"
    }
}

/// Why a key file cannot be read: the file, the line and what is wrong.
public struct KeyFileError: Error, Sendable, CustomStringConvertible, Equatable {
    public var path: String
    public var line: Int?
    public var problem: String
    public var description: String { "\(path)\(line.map { ":\($0)" } ?? ""): \(problem)" }
}

/// Reads key files (`$CD/<64 hex>`): one old-style ClassAd per service, ads separated by blank lines, each line
/// `Name = value` where value is a quoted string (old ClassAd syntax: only `\"` is an escape), a number or a boolean. `#` and `//`
/// lines are comments. Anything else is an error naming the line.
public enum CondorKeyFile {
    /// The largest key file read (credd writes a few hundred bytes per service).
    public static let sizeLimit = 256 * 1024
    /// Key files older than this (by ctime) are expired: the credmon daemon deletes them (contract §B.3.4).
    public static let lifetime: Double = LeftoverFiles.keyFileLifetime

    /// Why a key file could not be read.
    public enum ReadError: Error, Sendable, CustomStringConvertible {
        case unreadable(SystemError)
        case malformed(KeyFileError)

        public var description: String {
            switch self {
            case .unreadable(let error): "\(error)"
            case .malformed(let error): "\(error)"
            }
        }
    }

    /// Reads and parses `<directory>/<key>` (never following a symlink, at most ``sizeLimit`` bytes): nil when
    /// the file is missing, not a key name, or expired (older than ``lifetime`` by ctime, as the daemon removes it).
    public static func read(_ key: String, in directory: DirectoryHandle, now: Date) throws(ReadError) -> [KeyFileService]? {
        guard isKeyName(key) else { return nil }
        let path = directory.childPath(key)
        let bytes: [UInt8]?
        do {
            if let status = try FileStatus.at(directory.descriptor, key, path: path),
               now.timeIntervalSince1970 - status.changed.epochSeconds > lifetime {
                return nil
            }
            bytes = try directory.readFile(key, limit: sizeLimit)
        } catch {
            throw .unreadable(error)
        }
        guard let bytes else { return nil }
        do {
            return try parse(String(decoding: bytes, as: UTF8.self), path: path)
        } catch {
            throw .malformed(error)
        }
    }

    /// Whether `name` is a key file name: exactly 64 lowercase hexadecimal characters.
    public static func isKeyName(_ name: some StringProtocol) -> Bool {
        name.utf8.count == 64 && name.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// Parses the ads of a key file and checks each service's required attributes and names.
    public static func parse(_ text: String, path: String = "key file") throws(KeyFileError) -> [KeyFileService] {
        let ads = try parseAds(text, path: path)
        guard !ads.isEmpty else { throw KeyFileError(path: path, line: nil, problem: "holds no ClassAd; condor_credd writes one per service") }
        var services: [KeyFileService] = []
        for ad in ads {
            let service = try makeService(ad, path: path)
            if services.contains(where: { $0.tokenName == service.tokenName }) {
                throw KeyFileError(path: path, line: ad.line, problem: "the service \(service.tokenName.stem) appears twice")
            }
            services.append(service)
        }
        return services
    }

    /// One parsed ad: attributes by lower-cased name, and the line it starts on.
    public struct Ad: Sendable, Equatable {
        public var attributes: [String: ClassAdValue]
        public var line: Int
    }

    /// Splits the text into ads (blank lines separate them) and parses every attribute line.
    public static func parseAds(_ text: String, path: String) throws(KeyFileError) -> [Ad] {
        var ads: [Ad] = []
        var current: Ad?
        var number = 0
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            number += 1
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.allSatisfy({ $0 == " " || $0 == "\t" }) {
                if let ad = current { ads.append(ad) }
                current = nil
                continue
            }
            if trimmed.hasPrefix("#") || trimmed.hasPrefix("//") { continue }
            let (name, value) = try parseAttribute(trimmed, path: path, line: number)
            var ad = current ?? Ad(attributes: [:], line: number)
            if ad.attributes[name.lowercased()] != nil {
                throw KeyFileError(path: path, line: number, problem: "the attribute \(name) appears twice in one ad; separate ads with a blank line")
            }
            ad.attributes[name.lowercased()] = value
            current = ad
        }
        if let ad = current { ads.append(ad) }
        return ads
    }

    static func parseAttribute(_ line: Substring, path: String, line number: Int) throws(KeyFileError) -> (String, ClassAdValue) {
        func fail(_ problem: String) -> KeyFileError { KeyFileError(path: path, line: number, problem: problem) }
        guard let equals = line.firstIndex(of: "=") else {
            throw fail("expected 'Name = value', found no '='")
        }
        let name = line[..<equals].trimmingSpaces()
        guard let first = name.unicodeScalars.first, first.isASCIILetterOrUnderscore,
              name.unicodeScalars.allSatisfy({ $0.isASCIILetterOrUnderscore || ("0"..."9").contains($0) || $0 == "." }) else {
            throw fail("'\(name.prefix(40))' is not an attribute name (letters, digits, '_' and '.', starting with a letter)")
        }
        let valueText = line[line.index(after: equals)...].trimmingSpaces()
        guard !valueText.isEmpty else { throw fail("\(name) has no value") }
        let value: ClassAdValue
        if valueText.hasPrefix("\"") {
            value = .string(try parseString(valueText, fail: fail))
        } else if let integer = Int64(valueText) {
            value = .integer(integer)
        } else if let real = Double(valueText), valueText.allSatisfy({ $0.isNumber || "+-.eE".contains($0) }) {
            value = .real(real)
        } else {
            switch valueText.lowercased() {
            case "true": value = .boolean(true)
            case "false": value = .boolean(false)
            case "undefined": value = .undefined
            default:
                throw fail("the value of \(name) is not a quoted string, a number or a boolean (expressions are not supported in key files)")
            }
        }
        return (String(name), value)
    }

    /// A quoted string in old ClassAd syntax, as condor_credd writes it (the ClassAd library's old-style printer):
    /// the value runs from the first to the last quote of the line; inside, `\"` is a quote and every other character,
    /// a backslash too, stands for itself (`\n` is a backslash and an `n`, `a\` ends in a backslash). This is how
    /// HTCondor's own parser reads these files back, so a client secret with backslashes arrives unchanged.
    static func parseString(_ text: Substring, fail: (String) -> KeyFileError) throws(KeyFileError) -> String {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        let utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8.last == quote else {
            if utf8.dropFirst().contains(quote) { throw fail("unexpected text after the closing quote") }
            throw fail("the string has no closing quote")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var index = 1
        while index < utf8.count - 1 {
            if utf8[index] == backslash, index + 1 < utf8.count - 1, utf8[index + 1] == quote {
                bytes.append(quote)
                index += 2
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        guard !bytes.contains(0) else { throw fail("the string contains a NUL byte, which a ClassAd string cannot hold") }
        guard let string = String(validating: bytes, as: UTF8.self) else { throw fail("the string is not valid UTF-8") }
        return string
    }

    static func makeService(_ ad: Ad, path: String) throws(KeyFileError) -> KeyFileService {
        func fail(_ problem: String) -> KeyFileError { KeyFileError(path: path, line: ad.line, problem: problem) }
        func string(_ name: String, required: Bool = false) throws(KeyFileError) -> String? {
            switch ad.attributes[name.lowercased()] {
            case nil, .undefined?:
                if required { throw fail("the ad has no \(name)") }
                return nil
            case .string(let text)?:
                return text
            case _?:
                throw fail("\(name) must be a quoted string")
            }
        }
        let provider = try string("Provider", required: true)!
        guard CredentialNames.isValidFileComponent(provider), !provider.hasPrefix("."), !provider.contains("_") else {
            throw fail("Provider '\(provider.prefix(64))' is not a valid service name (letters, digits, - + = . only)")
        }
        let handle = try string("Handle").flatMap { $0.isEmpty ? nil : $0 }
        if let handle, !CredentialNames.isValidFileComponent(handle) {
            throw fail("Handle '\(handle.prefix(64))' is not a valid handle (letters, digits, - + = _ . only)")
        }
        let user = try string("LocalUser", required: true)!
        guard CredentialNames.isValidUser(user) else {
            throw fail("LocalUser '\(user.prefix(64))' is not a valid user name")
        }
        func optional(_ name: String) throws(KeyFileError) -> String? { try string(name).flatMap { $0.isEmpty ? nil : $0 } }
        return KeyFileService(
            provider: provider, handle: handle, localUser: user,
            scopes: try string("Scopes") ?? "", audience: try string("Audience") ?? "",
            clientID: try optional("ClientId"), clientSecret: try optional("ClientSecret"),
            returnURL: try optional("ReturnUrl"), authorizationURL: try optional("AuthorizationUrl"),
            tokenURL: try optional("TokenUrl"), attributes: ad.attributes, line: ad.line)
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIILetterOrUnderscore: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) || self == "_" }
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return text
    }
}
