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

    static func crossSite() -> WebProblem {
        WebProblem(status: .forbidden, title: "Request from another site refused",
                   message: "This request was sent by another web site, so it was refused: logins start only from this site's own pages.",
                   advice: "Open the link condor_submit printed by pasting it into your browser's address bar.")
    }

    static func badFormToken() -> WebProblem {
        WebProblem(status: .forbidden, title: "Login not started",
                   message: "The login request did not come from this site's services page (its form token is missing or wrong), so nothing was started.",
                   advice: "Go back to your services and press the Login button again.")
    }

    static func loginNeedsButton() -> WebProblem {
        WebProblem(status: .methodNotAllowed, title: "Use the Login button",
                   message: "A login starts only from the Login button of the services page, which first shows the HTCondor user it is for.",
                   advice: "Go back to your services and press the Login button there.")
    }

    static func authorizationExpired(service: String) -> WebProblem {
        WebProblem(status: .badRequest, title: "Login took too long",
                   message: "The answer from \(service) came more than 10 minutes after the login started, so it was ignored and nothing was stored.",
                   advice: "Go back to your services and press Login again.")
    }

    static func wrongService(service: String) -> WebProblem {
        WebProblem(status: .badRequest, title: "Login could not be verified",
                   message: "The answer arrived at the return address of another service than the \(service) login it belongs to, so it was ignored and nothing was stored.",
                   advice: "Go back to your services and press Login again; tell your administrator if it keeps happening.")
    }

    static func issuerMismatch(service: String) -> WebProblem {
        WebProblem(status: .badRequest, title: "The answer came from another provider",
                   message: "The answer names another issuer than \(service)'s (issuer mismatch), so it was ignored and nothing was stored.",
                   advice: "Go back to your services and press Login again; tell your administrator if it keeps happening.")
    }

    static func tooLarge(_ what: String, status: HTTPResponse.Status) -> WebProblem {
        WebProblem(status: status, title: "Request too large", message: "The request's \(what) is larger than this site accepts.",
                   advice: "Go back and try again; clear this site's cookies if it keeps happening.")
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
