/// Reads a provider fragment's text safely: never through a symlink, never blocking on a FIFO or device, only a
/// regular file of at most ``maximumSize`` bytes, and valid UTF-8 (see ``SafeFile``).
public enum FragmentFile {
    /// The largest fragment accepted: 1 MiB (real ones are a few hundred bytes).
    public static let maximumSize = 1 << 20

    /// The text of the fragment at `path`, or the error to report for it.
    public static func read(path: String) -> Result<String, ConfigurationError> {
        let contents: SafeFile.Contents?
        do {
            contents = try SafeFile.read(path: path, limit: maximumSize)
        } catch {
            return .failure(ConfigurationError(file: path, problem: "cannot read the fragment: \(error.reason)"))
        }
        guard let contents else {
            return .failure(ConfigurationError(file: path, problem: "vanished while the providers were read", fix: "send SIGHUP once it is back"))
        }
        guard let text = String(validating: contents.bytes, as: UTF8.self) else {
            return .failure(ConfigurationError(file: path, problem: "not UTF-8 text", fix: "save it as UTF-8"))
        }
        return .success(text)
    }
}
