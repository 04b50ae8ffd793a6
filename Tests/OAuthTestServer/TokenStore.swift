import Foundation

/// What the token endpoint hands out.
struct TokenIssue: Sendable {
    var accessToken: String
    var expiresIn: Int
    var scope: String
    var refreshToken: String?
    /// RFC 8693's `issued_token_type`, for a token exchange; nil otherwise.
    var issuedTokenType: String? = nil
    /// Whether the answer carries `expires_in`.
    var includesExpiresIn = true
    /// For an authorization-code grant that asked for `openid`: the subject and the request's `nonce` (the ID
    /// token is made from them).
    var openID: (subject: String, nonce: String?)? = nil
}

/// A validated authorization request (from `/authorize`).
struct AuthorizationRequest: Sendable {
    var clientID: String
    /// The redirect URI in effect (the registered one when the request named none).
    var redirectURI: String
    /// Whether the request named `redirect_uri` (then the token request must repeat it, RFC 6749 §4.1.3).
    var redirectURIGiven: Bool
    var scope: String
    var state: String?
    var codeChallenge: String
    /// Every parameter of the request.
    var parameters: [String: String]
}

/// Every grant, token, authorization code and login ticket, and the server clock. Guarded by the server's
/// lock; every method runs under it, so each is atomic.
struct TokenStore: Sendable {
    struct RefreshRecord: Sendable {
        let grantID: String
        let issuedAt: Date
        let expiresAt: Date?
        /// Replaced by a newer token (rotation).
        var retired = false
    }

    struct AccessRecord: Sendable {
        let grantID: String?
        let clientID: String
        let subject: String
        let scope: String
        let audiences: [String]
        let issuedAt: Date
        let expiresAt: Date
        var revoked = false
    }

    /// A validated RFC 8693 token exchange request.
    struct ExchangeRequest: Sendable {
        var clientID: String
        var subjectToken: String
        var subjectTokenType: String
        var requestedTokenType: String?
        var audiences: [String]
        var resources: [String]
        var scope: String?
    }

    struct CodeRecord: Sendable {
        let request: AuthorizationRequest
        let subject: String
        let expiresAt: Date
        var used = false
        var grantID: String?
    }

    struct LoginTicket: Sendable {
        let request: AuthorizationRequest
        let subject: String
        let expiresAt: Date
    }

    private(set) var grants: [String: OAuthServer.Grant] = [:]
    private(set) var grantOrder: [String] = []
    private var refreshTokens: [String: RefreshRecord] = [:]
    private var accessTokens: [String: AccessRecord] = [:]
    private var codes: [String: CodeRecord] = [:]
    private var tickets: [String: LoginTicket] = [:]
    /// Subject tokens a test registered for token exchange: token → (subject, scope).
    private var subjectTokens: [String: (subject: String, scope: String)] = [:]
    /// The audiences of grants made by token exchange (their refreshed access tokens keep them).
    private var grantAudiences: [String: [String]] = [:]
    private(set) var exchanges: [OAuthServer.TokenExchange] = []
    /// Added to the wall clock: tests move time forward instead of waiting.
    var clockOffset: TimeInterval = 0

    var now: Date { Date().addingTimeInterval(clockOffset) }

    static func makeToken(_ prefix: String) -> String { prefix + base64URL(randomBytes(24)) }

    // MARK: - Issuing

    mutating func createGrant(clientID: String, subject: String, scope: String, parameters: [String: String],
                              audiences: [String] = [],
                              configuration: OAuthServer.Configuration) -> (grant: OAuthServer.Grant, issue: TokenIssue) {
        let id = TokenStore.makeToken("grant-")
        grants[id] = OAuthServer.Grant(id: id, clientID: clientID, subject: subject, scope: scope, authorizationParameters: parameters,
                           createdAt: now, currentRefreshToken: nil, refreshTokens: [], accessTokens: [],
                           refreshCount: 0, revocationReason: nil)
        grantOrder.append(id)
        if !audiences.isEmpty { grantAudiences[id] = audiences }
        let refreshToken = issueRefreshToken(grantID: id, configuration: configuration)
        let accessToken = issueAccessToken(grantID: id, clientID: clientID, subject: subject, scope: scope, audiences: audiences,
                                           configuration: configuration)
        return (grants[id]!, TokenIssue(accessToken: accessToken, expiresIn: configuration.accessTokenLifetime, scope: scope,
                                        refreshToken: refreshToken))
    }

