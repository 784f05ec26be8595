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
    /// and 32 bytes of sum tree with --prioritized; with --save-replay, two copies of the small
    /// fields as a checkpoint writes and reads them: the frames are written from the ring and read
    /// back into it in place), and the two networks with their optimizer, minibatch and
    /// checkpoint copies.
    public var estimatedMemoryBytes: (replay: Double, networks: Double) {
        let frameBytes = observation == .pixels ? Double(frameSize * frameSize) : Double(env.observationCount) * 4
        var perTransition = frameBytes + 14 + (prioritized ? 32 : 0)
        if saveReplay { perTransition += 2 * ((observation == .pixels ? 0 : frameBytes) + 8 + 8 + 4 + 1 + 1 + (prioritized ? 8 : 0)) }
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
        // Each field in its own range (declared with the option), then the checks between fields.
        for option in Self.options {
            if let (value, expected) = option.check(self) { try fail(option.field, expected, value) }
        }
        if bufferSize <= frameStack { try fail("bufferSize", "more than --frame-stack (\(frameStack))", bufferSize) }
        if batchSize > bufferSize { try fail("batchSize", "at most --buffer-size (\(bufferSize))", batchSize) }
        if observation == .pixels {
            if network == .mlp { try fail("network", "small or nature for pixel observations", network.rawValue) }
        } else if network != .mlp {
            try fail("network", "mlp for state observations", network.rawValue)
        }
        // The ring must hold a transition's k-frame stack and its whole n-step window, with one
        // frame to spare (the window's first frame may be an episode's reset frame); with fewer,
        // sampling can find no transition to replay.
        if nStep > 1 && frameStack + nStep >= bufferSize {
            try fail("nStep", "at most --buffer-size − --frame-stack − 1 (\(bufferSize - frameStack - 1))", nStep)
        }
        if invertFrames && observation != .pixels { try fail("invertFrames", "false for state observations", invertFrames) }
        if augment != .none && observation != .pixels { try fail("augment", "none for state observations", augment.rawValue) }
        if augmentPad > frameSize / 4 || augmentPad < 0 { try fail("augmentPad", "0 to \(frameSize / 4)", augmentPad) }
        if learningRateSchedule == .linear && finalLearningRate > learningRate {
            try fail("finalLearningRate", "at most --learning-rate (\(learningRate)) with --lr-schedule linear (the rate falls)", finalLearningRate)
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
