// How many threads the numeric kernels use, and the one helper that splits work across them.
// Work is always split into a FIXED set of contiguous parts whose arithmetic does not depend on
// which thread runs them, so results are bitwise identical with 1 and 2 threads.
import Dispatch
import Foundation
import Synchronization

/// The number of threads the DQNNumerics kernels use (1 or 2; default 2, the machine's cores).
///
/// Changing it never changes results: every kernel splits its output into parts computed by the
/// same arithmetic in the same order, and reductions (weight gradients over the batch, loss and
/// norm sums) are computed sequentially per output element or in a fixed chunk order.
public enum NumericsThreads {
    nonisolated(unsafe) private static var storedCount = 2

    /// The thread count in use; setting it outside 1...2 is a programmer error. Set it between
    /// computations (each kernel reads it once when it starts).
    public static var count: Int {
        get { storedCount }
        set {
            precondition((1...2).contains(newValue), "NumericsThreads.count must be 1 or 2, got \(newValue)")
            storedCount = newValue
        }
    }

    /// Below this much work (a rough FLOP or element count) a job runs inline. Handing a job to
    /// the partner thread costs about a microsecond, but its results then sit in the other core's
    /// cache; splitting the mlp preset's small layers made its update slower (0.17 vs 0.14 ms).
    static let parallelThreshold = 1_000_000

    /// Runs `body(part)` for `part` in 0..<parts: with 2 threads the caller runs the even parts
    /// and the `PartnerThread` the odd ones, when `work` is large enough and the partner is free
    /// (it is not when `run` is nested or called from two threads at once); otherwise inline, in
    /// order.
    static func run(parts: Int, work: Int, _ body: @Sendable (Int) -> Void) {
        if parts <= 1 { if parts == 1 { body(0) }; return }
        if count == 1 || work < parallelThreshold || !PartnerThread.shared.run(parts: parts, body) {
            for p in 0..<parts { body(p) }
        }
    }

    /// `run` with no work threshold, for the hand-over probe in the tests.
    public static func probeRun(parts: Int, _ body: @Sendable (Int) -> Void) {
        run(parts: parts, work: .max, body)
    }

    /// Runs `body(range)` over `NumericsThreads.count` contiguous parts of `0..<total` (elementwise
    /// or per-sample work: each index is processed the same way whatever the split).
    static func forEachPart(total: Int, work: Int, granule: Int = 1, _ body: @Sendable (Range<Int>) -> Void) {
        let parts = count
        run(parts: parts, work: work) { part in
            let r = range(part, of: parts, total: total, granule: granule)
            if !r.isEmpty { body(r) }
        }
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

/// A raw pointer that may cross into `@Sendable` work closures. Each part writes a disjoint
/// region, which is what makes this sound.
@usableFromInline
struct SendablePointer<T>: @unchecked Sendable {
    @usableFromInline let base: UnsafeMutablePointer<T>
    @usableFromInline init(_ base: UnsafeMutablePointer<T>) { self.base = base }
}

/// A read-only raw pointer that may cross into `@Sendable` work closures.
@usableFromInline
struct SendableConstPointer<T>: @unchecked Sendable {
    @usableFromInline let base: UnsafePointer<T>
    @usableFromInline init(_ base: UnsafePointer<T>) { self.base = base }
}

/// The second numerics thread: one persistent thread that runs the odd parts of a job while the
/// calling thread runs the even ones. It spins for up to 2 ms after each job (jobs come in quick
/// succession while training), then sleeps on a semaphore. Handing over a job costs about a
/// microsecond and one small allocation (made by `withoutActuallyEscaping`, measured with
/// valgrind), where `DispatchQueue.concurrentPerform` made about 90 per update.
final class PartnerThread: @unchecked Sendable {
    static let shared = PartnerThread()

    /// How long the partner spins after its last job before it sleeps. Waking a sleeping thread
    /// takes tens of microseconds here (a virtual machine), while the serial stretches between
    /// jobs of one update or of consecutive training steps are shorter than this.
    private static let spinNanoseconds: UInt64 = 2_000_000

    private let posted = Atomic<Int>(0)      // jobs handed over so far
    private let completed = Atomic<Int>(0)   // the last job the partner finished
    private let busy = Atomic<Bool>(false)   // a caller owns the partner
    private let sleeping = Atomic<Bool>(false)
    private let wakeup = DispatchSemaphore(value: 0)
    // The current job; written by the owning caller before `posted` is released, read by the
    // partner after acquiring it, cleared after `completed` says the partner is done with it.
    nonisolated(unsafe) private var job: ((Int) -> Void)?
    nonisolated(unsafe) private var jobParts = 0

    private init() {
        let thread = Thread { [unowned self] in self.serve() }
        thread.name = "DQNNumerics partner"
        thread.start()
    }

    /// Runs `body` over `parts` parts on the caller and the partner; false (nothing run) when the
    /// partner is already in use.
    func run(parts: Int, _ body: (Int) -> Void) -> Bool {
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        withoutActuallyEscaping(body) { body in
            job = body; jobParts = parts
            let ticket = posted.add(1, ordering: .sequentiallyConsistent).newValue
            if sleeping.load(ordering: .sequentiallyConsistent) { wakeup.signal() }
            for p in stride(from: 0, to: parts, by: 2) { body(p) }
            while completed.load(ordering: .acquiring) != ticket {}
            job = nil
        }
        busy.store(false, ordering: .releasing)
        return true
    }

    private func serve() {
        var seen = 0
        while true {
            var spins = 0
            var idleSince = DispatchTime.now().uptimeNanoseconds
            var ticket = posted.load(ordering: .acquiring)
            while ticket == seen {
                spins += 1
                if spins & 1023 == 0, DispatchTime.now().uptimeNanoseconds - idleSince > Self.spinNanoseconds {
                    // Announce sleep, then look once more: a caller that posts after this sees
                    // `sleeping` and signals (both sides use sequentially consistent order).
                    sleeping.store(true, ordering: .sequentiallyConsistent)
                    if posted.load(ordering: .sequentiallyConsistent) == seen { wakeup.wait() }
                    sleeping.store(false, ordering: .sequentiallyConsistent)
                    idleSince = DispatchTime.now().uptimeNanoseconds
                }
                ticket = posted.load(ordering: .acquiring)
            }
            seen = ticket
            runOddParts()
            completed.store(ticket, ordering: .releasing)
        }
    }

    /// Out of line, so the partner's reference to the job is released before `completed` is set
    /// (the caller's `withoutActuallyEscaping` checks that no reference outlives the call).
    @inline(never)
    private func runOddParts() {
        guard let job else { return }
        for p in stride(from: 1, to: jobParts, by: 2) { job(p) }
    }
}