    mutating func issueRefreshToken(grantID: String, configuration: OAuthServer.Configuration) -> String {
        let expiresAt = configuration.refreshTokenLifetime.map { now.addingTimeInterval(TimeInterval($0)) }
        let token = switch configuration.refreshTokenFormat {
        case .opaque: TokenStore.makeToken("rt-")
        case .jwt: jwtRefreshToken(grantID: grantID, issuedAt: now, expiresAt: expiresAt)
        }
        refreshTokens[token] = RefreshRecord(grantID: grantID, issuedAt: now, expiresAt: expiresAt)
        grants[grantID]?.refreshTokens.append(token)
        grants[grantID]?.currentRefreshToken = token
        return token
    }

    mutating func issueAccessToken(grantID: String?, clientID: String, subject: String, scope: String, audiences: [String] = [],
                                   configuration: OAuthServer.Configuration) -> String {
        let token = TokenStore.makeToken("at-")
        accessTokens[token] = AccessRecord(grantID: grantID, clientID: clientID, subject: subject, scope: scope, audiences: audiences,
                                           issuedAt: now,
                                           expiresAt: now.addingTimeInterval(TimeInterval(configuration.accessTokenLifetime)))
        if let grantID { grants[grantID]?.accessTokens.append(token) }
        return token
    }

    // MARK: - Grants

    /// Revokes a grant: every refresh and access token of it stops working. Keeps the first reason.
    mutating func revokeGrant(_ id: String, reason: OAuthServer.Grant.RevocationReason) {
        guard var grant = grants[id], !grant.isRevoked else { return }
        grant.revocationReason = reason
        grant.currentRefreshToken = nil
        grants[id] = grant
    }

    /// `refresh_token` grant (RFC 6749 §6).
    mutating func refresh(token: String, clientID: String, requestedScope: String?,
                          configuration: OAuthServer.Configuration) -> Result<TokenIssue, OAuthError> {
        guard let record = refreshTokens[token], let grant = grants[record.grantID] else {
            return .failure(.invalidGrant("unknown refresh token"))
        }
        guard grant.clientID == clientID else { return .failure(.invalidGrant("the refresh token was issued to another client")) }
        guard !grant.isRevoked else { return .failure(.invalidGrant("the refresh token was revoked")) }
        if let expiresAt = record.expiresAt, expiresAt <= now { return .failure(.invalidGrant("the refresh token expired")) }
        if record.retired && !configuration.oldRefreshTokenGrace {
            if configuration.reuseKillsGrant {
                revokeGrant(grant.id, reason: .refreshTokenReuse)
                return .failure(.invalidGrant("the refresh token was already used (rotated); the grant is now revoked"))
            }
            return .failure(.invalidGrant("the refresh token was already used (rotated)"))
        }
        var scope = grant.scope
        if let requestedScope {
            let requested = Scope.split(requestedScope)
            let granted = Set(Scope.split(grant.scope))
            guard requested.allSatisfy(granted.contains) else {
                return .failure(.invalidScope("the requested scope exceeds the granted scope \"\(grant.scope)\""))
            }
            scope = Scope.join(requested)
        }
        let accessToken = issueAccessToken(grantID: grant.id, clientID: clientID, subject: grant.subject, scope: scope,
                                           audiences: grantAudiences[grant.id] ?? [], configuration: configuration)
        var refreshToken: String?
        if configuration.rotateRefreshTokens {
            // Retire the earlier tokens; the presented one too, unless it stays valid until its successor is used.
            for old in grants[grant.id]!.refreshTokens {
                if configuration.retireOnSuccessorUse && old == token { break }
                refreshTokens[old]?.retired = true
            }
            refreshToken = issueRefreshToken(grantID: grant.id, configuration: configuration)
        } else if !configuration.omitRefreshTokenInRefreshResponse {
            refreshToken = token
        }
        grants[grant.id]?.refreshCount += 1
        return .success(TokenIssue(accessToken: accessToken, expiresIn: configuration.accessTokenLifetime, scope: scope,
                                   refreshToken: refreshToken))
    }

