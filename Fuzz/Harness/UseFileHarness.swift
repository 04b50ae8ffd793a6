import Engine
import Foundation

/// `use-file`: `AccessTokenFile.parse` and `.validity(fileModified:)`, as the daemon reads every `.use` it finds
/// (written by itself, by HTCondor's credmon or by anyone with access to the directory).
enum UseFileHarness {
    /// Modification times tried for each file: the epoch, a present-day time, and the far ends Foundation allows.
    static let modificationTimes: [Date] = [
        Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_780_000_000), .distantPast, .distantFuture,
    ]

    static func check(_ bytes: [UInt8]) throws(FuzzViolation) {
        guard let file = try? AccessTokenFile.parse(bytes, path: "fuzz.use") else { return }
        switch file.format {
        case .bare:
            try fuzzExpect(file.object.isEmpty && file.expiresIn == nil && file.expiresAt == nil,
                           "a bare token with JSON fields: \(fuzzPreview(bytes))")
            try fuzzExpect(!file.accessToken.contains(where: { $0.isNewline || $0 == " " }),
                           "a bare token with a space or line break: \(fuzzPreview(bytes))")
        case .json:
            try fuzzExpect(file.object["access_token"]?.stringValue == file.accessToken,
                           "access_token differs from the object's: \(fuzzPreview(bytes))")
            try fuzzExpect(JSONChecks.allNumbersFinite(.object(file.object)), "a non-finite number in a .use: \(fuzzPreview(bytes))")
            if let expiresAt = file.expiresAt { try fuzzExpect(expiresAt.isFinite, "expiresAt \(expiresAt) is not finite") }
            // The same file written back (as the daemon rewrites a .use) reads the same.
            let text = try JSONChecks.roundTrip(file.object, what: "use-file")
            guard let again = try? AccessTokenFile.parse(text, path: "fuzz.use") else {
                throw FuzzViolation("use-file: the serialised .use does not parse again: \(fuzzPreview(text))")
            }
            try fuzzExpect(again.accessToken == file.accessToken && again.expiresIn == file.expiresIn && again.expiresAt == file.expiresAt,
                           "use-file: a .use written back reads differently: \(fuzzPreview(bytes)) -> \(fuzzPreview(text))")
        }
        for modified in modificationTimes {
            guard let validity = file.validity(fileModified: modified) else { continue }
            let issued = validity.issuedAt.timeIntervalSince1970, expires = validity.expiresAt.timeIntervalSince1970
            try fuzzExpect(issued.isFinite && expires.isFinite,
                           "validity not finite (issued \(issued), expires \(expires)) for \(fuzzPreview(bytes))")
            let renewal = validity.point(atFraction: 0.5).timeIntervalSince1970
            try fuzzExpect(renewal.isFinite, "renewal point not finite for \(fuzzPreview(bytes))")
        }
    }
}
