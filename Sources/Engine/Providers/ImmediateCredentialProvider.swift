/// A provider whose renewals need nothing but the CPU: no network, no waiting (a local signer). The monitor renews
/// its credentials in batches on its blocking-I/O pool, file checks, signing and writes together, with one thread
/// hand-off per batch instead of several per token.
public protocol ImmediateCredentialProvider: CredentialProvider {
    /// What ``CredentialProvider/fetch(_:)`` and ``CredentialProvider/refresh(_:)`` would return, computed on the
    /// caller's thread.
    func renewImmediately(_ request: CredentialRequest) throws -> CredentialUpdate
}
