import Engine
import FoundationEssentials
import OAuthClient

/// The name shown for a logged-in account: from the provider's user-info endpoint where there is one (Box `login`,
/// Google Drive `user.emailAddress`, OneDrive `userPrincipalName`, Dropbox `email`, OIDC `email`/`name`/`sub`), else
/// from the token answer's `sub` or `name`. Failures give nil (the page then says "Logged in").
enum UserInfo {
    static let fields = ["login", "email", "userPrincipalName", "preferred_username", "name", "sub"]

    /// - Parameter method: `GET`, or `POST` without a body (Dropbox's account call): the preset's quirk.
    static func displayName(token: TokenResponse, userinfoURL: URL?, method: String, http: any HTTPClient) async -> String? {
        if let userinfoURL {
            let request = HTTPRequest(method: method, url: userinfoURL,
                                      headers: [("Authorization", "Bearer " + token.accessToken), ("Accept", "application/json")],
                                      timeout: .seconds(10))
            if let response = try? await http.send(request), response.status == 200,
               let object = JSONValue.parseObject(response.body), let name = name(in: object) {
                return name
            }
        }
        return name(in: token.object, only: ["sub", "name"])
    }

    static func name(in object: [String: JSONValue], only keys: [String] = fields) -> String? {
        if case .object(let user)? = object["user"], let email = user["emailAddress"]?.stringValue, !email.isEmpty {
            return String(email.prefix(200))
        }
        for key in keys {
            if let value = object[key]?.stringValue, !value.isEmpty { return String(value.prefix(200)) }
        }
        return nil
    }
}
