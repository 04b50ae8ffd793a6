import FoundationEssentials
import Glibc

/// Files nobody will use any more, which a credmon removes (contract §B.3.4): key files that condor_credd wrote
/// for a web login that was never completed, and temporary files of a write interrupted by a hard kill.
public enum LeftoverFiles {
    /// Key files whose status-change time (ctime) is older than this are deleted: 12 hours, as HTCondor's credmon.
    public static let keyFileLifetime: TimeInterval = 12 * 60 * 60

    /// Whether `name` is a key file's: exactly 64 lowercase hexadecimal digits.
    public static func isKeyFileName(_ name: some StringProtocol) -> Bool {
        name.utf8.count == 64 && name.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// What became of one key file.
    public enum KeyFileOutcome: Sendable, Equatable {
        /// It was older than the lifetime and is gone.
        case removed
        /// It is younger than the lifetime.
        case kept
        /// It is not a regular file (a symlink, a FIFO, a directory): left alone.
        case notRegular
        /// It vanished before it could be examined.
        case missing
    }

    /// Removes the key file `name` of `directory` if it is a regular file (never following a symlink) whose ctime is
    /// more than `lifetime` before `now`.
    public static func removeKeyFileIfExpired(
        _ name: String, in directory: DirectoryHandle, now: Date, lifetime: TimeInterval = keyFileLifetime
    ) throws(SystemError) -> KeyFileOutcome {
        guard isKeyFileName(name) else { return .notRegular }
        guard let status = try FileStatus.at(directory.descriptor, name, path: directory.childPath(name)) else { return .missing }
        guard status.type == .regular else { return .notRegular }
        guard now.timeIntervalSince1970 - status.changed.epochSeconds > lifetime else { return .kept }
        try directory.removeFile(name)
        return .removed
    }

    /// A key file's name as it may appear in a log: its first 8 digits (the whole name is the login's secret).
    public static func redactedKeyFileName(_ name: String) -> String { String(name.prefix(8)) + "…" }
}
