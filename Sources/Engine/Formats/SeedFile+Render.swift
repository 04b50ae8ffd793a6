extension SeedFile {
    /// An OAuth `.top` as a web login stores it (contract §B.3.1): the refresh token ("" when the answer had none)
    /// and condor_credd's `Scopes`/`Audience` exactly as it wrote them, when set.
    public static func renderOAuth(refreshToken: String?, scopes: String, audience: String) -> [UInt8] {
        var object: [String: JSONValue] = ["refresh_token": .string(refreshToken ?? "")]
        if !scopes.isEmpty { object["scopes"] = .string(scopes) }
        if !audience.isEmpty { object["audience"] = .string(audience) }
        return Array(JSONValue.serialize(object))
    }
}

extension ClientMetadata {
    /// `.meta` (contract §B.3.3): the client that obtained the token and where it refreshes. A public client (no
    /// secret) has no `client_secret` key.
    public static func render(clientID: String, clientSecret: String?, tokenURL: String, useRefreshToken: Bool) -> [UInt8] {
        var object: [String: JSONValue] = [
            "client_id": .string(clientID), "token_url": .string(tokenURL), "use_refresh_token": .bool(useRefreshToken),
        ]
        if let clientSecret { object["client_secret"] = .string(clientSecret) }
        return Array(JSONValue.serialize(object))
    }
}
