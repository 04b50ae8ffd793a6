import Engine
import Foundation

extension TokenResponse {
    /// The `.use` file HTCondor expects from this answer (contract §B.3.2): the response minus `refresh_token`, with
    /// `expires_at` (= round(issued) + `expires_in`) added and `scope` as a JSON array; and the token's validity.
    public func accessTokenFile(issuedAt issued: Date) -> (bytes: [UInt8], validity: TokenValidity?) {
        var file = object
        file["refresh_token"] = nil
        var validity: TokenValidity?
        if let expiresIn {
            let expiresAt = Int(issued.timeIntervalSince1970.rounded()) + expiresIn
            file["expires_in"] = .integer(Int64(expiresIn))
            file["expires_at"] = .integer(Int64(expiresAt))
            validity = TokenValidity(issuedAt: issued, expiresAt: Date(timeIntervalSince1970: Double(expiresAt)))
        }
        if let scope {
            file["scope"] = .array(scope.split(separator: " ").map { .string(String($0)) })
        }
        return (Array(JSONValue.serialize(file)), validity)
    }
}
