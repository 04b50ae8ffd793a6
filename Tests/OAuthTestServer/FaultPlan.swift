extension OAuthServer {
    /// A failure to inject with `OAuthServer.inject(_:count:path:)`. A fault replaces the normal handling of
    /// the request it hits (after `latency`); the request is logged with the fault and the status sent
    /// (nil when nothing was sent). Unless stated otherwise **no server state changes**: nothing is rotated,
    /// issued, consumed or revoked, so the token the client presented stays exactly as usable as before.
    public enum Fault: Sendable, Hashable {
        /// Answer with this status and body (`application/json` if the body starts with `{`, else
        /// `text/plain`). No state change.
        case status(Int, body: String = "")
        /// Answer `429 Too Many Requests` with `Retry-After: N` (seconds) and a JSON error body
        /// (`temporarily_unavailable`). No state change.
        case tooManyRequests(retryAfter: Int)
        /// Answer `200` with `Content-Type: application/json` and a truncated, unparsable JSON body that looks
        /// like the start of a token response. No state change: the refresh token is not rotated or consumed.
        case malformedJSON
        /// Read the request, then send nothing, wait this long (less if the server stops) and close the
        /// connection. No state change. Use a client timeout shorter than this.
        case timeout(Duration)
        /// Close the connection at once without answering. No state change. Note that libcurl (URLSession on
        /// Linux) silently retries a request once when a *reused* keep-alive connection closes without any
        /// response byte; inject `count: 2` (or use a fresh session) to make the client see the failure.
        case closeConnection
        /// Wait this long, then handle the request normally: **state changes** as usual.
        case delay(Duration)
        /// Handle the request normally — **state changes** (a refresh token is rotated, a code consumed) —
        /// then close the connection without sending the response: "the server did it, the answer was lost".
        case closeAfterProcessing
    }
}

/// The queue of injected faults. Each request takes one use of the first entry whose path matches.
struct FaultPlan: Sendable {
    private struct Entry: Sendable {
        var fault: OAuthServer.Fault
        var remaining: Int
        var path: String?
    }

    private var entries: [Entry] = []

    mutating func add(_ fault: OAuthServer.Fault, count: Int, path: String?) {
        guard count > 0 else { return }
        entries.append(Entry(fault: fault, remaining: count, path: path))
    }

    /// The fault for a request to `path`, if one is pending (and uses it up).
    mutating func take(path: String) -> OAuthServer.Fault? {
        guard let index = entries.firstIndex(where: { $0.path == nil || $0.path == path }) else { return nil }
        let fault = entries[index].fault
        entries[index].remaining -= 1
        if entries[index].remaining == 0 { entries.remove(at: index) }
        return fault
    }

    /// Uses left, over every entry.
    var pending: Int { entries.reduce(0) { $0 + $1.remaining } }

    mutating func removeAll() { entries.removeAll() }
}
