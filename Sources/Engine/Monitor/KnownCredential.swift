/// A credential the caller of a deep scan tracks, with the stamps of its files as the caller last saw them: a deep
/// scan that finds both files as stamped counts the credential as unchanged instead of reporting it.
public struct KnownCredential: Sendable, Hashable {
    public var token: TokenName
    /// The `.top`'s stamp; nil: not known, and the credential is always reported.
    public var seed: FileStamp?
    /// The `.use`'s stamp; nil: the caller saw no `.use`.
    public var access: FileStamp?

    public init(token: TokenName, seed: FileStamp? = nil, access: FileStamp? = nil) {
        self.token = token
        self.seed = seed
        self.access = access
    }
}
