// The update as training runs it: `DQNAgent.update` built from a run's configuration (a task's
// defaults, or a preset with the options of `bench-network`), on a seeded random minibatch, timed
// with nothing else around it, and the acting forward pass on one φ. `bench-network` and `bench
// --network` print it beside the FMA peak measured in the same minute: there is one update, the
// trainer's, and this is what they time.
import DQNNumerics
import Foundation

/// One `UpdateBenchmark.run`.
public struct UpdateBenchmarkResult: Codable, Sendable, Equatable {
    public var env: String
    public var observation: String
    public var network: String
    public var dueling: Bool
    public var double: Bool
    public var prioritized: Bool
    /// Whether each update ends with the weights' moving average pass.
    public var average: Bool
    public var gradientClipping: Bool
    public var inputShape: [Int]
    public var actions: Int
    public var batch: Int
    public var threads: Int
    public var repeats: Int
    /// Median of `DQNAgent.act` on one φ (greedy: the online network's forward pass at batch 1).
    public var actLatencyMs: Double
    /// Median of `DQNAgent.update`, the call the trainer makes for each gradient step.
    public var updateMs: Double
    public var updatesPerSecond: Double
    /// GEMM FLOPs of the update: the forwards it makes (three with Double DQN, two without) and
    /// the backward.
    public var flopsPerUpdate: Double
    public var achievedGFLOPS: Double
    public var peakGFLOPS: Double
    public var fractionOfPeak: Double
}

public enum UpdateBenchmark {
    /// The configuration whose update `bench-network --preset P` times: the pixel defaults of
    /// CartPole-v1 (`mlp`: the state defaults of CartPole-v0) with the preset's network, the head,
    /// Double DQN and the moving average as given, uniform replay (no importance weights), and the
    /// batch of `NetworkBenchmark.updateBatch` (32; `mlp` 256). Clipping, loss and Adam are the run's.
    public static func presetConfig(_ preset: NetworkPreset, dueling: Bool, double: Bool, average: Bool,
                                    threads: Int) -> TrainingConfig {
        var config = preset.isConvolutional ? TrainingConfig.defaults(for: .pixels, env: .cartPoleV1)
                                            : TrainingConfig.defaults(for: .state)
        config.network = preset
        config.dueling = dueling
        config.double = double
        config.emaTau = average ? 0.001 : 0
        config.prioritized = false
        config.batchSize = NetworkBenchmark.updateBatch(for: preset)
        config.threads = threads
        return config
    }

    /// Times `DQNAgent.update` for `config` (its network, head, Double DQN, loss, clipping,
    /// optimizer, importance weights and moving average), `repeats` times after two warm-ups.
    public static func run(config: TrainingConfig, repeats: Int, seed: UInt64 = 1) -> UpdateBenchmarkResult {
        precondition(repeats > 0, "UpdateBenchmark: repeats must be positive, got \(repeats)")
        switch config.observation {
        case .pixels: return measure(UInt8.self, config: config, repeats: repeats, seed: seed) { UInt8(truncatingIfNeeded: $0.next()) }
        case .state: return measure(Float.self, config: config, repeats: repeats, seed: seed) { Float($0.nextIndex(below: 2001)) / 1000 - 1 }
        }
    }

    private static func measure<E: NetworkInput>(_: E.Type, config: TrainingConfig, repeats: Int, seed: UInt64,
                                                 draw: (inout Xoshiro256) -> E) -> UpdateBenchmarkResult {
        var rng = Xoshiro256(seed: seed)
        let agent = DQNAgent<E>(config: config, rng: &rng)
        let size = config.inputShape.reduce(1, *), n = config.batchSize
        let batch = ReplayBatch<E>(size: n, observationSize: size)
        for i in 0..<(n * size) { batch.states[i] = draw(&rng); batch.nextStates[i] = draw(&rng) }
        let gammaN = Float(pow(config.gamma, Double(config.nStep)))
        for i in 0..<n {
            batch.actions[i] = Int32(rng.nextIndex(below: agent.actions))
            batch.rewards[i] = Float(rng.nextIndex(below: 3)) - 1
            batch.terminated[i] = rng.nextIndex(below: 10) == 0 ? 1 : 0
            batch.discounts[i] = batch.terminated[i] == 1 ? 0 : gammaN
            batch.weights[i] = config.prioritized ? Float(rng.nextIndex(below: 1000) + 1) / 1000 : 1
        }
        let clock = ContinuousClock()
        func milliseconds(_ d: Duration) -> Double { Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) * 1e-15 }
        var policyRNG = Xoshiro256(seed: seed &+ 1)
        func act() {
            _ = batch.states.withUnsafeBufferPointer {
                agent.act(UnsafeBufferPointer(rebasing: $0[0..<size]), epsilon: 0, using: &policyRNG)
            }
        }
        for _ in 0..<2 { act(); _ = agent.update(batch) }   // warm caches and page in buffers
        // Reserved, so the timed loop allocates nothing itself.
        var actTimes: [Double] = [], times: [Double] = []
        actTimes.reserveCapacity(repeats); times.reserveCapacity(repeats)
        for _ in 0..<repeats {
            actTimes.append(milliseconds(clock.measure { act() }))
            times.append(milliseconds(clock.measure { _ = agent.update(batch) }))
        }
        func median(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        let ms = median(times)
        let flops = Double(n * ((config.double ? 3 : 2) * agent.online.forwardFLOPsPerSample + agent.online.backwardFLOPsPerSample))
        let gflops = flops / (ms * 1e6)
        // The machine's speed drifts (shared cores): the peak is measured in the same minute.
        let peak = FMAPeak.measure(threads: config.threads)
        return UpdateBenchmarkResult(env: config.env.rawValue, observation: config.observation.rawValue, network: config.network.rawValue,
                                     dueling: config.dueling, double: config.double, prioritized: config.prioritized,
                                     average: config.emaTau > 0, gradientClipping: config.maxGradNorm > 0,
                                     inputShape: config.inputShape, actions: agent.actions, batch: n,
                                     threads: config.threads, repeats: repeats, actLatencyMs: median(actTimes), updateMs: ms,
                                     updatesPerSecond: 1000 / ms, flopsPerUpdate: flops,
                                     achievedGFLOPS: gflops, peakGFLOPS: peak, fractionOfPeak: gflops / peak)
    }
}
