// The one check of a run's configuration, for a new run's options and a resumed run's config.json
// alike: every value in its range, the combinations possible, and the memory the run needs within
// the machine. A failure names the option (or the file and field), the value and what was expected.
import DQNNumerics
import Foundation

/// A configuration or run-folder problem, reported before training starts.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// Where a configuration's values came from, so that a message names what the user typed.
public enum ConfigSource: Sendable, Equatable {
    /// Command-line options (`--buffer-size`).
    case options
    /// A config.json file (its path; fields are named as in the file, with their option).
    case file(String)
}

extension TrainingConfig {
    /// The command-line option of every config.json field.
    public static let optionNames: [String: String] = [
        "seed": "--seed", "env": "--env", "observation": "--observation", "network": "--network",
        "totalTimesteps": "--total-timesteps", "learningRate": "--learning-rate", "optimizer": "--optimizer",
        "bufferSize": "--buffer-size", "gamma": "--gamma", "tau": "--tau",
        "targetNetworkFrequency": "--target-network-frequency", "batchSize": "--batch-size", "startEpsilon": "--start-e",
        "endEpsilon": "--end-e", "explorationFraction": "--exploration-fraction", "learningStarts": "--learning-starts",
        "trainFrequency": "--train-frequency", "maxGradNorm": "--max-grad-norm", "double": "--double", "loss": "--loss",
        "frameStack": "--frame-stack", "frameSkip": "--frame-skip", "frameSize": "--frame-size", "evalEvery": "--eval-every",
        "evalEpisodes": "--eval-episodes", "finalEvalEpisodes": "--final-eval-episodes", "evalEpsilon": "--eval-epsilon",
        "checkpointEvery": "--checkpoint-every", "saveReplay": "--save-replay", "threads": "--threads",
        "stopWhenSolved": "--stop-when-solved", "tensorboard": "--tensorboard", "nStep": "--n-step", "dueling": "--dueling", "prioritized": "--prioritized",
        "priorityAlpha": "--priority-alpha", "priorityBeta": "--priority-beta", "priorityEpsilon": "--priority-epsilon",
        "augment": "--augment", "augmentPad": "--augment-pad", "gradientSteps": "--gradient-steps",
        "learningRateSchedule": "--lr-schedule", "finalLearningRate": "--final-learning-rate", "rewardScale": "--reward-scale", "invertFrames": "--invert-frames", "emaTau": "--ema-tau", "version": "--version",
    ]

    /// Upper bound of every step count (total steps, frequencies, learning starts): 10⁹ steps, about
    /// a month at this project's speed; it also keeps every product of counts far from overflowing.
    public static let maximumSteps = 1_000_000_000
    /// Upper bound of --batch-size.
    public static let maximumBatchSize = 4096
    /// Upper bound of --eval-episodes and --final-eval-episodes.
    public static let maximumEpisodes = 100_000
    /// Bounds of a learning rate: a positive number a Float holds as a normal value, with room.
    public static let learningRateRange = 1e-30...1e30

    /// The memory a run may take: half of the machine's physical memory, so that the run, the
    /// operating system and a second run fit. Checked before anything is allocated.
    public static var memoryLimitBytes: Double { Double(ProcessInfo.processInfo.physicalMemory) / 2 }

    /// The run's memory, estimated from its options before anything is allocated: the replay
    /// memory (each transition's frame, its 14 bytes of action, reward, flags and episode step,
    /// and 32 bytes of sum tree with --prioritized; with --save-replay twice more, for the
    /// checkpoint's copy and its serialized bytes), and the two networks with their optimizer,
    /// minibatch and checkpoint copies.
    public var estimatedMemoryBytes: (replay: Double, networks: Double) {
        let frameBytes = observation == .pixels ? Double(frameSize * frameSize) : Double(env.observationCount) * 4
        var perTransition = frameBytes + 14 + (prioritized ? 32 : 0)
        if saveReplay { perTransition += 2 * (frameBytes + 8 + 8 + 4 + 1 + 1 + (prioritized ? 8 : 0)) }
        let replay = Double(bufferSize) * perTransition
        guard network.problem(inputShape: inputShape) == nil else { return (replay, 0) }
        let networkFloats = network.allocatedFloats(inputShape: inputShape, actions: env.actionCount,
                                                    maxBatch: batchSize, dueling: dueling)
        let parameterFloats = network.allocatedFloats(inputShape: inputShape, actions: env.actionCount,
                                                      maxBatch: 1, dueling: dueling)
        let observationBytes = Double(inputShape.reduce(1, *)) * (observation == .pixels ? 1 : 4)
        // Two networks, the optimizer's moments and the checkpoint's copies (about 4 network sizes),
        // two minibatches of observations (s and s′).
        let networks = 4 * (2 * networkFloats + 4 * parameterFloats) + 2 * Double(batchSize) * observationBytes
        return (replay, networks)
    }

