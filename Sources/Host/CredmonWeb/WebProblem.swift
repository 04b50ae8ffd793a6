import HTTPTypes

/// A page that explains why something did not work, with what to do. Every failure of a route ends in one of these
/// (never a 500 with a stack trace); none carries a secret.
struct WebProblem: Error, Sendable, Equatable {
    var status: HTTPResponse.Status
    var title: String
    var message: String
    /// What the user can do about it.
    var advice: String

    static func unknownKey() -> WebProblem {
        WebProblem(status: .notFound, title: "Login link not found",
                   message: "This login link is unknown or has expired (links are valid for 12 hours and only until every service in them is logged in).",
                   advice: "Submit your job again; condor_submit prints a fresh link.")
    }

    static func badKeyFile(_ detail: String) -> WebProblem {
        WebProblem(status: .badRequest, title: "Login request unreadable",
                   message: "The login request written by HTCondor cannot be read: \(detail)",
                   advice: "Tell your HTCondor administrator; the credmon-web log names the file and line.")
    }

    static func noSession() -> WebProblem {
        WebProblem(status: .badRequest, title: "No login in progress",
                   message: "This browser has no login in progress for that service (the session may have expired or cookies are blocked).",
                   advice: "Open the link condor_submit printed again, and allow cookies for this site.")
    }

    static func stateMismatch() -> WebProblem {
        WebProblem(status: .badRequest, title: "Login could not be verified",
                   message: "The answer from the provider does not belong to a login started in this browser (state mismatch), so it was ignored.",
                   advice: "Start the login again from the link condor_submit printed, in the same browser.")
    }

    static func denied(service: String) -> WebProblem {
        WebProblem(status: .forbidden, title: "Access not granted",
                   message: "You declined to let HTCondor use your \(service) account, so no credential was stored.",
                   advice: "If that was a mistake, go back to the list of services and log in again.")
    }

    static func providerError(service: String, code: String) -> WebProblem {
        WebProblem(status: .badGateway, title: "The provider refused the login",
                   message: "\(service) answered with the error '\(code)'.",
                   advice: "Try again; if it keeps failing, tell your HTCondor administrator (the client registration may be wrong).")
    }

    static func providerDown(service: String) -> WebProblem {
        WebProblem(status: .serviceUnavailable, title: "The provider cannot be reached",
                   message: "\(service) did not answer in time.",
                   advice: "Try again in a few minutes.")
    }

    static func misconfigured(service: String, _ detail: String) -> WebProblem {
        WebProblem(status: .serviceUnavailable, title: "Service not configured",
                   message: "HTCondor cannot log you in to \(service): \(detail).",
                   advice: "Tell your HTCondor administrator.")
    }

    static func storeFailed(service: String) -> WebProblem {
        WebProblem(status: .serviceUnavailable, title: "Credential not stored",
                   message: "You logged in to \(service), but the credential could not be saved.",
                   advice: "Tell your HTCondor administrator (the credmon-web log says why), then try again.")
    }

    static func notFound() -> WebProblem {
        WebProblem(status: .notFound, title: "Page not found", message: "There is no page at this address.",
                   advice: "Use the link condor_submit printed.")
    }
}
