import FoundationEssentials
import Glibc

/// Foundation's `Error.localizedDescription` for the errors reading a file and decoding JSON give (FoundationEssentials
/// has no localized texts): the same English sentences.
enum ErrorText {
    static func localizedDescription(_ error: any Error) -> String {
        let prefix = "The operation could not be completed."
        if let cocoa = error as? CocoaError {
            return reasons[cocoa.code.rawValue].map { "\(prefix) \($0)" } ?? "\(prefix) (NSCocoaErrorDomain error \(cocoa.code.rawValue).)"
        }
        if let decoding = error as? DecodingError {
            switch decoding {
            case .keyNotFound, .valueNotFound: return "\(prefix) The data is missing."
            default: return "\(prefix) The data isn’t in the correct format."
            }
        }
        if let posix = error as? POSIXError { return "\(prefix) \(String(cString: strerror(posix.code.rawValue)))" }
        return "\(prefix) (\(String(reflecting: type(of: error))) error 1.)"
    }

    /// Foundation's texts by CocoaError code.
    private static let reasons: [Int: String] = [
        4: "The file doesn’t exist.", 257: "You don’t have permission.", 258: "The file name is invalid.",
        259: "The file isn’t in the correct format.", 260: "The file doesn’t exist.",
        261: "The specified text encoding isn’t applicable.", 262: "The specified URL type isn’t supported.",
        263: "The item is too large.", 264: "The text encoding of the contents couldn’t be determined.",
        513: "You don’t have permission.", 514: "The file name is invalid.", 516: "A file with the same name already exists.",
        517: "The specified text encoding isn’t applicable.", 518: "The specified URL type isn’t supported.",
        640: "There isn’t enough space.", 642: "The volume is read only.", 3840: "The data is not in the correct format.",
        4864: "The data isn’t in the correct format.", 4865: "The data is missing.",
    ]
}
