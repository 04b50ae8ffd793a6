import Foundation

/// The HTML pages: plain, accessible, readable on a phone, styled by the local stylesheet only.
struct Pages {
    /// The app's path prefix ("" or "/x").
    let prefix: String

    /// One service card: its state, or the Login form (which names the login it belongs to).
    struct ServiceCard: Sendable {
        var name: String
        var user: String
        var loggedIn: Bool
        var displayName: String?
        /// ``LoginSession/KeyLogin/id`` of the key file the service comes from.
        var loginID: String
        /// The stored credential's expiry and, when it is expiring or worse, what to do.
        var outlook: CredentialOutlook?
    }

    func layout(title: String, user: String?, body: String) -> String {
        let userLine = user.map { "<p class=\"user\">HTCondor user: <strong>\(HTMLText.escape($0))</strong></p>" } ?? ""
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTMLText.escape(title)) · HTCondor Credential Manager</title>
            <link rel="stylesheet" href="\(prefix)/static/credmon.css">
            </head>
            <body>
            <header><p class="brand">HTCondor Credential Manager</p>\(userLine)</header>
            <main id="main">
            \(body)
            </main>
            </body>
            </html>

            """
    }

    /// `GET /`: every service of the browser's logins, logged in or with a Login button.
    func index(cards: [ServiceCard], csrf: String) -> String {
        let users = Set(cards.map(\.user))
        var body = "<h1>Service Providers</h1>\n"
        if cards.isEmpty {
            body += "<p class=\"lead\">No login in progress. Open the link that condor_submit printed to log in to the services your job needs.</p>\n"
        } else if cards.allSatisfy(\.loggedIn) {
            body += "<p class=\"lead\" id=\"status\" role=\"status\">You have logged in to all service providers indicated by your job. You may close this window and resubmit your HTCondor job (if necessary).</p>\n"
        } else {
            body += "<p class=\"lead\" id=\"status\">Your job needs access to the services below. Log in to each; HTCondor keeps the credential fresh for your jobs.</p>\n"
        }
        body += cardList(cards, csrf: csrf, showOwner: users.count > 1)
        return layout(title: "Service Providers", user: users.count == 1 ? users.first : nil, body: body)
    }

    /// `GET /key/<hex>`: says which HTCondor user the logins are for before anything is sent to a provider; each
    /// Login button (a POST with the session's token) is the user's confirmation.
    func keyLogin(user: String, cards: [ServiceCard], csrf: String) -> String {
        let who = HTMLText.escape(user)
        let services = cards.map { HTMLText.escape($0.name) }.joined(separator: ", ")
        var body = "<h1>Log in for HTCondor user <span id=\"local-user\">\(who)</span></h1>\n"
        if cards.allSatisfy(\.loggedIn) {
            body += "<p class=\"lead\" id=\"status\" role=\"status\">You have logged in to all service providers indicated by your job. You may close this window and resubmit your HTCondor job (if necessary).</p>\n"
        } else {
            body += """
                <p class="lead" id="for-user">This link asks you to log in to \(services) so that the jobs of the HTCondor user \
                <strong>\(who)</strong> can use your accounts there. The credentials will be stored for \(who).</p>
                <p class="warning" id="warning" role="note">Continue only if you are \(who) and you just submitted the job that \
                printed this link. If someone else sent you this link, close this page: logging in would give your accounts to \(who)'s jobs.</p>

