// The update as training runs it: `DQNAgent.update` built from a run's configuration (a task's
// defaults with any option changed), on a seeded random minibatch, timed with nothing else around
// it; plus the prioritized replay's priority update and the target refresh where the run has them.
// `bench-network --as-trained` prints it beside the FMA peak measured in the same minute.
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
    public var batch: Int
    public var threads: Int
    public var repeats: Int
    /// Median of `DQNAgent.update`, the call the trainer makes for each gradient step.
    public var updateMs: Double
    /// GEMM FLOPs of the update: the forwards it makes (three with Double DQN, two without) and
    /// the backward.
    public var flopsPerUpdate: Double
    public var achievedGFLOPS: Double
    public var peakGFLOPS: Double
    public var fractionOfPeak: Double
}

public enum UpdateBenchmark {
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
        for _ in 0..<2 { _ = agent.update(batch) }
        var times: [Double] = []
        times.reserveCapacity(repeats)
        for _ in 0..<repeats { times.append(milliseconds(clock.measure { _ = agent.update(batch) })) }
        let sorted = times.sorted()
        let ms = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        let flops = Double(n * ((config.double ? 3 : 2) * agent.online.forwardFLOPsPerSample + agent.online.backwardFLOPsPerSample))
        let gflops = flops / (ms * 1e6)
        let peak = FMAPeak.measure(threads: config.threads)
        return UpdateBenchmarkResult(env: config.env.rawValue, observation: config.observation.rawValue, network: config.network.rawValue,
                                     dueling: config.dueling, double: config.double, prioritized: config.prioritized,
                                     average: config.emaTau > 0, gradientClipping: config.maxGradNorm > 0, batch: n,
                                     threads: config.threads, repeats: repeats, updateMs: ms, flopsPerUpdate: flops,
                                     achievedGFLOPS: gflops, peakGFLOPS: peak, fractionOfPeak: gflops / peak)
    }
}