    /// `client_credentials` grant (RFC 6749 §4.4): an access token whose subject is the client, no refresh token
    /// (§4.4.3), for `audiences`.
    mutating func clientCredentials(clientID: String, scope: String, audiences: [String] = [],
                                    configuration: OAuthServer.Configuration) -> TokenIssue {
        let accessToken = issueAccessToken(grantID: nil, clientID: clientID, subject: clientID, scope: scope, audiences: audiences,
                                           configuration: configuration)
        return TokenIssue(accessToken: accessToken, expiresIn: configuration.accessTokenLifetime, scope: scope, refreshToken: nil,
                          includesExpiresIn: !configuration.clientCredentialsOmitsExpiresIn)
    }

    // MARK: - Token exchange

    /// Makes `token` acceptable as a `subject_token` standing for `subject` with `scope` (until the server stops).
    mutating func registerSubjectToken(_ token: String, subject: String, scope: String) {
        subjectTokens[token] = (subject, Scope.join(Scope.split(scope)))
    }

    /// RFC 8693 token exchange, after the endpoint checked the request's form: the subject token must be a live
    /// access token of this server (any client's) or a registered one (`invalid_grant`); the scope must be within
    /// the subject token's (`invalid_scope`). Issues an access token and, if so configured, a refresh token of a
    /// new grant.
    mutating func exchange(_ request: ExchangeRequest, configuration: OAuthServer.Configuration) -> Result<TokenIssue, OAuthError> {
        let subject: String
        let subjectScope: String
        let subjectClientID: String?
        if let record = activeAccessRecord(request.subjectToken) {
            (subject, subjectScope, subjectClientID) = (record.subject, record.scope, record.clientID)
        } else if let registered = subjectTokens[request.subjectToken] {
            (subject, subjectScope, subjectClientID) = (registered.subject, registered.scope, nil)
        } else {
            return .failure(.invalidGrant("the subject_token is unknown, expired or revoked"))
        }
        var scope = subjectScope
        if let requestedScope = request.scope, !Scope.split(requestedScope).isEmpty {
            let requested = Scope.split(requestedScope)
            let granted = Set(Scope.split(subjectScope))
            guard requested.allSatisfy(granted.contains) else {
                return .failure(.invalidScope("the requested scope exceeds the subject token's scope \"\(subjectScope)\""))
            }
            scope = Scope.join(requested)
        }
        var issue: TokenIssue
        var grantID: String?
        if configuration.exchangeIssuesRefreshToken {
            let made = createGrant(clientID: request.clientID, subject: subject, scope: scope, parameters: [:],
                                   audiences: request.audiences, configuration: configuration)
            issue = made.issue
            grantID = made.grant.id
        } else {
            let accessToken = issueAccessToken(grantID: nil, clientID: request.clientID, subject: subject, scope: scope,
                                               audiences: request.audiences, configuration: configuration)
            issue = TokenIssue(accessToken: accessToken, expiresIn: configuration.accessTokenLifetime, scope: scope, refreshToken: nil)
        }
        issue.issuedTokenType = OAuthServer.TokenExchange.accessTokenType
        exchanges.append(OAuthServer.TokenExchange(
            id: TokenStore.makeToken("exchange-"), clientID: request.clientID, subject: subject, subjectToken: request.subjectToken,
            subjectTokenType: request.subjectTokenType, subjectClientID: subjectClientID, requestedTokenType: request.requestedTokenType,
            audiences: request.audiences, resources: request.resources, scope: scope, accessToken: issue.accessToken,
            refreshToken: issue.refreshToken, grantID: grantID, exchangedAt: now))
        return .success(issue)
    }

