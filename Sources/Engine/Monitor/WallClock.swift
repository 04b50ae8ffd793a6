import FoundationEssentials

/// The engine's notion of time: token dates are wall-clock dates, so the clock gives `Date`s and sleeps until one.
/// Tests inject CredmonTestKit's `ManualWallClock` to control expiry without sleeping.
public protocol WallClock: Sendable {
    func now() -> Date
    func sleep(until deadline: Date) async throws
}

/// The system clock.
public struct SystemWallClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(until deadline: Date) async throws {
        let seconds = deadline.timeIntervalSinceNow
        if seconds > 0 { try await Task.sleep(for: .milliseconds(Int64((seconds * 1000).rounded(.up)))) }
    }
}
