import Foundation

extension OAuthServer {
    /// A Vault stand-in under `/v1/` (htvault-config's answers, contract §C.4.3): the `X-Vault-Token` is any live access
    /// token this server issued (a test issues a grant and uses its access token as the user's Vault token; revoking
    /// the grant is the Vault token expiring). `GET /v1/auth/token/lookup-self` answers its `ttl` and `expire_time`;
    /// any other `GET /v1/...` hands out a fresh access token of the same grant as `data.access_token`. A dead or
    /// unknown token is Vault's `403 {"errors":["permission denied"]}`. Faults injected for a `/v1/...` path apply.
    func vaultEndpoint(_ request: HTTPServer.Request) -> HTTPServer.Response {
        guard request.method == "GET" else {
            return .json(405, ["errors": ["unsupported operation"]])
        }
        let token = request.headers["x-vault-token"] ?? ""
        let configuration = self.configuration
        return store.withLock { store -> HTTPServer.Response in
            guard let record = store.activeAccessRecord(token) else {
                return .json(403, ["errors": ["permission denied"]])
            }
            if request.path == "/v1/auth/token/lookup-self" {
                let ttl = max(0, Int(record.expiresAt.timeIntervalSince(store.now)))
                let formatter = ISO8601DateFormatter()
                return .json(200, ["data": ["ttl": ttl, "expire_time": formatter.string(from: record.expiresAt),
                                            "policies": ["default"]] as [String: any Sendable]])
            }
            let fresh = store.issueAccessToken(grantID: record.grantID, clientID: record.clientID, subject: record.subject,
                                               scope: record.scope, configuration: configuration)
            return .json(200, ["data": ["access_token": fresh] as [String: any Sendable], "lease_duration": 0])
        }
    }
}
