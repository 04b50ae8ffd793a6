import FoundationEssentials

/// Runs blocking file work (writes that fsync) on a pool of threads of its own, off Swift's cooperative pool.
///
/// The cooperative pool has one thread per core (two here): a worker waiting for the disk there stalls every other
/// task, among them the HTTP answers that free the providers' slots. Dispatch's queues would not help either: on
/// Linux they run on about as many threads as there are cores. With a pool of its own, sixteen renewals can wait
/// for their fsyncs at once, and the file system commits them together.
///
/// The monitor owns one and shuts it down when it stops. Threads start on demand (up to `threads`); after
/// ``shutdown()`` work runs on the caller's thread. Dropping the pool shuts it down.
final class BlockingIO: Sendable {
    private let pool: Pool

    init(threads: Int) { pool = Pool(limit: max(1, threads)) }

    deinit { pool.shutdown() }

    /// Runs `work` on the pool and returns its result.
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let job: @Sendable () -> Void = { continuation.resume(with: Result { try work() }) }
            if !pool.submit(job) { job() }
        }
    }

    /// Jobs submitted and not yet taken by a thread (for tests).
    var waitingJobs: Int { pool.waitingJobs }

    /// Lets the threads finish the jobs already submitted, then end.
    func shutdown() { pool.shutdown() }

    /// The jobs and the threads, shared by the threads (which outlive nothing but their last job).
    private final class Pool: @unchecked Sendable {
        private let condition = PosixCondition()
        /// Queued jobs from `jobsHead` on; a taken job's slot is emptied at once, so that what it captured (a batch
        /// of credentials) goes when it ends, not when the queue next drains (in a first pass over thousands of
        /// credentials it never does until the end).
        private var jobs: [(@Sendable () -> Void)?] = []
        private var jobsHead = 0
        private var threads = 0
        private var idle = 0
        private var stopped = false
        private let limit: Int

        init(limit: Int) { self.limit = limit }

        /// Queues `job`, starting a thread unless an idle one is left for it; false once shut down. An idle thread
        /// counts until it wakes: jobs queued faster than idle threads wake each need their own thread (a job must
        /// never wait behind one that blocks).
        func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
            condition.lock()
            defer { condition.unlock() }
            guard !stopped else { return false }
            jobs.append(job)
            if jobs.count - jobsHead > idle && threads < limit {
                let index = threads
                threads += 1
                PosixThread.detach(name: "credmon-io-\(index)") { [self] in serve() }
            } else {
                condition.signal()
            }
            return true
        }

        var waitingJobs: Int {
            condition.lock()
            defer { condition.unlock() }
            return jobs.count - jobsHead
        }

        func shutdown() {
            condition.lock()
            stopped = true
            condition.broadcast()
            condition.unlock()
        }

        private func serve() {
            condition.lock()
            while true {
                while jobsHead == jobs.count && !stopped {
                    idle += 1
                    condition.wait()
                    idle -= 1
                }
                if jobsHead == jobs.count {
                    threads -= 1
                    condition.unlock()
                    return
                }
                let job = jobs[jobsHead]
                jobs[jobsHead] = nil
                jobsHead += 1
                if jobsHead == jobs.count {
                    jobs.removeAll(keepingCapacity: true)
                    jobsHead = 0
                } else if jobsHead >= 1024 && jobsHead * 2 >= jobs.count {
                    jobs.removeFirst(jobsHead)  // the emptied slots, once they are most of the queue
                    jobsHead = 0
                }
                condition.unlock()
                job?()
                condition.lock()
            }
        }
    }
}