    /// The exchange that issued `token`: its access token, or any access or refresh token of the grant it made.
    func exchange(issuing token: String) -> OAuthServer.TokenExchange? {
        if let found = exchanges.first(where: { $0.accessToken == token }) { return found }
        guard let grantID = refreshTokens[token]?.grantID ?? accessTokens[token]?.grantID else { return nil }
        return exchanges.first { $0.grantID == grantID }
    }

    /// What the store knows of an access token.
    func issuedAccessToken(_ token: String) -> OAuthServer.IssuedAccessToken? {
        guard let record = accessTokens[token] else { return nil }
        return OAuthServer.IssuedAccessToken(token: token, clientID: record.clientID, subject: record.subject, scope: record.scope,
                                             audiences: record.audiences, grantID: record.grantID, issuedAt: record.issuedAt,
                                             expiresAt: record.expiresAt, isRevoked: record.revoked)
    }

    // MARK: - Authorization codes

    mutating func createTicket(_ request: AuthorizationRequest, subject: String) -> String {
        let ticket = TokenStore.makeToken("ticket-")
        tickets[ticket] = LoginTicket(request: request, subject: subject, expiresAt: now.addingTimeInterval(600))
        return ticket
    }

    /// The login ticket (single use), if it exists and has not expired.
    mutating func takeTicket(_ ticket: String) -> LoginTicket? {
        guard let found = tickets.removeValue(forKey: ticket), found.expiresAt > now else { return nil }
        return found
    }

    mutating func createCode(_ request: AuthorizationRequest, subject: String, configuration: OAuthServer.Configuration) -> String {
        let code = TokenStore.makeToken("code-")
        codes[code] = CodeRecord(request: request, subject: subject,
                                 expiresAt: now.addingTimeInterval(TimeInterval(configuration.authorizationCodeLifetime)))
        return code
    }

    /// `authorization_code` grant (RFC 6749 §4.1.3 with RFC 7636 S256). Only a successful exchange uses
    /// the code up; a second use is `invalid_grant` and revokes the grant the first use made.
    mutating func exchangeCode(_ code: String, clientID: String, redirectURI: String?, verifier: String?,
                               configuration: OAuthServer.Configuration) -> Result<TokenIssue, OAuthError> {
        guard var record = codes[code] else { return .failure(.invalidGrant("unknown authorization code")) }
        guard record.request.clientID == clientID else {
            return .failure(.invalidGrant("the authorization code was issued to another client"))
        }
        if record.used {
            if let grantID = record.grantID { revokeGrant(grantID, reason: .authorizationCodeReuse) }
            return .failure(.invalidGrant("the authorization code was already used; the tokens issued for it are revoked"))
        }
        guard record.expiresAt > now else { return .failure(.invalidGrant("the authorization code expired")) }
        if record.request.redirectURIGiven {
            guard let redirectURI else {
                return .failure(.invalidGrant("redirect_uri is required: the authorization request had one"))
            }
            guard redirectURI == record.request.redirectURI else {
                return .failure(.invalidGrant("redirect_uri differs from the authorization request's"))
            }
        } else if let redirectURI, redirectURI != record.request.redirectURI {
            return .failure(.invalidGrant("redirect_uri differs from the registered one"))
        }
        guard let verifier else { return .failure(.invalidGrant("code_verifier is missing (PKCE is required)")) }
        guard OAuthServer.PKCE.isWellFormed(verifier) else { return .failure(.invalidGrant("code_verifier is not 43-128 unreserved characters")) }
        guard OAuthServer.PKCE.challenge(for: verifier) == record.request.codeChallenge else {
            return .failure(.invalidGrant("code_verifier does not match the code_challenge"))
        }
        let (grant, issue) = createGrant(clientID: clientID, subject: record.subject, scope: record.request.scope,
                                         parameters: record.request.parameters, configuration: configuration)
        record.used = true
        record.grantID = grant.id
        codes[code] = record
        var answer = issue
        if Scope.split(record.request.scope).contains("openid") {
            answer.openID = (record.subject, record.request.parameters["nonce"])
        }
        return .success(answer)
    }

    // MARK: - Revocation and introspection

