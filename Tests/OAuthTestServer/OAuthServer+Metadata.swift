extension OAuthServer {
    /// The authorization server metadata (RFC 8414 §2), served at `/.well-known/oauth-authorization-server`
    /// and `/.well-known/openid-configuration` (the latter adds the OpenID Discovery fields).
    public func metadata(openID: Bool = false) -> [String: any Sendable] {
        let authMethods = AuthMethod.allCases.map(\.rawValue)
        var document: [String: any Sendable] = [
            "issuer": issuer,
            "authorization_endpoint": issuer + "/authorize",
            "token_endpoint": issuer + "/token",
            "revocation_endpoint": issuer + "/revoke",
            "introspection_endpoint": issuer + "/introspect",
            "userinfo_endpoint": issuer + "/userinfo",
            "jwks_uri": issuer + "/jwks",
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": authMethods,
            "revocation_endpoint_auth_methods_supported": authMethods,
            "introspection_endpoint_auth_methods_supported": authMethods,
            "authorization_response_iss_parameter_supported": true,
        ]
        if configuration.advertiseTokenExchange {
            document["grant_types_supported"] = ["authorization_code", "refresh_token", "client_credentials", TokenExchange.grantType]
        }
        if openID {
            document["subject_types_supported"] = ["public"]
            document["claims_supported"] = ["sub", "name", "preferred_username", "email"]
        }
        return document
    }

    func metadataResponse(openID: Bool) -> HTTPServer.Response {
        .json(200, metadata(openID: openID))
    }
}
