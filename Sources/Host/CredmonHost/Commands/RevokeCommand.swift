import ArgumentParser
import Engine
import FoundationEssentials
import Logging
import OAuthClient

/// `credmon revoke`: revoke a credential at its provider and remove its files, on demand.
struct RevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke a user's credential at its provider, then remove its .top, .use and .meta.")

    @OptionGroup var locations: LocationOptions

    @Option(name: .customLong("user"), help: "The user (directory name in the credential directory).")
    var user: String

    @Option(name: .customLong("service"), help: "The token name: service or service_handle.")
    var service: String

    @Flag(name: .customLong("keep-files"), help: "Revoke only; leave the files in place.")
    var keepFiles = false

    func validate() throws {
        guard CredentialNames.isValidUser(user) else { throw ValidationError("'\(user)' is not a valid user name") }
        guard TokenName(stem: service) != nil else { throw ValidationError("'\(service)' is not a valid token name (service[_handle])") }
    }

    func run() async throws {
        let deployment = locations.deployment()
        let token = TokenName(stem: service)!
        let id = CredentialID(user: user, token: token)
        let logger = Logger(label: "credmon.revoke", factory: { _ in SwiftLogNoOpLogHandler() })
        let http = NIOHTTPClient()
        let loaded = LocationOptions.loadProviders(deployment, createMissingKeys: false, http: http, logger: logger)
        guard let provider = loaded.table.provider(for: token.service) else {
            throw ValidationError("no provider is configured for the service '\(token.service)' in \(deployment.providersDirectory)")
        }
        let removal = CredentialRemoval(credentialDirectory: deployment.credentialDirectory,
                                        vault: RevocationVault(stateDirectory: deployment.stateDirectory))
        switch await removal.revokeAndRemove(id, at: provider, from: .filesThenVaultCopy, policy: .init(removeFiles: !keepFiles)) {
        case .nothingKept:
            throw ValidationError("\(id) has no .top, and Credmon kept no copy of it")
        case .refused(let error):
            throw ValidationError("revocation of \(id) at \(provider.profile.name) failed: \(error); nothing was removed")
        case .failed(let error):
            throw ValidationError("revocation of \(id) at \(provider.profile.name) failed: \(error); nothing was removed")
        case .revoked(let filesRemoved):
            print("revoked \(id) at \(provider.profile.name)" + (provider.profile.traits.revokesOnRemoval ? "" : " (this provider has no revocation: nothing was sent)"))
            if filesRemoved { print("removed \(deployment.credentialDirectory)/\(user)/\(token.stem).{top,use,meta}") }
        }
    }
}
