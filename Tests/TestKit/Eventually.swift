import Foundation

/// Polls `condition` every `interval` seconds until it holds or `timeout` seconds pass; returns whether it held
/// (it is asked once more at the deadline). For tests that wait synchronously, e.g. on a child process.
public func eventually(timeout: TimeInterval = 10, interval: TimeInterval = 0.01, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: interval)
    }
    return try condition()
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes; returns whether it held (it is asked once more
/// at the deadline). Sleeps with `Task.sleep`, so it never holds a cooperative thread.
public func eventually(timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while clock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}
