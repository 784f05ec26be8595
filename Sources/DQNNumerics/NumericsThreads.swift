// How many threads the numeric kernels use, and the one helper that splits work across them.
// Work is always split into a FIXED set of contiguous parts whose arithmetic does not depend on
// which thread runs them, so results are bitwise identical with 1 and 2 threads.
import Dispatch
import Foundation
import Synchronization

/// How the DQNNumerics kernels split work over threads (1 or 2).
///
/// There is no process-wide thread count: every object that owns work (`QNetwork` and its layers,
/// `Adam`, `RMSProp`) carries its own `threads`, and passes it to the kernels it calls, which take
/// it as an argument. Two networks with different thread counts can therefore run in one process,
/// on different threads, at the same time. They share one `PartnerThread`: a kernel that finds it
/// busy runs its parts inline, in order.
///
/// The thread count never changes results: every kernel splits its output into parts computed by
/// the same arithmetic in the same order, and reductions (weight gradients over the batch, loss
/// and norm sums) are computed sequentially per output element or in a fixed chunk order.
public enum NumericsThreads {
    /// The thread count of an object built without one: the machine's 2 cores.
    public static let defaultCount = 2

    /// The thread counts the kernels support.
    public static let supported = 1...2

    /// Checks a thread count handed to an object or kernel; a count outside `supported` is a
    /// programmer error (outside values are validated where they enter, e.g. `--threads`).
    @inline(__always)
    static func check(_ threads: Int, _ owner: @autoclosure () -> String) {
        precondition(supported.contains(threads), "\(owner()): threads must be 1 or 2, got \(threads)")
    }

    /// Below this much work (a rough FLOP or element count) a job runs inline. Handing a job to
    /// the partner thread costs about a microsecond, but its results then sit in the other core's
    /// cache; splitting the mlp preset's small layers made its update slower (0.17 vs 0.14 ms).
    static let parallelThreshold = 1_000_000

    /// Runs `job.run(part:)` for `part` in 0..<parts: with `threads` 2 the caller and the
    /// `PartnerThread` each claim the next part until none is left, when `work` is large enough
    /// and the partner is free (it is not when `run` is nested or called from two threads at
    /// once); otherwise inline, in order. Jobs are plain structs rather than closures: handing a
    /// closure to another thread needs `withoutActuallyEscaping`, which allocates on every call,
    /// while a struct is handed over as a pointer to the caller's stack and a type, so nothing
    /// allocates.
    static func run<Job: ParallelJob>(parts: Int, threads: Int, work: Int, _ job: Job) {
        if parts <= 1 { if parts == 1 { job.run(part: 0) }; return }
        if threads == 1 || work < parallelThreshold || !PartnerThread.shared.run(parts: parts, job) {
            for p in 0..<parts { job.run(part: p) }
        }
    }

    /// `run` with no work threshold, for the hand-over probe in the tests.
    public static func probeRun<Job: ParallelJob>(parts: Int, _ job: Job) {
        run(parts: parts, threads: 2, work: .max, job)
    }

    /// Runs `job.run(range:)` over `threads` contiguous parts of `0..<total` (elementwise or
    /// per-sample work: each index is processed the same way whatever the split).
    static func forEachPart<Job: RangeJob>(total: Int, threads: Int, work: Int, granule: Int = 1, _ job: Job) {
        run(parts: threads, threads: threads, work: work, EvenSplit(total: total, parts: threads, granule: granule, job: job))
    }

    /// Splits `0..<total` into `parts` contiguous ranges whose sizes are multiples of `granule`
    /// (except possibly the last); the split depends only on its arguments.
    @inlinable
    static func range(_ part: Int, of parts: Int, total: Int, granule: Int = 1) -> Range<Int> {
        let units = (total + granule - 1) / granule
        let lo = units * part / parts * granule
        let hi = part == parts - 1 ? total : min(total, units * (part + 1) / parts * granule)
        return min(lo, total)..<max(min(lo, total), hi)
    }
}

/// Work split into parts that write disjoint outputs: `run(part:)` may be called for different
/// parts on two threads at once (the raw pointers a job holds are shared on that promise).
public protocol ParallelJob {
    func run(part: Int)
}

extension ParallelJob {
    /// Runs part `part` of the job stored at `job`: how the partner thread, which knows the job
    /// only as a pointer and a type, calls it.
    static func run(at job: UnsafeRawPointer, part: Int) {
        job.assumingMemoryBound(to: Self.self).pointee.run(part: part)
    }
}

/// Elementwise or per-sample work over a contiguous range of indices.
protocol RangeJob {
    func run(range: Range<Int>)
}

/// `forEachPart`'s split of `0..<total` into `parts` ranges (`NumericsThreads.range`).
struct EvenSplit<Job: RangeJob>: ParallelJob {
    let total: Int, parts: Int, granule: Int, job: Job
    func run(part: Int) {
        let r = NumericsThreads.range(part, of: parts, total: total, granule: granule)
        if !r.isEmpty { job.run(range: r) }
    }
}

