import Engine
import Foundation

/// A provider whose answers the test scripts: each operation takes the next step of its script, and every call is
/// recorded (operation, credential, seed, grant, time).
///
/// A call with no scripted step left fails if ``fail(_:with:)`` named its user, else answers as ``answer(_:with:)``
/// said for its user, else succeeds: fetch and refresh return `{"access_token":"tok-N","expires_in":100}` (N counts
/// the fetches and refreshes of this provider) valid for `[now, now + 100]`; revoke returns.
public final class ScriptedProvider: CredentialProvider, @unchecked Sendable {
    /// A lifecycle operation.
    public enum Operation: String, Sendable, CaseIterable {
        case fetch, refresh, revoke
    }

    /// One scripted answer.
    public enum Step: Sendable {
        /// fetch/refresh: this access token, valid for `lifetime` seconds from the request's `now`; revoke: success.
        case token(String, lifetime: Int = 100)
        /// fetch/refresh: this update, made from the request; revoke: success.
        case update(@Sendable (CredentialRequest) -> CredentialUpdate)
        /// Throw this error.
        case fail(ProviderError)
    }

    /// A call the provider received.
    public struct Call: Sendable {
        public var operation: Operation
        public var id: CredentialID
        public var seed: SeedFile?
        public var grant: AuthorizationGrant?
        /// The request's `now` (nil for revoke, whose request carries no time).
        public var now: Date?
    }

    public let profile: ProviderProfile
    private let lock = NSLock()
    private var tokenCalls = 0
    private var recorded: [Call] = []
    private var scripts: [Operation: [Step]] = [:]
    private var failures: [String: ProviderError] = [:]
    private var answers: [String: @Sendable (Date) -> CredentialUpdate] = [:]

    /// - Parameters:
    ///   - webLogin: ``ProviderTraits/firstTokenFromWebLogin`` (a new `.top` waits for its `.use`).
    ///   - fingerprint: the profile's fingerprint (default `scripted-<name>`).
    public init(name: String, kind: String = "scripted", allowsHandles: Bool = false, readsSeed: Bool = false,
                renewFraction: Double = 0.5, revokesOnRemoval: Bool = false, webLogin: Bool = false, fingerprint: String? = nil) {
        profile = ProviderProfile(
            name: name, kind: kind,
            traits: ProviderTraits(allowsHandles: allowsHandles, readsSeed: readsSeed, renewFraction: renewFraction,
                                   revokesOnRemoval: revokesOnRemoval, firstTokenFromWebLogin: webLogin),
            settings: [], fingerprint: fingerprint ?? "scripted-\(name)")
    }

    // MARK: Script

    /// Appends `steps` to the script of `operation`; each call of it takes the next one.
    public func script(_ operation: Operation, _ steps: Step...) { script(operation, steps) }

    /// Appends `steps` to the script of `operation`; each call of it takes the next one.
    public func script(_ operation: Operation, _ steps: [Step]) { lock.withLock { scripts[operation, default: []] += steps } }

    /// Scripted steps not yet taken, over every operation.
    public var pendingSteps: Int { lock.withLock { scripts.values.map(\.count).reduce(0, +) } }

    /// Makes every unscripted call for `user` throw `error` (nil: succeed again).
    public func fail(_ user: String, with error: ProviderError?) { lock.withLock { failures[user] = error } }

    /// Makes every unscripted successful fetch or refresh for `user` answer `update(now)` instead of the default token.
    public func answer(_ user: String, with update: @escaping @Sendable (Date) -> CredentialUpdate) { lock.withLock { answers[user] = update } }

    // MARK: Record

    /// Every call, in order.
    public var calls: [Call] { lock.withLock { recorded } }

    /// The calls of one operation, in order.
    public func calls(_ operation: Operation) -> [Call] { calls.filter { $0.operation == operation } }

    /// Fetches and refreshes made for one credential.
    public func calls(_ user: String, _ stem: String) -> Int {
        calls.filter { $0.operation != .revoke && $0.id.user == user && $0.id.token.stem == stem }.count
    }

    /// Fetches and refreshes made.
    public var totalCalls: Int { lock.withLock { tokenCalls } }

    /// "fetch" / "refresh", in call order.
    public var callKinds: [String] { calls.filter { $0.operation != .revoke }.map(\.operation.rawValue) }

    // MARK: CredentialProvider

    public func fetch(_ request: CredentialRequest) async throws -> CredentialUpdate { try answer(request, .fetch) }

    public func refresh(_ request: CredentialRequest) async throws -> CredentialUpdate { try answer(request, .refresh) }

    public func revoke(_ request: RevocationRequest) async throws {
        let (step, failure) = lock.withLock { () -> (Step?, ProviderError?) in
            recorded.append(Call(operation: .revoke, id: request.id, seed: request.seed, grant: nil, now: nil))
            return (takeStep(.revoke), failures[request.id.user])
        }
        switch step {
        case .fail(let error)?: throw error
        case .token?, .update?: return
        case nil: if let failure { throw failure }
        }
    }

    private func answer(_ request: CredentialRequest, _ operation: Operation) throws -> CredentialUpdate {
        let (number, step, failure, custom) = lock.withLock { () -> (Int, Step?, ProviderError?, (@Sendable (Date) -> CredentialUpdate)?) in
            tokenCalls += 1
            recorded.append(Call(operation: operation, id: request.id, seed: request.seed, grant: request.grant, now: request.now))
            return (tokenCalls, takeStep(operation), failures[request.id.user], answers[request.id.user])
        }
        switch step {
        case .fail(let error)?: throw error
        case .token(let token, let lifetime)?: return Self.update(token: token, lifetime: lifetime, now: request.now)
        case .update(let make)?: return make(request)
        case nil: break
        }
        if let failure { throw failure }
        if let custom { return custom(request.now) }
        return Self.update(token: "tok-\(number)", lifetime: 100, now: request.now)
    }

    /// Takes the next step of `operation`'s script; call with the lock held.
    private func takeStep(_ operation: Operation) -> Step? {
        guard var steps = scripts[operation], !steps.isEmpty else { return nil }
        let step = steps.removeFirst()
        scripts[operation] = steps
        return step
    }

    /// `{"access_token":"<token>","expires_in":<lifetime>}`, valid for `[now, now + lifetime]`.
    public static func update(token: String, lifetime: Int, now: Date) -> CredentialUpdate {
        var bytes = Array(#"{"access_token":"#.utf8)
        JSONEscaping.append(token, to: &bytes)
        bytes += Array(#","expires_in":\#(lifetime)}"#.utf8)
        return CredentialUpdate(accessTokenFile: bytes,
                                validity: TokenValidity(issuedAt: now, expiresAt: now.addingTimeInterval(TimeInterval(lifetime))))
    }
}
