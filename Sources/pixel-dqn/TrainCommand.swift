// `pixel-dqn train`: wires the options to a TrainingConfig and runs the Trainer. Every option
// is optional: unset ones take the defaults of the chosen observation (pixels or state).
import ArgumentParser
import Foundation
import PixelDQN

extension ObservationKind: ExpressibleByArgument {}
extension LossKind: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}
extension AugmentKind: ExpressibleByArgument {}
extension LearningRateSchedule: ExpressibleByArgument {}

private let pixelDefaults = TrainingConfig.defaults(for: .pixels)
private let stateDefaults = TrainingConfig.defaults(for: .state)

/// "(default X)" or "(default X; state Y)" for an option's help.
private func defaults<T>(_ key: KeyPath<TrainingConfig, T>) -> String {
    let p = "\(pixelDefaults[keyPath: key])", s = "\(stateDefaults[keyPath: key])"
    return p == s ? "(default \(p))" : "(default \(p); state \(s))"
}

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a DQN on CartPole from pixels (default) or from the state.",
        discussion: "Writes a run folder (--output, default runs/<env>-<observation>-seed<seed>): config.json, metrics.csv (deterministic), timing.csv, returns.png, model.safetensors, best.safetensors, checkpoint.safetensors, summary.json, and TensorBoard event files (events.out.tfevents.*; tensorboard --logdir runs). Ctrl-C stops cleanly and keeps a checkpoint; --resume DIR continues. Defaults are given for pixels and, where they differ, for --observation state (the seed's setup: CartPole-v0, mlp).")

    @Option(help: "pixels (φ of rendered 84x84 frames) or state (the 4 numbers).")
    var observation: ObservationKind = .pixels
    @Option(help: "Seed of the one RNG (init, resets, ε-greedy, sampling) \(defaults(\TrainingConfig.seed)).")
    var seed: UInt64?
    @Option(help: "CartPole-v1 or CartPole-v0 \(defaults(\TrainingConfig.env.rawValue)).")
    var env: CartPoleVersion?
    @Option(help: "Q-network: small, nature (pixels) or mlp (state) \(defaults(\TrainingConfig.network.rawValue)).")
    var network: NetworkPreset?
    @Option(name: .customLong("total-timesteps"), help: "Env steps to train \(defaults(\TrainingConfig.totalTimesteps)).")
    var totalTimesteps: Int?
    @Option(name: .customLong("learning-rate"), parsing: .unconditional, help: "Optimizer step size \(defaults(\TrainingConfig.learningRate)).")
    var learningRate: Double?
    @Option(help: "adam or rmsprop \(defaults(\TrainingConfig.optimizer.rawValue)).")
    var optimizer: OptimizerKind?
    @Option(name: .customLong("buffer-size"), help: "Replay memory capacity in transitions \(defaults(\TrainingConfig.bufferSize)).")
    var bufferSize: Int?
    @Option(parsing: .unconditional, help: "Discount factor γ \(defaults(\TrainingConfig.gamma)).")
    var gamma: Double?
    @Option(parsing: .unconditional, help: "Target update rate: 1 = hard copy, < 1 = Polyak \(defaults(\TrainingConfig.tau)).")
    var tau: Double?
    @Option(name: .customLong("target-network-frequency"), help: "Env steps between target updates \(defaults(\TrainingConfig.targetNetworkFrequency)).")
    var targetNetworkFrequency: Int?
    @Option(name: .customLong("batch-size"), help: "Transitions per update \(defaults(\TrainingConfig.batchSize)).")
    var batchSize: Int?
    @Option(name: .customLong("start-e"), parsing: .unconditional, help: "ε at the start \(defaults(\TrainingConfig.startEpsilon)).")
    var startEpsilon: Double?
    @Option(name: .customLong("end-e"), parsing: .unconditional, help: "ε after exploration \(defaults(\TrainingConfig.endEpsilon)).")
    var endEpsilon: Double?
    @Option(name: .customLong("exploration-fraction"), parsing: .unconditional, help: "Fraction of the run over which ε falls \(defaults(\TrainingConfig.explorationFraction)).")
    var explorationFraction: Double?
    @Option(name: .customLong("learning-starts"), help: "Random steps before the first update \(defaults(\TrainingConfig.learningStarts)).")
    var learningStarts: Int?
    @Option(name: .customLong("train-frequency"), help: "Env steps between updates \(defaults(\TrainingConfig.trainFrequency)).")
    var trainFrequency: Int?
    @Option(name: .customLong("max-grad-norm"), parsing: .unconditional, help: "Clip the global gradient norm (0 = off) \(defaults(\TrainingConfig.maxGradNorm)).")
    var maxGradNorm: Double?
    @Flag(inversion: .prefixedNo, help: "Double DQN targets \(defaults(\TrainingConfig.double)).")
    var double: Bool?
    @Option(help: "huber or mse \(defaults(\TrainingConfig.loss.rawValue)).")
    var loss: LossKind?
    @Option(name: .customLong("n-step"), help: "n of the n-step return Σ γ^i r_{t+i} + γ^n Q(s_{t+n}), cut at the episode's end \(defaults(\TrainingConfig.nStep)).")
    var nStep: Int?
    @Flag(inversion: .prefixedNo, help: "Dueling head: Q = V + A − mean A \(defaults(\TrainingConfig.dueling)).")
    var dueling: Bool?
    @Flag(inversion: .prefixedNo, help: "Proportional prioritized replay with importance weights \(defaults(\TrainingConfig.prioritized)).")
    var prioritized: Bool?
    @Option(name: .customLong("priority-alpha"), parsing: .unconditional, help: "α of prioritized replay \(defaults(\TrainingConfig.priorityAlpha)).")
    var priorityAlpha: Double?
    @Option(name: .customLong("priority-beta"), parsing: .unconditional, help: "β of prioritized replay at the start, rising linearly to 1 \(defaults(\TrainingConfig.priorityBeta)).")
    var priorityBeta: Double?
    @Option(name: .customLong("priority-epsilon"), parsing: .unconditional, help: "Added to |TD error| in priorities \(defaults(\TrainingConfig.priorityEpsilon)).")
    var priorityEpsilon: Double?
    @Option(help: "none or shift (DrQ's random shift of replayed s and s′; pixels only) \(defaults(\TrainingConfig.augment.rawValue)).")
    var augment: AugmentKind?
    @Option(name: .customLong("augment-pad"), help: "Largest shift in pixels for --augment shift \(defaults(\TrainingConfig.augmentPad)).")
    var augmentPad: Int?
    @Option(name: .customLong("gradient-steps"), help: "Gradient updates every --train-frequency steps (replay ratio) \(defaults(\TrainingConfig.gradientSteps)).")
    var gradientSteps: Int?
    @Option(name: .customLong("lr-schedule"), help: "constant or linear (to --final-learning-rate at --total-timesteps) \(defaults(\TrainingConfig.learningRateSchedule.rawValue)).")
    var learningRateSchedule: LearningRateSchedule?
    @Option(name: .customLong("final-learning-rate"), parsing: .unconditional, help: "Learning rate at the end of a linear schedule \(defaults(\TrainingConfig.finalLearningRate)).")
    var finalLearningRate: Double?
    @Option(name: .customLong("frame-stack"), help: "k, frames in φ \(defaults(\TrainingConfig.frameStack)).")
    var frameStack: Int?
    @Option(name: .customLong("frame-skip"), help: "Env steps per action; max over the last two frames \(defaults(\TrainingConfig.frameSkip)).")
    var frameSkip: Int?
    @Option(name: .customLong("frame-size"), help: "Side of the square frame in pixels \(defaults(\TrainingConfig.frameSize)).")
    var frameSize: Int?
    @Option(name: .customLong("eval-every"), help: "Env steps between evaluations (0 = only at the end) \(defaults(\TrainingConfig.evalEvery)).")
    var evalEvery: Int?
    @Option(name: .customLong("eval-episodes"), help: "Episodes per evaluation \(defaults(\TrainingConfig.evalEpisodes)).")
    var evalEpisodes: Int?
    @Option(name: .customLong("final-eval-episodes"), help: "Episodes of the final evaluation \(defaults(\TrainingConfig.finalEvalEpisodes)).")
    var finalEvalEpisodes: Int?
    @Option(name: .customLong("eval-epsilon"), parsing: .unconditional, help: "ε while evaluating \(defaults(\TrainingConfig.evalEpsilon)).")
    var evalEpsilon: Double?
    @Option(name: .customLong("checkpoint-every"), help: "Env steps between checkpoints \(defaults(\TrainingConfig.checkpointEvery)).")
    var checkpointEvery: Int?
    @Flag(name: .customLong("save-replay"), help: "Save the replay memory in checkpoints (exact resume).")
    var saveReplay = false
    @Option(help: "Numerics threads, 1 or 2 (results are identical) \(defaults(\TrainingConfig.threads)).")
    var threads: Int?
    @Flag(name: .customLong("stop-when-solved"), help: "Stop at the first solve: a periodic evaluation at the threshold, confirmed over the final evaluation's episodes.")
    var stopWhenSolved = false
    @Option(help: "Run folder (default runs/<env>-<observation>-seed<seed>).")
    var output: String?
    @Option(help: "Continue the run in this folder from its checkpoint.")
    var resume: String?
    @Flag(inversion: .prefixedNo, help: "Write TensorBoard event files into the run folder (default true; may change on --resume).")
    var tensorboard: Bool?
    @Flag(help: "Print only the end result.")
    var quiet = false

    func makeConfig() -> TrainingConfig {
        var c = TrainingConfig.defaults(for: observation)
        if let v = seed { c.seed = v }
        if let v = env { c.env = v }
        if let v = network { c.network = v }
        if let v = totalTimesteps { c.totalTimesteps = v }
        if let v = learningRate { c.learningRate = v }
        if let v = optimizer { c.optimizer = v }
        if let v = bufferSize { c.bufferSize = v }
        if let v = gamma { c.gamma = v }
        if let v = tau { c.tau = v }
        if let v = targetNetworkFrequency { c.targetNetworkFrequency = v }
        if let v = batchSize { c.batchSize = v }
        if let v = startEpsilon { c.startEpsilon = v }
        if let v = endEpsilon { c.endEpsilon = v }
        if let v = explorationFraction { c.explorationFraction = v }
        if let v = learningStarts { c.learningStarts = v }
        if let v = trainFrequency { c.trainFrequency = v }
        if let v = maxGradNorm { c.maxGradNorm = v }
        if let v = double { c.double = v }
        if let v = loss { c.loss = v }
        if let v = nStep { c.nStep = v }
        if let v = dueling { c.dueling = v }
        if let v = prioritized { c.prioritized = v }
        if let v = priorityAlpha { c.priorityAlpha = v }
        if let v = priorityBeta { c.priorityBeta = v }
        if let v = priorityEpsilon { c.priorityEpsilon = v }
        if let v = augment { c.augment = v }
        if let v = augmentPad { c.augmentPad = v }
        if let v = gradientSteps { c.gradientSteps = v }
        if let v = learningRateSchedule { c.learningRateSchedule = v }
        if let v = finalLearningRate { c.finalLearningRate = v }
        if let v = frameStack { c.frameStack = v }
        if let v = frameSkip { c.frameSkip = v }
        if let v = frameSize { c.frameSize = v }
        if let v = evalEvery { c.evalEvery = v }
        if let v = evalEpisodes { c.evalEpisodes = v }
        if let v = finalEvalEpisodes { c.finalEvalEpisodes = v }
        if let v = evalEpsilon { c.evalEpsilon = v }
        if let v = checkpointEvery { c.checkpointEvery = v }
        if saveReplay { c.saveReplay = true }
        if let v = threads { c.threads = v }
        if stopWhenSolved { c.stopWhenSolved = true }
        if let v = tensorboard { c.tensorboard = v }
        return c
    }

    func validate() throws {
        if resume == nil {
            do { try makeConfig().validate() } catch let e as ConfigError { throw ValidationError(e.message) }
        } else if output != nil {
            throw ValidationError("--resume DIR continues the run in DIR; do not pass --output with it")
        }
    }

    func run() throws {
        let folder: RunFolder
        var config: TrainingConfig
        if let dir = resume {
            folder = RunFolder(path: dir)
            guard folder.holdsRun else { throw ValidationError("--resume \(dir): no run there (config.json is missing)") }
            config = try folder.readConfig()
            // Only the length of the run (to extend it), the threads and the TensorBoard files may
            // change on resume: none of them changes the results.
            if let v = totalTimesteps { config.totalTimesteps = v }
            if let v = threads { config.threads = v }
            if let v = tensorboard { config.tensorboard = v }
            guard FileManager.default.fileExists(atPath: folder.checkpoint) else {
                throw ValidationError("--resume \(dir): no checkpoint.safetensors to continue from")
            }
        } else {
            config = makeConfig()
            folder = RunFolder(path: output ?? RunFolder.defaultPath(for: config))
            do { try folder.prepareNew() } catch let e as ConfigError { throw ValidationError(e.message) }
            try folder.writeConfig(config)
        }
        StopSignal.install()
        let result: TrainingResult
        switch config.observation {
        case .pixels:
            func make() -> PixelCartPole {
                PixelCartPole(version: config.env, width: config.frameSize, height: config.frameSize,
                              frameStack: config.frameStack, frameSkip: config.frameSkip)
            }
            let trainer = try Trainer(config: config, folder: folder, source: make(), evalSource: make(), resume: resume != nil)
            result = try runTrainer(trainer)
        case .state:
            func make() -> StateCartPole { StateCartPole(version: config.env, frameStack: config.frameStack) }
            let trainer = try Trainer(config: config, folder: folder, source: make(), evalSource: make(), resume: resume != nil)
            result = try runTrainer(trainer)
        }
        var line = "\(result.interrupted ? "stopped" : "finished") after \(result.steps) steps, \(result.episodes) episodes, \(formatDuration(result.wallSeconds))"
        if let e = result.finalEvaluation {
            line += String(format: "; final evaluation over %d episodes: %.1f ± %.1f", e.episodes, e.mean, e.std)
        }
        if let e = result.bestModelEvaluation {
            line += String(format: "; best model: %.1f ± %.1f", e.mean, e.std)
        }
        let threshold = Int(config.env.rewardThreshold)
        if result.firstReachedStep >= 0 {
            line += "; first \(config.evalEpisodes)-episode evaluation ≥ \(threshold) at step \(result.firstReachedStep) (\(formatDuration(result.firstReachedSeconds)))"
        }
        if result.firstSolvedStep >= 0 {
            line += "; solved (\(config.finalEvalEpisodes)-episode confirmation ≥ \(threshold)) at step \(result.firstSolvedStep) (\(formatDuration(result.firstSolvedSeconds)))"
        }
        print(line)
        print("run folder: \(folder.path)")
    }

    private func runTrainer<S>(_ trainer: Trainer<S>) throws -> TrainingResult {
        let terminal = isatty(STDOUT_FILENO) != 0
        trainer.progressEvery = quiet ? 0 : (terminal ? 0.5 : 10)
        trainer.report = { line, live in
            if quiet { return }
            if live && terminal {
                print("\r\u{1B}[K" + line, terminator: "")
                fflush(nil)
            } else {
                if terminal { print("\r\u{1B}[K", terminator: "") }
                print(line)
                fflush(nil)
            }
        }
        let result = try trainer.run()
        if terminal && !quiet { print("") }
        return result
    }
}
