// The FMA rate this machine gives the kernels right now: a loop of independent fused multiply-adds
// of the kernels' width (SIMD8, or SIMD16 with the AVX-512 tiles) on each numerics thread, the
// upper bound for any kernel built from them.
import DQNWideKernels

/// Measures the peak FP32 rate of the fused multiply-add the kernels are built from:
/// `SIMD8<Float>` (AVX2), or `SIMD16<Float>` when the AVX-512 tiles are on (`WideKernels`). The machine's cores are shared and their speed drifts, so `NetworkBenchmark` measures
/// it in the same minute as the network instead of assuming a constant.
public enum FMAPeak {
    /// GFLOP/s of `threads` threads (1 or 2) each running `iterations` steps of 12 independent
    /// 8-lane FMA chains (12 accumulators hide the FMA latency on two FMA units); the best of
    /// `trials` runs, since a peak is a ceiling and a run can only lose time to the machine.
    public static func measure(threads: Int, iterations: Int = 8_000_000, trials: Int = 3) -> Double {
        precondition(trials > 0, "FMAPeak.measure: trials must be positive, got \(trials)")
        return (0..<trials).map { _ in once(threads: threads, iterations: iterations) }.max() ?? 0
    }

    private static func once(threads: Int, iterations: Int) -> Double {
        precondition((1...2).contains(threads), "FMAPeak.measure: threads must be 1 or 2, got \(threads)")
        precondition(iterations > 0, "FMAPeak.measure: iterations must be positive, got \(iterations)")
        var sinks = (Float(0), Float(0))
        let elapsed = withUnsafeMutablePointer(to: &sinks) { sink in
            ContinuousClock().measure {
                NumericsThreads.run(parts: threads, threads: threads, work: .max, Loop(iterations: iterations, sink: sink))
            }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        precondition(sinks.0.isFinite && sinks.1.isFinite, "FMAPeak: the loop's result is not finite")
        return Double(threads * iterations * 12 * 2 * lanes) / seconds / 1e9
    }

    /// Lanes of the FMA the kernels use: 16 with the AVX-512 tiles (`WideKernels`), else 8.
    static var lanes: Int { WideKernels.enabled ? 16 : 8 }

    /// One thread's loop; its sum goes to its own slot so the work cannot be optimized away.
    private struct Loop: ParallelJob {
        let iterations: Int
        let sink: UnsafeMutablePointer<(Float, Float)>
        func run(part: Int) {
            if FMAPeak.lanes == 16 {
                // The 16-lane loop lives in DQNWideKernels, the module compiled for AVX-512.
                let total = withUnsafeTemporaryAllocation(of: Float.self, capacity: 14 * 16) { buffer -> Float in
                    guard let state = buffer.baseAddress else { return 0 }
                    for i in 0..<(12 * 16) { state[i] = Float(part + i / 16) }
                    for i in (12 * 16)..<(13 * 16) { state[i] = 0.999_999 }
                    for i in (13 * 16)..<(14 * 16) { state[i] = 1e-6 }
                    return WideTile.fmaLoop(iterations: iterations, state: state)
                }
                if part == 0 { sink.pointer(to: \.0)?.pointee = total } else { sink.pointer(to: \.1)?.pointee = total }
                return
            }
            let b = SIMD8<Float>(repeating: 0.999_999), c = SIMD8<Float>(repeating: 1e-6)
            var a0 = SIMD8<Float>(repeating: Float(part)), a1 = a0 + 1, a2 = a0 + 2, a3 = a0 + 3
            var a4 = a0 + 4, a5 = a0 + 5, a6 = a0 + 6, a7 = a0 + 7, a8 = a0 + 8, a9 = a0 + 9, a10 = a0 + 10, a11 = a0 + 11
            for _ in 0..<iterations {
                a0 = c.addingProduct(a0, b); a1 = c.addingProduct(a1, b)
                a2 = c.addingProduct(a2, b); a3 = c.addingProduct(a3, b)
                a4 = c.addingProduct(a4, b); a5 = c.addingProduct(a5, b)
                a6 = c.addingProduct(a6, b); a7 = c.addingProduct(a7, b)
                a8 = c.addingProduct(a8, b); a9 = c.addingProduct(a9, b)
                a10 = c.addingProduct(a10, b); a11 = c.addingProduct(a11, b)
            }
            let total = ((a0 + a1) + (a2 + a3) + (a4 + a5) + (a6 + a7) + (a8 + a9) + (a10 + a11)).sum()
            if part == 0 { sink.pointer(to: \.0)?.pointee = total } else { sink.pointer(to: \.1)?.pointee = total }
        }
    }
}