    /// Checks every value before any work is done, the same for a new run's options and a resumed
    /// run's config.json. The message names the option (`.options`) or the file, field and option
    /// (`.file`), the value found and what was expected.
    public func validate(source: ConfigSource = .options) throws {
        func fail(_ field: String, _ expected: String, _ got: Any) throws {
            switch source {
            case .options: throw ConfigError(message: "\(Self.label(field, source)): expected \(expected), got \(got)")
            case .file: throw ConfigError(message: "\(Self.label(field, source)) is \(got), expected \(expected)")
            }
        }
        func count(_ field: String, _ value: Int, _ range: ClosedRange<Int>) throws {
            if !range.contains(value) {
                try fail(field, range.upperBound == Self.maximumSteps ? "\(range.lowerBound) to \(range.upperBound) (10⁹)"
                                                                     : "\(range.lowerBound) to \(range.upperBound)", value)
            }
        }
        func number(_ field: String, _ value: Double, _ range: ClosedRange<Double>, _ expected: String) throws {
            if !(value.isFinite && range.contains(value)) { try fail(field, expected, value) }
        }
        // An Atari task needs ALE set up and the game's ROM: checked first, as everything after
        // (the action count, the network's output) depends on the game.
        if let atari = env.atari {
            do { try AtariGame.load(atari) } catch let error as ALEError {
                switch source {
                case .options: throw ConfigError(message: "--env \(env.rawValue): \(error)")
                case .file(let path): throw ConfigError(message: "\(path): env (--env) is \(env.rawValue): \(error)")
                }
            }
            if observation != .pixels { try fail("observation", "pixels for an Atari game (its state is the emulator's)", observation.rawValue) }
            if invertFrames { try fail("invertFrames", "false for an Atari game (ALE's gray screen is used as it is)", invertFrames) }
        }
        let steps = Self.maximumSteps
        try count("totalTimesteps", totalTimesteps, 1...steps)
        try number("learningRate", learningRate, Self.learningRateRange, "a positive number from 1e-30 to 1e30")
        try count("frameStack", frameStack, 1...32)
        try count("frameSkip", frameSkip, 1...16)
        // Both conv stacks need at least 36 pixels to leave a feature map.
        try count("frameSize", frameSize, 36...256)
        try count("bufferSize", bufferSize, 2...steps)
        if bufferSize <= frameStack { try fail("bufferSize", "more than --frame-stack (\(frameStack))", bufferSize) }
        try count("batchSize", batchSize, 1...Self.maximumBatchSize)
        if batchSize > bufferSize { try fail("batchSize", "at most --buffer-size (\(bufferSize))", batchSize) }
        try number("gamma", gamma, 0...1, "a number in [0, 1]")
        if !(tau > 0 && tau <= 1) { try fail("tau", "a number in (0, 1]", tau) }
        if !(emaTau >= 0 && emaTau < 1) { try fail("emaTau", "0 (off) or a number in (0, 1)", emaTau) }
        try count("targetNetworkFrequency", targetNetworkFrequency, 1...steps)
        for (field, e) in [("startEpsilon", startEpsilon), ("endEpsilon", endEpsilon), ("evalEpsilon", evalEpsilon)] {
            try number(field, e, 0...1, "a probability in [0, 1]")
        }
        if !(explorationFraction > 0 && explorationFraction <= 1) { try fail("explorationFraction", "a number in (0, 1]", explorationFraction) }
        try count("learningStarts", learningStarts, 0...steps)
        try count("trainFrequency", trainFrequency, 1...steps)
        if !(maxGradNorm == 0 || (maxGradNorm.isFinite && maxGradNorm >= 1e-30 && maxGradNorm <= 1e30)) {
            try fail("maxGradNorm", "0 (off) or a positive number from 1e-30 to 1e30", maxGradNorm)
        }
        if observation == .pixels {
            if network == .mlp { try fail("network", "small or nature for pixel observations", network.rawValue) }
        } else if network != .mlp {
            try fail("network", "mlp for state observations", network.rawValue)
        }
        try count("evalEvery", evalEvery, 0...steps)
        try count("evalEpisodes", evalEpisodes, 1...Self.maximumEpisodes)
        try count("finalEvalEpisodes", finalEvalEpisodes, 0...Self.maximumEpisodes)
        try count("checkpointEvery", checkpointEvery, 1...steps)
        try count("threads", threads, NumericsThreads.supported)
        try count("nStep", nStep, 1...100)
        // The ring must hold a transition's k-frame stack and its whole n-step window, with one
        // frame to spare (the window's first frame may be an episode's reset frame); with fewer,
        // sampling can find no transition to replay.
        if nStep > 1 && frameStack + nStep >= bufferSize {
            try fail("nStep", "at most --buffer-size − --frame-stack − 1 (\(bufferSize - frameStack - 1))", nStep)
        }
        try number("priorityAlpha", priorityAlpha, 0...1, "a number in [0, 1]")
        try number("priorityBeta", priorityBeta, 0...1, "a number in [0, 1]")
        if !(priorityEpsilon > 0 && priorityEpsilon <= 1) { try fail("priorityEpsilon", "a number in (0, 1]", priorityEpsilon) }
        if invertFrames && observation != .pixels { try fail("invertFrames", "false for state observations", invertFrames) }
        if augment != .none && observation != .pixels { try fail("augment", "none for state observations", augment.rawValue) }
        try count("augmentPad", augmentPad, 0...(frameSize / 4))
        try count("gradientSteps", gradientSteps, 1...64)
        if !(rewardScale >= 1e-6 && rewardScale <= 1e6) { try fail("rewardScale", "a positive number from 1e-6 to 1e6", rewardScale) }
        if !(finalLearningRate == 0 || Self.learningRateRange.contains(finalLearningRate)) {
            try fail("finalLearningRate", "0 or a positive number from 1e-30 to 1e30", finalLearningRate)
        }
        if let problem = network.problem(inputShape: inputShape) { try fail("frameSize", problem, frameSize) }
        try checkMemory(source)
    }

