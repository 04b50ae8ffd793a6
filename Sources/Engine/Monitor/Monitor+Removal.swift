import FoundationEssentials
import Logging

extension Monitor {
    /// A credential's `.top` is gone: forget it and, if its provider revokes on removal, revoke what the vault
    /// kept of it (a few attempts; what still fails is tried again at the next deep pass).
    /// A credential the monitor discarded itself (its seed died at the source) stays in status until a new `.top`, or
    /// until condor_credd sweeps the user's directory.
    nonisolated func removed(_ id: CredentialID, provider: (any CredentialProvider)?, userDirectoryGone: Bool = false,
                             logger: Logger) async {
        if !userDirectoryGone, await state(of: id) == .discarded { return }
        if await forgetRecord(id) != nil { logger.info("Credential removed") }
        guard vault != nil, let provider, provider.profile.traits.revokesOnRemoval else { return }
        let policy = CredentialRemoval.Policy(attempts: configuration.revocationAttempts, backoff: configuration.backoff,
                                              refusalIsFinal: true, removeFiles: false)
        switch await removal.revokeAndRemove(id, at: provider, from: .vaultCopy, policy: policy, clock: clock) {
        case .revoked:
            logger.notice("Revoked the removed credential at its provider", metadata: ["credmon.provider": "\(provider.profile.name)"])
        case .refused(let error):
            logger.warning("The provider refused the revocation; nothing left to revoke", metadata: ["credmon.error": "\(error)"])
        case .failed(let error):
            logger.warning("Revocation failed; it is tried again at the next deep pass", metadata: ["credmon.error": "\(error)"])
        case .nothingKept:
            break
        }
    }

    /// Keeps the vault's copy of a credential's seed up to date (providers that revoke on removal only).
    nonisolated func rememberSeed(_ record: inout CredentialRecord, in userDirectory: DirectoryHandle, provider: any CredentialProvider, logger: Logger) {
        guard let vault, provider.profile.traits.revokesOnRemoval, let stamp = record.seedStamp, stamp != record.vaultStamp else { return }
        let stem = record.id.token.stem
        do {
            guard let seed = try userDirectory.readFile(stem + ".top") else { return }
            try vault.remember(record.id, seed: seed, metadata: try userDirectory.readFile(stem + ".meta"))
            record.vaultStamp = stamp
        } catch {
            logger.warning("Cannot keep a copy for revocation", metadata: ["credmon.error": "\(error)"])
        }
    }
}
