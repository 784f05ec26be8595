// Every hyperparameter of a training run, named once, with its default and one line of doc
// (CleanRL's `Args` is the model). The stored values are the defaults `pixel-dqn train` gives:
// CartPole-v1 from pixels. The state defaults, each task's own tuning and an Atari game's
// defaults are changes to them (`defaults(for:env:)`).
import Foundation

/// What the agent sees.
public enum ObservationKind: String, Codable, CaseIterable, Sendable {
    /// Rendered gray frames stacked into φ (the default).
    case pixels
    /// The task's observation numbers (the seed's setup, with the `mlp` network).
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
    /// The task, by its Gymnasium id (TaskRegistry, or an Atari game).
    public var env: EnvironmentID = .cartPoleV1
    /// pixels (φ of rendered frames) or state (the 4 numbers).
    public var observation: ObservationKind = .pixels
    /// Q-network preset: small or nature for pixels, mlp for state.
    public var network: NetworkPreset = .small
    /// Environment steps to train for. With the defaults below, the slowest of ten CartPole-v1
    /// seeds solves at 60,000 steps (docs/experiments.md).
    public var totalTimesteps = 75_000
    /// Optimizer step size. With γ 0.995, 1e-3 solved the same ten seeds sooner than 5e-4:
    /// median 35,000 env steps against 60,000 (docs/experiments.md).
    public var learningRate = 1e-3
    /// adam (as torch.optim.Adam) or rmsprop.
    public var optimizer: OptimizerKind = .adam
    /// Replay memory capacity in transitions (frames stored once each).
    public var bufferSize = 100_000
    /// Discount factor γ. A horizon of about 200 steps instead of 100: a policy whose cart drifts
    /// away from the centre loses value the learner can see (CartPole-v1 from pixels: 10 of 10
    /// seeds solved against 9 of 10 with 0.99, docs/experiments.md).
    public var gamma = 0.995
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
    /// Fraction of `totalTimesteps` over which ε falls linearly from start to end (the first
    /// 10,000 of 75,000 steps).
    public var explorationFraction = 0.133334
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
    /// Rate τ of an exponential moving average of the online weights, updated after every
    /// gradient step (θ̄ ← τ·θ + (1 − τ)·θ̄; 0 = off). Evaluations, confirmations and the saved
    /// models use the average; acting in training and the targets do not, so the run learns the
    /// same weights with or without it. On CartPole-v1 from pixels it solved 9 of 10 seeds against
    /// 7 of 10 on the same training (docs/experiments.md).
    public var emaTau = 0.001
    /// The factor on every reward in the learner's targets (the replay memory stores r × scale);
    /// returns, evaluations and the solve threshold stay in the task's own units.
    public var rewardScale = 1.0
    /// Frames enter φ as 255 − gray (the background 0, the shapes bright); pixels only. Every
    /// task's scene is dark shapes on white: fed inverted, the first convolution keeps its units
    /// alive (docs/experiments.md). config.json files written before the option mean off.
    public var invertFrames = true
    /// Write TensorBoard event files into the run folder (Logging/); no effect on training.
    public var tensorboard = true
    /// The pixel-dqn version that wrote the config.
    public var version = pixelDQNVersion

    public init() {}

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

    /// The defaults for an observation kind and task: the kind's own (below), then the task's own
    /// tuning from its registration (`ClassicTask.tuneDefaults`, beside the task's dynamics), or an
    /// Atari game's defaults.
    public static func defaults(for kind: ObservationKind, env: EnvironmentID? = nil) -> TrainingConfig {
        if let env, env.isAtari { return atariDefaults(env) }
        var c = defaults(for: kind)
        guard let env else { return c }
        c.env = env
        env.task?.tuneDefaults(&c)
        return c
    }

