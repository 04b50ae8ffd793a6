/// Which provider serves a service, and its configuration's fingerprint, as one pass asks for them credential after
/// credential. Credentials come in long runs of one service (usually all of them), so the last answer is kept: a run
/// costs one table lookup instead of one per credential (a hash of the name, a copy of the entry and its profile).
struct ProviderFingerprints {
    /// The provider serving a service: none, or one whose configuration has this fingerprint.
    enum Answer: Equatable {
        case unserved
        case served(fingerprint: String)
    }

    private let table: ProviderTable
    private var lastService: String?
    private var lastAnswer: Answer = .unserved

    init(_ table: ProviderTable) { self.table = table }

    /// The answer for `service`, as ``ProviderTable/provider(for:)`` gives it.
    mutating func answer(for service: String) -> Answer {
        if service == lastService { return lastAnswer }
        let answer: Answer = table.provider(for: service).map { .served(fingerprint: $0.profile.fingerprint) } ?? .unserved
        lastService = service
        lastAnswer = answer
        return answer
    }
}
