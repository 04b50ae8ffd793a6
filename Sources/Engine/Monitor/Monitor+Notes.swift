import FoundationEssentials
import Logging

extension Monitor {
    /// Writes the log line of a decision's note (fixed messages, data in metadata).
    nonisolated static func log(_ note: CredentialDecision.Note, provider: String, logger: Logger) {
        switch note {
        case .noProvider:
            logger.debug("No provider for this service; left alone")
        case .refusedHandle:
            logger.error("Refused: this provider does not accept handles (as condor_credd refuses them)",
                         metadata: ["credmon.provider": "\(provider)"])
        case .refusedOwner(let uid):
            logger.error("Refused: this .top is not owned by root or by the daemon's user, so it was not written by condor_credd",
                         metadata: ["credmon.provider": "\(provider)", "credmon.owner": "\(uid)"])
        case .awaitingWebLogin(let deadline):
            logger.debug("New .top without a .use: waiting for the web login's .use before asking the provider",
                         metadata: ["credmon.provider": "\(provider)", "credmon.until": "\(ExternalTime.epochSeconds(deadline))"])
        case .issued(let expires, let recovered), .renewed(let expires, let recovered):
            let issued = if case .issued = note { true } else { false }
            logger.info(issued ? "Issued access token" : "Renewed access token", metadata: [
                "credmon.provider": "\(provider)",
                "credmon.expires": "\(expires.map { String(ExternalTime.epochSeconds($0)) } ?? "unknown")",
            ])
            if recovered { logger.notice("Credential recovered", metadata: ["credmon.provider": "\(provider)"]) }
        case .dormant(let reason):
            logger.info("Not renewed, as the credential asks; left alone until its .top changes", metadata: [
                "credmon.provider": "\(provider)", "credmon.reason": "\(reason)",
            ])
        case .terminal(let error):
            logger.error("Credential needs attention; not retrying until its .top changes", metadata: [
                "credmon.provider": "\(provider)", "credmon.error": "\(error)",
            ])
        case .discarded(let error):
            logger.warning("The credential is dead at its source; removed its .top and .use, so that the user's next submission stores a new one", metadata: [
                "credmon.provider": "\(provider)", "credmon.error": "\(error)",
            ])
        case .failing(let error, let delay):
            logger.warning("Renewal failed; retrying with backoff", metadata: [
                "credmon.provider": "\(provider)", "credmon.error": "\(error)", "credmon.retry_in": "\(Int(delay.rounded()))s",
            ])
        case .failingAgain(let error, let failures):
            logger.debug("Renewal failed again", metadata: ["credmon.error": "\(error)", "credmon.failures": "\(failures)"])
        }
    }
}
