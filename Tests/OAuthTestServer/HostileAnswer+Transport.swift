import Foundation

/// Rows: absurd `Retry-After` values, stalls, slow drips, redirects to another host, resets and early closes.
extension HostileAnswer {
    static func tooManyRequests(_ id: String, _ retryAfter: String) -> HostileAnswer {
        HostileAnswer(id, .retryAfter, sends: "429, Retry-After: \(retryAfter.unicodeScalars.map { $0.value < 0x20 ? "\\e" : String($0) }.joined())",
                      outcome: .response(status: 429), marker: "Retry-After: \(retryAfter)") { _ in
            json(429, #"{"error":"temporarily_unavailable","error_description":"slow down"}"#, headers: [("Retry-After", retryAfter)])
        }
    }

    static let retryAfterRows: [HostileAnswer] = [
        tooManyRequests("Retry-After 1e999", "1e999"),
        tooManyRequests("Retry-After Int64.max", "9223372036854775807"),
        tooManyRequests("Retry-After 10^20", "99999999999999999999"),
        tooManyRequests("Retry-After -5", "-5"),
        tooManyRequests("Retry-After nan", "nan"),
        tooManyRequests("Retry-After inf", "inf"),
        tooManyRequests("Retry-After in the year 9999", "Fri, 31 Dec 9999 23:59:59 GMT"),
        tooManyRequests("Retry-After with an ANSI escape", "\u{1B}[2J5"),
    ]

    /// The token answer the stalling rows start to send (usable, were it ever finished).
    static let usableBody = Array(token(#""expires_in":3600"#).utf8)

    static let stallRows: [HostileAnswer] = [
        HostileAnswer("silence", .stall, sends: "nothing at all after the request, for as long as the server lives",
                      outcome: .silence) { context in [.pause(context.stall)] },
        HostileAnswer("stall after the head", .stall, sends: "a 200 head with Content-Length, then nothing",
                      outcome: .stallsAfterHead(status: 200)) { context in
            [.send(head(200, [("Content-Type", "application/json")], contentLength: usableBody.count)), .pause(context.stall)]
        },
        HostileAnswer("stall mid-body", .stall, sends: "a 200 head and half the body, then nothing",
                      outcome: .stallsAfterHead(status: 200), marker: #"{"access_token""#) { context in
            [.send(head(200, [("Content-Type", "application/json")], contentLength: usableBody.count) + usableBody.prefix(usableBody.count / 2)),
             .pause(context.stall)]
        },
        HostileAnswer("slow drip of the body", .stall, sends: "a 200 head, then the body one byte per second",
                      outcome: .drips(every: .seconds(1))) { _ in
            [.send(head(200, [("Content-Type", "application/json")], contentLength: usableBody.count)), .drip(usableBody, every: .seconds(1))]
        },
        HostileAnswer("slow drip of the head", .stall, sends: "the whole response one byte per second",
                      outcome: .drips(every: .seconds(1))) { _ in
            [.drip(head(200, [("Content-Type", "application/json")], contentLength: usableBody.count) + usableBody, every: .seconds(1))]
        },
        HostileAnswer("endless 100 Continue", .stall, sends: "HTTP/1.1 100 Continue every 100 ms, never a final answer",
                      outcome: .endlessInterim, marker: "100 Continue") { context in
            let (seconds, _) = context.stall.components
            return Array(repeating: [WireStep.send(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)), .pause(.milliseconds(100))],
                         count: Int(seconds) * 10).flatMap { $0 }
        },
    ]

    static func redirect(_ status: Int) -> HostileAnswer {
        HostileAnswer("\(status) to another host", .redirect, sends: "\(status), Location: the token URL of another host",
                      outcome: .response(status: status), marker: "Location: ") { context in
            [.send(head(status, [("Location", context.redirectLocation)], contentLength: 0))]
        }
    }

    static let connectionRows: [HostileAnswer] = [
        redirect(302),
        redirect(307),
        redirect(308),
        HostileAnswer("reset", .connection, sends: "a TCP reset once the request is read", outcome: .reset) { _ in [.reset] },
        HostileAnswer("close before the head", .connection, sends: "the connection closed once the request is read",
                      outcome: .closedBeforeHead) { _ in [] },
        HostileAnswer("close mid-body", .connection, sends: "a 200 head with Content-Length, half the body, then close",
                      outcome: .closedMidBody(status: 200)) { _ in
            [.send(head(200, [("Content-Type", "application/json")], contentLength: usableBody.count) + usableBody.prefix(usableBody.count / 2))]
        },
    ]
}
