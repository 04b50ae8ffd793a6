import Foundation

/// Runs blocking file work (writes that fsync) on a pool of threads of its own, off Swift's cooperative pool.
///
/// The cooperative pool has one thread per core (two here): a worker waiting for the disk there stalls every other
/// task, among them the HTTP answers that free the providers' slots. Dispatch's queues would not help either: on
/// Linux they run on about as many threads as there are cores. With a pool of its own, sixteen renewals can wait
/// for their fsyncs at once, and the file system commits them together.
final class BlockingIO: @unchecked Sendable {
    /// The pool the monitor's workers share.
    static let shared = BlockingIO(threads: 16)

    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var jobsHead = 0

    init(threads: Int) {
        for index in 0..<max(1, threads) {
            let thread = Thread { [unowned self] in self.serve() }
            thread.name = "credmon-io-\(index)"
            thread.start()
        }
    }

    /// Runs `work` on the pool and returns its result.
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            submit { continuation.resume(with: Result { try work() }) }
        }
    }

    private func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func serve() {
        while true {
            condition.lock()
            while jobsHead == jobs.count { condition.wait() }
            let job = jobs[jobsHead]
            jobsHead += 1
            if jobsHead == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                jobsHead = 0
            }
            condition.unlock()
            job()
        }
    }
}
