import Engine
import Foundation

/// Reads key files as ``CondorKeyFile`` does, and with HTCondor's `CREDMON_ALLOW_SPECIAL_CHAR_NAMES` true also accepts
/// a `Provider` with `_` (contract §B.1.2: the whole token name is then the service). Every other rule is
/// ``CondorKeyFile``'s: a service is still only `[A-Za-z0-9-+=_.]`, never `.`, `..` or a dot-name.
enum WebKeyFile {
    /// `$CD/<key>`'s services; nil when the file is missing, not a key name, or expired.
    static func read(_ key: String, in directory: DirectoryHandle, now: Date,
                     allowSpecialCharacterNames: Bool) throws(CondorKeyFile.ReadError) -> [KeyFileService]? {
        guard allowSpecialCharacterNames else { return try CondorKeyFile.read(key, in: directory, now: now) }
        guard CondorKeyFile.isKeyName(key) else { return nil }
        let path = directory.childPath(key)
        let bytes: [UInt8]?
        do {
            if let status = try FileStatus.at(directory.descriptor, key, path: path),
               now.timeIntervalSince1970 - status.changed.epochSeconds > CondorKeyFile.lifetime {
                return nil
            }
            bytes = try directory.readFile(key, limit: CondorKeyFile.sizeLimit)
        } catch {
            throw .unreadable(error)
        }
        guard let bytes else { return nil }
        do {
            return try parseAllowingSpecialCharacters(String(decoding: bytes, as: UTF8.self), path: path)
        } catch {
            throw .malformed(error)
        }
    }

    /// ``CondorKeyFile/parse(_:path:)`` with `_` allowed in `Provider`: the file is checked by ``CondorKeyFile`` with
    /// each such name escaped (`-` → `-0`, `_` → `-1`: still a name it accepts, and two names stay two), line for line,
    /// and each service then gets its own name back.
    static func parseAllowingSpecialCharacters(_ text: String, path: String) throws(KeyFileError) -> [KeyFileService] {
        let ads = try CondorKeyFile.parseAds(text, path: path)
        let providers = ads.map { underscored($0.attributes["provider"]?.stringValue) }
        guard providers.contains(where: { $0 != nil }) else { return try CondorKeyFile.parse(text, path: path) }
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map { line in
            guard let match = line.wholeMatch(of: providerLine), let provider = underscored(String(match.3)) else { return String(line) }
            return match.1 + match.2 + "\"" + escaped(provider) + "\"" + match.4
        }
        var services = try CondorKeyFile.parse(lines.joined(separator: "\n"), path: path)
        // One service per ad, in order (never otherwise; if it were, the file as written is judged as it is).
        guard services.count == ads.count else { return try CondorKeyFile.parse(text, path: path) }
        for index in services.indices {
            if let provider = providers[index] { services[index].provider = provider }
            services[index].attributes = ads[index].attributes
        }
        return services
    }

    /// `Provider = "…"` (any case, any blanks, an optional `\r`), as ``CondorKeyFile`` reads an attribute line.
    private static var providerLine: Regex<(Substring, Substring, Substring, Substring, Substring)> { /^([ \t]*[Pp][Rr][Oo][Vv][Ii][Dd][Ee][Rr][ \t]*=)([ \t]*)"([^"\\]*)"([ \t]*\r?)$/ }

    /// The name when it has a `_` and is a service name with special characters allowed.
    private static func underscored(_ provider: String?) -> String? {
        guard let provider, provider.contains("_"), CredentialNames.isValidProviderName(provider, allowSpecialCharacters: true) else { return nil }
        return provider
    }

    private static func escaped(_ name: String) -> String {
        name.replacingOccurrences(of: "-", with: "-0").replacingOccurrences(of: "_", with: "-1")
    }
}
