import Foundation

/// Runs `body` on a thread of its own and awaits its result: a row's blocking waits never hold one of the two
/// cooperative threads (which other end-to-end tests' synchronous waits may be holding, starving async polls).
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.stackSize = 4 << 20
        thread.start()
    }
}

/// Polls `condition` until it holds, `stop` holds (say the daemon died), or `timeout` passes; returns whether
/// `condition` held.
func waitUntil(timeout: TimeInterval, stop: () -> Bool = { false }, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        if stop() { return condition() }
        Thread.sleep(forTimeInterval: 0.05)
    }
    return condition()
}

/// At most `limit` bodies at once, the rest wait their turn (keeps parallel test cases from starving two cores).
actor ConcurrencyGate {
    private let limit: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { self.limit = max(1, limit) }

    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async rethrows -> T {
        await enter()
        defer { leave() }
        return try await body()
    }

    private func enter() async {
        if running < limit {
            running += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func leave() {
        if waiting.isEmpty {
            running -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
