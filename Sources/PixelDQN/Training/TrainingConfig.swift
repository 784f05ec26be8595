// Every hyperparameter of a training run, named once, with its default and one line of doc
// (CleanRL's `Args` is the model). Defaults depend on the observation: pixels or state.
import Foundation

/// What the agent sees.
public enum ObservationKind: String, Codable, CaseIterable, Sendable {
    /// Rendered gray frames stacked into φ (the default).
    case pixels
    /// The four CartPole state numbers (the seed's setup, with the `mlp` network).
    case state
}

public enum OptimizerKind: String, Codable, CaseIterable, Sendable { case adam, rmsprop }

/// Data augmentation of replayed pixel stacks.
public enum AugmentKind: String, Codable, CaseIterable, Sendable {
    case none
    /// DrQ's random shift: pad by `augmentPad` pixels (replicating the border), crop back at a
    /// random offset; one offset per stack, drawn separately for s and s′.
    case shift
}

/// How the learning rate moves over the run.
public enum LearningRateSchedule: String, Codable, CaseIterable, Sendable {
    case constant
    /// Linear from `learningRate` at step 0 to `finalLearningRate` at `totalTimesteps`.
    case linear
}

/// A complete, validated description of a training run; written to `config.json`.
public struct TrainingConfig: Codable, Equatable, Sendable {
    /// Seed of the one RNG (init, resets, ε-greedy, sampling); evaluation seeds derive from it.
    public var seed: UInt64 = 1
    /// CartPole-v1 (500-step episodes) or CartPole-v0 (200).
    public var env: CartPoleVersion = .v1
    /// pixels (φ of rendered frames) or state (the 4 numbers).
    public var observation: ObservationKind = .pixels
    /// Q-network preset: small or nature for pixels, mlp for state.
    public var network: NetworkPreset = .small
    /// Environment steps to train for.
    public var totalTimesteps = 100_000
    /// Optimizer step size.
    public var learningRate = 5e-4
    /// adam (as torch.optim.Adam) or rmsprop.
    public var optimizer: OptimizerKind = .adam
    /// Replay memory capacity in transitions (frames stored once each).
    public var bufferSize = 100_000
    /// Discount factor γ.
    public var gamma = 0.99
    /// Target network update rate: 1 = hard copy, < 1 = Polyak averaging.
    public var tau = 1.0
    /// Env steps between target network updates.
    public var targetNetworkFrequency = 250
    /// Transitions per gradient update.
    public var batchSize = 32
    /// ε at the start of training.
    public var startEpsilon = 1.0
    /// ε after the exploration phase.
    public var endEpsilon = 0.01
    /// Fraction of `totalTimesteps` over which ε falls linearly from start to end.
    public var explorationFraction = 0.1
    /// Env steps of random play before the first update.
    public var learningStarts = 2_000
    /// Env steps between gradient updates.
    public var trainFrequency = 2
    /// Clip the global gradient norm to this (0 = no clipping).
    public var maxGradNorm = 10.0
    /// Double DQN: the online network picks the next action, the target network values it.
    public var double = true
    /// huber (smooth L1, δ = 1) or mse.
    public var loss: LossKind = .huber
    /// k, the frames in φ.
    public var frameStack = 4
    /// Env steps per agent step; the frame is the max of the last two (Atari-style).
    public var frameSkip = 1
    /// Side of the square observation frame in pixels.
    public var frameSize = 84
    /// Env steps between evaluations (0 = only at the end).
    public var evalEvery = 5_000
    /// Episodes per periodic evaluation.
    public var evalEpisodes = 10
    /// Episodes of the final evaluation.
    public var finalEvalEpisodes = 100
    /// ε used while evaluating.
    public var evalEpsilon = 0.0
    /// Env steps between checkpoints (also written at the end and on Ctrl-C).
    public var checkpointEvery = 10_000
    /// Also save the replay memory in checkpoints, so a resumed run continues exactly.
    public var saveReplay = false
    /// Threads for the numerics (1 or 2); results are identical for both.
    public var threads = 2
    /// Stop early at the first solve: a periodic evaluation at the env's reward threshold whose
    /// confirmation (the final evaluation's episodes) is at the threshold too.
    public var stopWhenSolved = false
    /// n of the n-step return: y = Σ_{i<n} γ^i r_{t+i} + γ^n · Q(s_{t+n}), cut at the episode's end.
    public var nStep = 10
    /// Dueling head (Wang et al. 2016): Q = V + A − mean A.
    public var dueling = true
    /// Proportional prioritized replay (Schaul et al. 2016) with importance weights in the loss.
    public var prioritized = true
    /// α: how strongly priorities shape sampling (0 = uniform).
    public var priorityAlpha = 0.6
    /// β at the start; it rises linearly to 1 at `totalTimesteps`.
    public var priorityBeta = 0.4
    /// Added to |TD error| so that no transition gets priority 0.
    public var priorityEpsilon = 1e-6
    /// none or shift (DrQ's random shift of s and s′ in updates; pixels only).
    public var augment: AugmentKind = .none
    /// Pixels of padding for --augment shift (the largest shift).
    public var augmentPad = 4
    /// Gradient updates every `trainFrequency` env steps (the replay ratio is gradientSteps / trainFrequency).
    public var gradientSteps = 1
    /// constant or linear (to `finalLearningRate` at `totalTimesteps`).
    public var learningRateSchedule: LearningRateSchedule = .constant
    /// The learning rate at the end of a linear schedule.
    public var finalLearningRate = 0.0
    /// Write TensorBoard event files into the run folder (Logging/); no effect on training.
    public var tensorboard = true
    /// The pixel-dqn version that wrote the config.
    public var version = pixelDQNVersion

