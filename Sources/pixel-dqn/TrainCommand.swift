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

/// The defaults a task other than CartPole changes, written as the options that set them
/// ("Acrobot-v1 from pixels: --total-timesteps 300000; …"), read from `TrainingConfig.defaults(for:env:)`.
private let taskDefaults: String = {
    var parts: [String] = []
    for kind in [ObservationKind.pixels, .state] {
        let base = TrainingConfig.defaults(for: kind)
        for env in EnvironmentID.classic {
            let config = TrainingConfig.defaults(for: kind, env: env)
            guard let data = try? JSONEncoder().encode(config),
                  let values = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { continue }
            let options = config.fieldsDiffering(from: base).filter { $0 != "env" }.map { field -> String in
                let name = TrainingConfig.optionNames[field] ?? field
                if isJSONBoolean(values[field]), let flag = values[field] as? Bool { return flag ? name : "--no-" + name.dropFirst(2) }
                return "\(name) \(values[field] ?? "")"
            }
            if !options.isEmpty { parts.append("\(env.rawValue) from \(kind == .pixels ? "pixels" : "the state"): \(options.joined(separator: " "))") }
        }
    }
    return parts.joined(separator: "; ")
}()

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a DQN from pixels (default) or from the state, on \(EnvironmentID.classic.map(\.rawValue).joined(separator: ", ")) or an Atari game.",
        discussion: "Writes a run folder (--output, default runs/<env>-<observation>-seed<seed>): config.json, metrics.csv (deterministic), timing.csv, returns.png, model.safetensors, best.safetensors, checkpoint.safetensors, summary.json, and TensorBoard event files (events.out.tfevents.*; tensorboard --logdir runs). Ctrl-C stops cleanly and keeps a checkpoint; --resume DIR continues. Defaults are given for pixels and, where they differ, for --observation state (the seed's setup: CartPole-v0, mlp). The other tasks change some defaults (each can still be given): \(taskDefaults).")

    @Option(help: "pixels (φ of rendered 84x84 frames) or state (the task's observation numbers: \(EnvironmentID.classic.map { "\($0.observationCount) for \($0.rawValue)" }.joined(separator: ", "))) (default pixels).")
    var observation: ObservationKind?
    @Option(parsing: .unconditional, help: "Seed of the one RNG (init, resets, ε-greedy, sampling) \(defaults(\TrainingConfig.seed)).", transform: Parse.seed)
    var seed: UInt64?
    @Option(help: "The task: \(EnvironmentID.names) \(defaults(\TrainingConfig.env.rawValue)).")
    var env: EnvironmentID?
    @Option(help: "Q-network: small, nature (pixels) or mlp (state) \(defaults(\TrainingConfig.network.rawValue)).")
    var network: NetworkPreset?
    @Option(name: .customLong("total-timesteps"), parsing: .unconditional, help: "Env steps to train \(defaults(\TrainingConfig.totalTimesteps)).", transform: Parse.integer)
    var totalTimesteps: Int?
    @Option(name: .customLong("learning-rate"), parsing: .unconditional, help: "Optimizer step size \(defaults(\TrainingConfig.learningRate)).", transform: Parse.number)
    var learningRate: Double?
    @Option(help: "adam or rmsprop \(defaults(\TrainingConfig.optimizer.rawValue)).")
    var optimizer: OptimizerKind?
    @Option(name: .customLong("buffer-size"), parsing: .unconditional, help: "Replay memory capacity in transitions \(defaults(\TrainingConfig.bufferSize)).", transform: Parse.integer)
    var bufferSize: Int?
    @Option(parsing: .unconditional, help: "Discount factor γ \(defaults(\TrainingConfig.gamma)).", transform: Parse.number)
    var gamma: Double?
    @Option(parsing: .unconditional, help: "Target update rate: 1 = hard copy, < 1 = Polyak \(defaults(\TrainingConfig.tau)).", transform: Parse.number)
    var tau: Double?
    @Option(name: .customLong("target-network-frequency"), parsing: .unconditional, help: "Env steps between target updates \(defaults(\TrainingConfig.targetNetworkFrequency)).", transform: Parse.integer)
    var targetNetworkFrequency: Int?
    @Option(name: .customLong("batch-size"), parsing: .unconditional, help: "Transitions per update \(defaults(\TrainingConfig.batchSize)).", transform: Parse.integer)
    var batchSize: Int?
    @Option(name: .customLong("start-e"), parsing: .unconditional, help: "ε at the start \(defaults(\TrainingConfig.startEpsilon)).", transform: Parse.number)
    var startEpsilon: Double?
    @Option(name: .customLong("end-e"), parsing: .unconditional, help: "ε after exploration \(defaults(\TrainingConfig.endEpsilon)).", transform: Parse.number)
    var endEpsilon: Double?
    @Option(name: .customLong("exploration-fraction"), parsing: .unconditional, help: "Fraction of the run over which ε falls \(defaults(\TrainingConfig.explorationFraction)).", transform: Parse.number)
    var explorationFraction: Double?
    @Option(name: .customLong("learning-starts"), parsing: .unconditional, help: "Random steps before the first update \(defaults(\TrainingConfig.learningStarts)).", transform: Parse.integer)
    var learningStarts: Int?
    @Option(name: .customLong("train-frequency"), parsing: .unconditional, help: "Env steps between updates \(defaults(\TrainingConfig.trainFrequency)).", transform: Parse.integer)
    var trainFrequency: Int?
    @Option(name: .customLong("max-grad-norm"), parsing: .unconditional, help: "Clip the global gradient norm (0 = off) \(defaults(\TrainingConfig.maxGradNorm)).", transform: Parse.number)
    var maxGradNorm: Double?
    @Flag(inversion: .prefixedNo, help: "Double DQN targets \(defaults(\TrainingConfig.double)).")
    var double: Bool?
    @Option(help: "huber or mse \(defaults(\TrainingConfig.loss.rawValue)).")
    var loss: LossKind?
    @Option(name: .customLong("n-step"), parsing: .unconditional, help: "n of the n-step return Σ γ^i r_{t+i} + γ^n Q(s_{t+n}), cut at the episode's end \(defaults(\TrainingConfig.nStep)).", transform: Parse.integer)
    var nStep: Int?
    @Flag(inversion: .prefixedNo, help: "Dueling head: Q = V + A − mean A \(defaults(\TrainingConfig.dueling)).")
    var dueling: Bool?
    @Flag(inversion: .prefixedNo, help: "Proportional prioritized replay with importance weights \(defaults(\TrainingConfig.prioritized)).")
    var prioritized: Bool?
    @Option(name: .customLong("priority-alpha"), parsing: .unconditional, help: "α of prioritized replay \(defaults(\TrainingConfig.priorityAlpha)).", transform: Parse.number)
    var priorityAlpha: Double?
    @Option(name: .customLong("priority-beta"), parsing: .unconditional, help: "β of prioritized replay at the start, rising linearly to 1 \(defaults(\TrainingConfig.priorityBeta)).", transform: Parse.number)
    var priorityBeta: Double?
    @Option(name: .customLong("priority-epsilon"), parsing: .unconditional, help: "Added to |TD error| in priorities \(defaults(\TrainingConfig.priorityEpsilon)).", transform: Parse.number)
    var priorityEpsilon: Double?
    @Flag(name: .customLong("invert-frames"), inversion: .prefixedNo, help: "Frames enter φ as 255 − gray: the white background 0, the shapes bright (pixels only) \(defaults(\TrainingConfig.invertFrames)).")
    var invertFrames: Bool?
    @Option(name: .customLong("reward-scale"), parsing: .unconditional, help: "Factor on every reward in the learner's targets (returns are still reported in the task's units) \(defaults(\TrainingConfig.rewardScale)).", transform: Parse.number)
    var rewardScale: Double?
    @Option(help: "none or shift (DrQ's random shift of replayed s and s′; pixels only) \(defaults(\TrainingConfig.augment.rawValue)).")
    var augment: AugmentKind?
    @Option(name: .customLong("augment-pad"), parsing: .unconditional, help: "Largest shift in pixels for --augment shift \(defaults(\TrainingConfig.augmentPad)).", transform: Parse.integer)
    var augmentPad: Int?
    @Option(name: .customLong("gradient-steps"), parsing: .unconditional, help: "Gradient updates every --train-frequency steps (replay ratio) \(defaults(\TrainingConfig.gradientSteps)).", transform: Parse.integer)
    var gradientSteps: Int?
    @Option(name: .customLong("lr-schedule"), help: "constant or linear (to --final-learning-rate at --total-timesteps) \(defaults(\TrainingConfig.learningRateSchedule.rawValue)).")
    var learningRateSchedule: LearningRateSchedule?
    @Option(name: .customLong("final-learning-rate"), parsing: .unconditional, help: "Learning rate at the end of a linear schedule \(defaults(\TrainingConfig.finalLearningRate)).", transform: Parse.number)
    var finalLearningRate: Double?
    @Option(name: .customLong("ema-tau"), parsing: .unconditional, help: "Rate of a moving average of the online weights, updated after every gradient step (0 = off); evaluations and the saved models use it, training does not \(defaults(\TrainingConfig.emaTau)).", transform: Parse.number)
    var emaTau: Double?
    @Option(name: .customLong("frame-stack"), parsing: .unconditional, help: "k, frames in φ \(defaults(\TrainingConfig.frameStack)).", transform: Parse.integer)
    var frameStack: Int?
    @Option(name: .customLong("frame-skip"), parsing: .unconditional, help: "Env steps per action; max over the last two frames \(defaults(\TrainingConfig.frameSkip)).", transform: Parse.integer)
    var frameSkip: Int?
    @Option(name: .customLong("frame-size"), parsing: .unconditional, help: "Side of the square frame in pixels \(defaults(\TrainingConfig.frameSize)).", transform: Parse.integer)
    var frameSize: Int?
    @Option(name: .customLong("eval-every"), parsing: .unconditional, help: "Env steps between evaluations (0 = only at the end) \(defaults(\TrainingConfig.evalEvery)).", transform: Parse.integer)
    var evalEvery: Int?
    @Option(name: .customLong("eval-episodes"), parsing: .unconditional, help: "Episodes per evaluation \(defaults(\TrainingConfig.evalEpisodes)).", transform: Parse.integer)
    var evalEpisodes: Int?
    @Option(name: .customLong("final-eval-episodes"), parsing: .unconditional, help: "Episodes of the final evaluation \(defaults(\TrainingConfig.finalEvalEpisodes)).", transform: Parse.integer)
    var finalEvalEpisodes: Int?
    @Option(name: .customLong("eval-epsilon"), parsing: .unconditional, help: "ε while evaluating \(defaults(\TrainingConfig.evalEpsilon)).", transform: Parse.number)
    var evalEpsilon: Double?
    @Option(name: .customLong("checkpoint-every"), parsing: .unconditional, help: "Env steps between checkpoints \(defaults(\TrainingConfig.checkpointEvery)).", transform: Parse.integer)
    var checkpointEvery: Int?
    @Flag(name: .customLong("save-replay"), help: "Save the replay memory in checkpoints (exact resume).")
    var saveReplay = false
    @Option(parsing: .unconditional, help: "Numerics threads, 1 or 2 (results are identical) \(defaults(\TrainingConfig.threads)).", transform: Parse.integer)
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

    /// Every training option given on the command line: its config.json field and how it sets it.
    private var givenOptions: [(field: String, apply: (inout TrainingConfig) -> Void)] {
        var list: [(field: String, apply: (inout TrainingConfig) -> Void)] = []
        func add<T>(_ field: String, _ value: T?, _ key: WritableKeyPath<TrainingConfig, T>) {
            if let value { list.append((field, { $0[keyPath: key] = value })) }
        }
        add("observation", observation, \.observation)
        add("seed", seed, \.seed); add("env", env, \.env); add("network", network, \.network)
        add("totalTimesteps", totalTimesteps, \.totalTimesteps); add("learningRate", learningRate, \.learningRate)
        add("optimizer", optimizer, \.optimizer); add("bufferSize", bufferSize, \.bufferSize); add("gamma", gamma, \.gamma)
        add("tau", tau, \.tau); add("targetNetworkFrequency", targetNetworkFrequency, \.targetNetworkFrequency)
        add("batchSize", batchSize, \.batchSize); add("startEpsilon", startEpsilon, \.startEpsilon)
        add("endEpsilon", endEpsilon, \.endEpsilon); add("explorationFraction", explorationFraction, \.explorationFraction)
        add("learningStarts", learningStarts, \.learningStarts); add("trainFrequency", trainFrequency, \.trainFrequency)
        add("maxGradNorm", maxGradNorm, \.maxGradNorm); add("double", double, \.double); add("loss", loss, \.loss)
        add("nStep", nStep, \.nStep); add("dueling", dueling, \.dueling); add("prioritized", prioritized, \.prioritized)
        add("priorityAlpha", priorityAlpha, \.priorityAlpha); add("priorityBeta", priorityBeta, \.priorityBeta)
        add("priorityEpsilon", priorityEpsilon, \.priorityEpsilon); add("augment", augment, \.augment)
        add("augmentPad", augmentPad, \.augmentPad); add("gradientSteps", gradientSteps, \.gradientSteps)
        add("learningRateSchedule", learningRateSchedule, \.learningRateSchedule)
        add("finalLearningRate", finalLearningRate, \.finalLearningRate); add("rewardScale", rewardScale, \.rewardScale); add("emaTau", emaTau, \.emaTau); add("invertFrames", invertFrames, \.invertFrames); add("frameStack", frameStack, \.frameStack)
        add("frameSkip", frameSkip, \.frameSkip); add("frameSize", frameSize, \.frameSize); add("evalEvery", evalEvery, \.evalEvery)
        add("evalEpisodes", evalEpisodes, \.evalEpisodes); add("finalEvalEpisodes", finalEvalEpisodes, \.finalEvalEpisodes)
        add("evalEpsilon", evalEpsilon, \.evalEpsilon); add("checkpointEvery", checkpointEvery, \.checkpointEvery)
        add("saveReplay", saveReplay ? true : nil, \.saveReplay); add("threads", threads, \.threads)
        add("stopWhenSolved", stopWhenSolved ? true : nil, \.stopWhenSolved)
        add("tensorboard", tensorboard, \.tensorboard)
        return list
    }

    /// The options over the chosen observation's defaults.
    func makeConfig() -> TrainingConfig {
        var c = TrainingConfig.defaults(for: observation ?? .pixels, env: env)
        for option in givenOptions { option.apply(&c) }
        return c
    }

    func validate() throws {
        try checkPath(output, option: "--output", expected: "a folder for the run")
        guard let dir = resume else {
            do { try makeConfig().validate() } catch let e as ConfigError { throw ValidationError(e.message) }
            return
        }
        if output != nil { throw ValidationError("--resume DIR continues the run in DIR; do not pass --output with it") }
        if dir.isEmpty { throw ValidationError("--resume: expected the folder of a run, got an empty path") }
        // A resumed run is the run config.json describes: only its length, threads, evaluations and
        // checkpoints may change (`TrainingConfig.resumableFields`), and those are written to config.json.
        if let fixed = givenOptions.first(where: { !TrainingConfig.resumableFields.contains($0.field) }) {
            let option = TrainingConfig.optionNames[fixed.field] ?? fixed.field
            let allowed = TrainingConfig.resumableFields.compactMap { TrainingConfig.optionNames[$0] }
            throw ValidationError("\(option) cannot be given with --resume: a resumed run continues the run its config.json describes. With --resume only \(allowed.joined(separator: ", ")) may change; to train with other settings, start a new run with another --output")
        }
        // Each value in its range before the folder is touched (their cross-checks come with config.json).
        var probe = TrainingConfig.defaults(for: .state)
        for option in givenOptions { option.apply(&probe) }
        do { try probe.validate() } catch let e as ConfigError { throw ValidationError(e.message) }
    }

    func run() throws {
        StopSignal.install()
        let result: TrainingResult, folder: RunFolder, config: TrainingConfig
        if let dir = resume {
            guard let prepared = try prepareResume(dir) else { return }
            (folder, config, result) = prepared
        } else {
            config = makeConfig()
            folder = RunFolder(path: output ?? RunFolder.defaultPath(for: config))
            let lock = try folder.prepareNew()
            try folder.writeConfig(config)
            guard let trained = try train(config, folder, resume: false, lock: lock, prepared: nil) else { return }
            result = trained
        }
        var line = "\(result.interrupted ? "stopped" : "finished") after \(result.steps) steps, \(result.episodes) episodes, \(formatDuration(result.wallSeconds))"
        if let e = result.finalEvaluation {
            line += String(format: "; final evaluation over %d episodes: %.1f ± %.1f", e.episodes, e.mean, e.std)
        }
        if let e = result.bestModelEvaluation {
            line += String(format: "; best model: %.1f ± %.1f", e.mean, e.std)
        }
        let threshold = config.env.rewardThreshold.isFinite ? "\(Int(config.env.rewardThreshold))" : "∞"
        if result.firstReachedStep >= 0 {
            line += "; first \(config.evalEpisodes)-episode evaluation ≥ \(threshold) at step \(result.firstReachedStep) (\(formatDuration(result.firstReachedSeconds)))"
        }
        if result.firstSolvedStep >= 0 {
            line += "; solved (\(config.finalEvalEpisodes)-episode confirmation ≥ \(threshold)) at step \(result.firstSolvedStep) (\(formatDuration(result.firstSolvedSeconds)))"
        }
        print(line)
        print("run folder: \(folder.path)")
    }

    /// `train --resume DIR`: lock the folder, read and check config.json with the given changes,
    /// then the checkpoint and the other files (the trainer), and only then record the changes in
    /// config.json and train. A folder whose run never wrote a checkpoint starts again from step
    /// 0 with its config.json; a finished run is reported and left alone (nil).
    private func prepareResume(_ dir: String) throws -> (RunFolder, TrainingConfig, TrainingResult)? {
        let folder = RunFolder(path: dir)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) else {
            throw ConfigError(message: "--resume \(dir): no run there (the folder does not exist)")
        }
        guard isDir.boolValue else { throw ConfigError(message: "--resume \(dir): is a file, expected a run folder") }
        let lock = try folder.lock()
        guard folder.holdsRun || FileManager.default.fileExists(atPath: folder.checkpoint) else {
            throw ConfigError(message: "--resume \(dir): no run there (config.json is missing)")
        }
        let recorded = try folder.readConfig()
        var config = recorded
        for option in givenOptions { option.apply(&config) }
        do { try config.validate() } catch let e as ConfigError { throw ValidationError(e.message) }
        let hasCheckpoint = FileManager.default.fileExists(atPath: folder.checkpoint)
        if !hasCheckpoint {
            // model.safetensors is written with every checkpoint: without one, nothing was saved.
            guard !FileManager.default.fileExists(atPath: folder.model) else {
                throw ConfigError(message: "\(folder.checkpoint): missing, but model.safetensors shows this run wrote checkpoints: it cannot be continued. Put the checkpoint back, or start a new run with another --output")
            }
            // summary.json is written only after a checkpoint: a run that has one (a finished run
            // whose checkpoint and model were deleted to save space) is never restarted over its record.
            guard !FileManager.default.fileExists(atPath: folder.summary) else {
                throw ConfigError(message: "\(folder.checkpoint): missing, but summary.json shows this run reached a checkpoint: it cannot be continued, and it is not started again over its metrics.csv and summary.json. Put the checkpoint back, or start a new run with another --output")
            }
            print("\(dir): no checkpoint.safetensors yet (the run stopped before its first checkpoint): starting it again from step 0 with its config.json")
        }
        let result = try train(config, folder, resume: hasCheckpoint, lock: lock, prepared: { trainer in
            if trainer.isFinished {
                print("\(dir): the run already finished at step \(trainer.step) (its final evaluation is in metrics.csv, nothing was changed); pass --total-timesteps with more than \(trainer.step) steps to extend it")
                return false
            }
            // Every file checked: record the changed options before training.
            if config != recorded { try folder.writeConfig(config) }
            return true
        })
        guard let result else { return nil }
        return (folder, config, result)
    }

    /// Builds the trainer for the configured observation; `prepared` (after the trainer has read
    /// and checked the folder) may stop here by returning false (then nil).
    private func train(_ config: TrainingConfig, _ folder: RunFolder, resume: Bool, lock: RunFolderLock,
                       prepared: ((any TrainerStatus) throws -> Bool)?) throws -> TrainingResult? {
        if let atari = config.env.atari {
            try AtariGame.load(atari)
            func make(training: Bool) throws -> AtariObservation { try AtariObservation(config: config, training: training) }
            let trainer = try Trainer(config: config, folder: folder, source: make(training: true), evalSource: make(training: false),
                                      resume: resume, lock: lock)
            if let prepared, try !prepared(trainer) { return nil }
            return try runTrainer(trainer)
        }
        switch config.observation {
        case .pixels:
            func make() -> PixelObservation<AnyEnvironment> {
                PixelObservation(id: config.env, width: config.frameSize, height: config.frameSize,
                                 frameStack: config.frameStack, frameSkip: config.frameSkip, invert: config.invertFrames)
            }
            let trainer = try Trainer(config: config, folder: folder, source: make(), evalSource: make(), resume: resume, lock: lock)
            if let prepared, try !prepared(trainer) { return nil }
            return try runTrainer(trainer)
        case .state:
            func make() -> StateObservation<AnyEnvironment> { StateObservation(id: config.env, frameStack: config.frameStack) }
            let trainer = try Trainer(config: config, folder: folder, source: make(), evalSource: make(), resume: resume, lock: lock)
            if let prepared, try !prepared(trainer) { return nil }
            return try runTrainer(trainer)
        }
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

/// What `train --resume` asks a trainer of either observation before running it.
protocol TrainerStatus {
    var isFinished: Bool { get }
    var step: Int { get }
}

extension Trainer: TrainerStatus {}

/// Parsers of option values whose errors say what was expected (ArgumentParser adds the option
/// and the value). Ranges are checked with the rest of the configuration (`TrainingConfig.validate`).
enum Parse {
    static func integer(_ text: String) throws -> Int {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let v = Int(trimmed) else {
            let digits = !trimmed.isEmpty && trimmed.drop(while: { $0 == "-" || $0 == "+" }).allSatisfy(\.isNumber)
            throw ValidationError(digits ? "expected a whole number no larger than \(Int.max)" : "expected a whole number")
        }
        return v
    }

    static func number(_ text: String) throws -> Double {
        guard let v = Double(text.trimmingCharacters(in: .whitespaces)) else { throw ValidationError("expected a number") }
        return v
    }

    static func seed(_ text: String) throws -> UInt64 {
        guard let v = UInt64(text.trimmingCharacters(in: .whitespaces)) else {
            throw ValidationError("expected a whole number from 0 to \(UInt64.max)")
        }
        return v
    }
}
