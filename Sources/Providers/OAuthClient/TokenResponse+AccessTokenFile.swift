import Engine
import FoundationEssentials

extension TokenResponse {
    /// The `.use` file HTCondor expects from this answer (contract §B.3.2): the response minus `refresh_token`, with
    /// `expires_at` (= round(issued) + `expires_in`) added and `scope` as a JSON array; and the token's validity.
    ///
    /// When the access token is a JWT its own `exp` counts too (the earlier of the two ends the validity). A token
    /// that is already expired when it arrives (`expires_in` 0, or an `exp` not after `issued`) is refused: asking
    /// again at once would only hammer the server.
    public func accessTokenFile(issuedAt issued: Date) throws(TokenAnswerError) -> (bytes: [UInt8], validity: TokenValidity?) {
        var file = object
        file["refresh_token"] = nil
        var validity: TokenValidity?
        if let expiresIn {
            let issuedSeconds = issued.timeIntervalSince1970.rounded()
            let expiresAt = issuedSeconds + expiresIn.rounded()
            file["expires_in"] = .integer(Int64(expiresIn.rounded()))
            file["expires_at"] = .integer(Int64(expiresAt))
            validity = TokenValidity(issuedAt: issued, expiresAt: Date(timeIntervalSince1970: expiresAt))
        }
        let claims: JWTClaims?
        do {
            claims = try JWTClaims.peek(accessToken)
        } catch {
            throw TokenAnswerError(problem: "the access token's " + error.description, refreshToken: refreshToken)
        }
        if let exp = claims?.expiration, validity.map({ exp < $0.expiresAt }) ?? true {
            validity = TokenValidity(issuedAt: claims?.issuedAt.map { min($0, issued) } ?? issued, expiresAt: exp)
        }
        if let validity, validity.expiresAt <= issued || expiresIn.map({ $0 < 1 }) == true {
            throw TokenAnswerError(problem: "the access token is already expired when it arrives (expires_in \(expiresIn.map { String(Int64($0)) } ?? "absent"), "
                                   + "expiry \(ExternalTime.epochSeconds(validity.expiresAt)), now \(ExternalTime.epochSeconds(issued)))",
                                   refreshToken: refreshToken)
        }
        if let scope {
            file["scope"] = .array(scope.split(separator: " ").map { .string(String($0)) })
        }
        return (Array(JSONValue.serialize(file)), validity)
    }
}