    public init() {}

    /// Values of the options that config.json files written before they existed lack: each is
    /// the behaviour such a run had (plain one-step uniform replay, no augmentation, no
    /// TensorBoard files: a resumed old run gets none unless `train --resume DIR --tensorboard`).
    static var valuesBeforeOptionsExisted: [String: Any] {
        ["nStep": 1, "dueling": false, "prioritized": false, "priorityAlpha": 0.6, "priorityBeta": 0.4,
         "priorityEpsilon": 1e-6, "augment": "none", "augmentPad": 4, "gradientSteps": 1,
         "learningRateSchedule": "constant", "finalLearningRate": 0.0, "tensorboard": false]
    }

    /// Decodes config.json; keys added after a file was written take the values that run had.
    public static func decode(json bytes: [UInt8]) throws -> TrainingConfig {
        var object = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] ?? [:]
        for (key, value) in valuesBeforeOptionsExisted where object[key] == nil { object[key] = value }
        let data = try JSONSerialization.data(withJSONObject: object)
        return try JSONDecoder().decode(TrainingConfig.self, from: data)
    }

    /// The learning rate at env step `step` (see `learningRateSchedule`).
    public func learningRate(atStep step: Int) -> Double {
        switch learningRateSchedule {
        case .constant: return learningRate
        case .linear:
            let f = min(1, Double(step) / Double(max(totalTimesteps, 1)))
            return learningRate + (finalLearningRate - learningRate) * f
        }
    }

    /// β of prioritized replay at env step `step`: linear from `priorityBeta` to 1.
    public func priorityBeta(atStep step: Int) -> Double {
        let f = min(1, Double(step) / Double(max(totalTimesteps, 1)))
        return priorityBeta + (1 - priorityBeta) * f
    }

    /// The defaults for an observation kind: pixels as above; state follows the seed's setup
    /// (CartPole-v0, mlp 4 → 256 → 2), tuned to learn within 50,000 steps.
    public static func defaults(for kind: ObservationKind) -> TrainingConfig {
        var c = TrainingConfig()
        c.observation = kind
        if kind == .state {
            c.env = .v0
            c.network = .mlp
            c.totalTimesteps = 50_000
            c.learningRate = 2.5e-4
            c.bufferSize = 50_000
            c.batchSize = 64
            c.targetNetworkFrequency = 500
            c.learningStarts = 1_000
            c.trainFrequency = 1
            c.endEpsilon = 0.05
            c.explorationFraction = 0.2
            c.frameStack = 1
            c.nStep = 3
            c.dueling = false
            c.prioritized = false
            c.evalEvery = 2_500
            c.checkpointEvery = 5_000
        }
        return c
    }

    /// Steps of the linear ε schedule.
    public var explorationSteps: Int { max(1, Int(explorationFraction * Double(totalTimesteps))) }

    /// ε at env step `step`: linear from start to end over `explorationSteps`, then constant.
    public func epsilon(atStep step: Int) -> Double {
        let slope = (endEpsilon - startEpsilon) / Double(explorationSteps)
        return max(slope * Double(step) + startEpsilon, min(startEpsilon, endEpsilon))
    }

    /// Checks every option before any work is done; the message names the option, what was
    /// expected and what was found.
    public func validate() throws {
        func fail(_ option: String, _ expected: String, _ got: Any) throws {
            throw ConfigError(message: "--\(option): expected \(expected), got \(got)")
        }
        if totalTimesteps < 1 { try fail("total-timesteps", "a positive number", totalTimesteps) }
        if !(learningRate > 0 && learningRate.isFinite) { try fail("learning-rate", "a positive number", learningRate) }
        if bufferSize < 2 { try fail("buffer-size", "at least 2", bufferSize) }
        if batchSize < 1 { try fail("batch-size", "at least 1", batchSize) }
        if batchSize > bufferSize { try fail("batch-size", "at most --buffer-size (\(bufferSize))", batchSize) }
        if !(gamma >= 0 && gamma <= 1) { try fail("gamma", "a number in [0, 1]", gamma) }
        if !(tau > 0 && tau <= 1) { try fail("tau", "a number in (0, 1]", tau) }
        if targetNetworkFrequency < 1 { try fail("target-network-frequency", "at least 1", targetNetworkFrequency) }
        for (name, e) in [("start-e", startEpsilon), ("end-e", endEpsilon), ("eval-epsilon", evalEpsilon)] where !(e >= 0 && e <= 1) {
            try fail(name, "a probability in [0, 1]", e)
        }
        if !(explorationFraction > 0 && explorationFraction <= 1) { try fail("exploration-fraction", "a number in (0, 1]", explorationFraction) }
        if learningStarts < 0 { try fail("learning-starts", "0 or more", learningStarts) }
        if trainFrequency < 1 { try fail("train-frequency", "at least 1", trainFrequency) }
        if !(maxGradNorm >= 0) { try fail("max-grad-norm", "0 (off) or a positive number", maxGradNorm) }
        if frameStack < 1 || frameStack > 32 { try fail("frame-stack", "k between 1 and 32", frameStack) }
        if bufferSize <= frameStack { try fail("buffer-size", "more than --frame-stack (\(frameStack))", bufferSize) }
        if frameSkip < 1 || frameSkip > 16 { try fail("frame-skip", "between 1 and 16", frameSkip) }
        if observation == .pixels {
            if network == .mlp { try fail("network", "small or nature for pixel observations", network.rawValue) }
            // Both conv stacks need at least 36 pixels to leave a feature map.
            if frameSize < 36 || frameSize > 256 { try fail("frame-size", "between 36 and 256 for the \(network.rawValue) network", frameSize) }
        } else if network != .mlp {
            try fail("network", "mlp for state observations", network.rawValue)
        }
        if evalEvery < 0 { try fail("eval-every", "0 (off) or more", evalEvery) }
        if evalEpisodes < 1 { try fail("eval-episodes", "at least 1", evalEpisodes) }
        if finalEvalEpisodes < 0 { try fail("final-eval-episodes", "0 or more", finalEvalEpisodes) }
        if checkpointEvery < 1 { try fail("checkpoint-every", "at least 1", checkpointEvery) }
        if threads < 1 || threads > 2 { try fail("threads", "1 or 2", threads) }
        if nStep < 1 || nStep > 100 { try fail("n-step", "n between 1 and 100", nStep) }
        if nStep >= bufferSize { try fail("n-step", "less than --buffer-size (\(bufferSize))", nStep) }
        if !(priorityAlpha >= 0 && priorityAlpha <= 1) { try fail("priority-alpha", "a number in [0, 1]", priorityAlpha) }
        if !(priorityBeta >= 0 && priorityBeta <= 1) { try fail("priority-beta", "a number in [0, 1]", priorityBeta) }
        if !(priorityEpsilon > 0 && priorityEpsilon <= 1) { try fail("priority-epsilon", "a number in (0, 1]", priorityEpsilon) }
        if augment != .none && observation != .pixels { try fail("augment", "none for state observations", augment.rawValue) }
        if augmentPad < 0 || augmentPad > frameSize / 4 { try fail("augment-pad", "between 0 and \(frameSize / 4) (a quarter of --frame-size)", augmentPad) }
        if gradientSteps < 1 || gradientSteps > 64 { try fail("gradient-steps", "between 1 and 64", gradientSteps) }
        if !(finalLearningRate >= 0 && finalLearningRate.isFinite) { try fail("final-learning-rate", "0 or a positive number", finalLearningRate) }
    }

    /// The input shape of the Q-network: [k, H, W] for pixels, [4k] for state.
    public var inputShape: [Int] {
        observation == .pixels ? [frameStack, frameSize, frameSize] : [4 * frameStack]
    }
}

/// A configuration or run-folder problem, reported before training starts.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

extension NetworkPreset: Codable {}
extension LossKind: Codable {}
