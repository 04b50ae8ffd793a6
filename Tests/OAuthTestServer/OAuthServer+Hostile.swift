import Foundation

/// Hostile-server mode: token requests of chosen grants get a row of ``HostileAnswer/catalog`` instead of an answer.
extension OAuthServer {
    /// Every refresh of the grant `refreshToken` belongs to (its later rotated tokens too) gets `answer`, until
    /// `endHostility(forGrantOf:)`. Other grants are answered normally.
    public func answerHostile(_ answer: HostileAnswer, forGrantOf refreshToken: String) {
        guard let grant = grant(forRefreshToken: refreshToken) else { return }
        hostile.withLock { $0[grant.id] = answer }
    }

    /// Every token request, whatever it presents, gets `answer` (e.g. a server that only misbehaves).
    public func answerHostileToEveryTokenRequest(_ answer: HostileAnswer) {
        hostile.withLock { $0[Self.everyGrant] = answer }
    }

    /// Back to normal answers for that grant.
    public func endHostility(forGrantOf refreshToken: String) {
        guard let grant = grant(forRefreshToken: refreshToken) else { return }
        hostile.withLock { _ = $0.removeValue(forKey: grant.id) }
    }

    static let everyGrant = "*"

    /// The hostile row for `request`, if its grant has one.
    func hostileAnswer(for request: HTTPServer.Request) -> HostileAnswer? {
        guard request.path == "/token", request.method == "POST" else { return nil }
        let plans = hostile.withLock { $0 }
        if plans.isEmpty { return nil }
        if let every = plans[Self.everyGrant] { return every }
        guard request.hasFormBody, let token = request.form["refresh_token"], let grant = grant(forRefreshToken: token) else { return nil }
        return plans[grant.id]
    }

    /// Plays `answer` for `request`: a rotating row first refreshes for real (the new refresh token goes into the
    /// answer); a request the server refuses (say a retired token) gets the refusal instead.
    func playHostile(_ answer: HostileAnswer, _ request: HTTPServer.Request,
                     record: (HTTPServer.Response?, String?) -> Void) -> HTTPServer.Action {
        var refreshToken = HostileAnswer.unknownRefreshToken
        if answer.rotatesRefreshToken {
            var notes = ExchangeNotes()
            let response = route(request, notes: &notes)
            guard response.status == 200,
                  let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
                  let rotated = object["refresh_token"] as? String else {
                record(response, nil)
                return .respond(response)
            }
            refreshToken = rotated
        }
        let configuration = self.configuration
        let context = HostileAnswer.Context(refreshToken: refreshToken, now: store.withLock { $0.now },
                                            redirectLocation: configuration.hostileRedirectLocation, stall: configuration.hostileStall)
        let status: Int? = switch answer.outcome {
        case .response(let status), .stallsAfterHead(let status), .closedMidBody(let status): status
        default: nil
        }
        record(status.map { HTTPServer.Response(status: $0) }, answer.id)
        return .script(answer.steps(context))
    }
}
