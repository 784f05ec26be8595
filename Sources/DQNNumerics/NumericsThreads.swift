// How many threads the numeric kernels use, and the one helper that splits work across them.
// Work is always split into a FIXED set of contiguous parts whose arithmetic does not depend on
// which thread runs them, so results are bitwise identical with 1 and 2 threads.
import Dispatch

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

    /// Runs `body(part)` for `part` in 0..<parts, on up to `count` threads when `work` (a rough
    /// FLOP or byte count) is large enough to pay for the dispatch; otherwise inline, in order.
    @inlinable
    static func run(parts: Int, work: Int, _ body: @Sendable (Int) -> Void) {
        if parts <= 1 { if parts == 1 { body(0) }; return }
        if count == 1 || work < 1_000_000 {
            for p in 0..<parts { body(p) }
        } else {
            DispatchQueue.concurrentPerform(iterations: parts, execute: body)
        }
    }

    /// Runs `body(range)` over `NumericsThreads.count` contiguous parts of `0..<total` (elementwise
    /// or per-sample work: each index is processed the same way whatever the split).
    @inlinable
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

/// A raw pointer that may cross into `concurrentPerform` closures. Each part writes a disjoint
/// region, which is what makes this sound.
@usableFromInline
struct SendablePointer<T>: @unchecked Sendable {
    @usableFromInline let base: UnsafeMutablePointer<T>
    @usableFromInline init(_ base: UnsafeMutablePointer<T>) { self.base = base }
}

/// A read-only raw pointer that may cross into `concurrentPerform` closures.
@usableFromInline
struct SendableConstPointer<T>: @unchecked Sendable {
    @usableFromInline let base: UnsafePointer<T>
    @usableFromInline init(_ base: UnsafePointer<T>) { self.base = base }
}
