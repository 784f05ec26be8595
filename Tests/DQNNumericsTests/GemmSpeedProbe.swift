// An opt-in speed probe (DQN_GEMM_PROBE=1 swift test --filter GemmSpeedProbe): GFLOP/s of the
// GEMM shapes one `nature` update runs. Prints only; asserts nothing. Off by default.
import Foundation
import Testing
import DQNNumerics

@Suite(.enabled(if: ProcessInfo.processInfo.environment["DQN_GEMM_PROBE"] == "1"))
struct GemmSpeedProbe {
    @Test func natureShapes() {
        let shapes: [(String, Bool, Int, Int, Int)] = [
            ("conv1 fwd", false, 12800, 32, 256), ("conv1 dWt", true, 256, 32, 12800),
            ("conv2 fwd", false, 2592, 64, 512), ("conv2 dWt", true, 512, 64, 2592), ("conv2 dX", false, 2592, 512, 64),
            ("conv3 fwd", false, 1568, 64, 576), ("conv3 dWt", true, 576, 64, 1568), ("conv3 dX", false, 1568, 576, 64),
            ("fc1 fwd", false, 512, 32, 3136), ("fc1 dW", true, 512, 3136, 32), ("fc1 dX", false, 32, 3136, 512),
        ]
        var rng = Xoshiro256(seed: 1)
        for (name, ta, m, n, k) in shapes {
            let a = randomFloats(m * k, &rng), b = randomFloats(k * n, &rng)
            var c = [Float](repeating: 0, count: m * n)
            let clock = ContinuousClock()
            var best = Duration.seconds(100)
            for _ in 0..<7 {
                let t = clock.measure {
                    a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                        Gemm.multiply(transposeA: ta, m: m, n: n, k: k, a: ap.baseAddress!, lda: ta ? m : k,
                                      b: bp.baseAddress!, ldb: n, c: cp.baseAddress!, ldc: n, accumulate: false)
                    } } }
                }
                best = min(best, t)
            }
            let seconds = Double(best.components.attoseconds) * 1e-18 + Double(best.components.seconds)
            print("\(name): m \(m) n \(n) k \(k): \(String(format: "%.1f", 2 * Double(m * n * k) / seconds / 1e9)) GFLOP/s")
        }
    }
}