                """
        }
        body += cardList(cards, csrf: csrf, showOwner: false)
        return layout(title: "Log in for \(user)", user: user, body: body)
    }

    /// The service cards; the first card of a service name gets `login-<name>` / `state-<name>`, later ones a suffix.
    private func cardList(_ cards: [ServiceCard], csrf: String, showOwner: Bool) -> String {
        var used: [String: Int] = [:]
        func uniqueID(_ base: String) -> String {
            used[base, default: 0] += 1
            return used[base]! == 1 ? base : "\(base)-\(used[base]!)"
        }
        var list = "<ul class=\"cards\">\n"
        for card in cards {
            let name = HTMLText.escape(card.name)
            let user = HTMLText.escape(card.user)
            let owner = showOwner ? " <span class=\"owner\">(for \(user))</span>" : ""
            let state: String
            if card.loggedIn {
                let who = card.displayName.map { "Logged in as: \(HTMLText.escape($0))" } ?? "Logged in"
                state = "<p class=\"done\" id=\"\(HTMLText.escape(uniqueID("state-" + card.name)))\">\(who)</p>"
            } else {
                let path = card.name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? card.name
                state = """
                    <form class="login" method="post" action="\(prefix)/login/\(HTMLText.escape(path))">\
                    <input type="hidden" name="csrf" value="\(HTMLText.escape(csrf))">\
                    <input type="hidden" name="login" value="\(HTMLText.escape(card.loginID))">\
                    <button class="button" type="submit" id="\(HTMLText.escape(uniqueID("login-" + card.name)))">Log in to \(name) for \(user)</button>\
                    </form>
                    """
            }
            list += "<li class=\"card\"><h2>\(name) Login\(owner)</h2>\(state)\(outlook(card, id: uniqueID))</li>\n"
        }
        return list + "</ul>"
    }

    /// The card's expiry line and, when the credential is expiring or worse, the hint (`expiry-<name>`, `hint-<name>`).
    private func outlook(_ card: ServiceCard, id uniqueID: (String) -> String) -> String {
        guard let outlook = card.outlook else { return "" }
        let line: String
        switch outlook.health {
        case .ok, .expiring:
            line = outlook.neverExpires ? "The stored credential does not expire."
                : outlook.expiresAt.map { "The stored credential lasts until \(Self.utc($0))." } ?? ""
        case .expired:
            line = "The stored credential expired" + (outlook.expiresAt.map { " on \(Self.utc($0))." } ?? ".")
        case .revoked:
            line = "The stored credential was revoked."
        }
        var html = line.isEmpty ? "" : "<p class=\"expiry\" id=\"\(HTMLText.escape(uniqueID("expiry-" + card.name)))\">\(HTMLText.escape(line))</p>"
        if let hint = outlook.hint {
            let lead = outlook.health == .expiring ? "It expires soon. " : ""
            html += "<p class=\"warning\" role=\"alert\" id=\"\(HTMLText.escape(uniqueID("hint-" + card.name)))\">\(HTMLText.escape(lead + hint))</p>"
        }
        return html
    }

    /// A date as `2026-12-09 10:00 UTC`.
    static func utc(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return formatter.string(from: date)
    }

    func problem(_ problem: WebProblem) -> String {
        layout(title: problem.title, user: nil, body: """
            <h1>\(HTMLText.escape(problem.title))</h1>
            <p class="problem" role="alert" id="problem">\(HTMLText.escape(problem.message))</p>
            <p>\(HTMLText.escape(problem.advice))</p>
            <p><a href="\(prefix)/">Back to your services</a></p>
            """)
    }

    /// The stylesheet served at `/static/credmon.css`.
    static let stylesheet = """
        :root { color-scheme: light dark; --accent: #0b5cad; }
        * { box-sizing: border-box; }
        body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.5; }
        header { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center; gap: .5rem;
                 padding: .75rem 1rem; background: #1d2b3a; color: #fff; }
        header p { margin: 0; }
        .brand { font-weight: 700; }
        main { max-width: 40rem; margin: 0 auto; padding: 1rem; }
        h1 { font-size: 1.6rem; }
        .lead { font-size: 1.1rem; }
        .cards { list-style: none; padding: 0; display: grid; gap: 1rem; }
        .card { border: 1px solid #8899aa; border-radius: .5rem; padding: 1rem; }
        .card h2 { font-size: 1.2rem; margin: 0 0 .5rem; }
        .button { display: inline-block; padding: .6rem 1.4rem; border-radius: .4rem; background: var(--accent); color: #fff;
                  text-decoration: none; font: inherit; font-weight: 600; min-height: 44px; border: 0; cursor: pointer; }
        .login { margin: 0; }
        .warning { border-left: 4px solid #f5a623; padding-left: .75rem; }
        .button:focus, a:focus, button:focus { outline: 3px solid #f5a623; outline-offset: 2px; }
        .done { color: #1a7f37; font-weight: 600; margin: 0; }
        .problem { border-left: 4px solid #c62828; padding-left: .75rem; }
        @media (prefers-color-scheme: dark) { .done { color: #5fd07a; } a { color: #7fb8ff; } }
        """
}