    /// RFC 7009: revoking a refresh token revokes its grant; revoking an access token revokes that token.
    /// A token of another client is refused (`unauthorized_client`); an unknown token is fine.
    mutating func revoke(_ token: String, hint: String?, clientID: String) -> Result<Void, OAuthError> {
        let refreshFirst = hint != "access_token"
        for kind in refreshFirst ? [true, false] : [false, true] {
            if kind, let record = refreshTokens[token], let grant = grants[record.grantID] {
                guard grant.clientID == clientID else { return .failure(.unauthorizedClient("the token belongs to another client")) }
                revokeGrant(grant.id, reason: .revocationRequest)
                return .success(())
            }
            if !kind, let record = accessTokens[token] {
                guard record.clientID == clientID else { return .failure(.unauthorizedClient("the token belongs to another client")) }
                accessTokens[token]?.revoked = true
                return .success(())
            }
        }
        return .success(())
    }

    func isActive(refreshToken token: String, configuration: OAuthServer.Configuration) -> Bool {
        guard let record = refreshTokens[token], let grant = grants[record.grantID], !grant.isRevoked else { return false }
        if let expiresAt = record.expiresAt, expiresAt <= now { return false }
        return !record.retired || configuration.oldRefreshTokenGrace
    }

    func isActive(accessToken token: String) -> Bool { activeAccessRecord(token) != nil }

    func activeAccessRecord(_ token: String) -> AccessRecord? {
        guard let record = accessTokens[token], !record.revoked, record.expiresAt > now else { return nil }
        if let grantID = record.grantID, grants[grantID]?.isRevoked ?? true { return nil }
        return record
    }

    /// The RFC 7662 introspection response for `token`.
    func introspect(_ token: String, hint: String?, configuration: OAuthServer.Configuration) -> [String: any Sendable] {
        let accessAnswer: () -> [String: any Sendable]? = {
            guard let record = activeAccessRecord(token) else { return nil }
            var answer: [String: any Sendable] = [
                "active": true, "scope": record.scope, "client_id": record.clientID, "sub": record.subject,
                "exp": Int(record.expiresAt.timeIntervalSince1970), "iat": Int(record.issuedAt.timeIntervalSince1970),
                "token_type": "Bearer",
            ]
            // RFC 7662 §2.2 / RFC 7519 §4.1.3: one audience as a string, several as an array.
            if record.audiences.count == 1 { answer["aud"] = record.audiences[0] }
            if record.audiences.count > 1 { answer["aud"] = record.audiences }
            return answer
        }
        let refreshAnswer: () -> [String: any Sendable]? = {
            guard isActive(refreshToken: token, configuration: configuration), let record = refreshTokens[token],
                  let grant = grants[record.grantID] else { return nil }
            var answer: [String: any Sendable] = [
                "active": true, "scope": grant.scope, "client_id": grant.clientID, "sub": grant.subject,
                "iat": Int(record.issuedAt.timeIntervalSince1970), "token_type": "refresh_token",
            ]
            if let expiresAt = record.expiresAt { answer["exp"] = Int(expiresAt.timeIntervalSince1970) }
            return answer
        }
        let order = hint == "refresh_token" ? [refreshAnswer, accessAnswer] : [accessAnswer, refreshAnswer]
        for answer in order { if let found = answer() { return found } }
        return ["active": false]
    }

    /// When a refresh token this store issued expires (nil: unknown token, or one that does not expire).
    func refreshTokenExpiry(_ token: String) -> Date? { refreshTokens[token]?.expiresAt }

    func grant(forRefreshToken token: String) -> OAuthServer.Grant? { refreshTokens[token].flatMap { grants[$0.grantID] } }

    func grant(forAccessToken token: String) -> OAuthServer.Grant? { accessTokens[token]?.grantID.flatMap { grants[$0] } }
}

/// Space-delimited scope strings (RFC 6749 §3.3).
enum Scope {
    /// The distinct scope tokens, in order.
    static func split(_ scope: String) -> [String] {
        var seen = Set<String>()
        return scope.split(separator: " ").map(String.init).filter { seen.insert($0).inserted }
    }

    static func join(_ tokens: [String]) -> String { tokens.joined(separator: " ") }
}