    /// The pixel settings of a task that has no tuning of its own in these: CartPole's (the
    /// average, γ 0.995, 1e-3, ε over 10,000 of 75,000 steps) are CartPole's; the other tasks'
    /// runs were measured without the average, with γ 0.99, 5e-4 and ε over the first tenth of
    /// their budgets.
    public mutating func useUntunedPixelDefaults() {
        emaTau = 0
        gamma = 0.99
        learningRate = 5e-4
        explorationFraction = 0.1
    }

    /// The defaults of an Atari game: CleanRL's `dqn_atari.py` core (updates every 4 agent steps,
    /// target refreshed every 1,000, step size 1e-4, γ 0.99, 4 frames skipped with the max of the
    /// last two, ε to 0.01) on the `small` network of Mnih et al. 2013, with the ingredients
    /// CartPole keeps (Double DQN, dueling head, prioritized replay) and 3-step returns; a
    /// 100,000-frame replay memory as SB3's Atari DQN, learning from 20,000 steps, ε falling over
    /// the first 100,000; evaluations on 10 whole games with ε 0.01 every 50,000 steps, the final
    /// one on 30.
    static func atariDefaults(_ env: EnvironmentID) -> TrainingConfig {
        var c = defaults(for: .pixels)
        c.env = env
        c.invertFrames = false
        c.network = .small
        c.frameSkip = 4
        c.totalTimesteps = 2_000_000
        c.bufferSize = 100_000
        c.learningRate = 1e-4
        c.gamma = 0.99
        c.emaTau = 0
        c.startEpsilon = 1
        c.endEpsilon = 0.01
        c.explorationFraction = 0.05
        c.learningStarts = 20_000
        c.trainFrequency = 4
        c.targetNetworkFrequency = 1_000
        c.nStep = 3
        c.evalEvery = 50_000
        c.evalEpisodes = 10
        c.finalEvalEpisodes = 30
        c.evalEpsilon = 0.01
        c.checkpointEvery = 50_000
        return c
    }

    /// The reward the learner's targets use: an Atari game's reward clipped to its sign (Mnih et
    /// al. 2015; SB3's `ClipRewardEnv`), a classic task's times `rewardScale`. Returns and
    /// evaluations keep the game's score.
    public func learnerReward(_ reward: Double) -> Double {
        if env.isAtari { return (reward > 0 ? 1 : reward < 0 ? -1 : 0) * rewardScale }
        return reward * rewardScale
    }

    /// The defaults for an observation kind on its own task: pixels are the stored values
    /// (CartPole-v1); state follows the seed's setup (CartPole-v0, mlp 4 → 256 → 2), tuned to learn
    /// within 50,000 steps.
    public static func defaults(for kind: ObservationKind) -> TrainingConfig {
        var c = TrainingConfig()
        guard kind == .state else { return c }
        c.observation = .state
        c.env = .cartPoleV0
        c.network = .mlp
        c.invertFrames = false
        c.emaTau = 0
        c.gamma = 0.99
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
        return c
    }

    /// Steps of the linear ε schedule.
    public var explorationSteps: Int { max(1, Int(explorationFraction * Double(totalTimesteps))) }

    /// ε at env step `step`: linear from start to end over `explorationSteps`, then constant.
    public func epsilon(atStep step: Int) -> Double {
        let slope = (endEpsilon - startEpsilon) / Double(explorationSteps)
        // Falling (the usual case) or rising, ε stops at `endEpsilon`, so it stays in [0, 1].
        if endEpsilon > startEpsilon { return min(slope * Double(step) + startEpsilon, endEpsilon) }
        return max(slope * Double(step) + startEpsilon, min(startEpsilon, endEpsilon))
    }

    /// The input shape of the Q-network: [k, H, W] for pixels, [n·k] for state (n numbers per
    /// observation: the task's `observationCount`).
    public var inputShape: [Int] {
        observation == .pixels ? [frameStack, frameSize, frameSize] : [env.observationCount * frameStack]
    }
}

extension NetworkPreset: Codable {}
extension LossKind: Codable {}
