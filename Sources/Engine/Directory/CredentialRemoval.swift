import FoundationEssentials

/// Revoke and remove: invalidates what a credential held at its provider, then erases the revocation vault's copy
/// and, when asked, the credential's `.top`, `.use` and `.meta`. Nothing is removed unless the revocation succeeded.
///
/// The daemon uses it when a `.top` has gone (revoking from the vault's copy); `credmon revoke` uses it on demand
/// (from the files, or from the copy when the files have gone).
public struct CredentialRemoval: Sendable {
    public let credentialDirectory: String
    public let vault: RevocationVault?

    public init(credentialDirectory: String, vault: RevocationVault?) {
        self.credentialDirectory = credentialDirectory
        self.vault = vault
    }

    /// Where the seed to revoke comes from.
    public enum Source: Sendable {
        /// The vault's copy only: after the `.top` went, a new `.top` in its place is another login, never revoked.
        case vaultCopy
        /// The credential's files, else the vault's copy.
        case filesThenVaultCopy
    }

    /// How a revoke-and-remove ended.
    public enum Outcome: Sendable {
        /// Revoked at the provider; the vault's copy is erased, and the files too when asked (`filesRemoved`).
        case revoked(filesRemoved: Bool)
        /// Neither the files nor a copy: nothing to revoke.
        case nothingKept
        /// The provider refused the revocation with a terminal error.
        case refused(ProviderError)
        /// The last attempt failed; everything is left in place.
        case failed(any Error)
    }

    /// How refusals and failures are handled.
    public struct Policy: Sendable {
        /// Provider calls before giving up (each failure but the last waits for the backoff, at most 30 s).
        public var attempts: Int
        public var backoff: Backoff
        /// Whether a terminal refusal erases the vault's copy (the provider holds nothing left to revoke).
        public var refusalIsFinal: Bool
        /// Whether the credential's files are removed after the revocation.
        public var removeFiles: Bool

        public init(attempts: Int = 1, backoff: Backoff = Backoff(), refusalIsFinal: Bool = false, removeFiles: Bool = true) {
            self.attempts = attempts
            self.backoff = backoff
            self.refusalIsFinal = refusalIsFinal
            self.removeFiles = removeFiles
        }
    }

    /// The seed and metadata to revoke for `id`, or nil when there is none.
    public func request(for id: CredentialID, from source: Source) -> RevocationRequest? {
        if source == .filesThenVaultCopy, let userDirectory = userDirectory(of: id.user),
           let seed = (try? userDirectory.readFile(id.token.stem + ".top")) ?? nil {
            let metadata = ((try? userDirectory.readFile(id.token.stem + ".meta")) ?? nil)
                .flatMap { try? ClientMetadata.parse($0, path: userDirectory.childPath(id.token.stem + ".meta")) }
            return RevocationRequest(id: id, seed: SeedFile.parse(seed), metadata: metadata)
        }
        guard let copy = vault?.recall(id) else { return nil }
        return RevocationRequest(id: id, seed: copy.seed, metadata: copy.metadata)
    }

    /// Revokes `id` at `provider`, then erases the vault's copy and (per `policy`) the files.
    public func revokeAndRemove(_ id: CredentialID, at provider: any CredentialProvider, from source: Source,
                                policy: Policy, clock: any WallClock = SystemWallClock()) async -> Outcome {
        guard let request = request(for: id, from: source) else { return .nothingKept }
        let attempts = max(1, policy.attempts)
        for attempt in 1...attempts {
            do {
                try await provider.revoke(request)
                vault?.forget(id)
                return .revoked(filesRemoved: policy.removeFiles && removeFiles(of: id))
            } catch let error as ProviderError where error.disposition == .terminal {
                if policy.refusalIsFinal { vault?.forget(id) }
                return .refused(error)
            } catch {
                guard attempt < attempts else { return .failed(error) }
                let delay = policy.backoff.delay(afterFailures: attempt, retryAfter: (error as? ProviderError)?.retryAfter)
                try? await clock.sleep(until: clock.now().addingTimeInterval(min(delay, 30)))
            }
        }
        return .nothingKept
    }

    /// Removes the `.top`, `.use` and `.meta` of `id`; false when its user directory is not there.
    @discardableResult
    public func removeFiles(of id: CredentialID) -> Bool {
        guard let userDirectory = userDirectory(of: id.user) else { return false }
        for suffix in [".top", ".use", ".meta"] { try? userDirectory.removeFile(id.token.stem + suffix) }
        return true
    }

    private func userDirectory(of user: String) -> DirectoryHandle? {
        try? DirectoryHandle.open(path: credentialDirectory + "/" + user)
    }
}