    /// How a message names a field: its option, or the file, the field and its option.
    static func label(_ field: String, _ source: ConfigSource) -> String {
        let option = optionNames[field] ?? field
        switch source {
        case .options: return option
        case .file(let path): return "\(path): \(field) (\(option))"
        }
    }

    /// The memory bound: the estimate must stay within `memoryLimitBytes`. The message blames
    /// --buffer-size when the replay memory is the larger part, else --batch-size.
    private func checkMemory(_ source: ConfigSource) throws {
        let (replay, networks) = estimatedMemoryBytes
        let limit = Self.memoryLimitBytes
        guard replay + networks > limit else { return }
        func gb(_ bytes: Double) -> String { String(format: "%.1f GB", bytes / 1e9) }
        let (field, value) = replay >= networks ? ("bufferSize", bufferSize) : ("batchSize", batchSize)
        let option = Self.optionNames[field] ?? field
        throw ConfigError(message: "\(Self.label(field, source)) \(value): the run would need about \(gb(replay + networks)) of memory (replay memory \(gb(replay))\(saveReplay ? " with --save-replay's copies" : ""), networks \(gb(networks))), more than the \(gb(limit)) a run may take (half of this machine's \(gb(2 * limit))); expected a smaller \(option)\(field == "batchSize" ? ", --frame-size or --frame-stack" : "")")
    }
}