/// The second numerics thread: one persistent thread that shares the parts of a job with the
/// calling thread. Parts are claimed, not assigned: both threads take the next unclaimed part
/// from one atomic counter, so a caller whose partner is not running (asleep, or descheduled
/// because another process wants the core) runs every part itself instead of waiting for it,
/// and waits only for parts the partner has started. Which thread runs a part never changes
/// its arithmetic (see `NumericsThreads`), so results stay bitwise the same.
///
/// The partner spins for up to 2 ms after its last part (jobs come in quick succession while
/// training), yielding its core now and then to any other thread that wants it, then sleeps on a
/// semaphore. Handing over a job costs about a microsecond and allocates nothing (the job stays
/// on the caller's stack; measured with valgrind), where `DispatchQueue.concurrentPerform` made
/// about 90 allocations per update.
final class PartnerThread: @unchecked Sendable {
    static let shared = PartnerThread()

    /// How long the partner spins after its last part before it sleeps. Waking a sleeping thread
    /// takes tens of microseconds here (a virtual machine), while the serial stretches between
    /// jobs of one update or of consecutive training steps are shorter than this.
    private static let spinNanoseconds: UInt64 = 2_000_000

    /// Spins of a caller waiting for the partner's last part before it yields its core at each
    /// further spin (the partner may have been preempted in the middle of a part).
    private static let waitSpinsBeforeYield = 4_096

    /// The job on offer as one word, the part count (bits 16–31) and the next unclaimed part
    /// (bits 0–15): a claim adds 1 and owns the part the old value names if it is below the count.
    /// Claims are read-modify-writes of this one word, so each names the job on offer when it ran.
    private let offer = Atomic<UInt64>(0)
    /// Parts of the current job the partner has finished.
    private let partnerFinished = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)   // a caller owns the partner
    private let sleeping = Atomic<Bool>(false)
    private let wakeup = DispatchSemaphore(value: 0)
    /// The largest part count a job may have (the offer's 16-bit fields, with room for the
    /// claims that find the job exhausted).
    static let maxParts = 1 << 14
    // The current job, on the caller's stack, and its type; written by the owning caller before
    // the offer is released, read by the partner only after it claimed a part of that offer, and
    // cleared after `partnerFinished` says the partner is done with its parts.
    nonisolated(unsafe) private var job: UnsafeRawPointer?
    nonisolated(unsafe) private var jobType: (any ParallelJob.Type)?

    private init() {
        let thread = Thread { [unowned self] in self.serve() }
        thread.name = "DQNNumerics partner"
        thread.start()
    }

    /// Runs `job` over `parts` parts on the caller and the partner; false (nothing run) when the
    /// partner is already in use.
    func run<Job: ParallelJob>(parts: Int, _ job: Job) -> Bool {
        precondition(parts >= 1 && parts <= Self.maxParts, "PartnerThread.run: \(parts) parts, expected 1…\(Self.maxParts)")
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        withUnsafePointer(to: job) { pointer in
            self.job = UnsafeRawPointer(pointer); jobType = Job.self
            // The partner finished every part of the last job before that job returned.
            partnerFinished.store(0, ordering: .relaxed)
            offer.store(UInt64(parts) << 16, ordering: .sequentiallyConsistent)
            if sleeping.load(ordering: .sequentiallyConsistent), sleeping.exchange(false, ordering: .sequentiallyConsistent) {
                wakeup.signal()
            }
            var mine = 0
            while true {
                let part = Int(offer.add(1, ordering: .acquiringAndReleasing).oldValue & 0xFFFF)
                if part >= parts { break }
                job.run(part: part)
                mine += 1
            }
            var spins = 0
            while partnerFinished.load(ordering: .acquiring) != parts - mine {
                spins += 1
                if spins > Self.waitSpinsBeforeYield { sched_yield() }
            }
            self.job = nil; jobType = nil
        }
        busy.store(false, ordering: .releasing)
        return true
    }

    /// Whether `word` has a part nobody has claimed.
    @inline(__always)
    private static func hasUnclaimedPart(_ word: UInt64) -> Bool { word & 0xFFFF < (word >> 16) & 0xFFFF }

    private func serve() {
        var spins = 0
        var idleSince = DispatchTime.now().uptimeNanoseconds
        while true {
            if Self.hasUnclaimedPart(offer.load(ordering: .acquiring)) {
                let claimed = offer.add(1, ordering: .acquiringAndReleasing).oldValue
                let part = Int(claimed & 0xFFFF), parts = Int((claimed >> 16) & 0xFFFF)
                if part < parts, let job, let jobType {
                    jobType.run(at: job, part: part)
                    partnerFinished.add(1, ordering: .releasing)
                }
                spins = 0
                idleSince = DispatchTime.now().uptimeNanoseconds
                continue
            }
            spins += 1
            // Idle, it offers its core to any other thread that wants it (at once back when none
            // does): beside other work, a spinning partner would take a share of the machine it
            // does not use.
            if spins & 255 == 0 { sched_yield() }
            if spins & 1023 == 0, DispatchTime.now().uptimeNanoseconds - idleSince > Self.spinNanoseconds {
                // Announce sleep, then look once more: a caller that offers a job after this sees
                // `sleeping` and signals (both sides use sequentially consistent order).
                sleeping.store(true, ordering: .sequentiallyConsistent)
                if !Self.hasUnclaimedPart(offer.load(ordering: .sequentiallyConsistent)) { wakeup.wait() }
                sleeping.store(false, ordering: .sequentiallyConsistent)
                idleSince = DispatchTime.now().uptimeNanoseconds
            }
        }
    }
}
