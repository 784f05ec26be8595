// Throughput of the environment side on one thread: CartPole alone, and the whole pixel
// observation path (step + render + φ push + copy of the k×H×W observation).
import Foundation

public enum EnvironmentBenchmark {
    public struct Result: Sendable {
        public var name: String
        /// Median over repetitions.
        public var stepsPerSecond: Double
        public var steps: Int
    }

    /// Seconds on a monotonic clock.
    public static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    private static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// Plain CartPole steps per second (random actions, reset on episode end).
    public static func cartPole(steps: Int, repeats: Int, seed: UInt64 = 0) -> Result {
        var rates: [Double] = []
        var checksum = 0.0
        for r in 0..<repeats {
            var rng = Xoshiro256(seed: seed &+ UInt64(r))
            var env = CartPole(version: .v1)
            env.reset(using: &rng)
            let t0 = now()
            for _ in 0..<steps {
                let a = Int(truncatingIfNeeded: rng.next() & 1)
                // A valid action on a running env cannot throw; a failure here is a bug.
                guard let s = try? env.step(a) else { fatalError("CartPole.step failed in benchmark") }
                checksum += s.state.x
                if s.done { env.reset(using: &rng) }
            }
            rates.append(Double(steps) / (now() - t0))
        }
        if checksum.isNaN { print("") }  // keeps the loop's work observable
        return Result(name: "CartPole step", stepsPerSecond: median(rates), steps: steps)
    }

    /// The pixel observation path: step + render W×H + φ (k frames) + copy of φ.
    public static func pixelPath(steps: Int, repeats: Int, size: Int = 84, k: Int = 4, seed: UInt64 = 0) -> Result {
        var rates: [Double] = []
        let game = PixelCartPole(version: .v1, width: size, height: size, frameStack: k)
        var observation = [UInt8](repeating: 0, count: game.observationSize)
        for r in 0..<repeats {
            var rng = Xoshiro256(seed: seed &+ UInt64(r))
            game.reset(using: &rng)
            let t0 = now()
            observation.withUnsafeMutableBufferPointer { obs in
                for _ in 0..<steps {
                    let a = Int(truncatingIfNeeded: rng.next() & 1)
                    guard let s = try? game.step(a) else { fatalError("PixelCartPole.step failed in benchmark") }
                    game.copyObservation(into: obs)
                    if s.done { game.reset(using: &rng) }
                }
            }
            rates.append(Double(steps) / (now() - t0))
        }
        return Result(name: "pixel path (step + render \(size)x\(size) + φ k=\(k))", stepsPerSecond: median(rates), steps: steps)
    }
}
