// Greedy (or ε-greedy with a small ε) evaluation episodes on environments seeded apart from
// training, so evaluating never changes the training run's random numbers.
//
// The episodes of an evaluation are defined one after the other: one generator, derived from the
// seed and the evaluation's stream, draws the first episode's reset, then one number per step of
// it (ε-greedy's draw), then the second episode's reset, and so on. To play them side by side
// with one forward pass for all, `SideBySideEpisodes` starts each later episode from where the
// generator would be if every episode before it ran to the time limit, and keeps it only if
// that proves true; an episode that was started from the wrong place is played again from the
// right one. So the returns are those of the episodes one at a time, bit for bit.

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
    ///
    /// With ε 0, a network that takes batches and a source that has twins and a time limit, the
    /// episodes run side by side (`SideBySideEpisodes`), with the same returns.
    public static func evaluate<Source: ObservationSource>(
        network: QNetwork, source: Source, episodes: Int, epsilon: Double,
        seed: UInt64, stream: UInt64, shouldStop: () -> Bool, cutShort: ([Double]) -> Bool = { _ in false }
    ) throws -> EvalStats? where Source.Element: NetworkInput {
        precondition(episodes >= 1, "Evaluator.evaluate: episodes must be at least 1, got \(episodes)")
        let rng = Xoshiro256.derived(seed: seed, stream: stream)
        if epsilon == 0 && network.maxBatch > 1 && episodes > 1 && source.episodesFollowFromGenerator,
           let longest = source.longestEpisode {
            var side = SideBySideEpisodes(network: network, first: source, longestEpisode: longest)
            return try side.play(episodes: episodes, epsilon: epsilon, rng: rng, shouldStop: shouldStop, cutShort: cutShort)
        }
        return try oneAtATime(network: network, source: source, episodes: episodes, epsilon: epsilon, rng: rng,
                              shouldStop: shouldStop, cutShort: cutShort)
    }

    /// The episodes one after the other: the definition `SideBySideEpisodes` reproduces.
    static func oneAtATime<Source: ObservationSource>(
        network: QNetwork, source: Source, episodes: Int, epsilon: Double, rng start: Xoshiro256,
        shouldStop: () -> Bool, cutShort: ([Double]) -> Bool
    ) throws -> EvalStats? where Source.Element: NetworkInput {
        var rng = start
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

/// Evaluation episodes played in waves side by side, each step one `forwardEach` pass over the
/// episodes still running, with exactly the returns `Evaluator.oneAtATime` gives.
///
/// A wave's first episode starts where the generator is (known exactly); each later one from
/// the generator advanced by one draw per step of a whole time limit past the reset before it:
/// where it will be if the episode before runs to the limit, as a good policy's do. When an
/// episode ends, the generator's true place after it is known, and an episode after it started
/// elsewhere is dropped with everything after it (played again in the next wave). A wave whose
/// last episode kept ran to the limit doubles the next wave's width (up to the network's batch);
/// any other halves it, so episodes that end early (a task solved in fewer steps than its
/// limit, a policy that fails) are played one at a time, with nothing played twice.
struct SideBySideEpisodes<Source: ObservationSource> where Source.Element: NetworkInput {
    let network: QNetwork
    let longestEpisode: Int
    /// One source per lane; lane 0 is the caller's, the others its twins (made as needed).
    var sources: [Source]

    init(network: QNetwork, first: Source, longestEpisode: Int) {
        self.network = network; self.longestEpisode = longestEpisode; sources = [first]
    }

    mutating func play(episodes: Int, epsilon: Double, rng start: Xoshiro256,
                       shouldStop: () -> Bool, cutShort: ([Double]) -> Bool) throws -> EvalStats? {
        let size = sources[0].observationSize, actions = network.actions
        var observations = [Source.Element](repeating: 0, count: network.maxBatch * size)
        var returns: [Double] = []
        var rng = start          // where the generator is before episode returns.count
        var width = 1
        while returns.count < episodes {
            let lanes = min(width, episodes - returns.count)
            while sources.count < lanes {
                guard let twin = sources[0].twin() else { preconditionFailure("SideBySideEpisodes: the source has no twin") }
                sources.append(twin)
            }
            // Each lane's generator before its reset, and its own generator while it plays.
            var starts: [Xoshiro256] = [], generators: [Xoshiro256] = []
            var next = rng
            for lane in 0..<lanes {
                starts.append(next)
                sources[lane].reset(using: &next)
                generators.append(next)
                for _ in 0..<longestEpisode { _ = next.nextUnitDouble() }
            }
            var totals = [Double](repeating: 0, count: lanes)
            var running = Array(0..<lanes)   // lanes still playing, in order
            var kept = lanes                 // lanes not dropped
            while !running.isEmpty {
                if shouldStop() { return nil }
                try observations.withUnsafeMutableBufferPointer { obs in
                    for (i, lane) in running.enumerated() {
                        sources[lane].copyObservation(into: UnsafeMutableBufferPointer(rebasing: obs[(i * size)..<((i + 1) * size)]))
                    }
                    let q = Source.Element.forwardEach(network, UnsafeBufferPointer(rebasing: obs[0..<(running.count * size)]),
                                                       batch: running.count)
                    var ended: [Int] = []
                    for (i, lane) in running.enumerated() {
                        let action = epsilonGreedyChoice(actions: actions, epsilon: epsilon, using: &generators[lane]) {
                            argmax(q, offset: i * actions, count: actions)
                        }
                        let r = try sources[lane].step(action)
                        totals[lane] += r.reward
                        if r.done { ended.append(lane) }
                    }
                    for lane in ended where lane + 1 < kept && starts[lane + 1] != generators[lane] {
                        kept = lane + 1   // the lanes after this one started in the wrong place
                    }
                    running.removeAll { lane in ended.contains(lane) || lane >= kept }
                }
            }
            // Lane 0 started in the right place, and each lane kept started where the one before
            // left the generator (checked as that one ended): they are the next `kept` episodes.
            for lane in 0..<kept {
                returns.append(totals[lane])
                if returns.count < episodes && cutShort(returns) { return EvalStats(returns: returns) }
            }
            rng = generators[kept - 1]
            // Wider only if one more lane would have held: the last episode kept ran to the limit.
            let guessAfterLast = kept < lanes ? starts[kept] : next
            width = rng == guessAfterLast ? min(2 * width, network.maxBatch) : max(1, width / 2)
        }
        return EvalStats(returns: returns)
    }
}
