// One episode played by a network, step by step, for `play`: φ and the Q-values before each
// action, the action taken (ε-greedy with one draw per step, as evaluations act; ε 0 is greedy),
// and each step's outcome. What is shown of it (PNGs, a GIF, steps.jsonl) is the caller's.

/// What the network saw and did at one step of a played episode.
public struct PlayedStep: Sendable {
    /// Agent steps taken before this observation.
    public let step: Int
    /// φ (k × H × W, oldest frame first).
    public let observation: [UInt8]
    /// The action taken from here and the Q-values it was chosen from; nil after the last step.
    public let action: Int?
    public let qValues: [Float]?
    /// The return of the steps before this one.
    public let episodeReturn: Double
}

/// How a played episode ended.
public struct PlayedEpisode: Sendable {
    public let steps: Int
    public let episodeReturn: Double
    public let terminated: Bool
    public let truncated: Bool
    /// Neither: stopped at `maxSteps`.
    public var stopped: Bool { !terminated && !truncated }
}

public enum EpisodePlayer {
    /// Plays one episode of `source` from a reset drawn from `seed` (stream 0): `observe` is
    /// called before each action and once after the last step (action nil), `stepped` after each
    /// step with the step count, the action, its Q-values and the outcome. Stops at the episode's
    /// end or after `maxSteps`.
    public static func play<Source: ObservationSource>(
        network: QNetwork, source: Source, seed: UInt64, epsilon: Double, maxSteps: Int?,
        observe: (PlayedStep) throws -> Void,
        stepped: (_ step: Int, _ action: Int, _ qValues: [Float], _ outcome: EnvironmentStep<Source.StepState>) throws -> Void = { _, _, _, _ in }
    ) throws -> PlayedEpisode where Source.Element == UInt8 {
        var rng = Xoshiro256.derived(seed: seed, stream: 0)
        source.reset(using: &rng)
        var observation = [UInt8](repeating: 0, count: source.observationSize)
        var total = 0.0, step = 0
        while true {
            observation.withUnsafeMutableBufferPointer { source.copyObservation(into: $0) }
            let q = observation.withUnsafeBufferPointer { Array(network.forward(frames: $0, batch: 1)) }
            let action = epsilonGreedyChoice(actions: q.count, epsilon: epsilon, using: &rng) {
                q.withUnsafeBufferPointer { argmax($0, offset: 0, count: q.count) }
            }
            try observe(PlayedStep(step: step, observation: observation, action: action, qValues: q, episodeReturn: total))
            let outcome = try source.step(action)
            step += 1
            total += outcome.reward
            try stepped(step, action, q, outcome)
            if outcome.done || step == maxSteps {
                observation.withUnsafeMutableBufferPointer { source.copyObservation(into: $0) }
                try observe(PlayedStep(step: step, observation: observation, action: nil, qValues: nil, episodeReturn: total))
                return PlayedEpisode(steps: step, episodeReturn: total, terminated: outcome.terminated, truncated: outcome.truncated)
            }
        }
    }
}
