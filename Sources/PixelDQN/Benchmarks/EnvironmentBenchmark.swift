// Throughput of the environment side on one thread: a task's dynamics alone, and the whole pixel
// observation path (step + render + φ push + copy of the k×H×W observation), for any task.
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

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// Plain CartPole steps per second (random actions, reset on episode end).
    public static func cartPole(steps: Int, repeats: Int, seed: UInt64 = 0) -> Result {
        dynamics(CartPole(version: .v1), steps: steps, repeats: repeats, seed: seed)
    }

    /// Steps per second of `env`'s dynamics alone (random actions, reset on episode end).
    public static func dynamics<E: Environment>(_ env: E, steps: Int, repeats: Int, seed: UInt64 = 0) -> Result {
        var rates: [Double] = []
        var checksum = 0.0
        var env = env
        let actions = env.id.actionCount
        for r in 0..<repeats {
            var rng = Xoshiro256(seed: seed &+ UInt64(r))
            env.reset(using: &rng)
            let t0 = now()
            for _ in 0..<steps {
                guard let s = try? env.step(rng.nextIndex(below: actions)) else { fatalError("\(env.id.rawValue).step failed in benchmark") }
                checksum += s.reward
                if s.done { env.reset(using: &rng) }
            }
            rates.append(Double(steps) / (now() - t0))
        }
        precondition(checksum.isFinite)
        let name = env.id.cartPoleVersion == nil ? "\(env.id.rawValue) step" : "CartPole step"
        return Result(name: name, stepsPerSecond: median(rates), steps: steps)
    }

    /// The pixel observation path of CartPole-v1: step + render W×H + φ (k frames) + copy of φ.
    public static func pixelPath(steps: Int, repeats: Int, size: Int = 84, k: Int = 4, seed: UInt64 = 0) -> Result {
        pixelPath(CartPole(version: .v1), steps: steps, repeats: repeats, size: size, k: k, seed: seed)
    }

    /// The pixel observation path of `env`: step + render W×H + φ (k frames) + copy of φ. Every
    /// buffer is made before the clock starts; the loop allocates nothing.
    public static func pixelPath<E: Environment>(_ env: E, steps: Int, repeats: Int, size: Int = 84, k: Int = 4,
                                                 seed: UInt64 = 0) -> Result {
        var rates: [Double] = []
        let game = PixelObservation(env: env, width: size, height: size, frameStack: k)
        let actions = env.id.actionCount
        var observation = [UInt8](repeating: 0, count: game.observationSize)
        for r in 0..<repeats {
            var rng = Xoshiro256(seed: seed &+ UInt64(r))
            game.reset(using: &rng)
            let t0 = now()
            observation.withUnsafeMutableBufferPointer { obs in
                for _ in 0..<steps {
                    guard let s = try? game.step(rng.nextIndex(below: actions)) else { fatalError("\(env.id.rawValue) pixel step failed in benchmark") }
                    game.copyObservation(into: obs)
                    if s.done { game.reset(using: &rng) }
                }
            }
            rates.append(Double(steps) / (now() - t0))
        }
        let name = env.id.cartPoleVersion == nil ? "\(env.id.rawValue) pixel path" : "pixel path"
        return Result(name: "\(name) (step + render \(size)x\(size) + φ k=\(k))", stepsPerSecond: median(rates), steps: steps)
    }
}
