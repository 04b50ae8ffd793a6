import FoundationEssentials

/// When each credential is next due, and the scheduler's alarm: the scheduler sleeps until the earliest due date
/// (on the injected ``WallClock``) or until an earlier date is added, never ticking. Owned by the monitor actor.
struct Scheduler {
    private var dueQueue = DueQueue()
    /// Whether the scheduler loop is asleep, and until when (nil: until woken).
    private(set) var isAsleep = false
    private(set) var alarm: Date?
    private var sleeper: CheckedContinuation<Void, Never>?
    private var woken = false

    /// The earliest due date (entries may be stale).
    var earliest: Date? { dueQueue.earliest }

    /// Asks for `id` to be looked at again at `date`; wakes the scheduler if that is before its alarm.
    mutating func schedule(_ id: CredentialID, at date: Date) {
        dueQueue.insert(id, at: date)
        if isAsleep, alarm.map({ date < $0 }) ?? true { wake() }
    }

    /// Room for `count` more due dates without growing.
    mutating func reserveCapacity(_ count: Int) { dueQueue.reserveCapacity(count) }

    /// Removes and returns every entry due at or before `now`.
    mutating func popDue(now: Date) -> [(date: Date, id: CredentialID)] { dueQueue.popDue(now: now) }

    /// Wakes the scheduler now (a new earlier date, the alarm, stopping); remembered if it is not asleep yet.
    mutating func wake() {
        if let sleeper {
            self.sleeper = nil
            sleeper.resume()
        } else {
            woken = true
        }
    }

    /// Prepares to sleep until `alarm`; false (and no sleep) when a wake came in meanwhile.
    mutating func prepareToSleep(until alarm: Date?) -> Bool {
        guard !woken else {
            woken = false
            return false
        }
        self.alarm = alarm
        isAsleep = true
        return true
    }

    /// Parks the sleeping scheduler until ``wake()``.
    mutating func park(_ sleeper: CheckedContinuation<Void, Never>) {
        if woken {
            woken = false
            sleeper.resume()
        } else {
            self.sleeper = sleeper
        }
    }

    /// The scheduler is awake again.
    mutating func awake() {
        isAsleep = false
        alarm = nil
        woken = false
    }
}

extension Monitor {
    /// Hands every due credential to the workers, then sleeps until the next due date or a wake-up.
    func schedulerLoop() async {
        while !stopping && !Task.isCancelled {
            let now = clock.now()
            for entry in scheduler.popDue(now: now) {
                guard let record = records[entry.id], let due = record.dueAt, due <= now else { continue }
                enqueue(entry.id)
            }
            await sleepUntilDue(scheduler.earliest)
        }
    }

    /// Sleeps until `alarm` (on the monitor's clock) or until the scheduler is woken, whichever comes first.
    private func sleepUntilDue(_ alarm: Date?) async {
        guard scheduler.prepareToSleep(until: alarm) else { return }
        checkIdle()
        await withTaskGroup(of: Void.self) { group in
            if let alarm {
                let clock = self.clock
                group.addTask {
                    guard (try? await clock.sleep(until: alarm)) != nil else { return }
                    await self.wakeScheduler()
                }
            }
            await withCheckedContinuation { scheduler.park($0) }
            group.cancelAll()
        }
        scheduler.awake()
    }

    func wakeScheduler() { scheduler.wake() }
}
