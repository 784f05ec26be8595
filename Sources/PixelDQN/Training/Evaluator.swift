// Greedy (or ε-greedy with a small ε) evaluation episodes on environments seeded apart from
// training, so evaluating never changes the training run's random numbers.

public enum Evaluator {
    /// Runs `episodes` episodes acting ε-greedily with `network` and returns their returns'
    /// statistics. The episodes use a generator derived from `seed` and `stream` only.
    public static func evaluate<Source: ObservationSource>(
        network: QNetwork, source: Source, episodes: Int, epsilon: Double,
        seed: UInt64, stream: UInt64
    ) throws -> EvalStats where Source.Element: NetworkInput {
        // Never stopped, so never nil.
        try evaluate(network: network, source: source, episodes: episodes, epsilon: epsilon, seed: seed, stream: stream,
                     shouldStop: { false }) ?? EvalStats(returns: [0])
    }

    /// `evaluate`, asking `shouldStop` before every step: nil as soon as it says true (Ctrl-C
    /// during a long evaluation). After each episode but the last, `cutShort` sees the returns so
    /// far: true ends the evaluation there, and the statistics cover the episodes played (fewer
    /// than `episodes`).
    public static func evaluate<Source: ObservationSource>(
        network: QNetwork, source: Source, episodes: Int, epsilon: Double,
        seed: UInt64, stream: UInt64, shouldStop: () -> Bool, cutShort: ([Double]) -> Bool = { _ in false }
    ) throws -> EvalStats? where Source.Element: NetworkInput {
        precondition(episodes >= 1, "Evaluator.evaluate: episodes must be at least 1, got \(episodes)")
        var rng = Xoshiro256.derived(seed: seed, stream: stream)
        var observation = [Source.Element](repeating: 0, count: source.observationSize)
        var returns: [Double] = []
        for _ in 0..<episodes {
            source.reset(using: &rng)
            var total = 0.0
            var done = false
            while !done {
                if shouldStop() { return nil }
                let action = observation.withUnsafeMutableBufferPointer { obs in
                    source.copyObservation(into: obs)
                    return epsilonGreedyAction(network, UnsafeBufferPointer(obs), epsilon: epsilon, using: &rng)
                }
                let r = try source.step(action)
                total += r.reward
                done = r.done
            }
            returns.append(total)
            if returns.count < episodes && cutShort(returns) { break }
        }
        return EvalStats(returns: returns)
    }
}
