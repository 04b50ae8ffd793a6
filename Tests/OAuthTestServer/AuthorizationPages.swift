/// The HTML of the authorization flow: plain pages, no script, stable `id`s for a headless browser
/// (`username`, `password`, `sign-in`, `allow`, `deny`, `error`, `login-form`, `consent-form`).
enum AuthorizationPages {
    static func login(_ request: AuthorizationRequest, parameters: FormBody, error: String?) -> String {
        var hidden = ""
        for field in parameters.fields where !OAuthServer.formOnlyFields.contains(field.name) {
            hidden += #"    <input type="hidden" name="\#(escape(field.name))" value="\#(escape(field.value))">"# + "\n"
        }
        let errorLine = error.map { #"  <p id="error" role="alert">\#(escape($0))</p>"# + "\n" } ?? ""
        return page(title: "Sign in", body: """
          <h1>Sign in</h1>
          <p><b id="client">\(escape(request.clientID))</b> asks for <code id="scope">\(escape(request.scope))</code>.</p>
        \(errorLine)  <form id="login-form" method="post" action="/authorize">
            <input type="hidden" name="step" value="login">
        \(hidden)    <p><label for="username">Username</label> <input id="username" name="username" type="text" autocomplete="username" required autofocus></p>
            <p><label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password" required></p>
            <p><button id="sign-in" type="submit">Sign in</button></p>
          </form>
          <p><small>Test server: the password is the username reversed.</small></p>
        """)
    }

    static func consent(_ request: AuthorizationRequest, subject: String, ticket: String) -> String {
        let scopes = Scope.split(request.scope).map { "      <li>\(escape($0))</li>\n" }.joined()
        return page(title: "Allow access?", body: """
          <h1>Allow access?</h1>
          <p>Signed in as <b id="subject">\(escape(subject))</b>.</p>
          <p><b id="client">\(escape(request.clientID))</b> wants:</p>
          <ul id="scopes">
        \(scopes)  </ul>
          <form id="consent-form" method="post" action="/authorize">
            <input type="hidden" name="step" value="consent">
            <input type="hidden" name="ticket" value="\(escape(ticket))">
            <button id="allow" type="submit" name="decision" value="allow">Allow</button>
            <button id="deny" type="submit" name="decision" value="deny">Deny</button>
          </form>
        """)
    }

    static func error(_ message: String) -> String {
        page(title: "Authorization error", body: """
          <h1>Authorization error</h1>
          <p id="error" role="alert">\(escape(message))</p>
        """)
    }

    private static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <title>\(escape(title)) · OAuth test server</title>
        </head>
        <body>
        \(body)
        </body>
        </html>

        """
    }

    /// Escapes text for HTML content and double-quoted attributes.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
