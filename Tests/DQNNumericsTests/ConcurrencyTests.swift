// Networks with different thread counts, run at the same time on different threads of one
// process: each carries its own count (no process-wide one), so each gives the bits it gives alone.
import Dispatch
import Foundation
import Testing
import DQNNumerics

@Suite struct ConcurrencyTests {
    /// `ThreadCountTests.updateTrace` for each (dueling, threads), each on a thread of its own,
    /// all at once; the traces in order.
    static func tracesAtOnce(preset: NetworkPreset, _ runs: [(dueling: Bool, threads: Int)]) -> [[Float]] {
        let box = TraceBox(count: runs.count), group = DispatchGroup()
        for (i, run) in runs.enumerated() {
            group.enter()
            Thread {
                let trace = ThreadCountTests.updateTrace(preset: preset, dueling: run.dueling, threads: run.threads)
                box.set(i, trace)
                group.leave()
            }.start()
        }
        group.wait()
        return box.all
    }

    @Test(arguments: [NetworkPreset.small, .mlp])
    func networksWithDifferentThreadCountsRunTogetherWithTheBitsOfEachAlone(preset: NetworkPreset) {
        let aloneOne = ThreadCountTests.updateTrace(preset: preset, dueling: false, threads: 1)
        let aloneTwo = ThreadCountTests.updateTrace(preset: preset, dueling: false, threads: 2)
        // Two of each at once: 1 and 2 threads, and two 2-thread networks competing for the partner.
        let together = Self.tracesAtOnce(preset: preset, [(false, 1), (false, 2), (false, 2), (true, 1)])
        func firstDifference(_ a: [Float], _ b: [Float]) -> Int? {
            a.count != b.count ? -1 : zip(a, b).enumerated().first { $0.element.0.bitPattern != $0.element.1.bitPattern }?.offset
        }
        #expect(firstDifference(aloneOne, aloneTwo) == nil, "1 vs 2 threads alone")
        #expect(firstDifference(together[0], aloneOne) == nil, "1 thread beside others vs alone: first difference at \(String(describing: firstDifference(together[0], aloneOne)))")
        #expect(firstDifference(together[1], aloneTwo) == nil, "2 threads beside others vs alone: first difference at \(String(describing: firstDifference(together[1], aloneTwo)))")
        #expect(firstDifference(together[2], aloneTwo) == nil, "the second 2-thread network vs alone")
        let duelingAlone = ThreadCountTests.updateTrace(preset: preset, dueling: true, threads: 1)
        #expect(firstDifference(together[3], duelingAlone) == nil, "a dueling network beside others vs alone")
    }

    /// Parts are claimed by whichever thread is free: every part of every job runs exactly once,
    /// and a job returns only after all of them ran, whatever the part count and however busy the
    /// partner is (jobs of 1 to 40 parts back to back, some long enough for the partner to take
    /// several parts, some too short for it to wake).
    @Test func everyPartOfEveryJobRunsExactlyOnce() {
        struct Count: ParallelJob {
            let counts: UnsafeMutablePointer<Int>, work: Int
            func run(part: Int) {
                var x = 0.0
                for i in 0..<work { x += Double(i & 7) }
                // Plain writes: a part run twice at once would also be a data race for TSan.
                counts[part] += x >= 0 ? 1 : 0
            }
        }
        var sizes: [Int] = []
        for jobIndex in 0..<600 {
            let parts = 1 + jobIndex % 40
            let work = jobIndex % 7 == 0 ? 20_000 : jobIndex % 3
            let counts = UnsafeMutablePointer<Int>.allocate(capacity: parts)
            counts.initialize(repeating: 0, count: parts)
            NumericsThreads.probeRun(parts: parts, Count(counts: counts, work: work))
            if (0..<parts).contains(where: { counts[$0] != 1 }) { sizes.append(parts) }
            counts.deallocate()
        }
        #expect(sizes.isEmpty, "jobs whose parts did not each run once: part counts \(sizes)")
    }

    @Test func eachObjectKeepsItsOwnThreadCount() {
        var rng = Xoshiro256(seed: 5)
        let a = QNetwork(preset: .mlp, inputShape: [8], actions: 2, maxBatch: 4, threads: 1, rng: &rng)
        let b = QNetwork(preset: .mlp, inputShape: [8], actions: 2, maxBatch: 4, rng: &rng)
        #expect(a.threads == 1 && b.threads == NumericsThreads.defaultCount)
        b.threads = 1
        a.threads = 2
        #expect(a.threads == 2 && b.threads == 1)
        #expect(Adam(parameterCount: 4, threads: 1).threads == 1 && RMSProp(parameterCount: 4).threads == 2)
    }
}

/// Results written by several threads, read after they finished.
private final class TraceBox: @unchecked Sendable {
    private let lock = NSLock()
    private var traces: [[Float]]
    init(count: Int) { traces = Array(repeating: [], count: count) }
    func set(_ i: Int, _ trace: [Float]) { lock.withLock { traces[i] = trace } }
    var all: [[Float]] { lock.withLock { traces } }
}
