// Every training option declared once: its config.json field, its command-line name, the kind of
// value it takes, its help, whether a resumed run may change it, and the value config.json files
// written before it existed stand for. The command line (`train`'s options, `--help`), config.json
// reading (`expectedType`, missing fields), the resume checks (`resumableFields`, `identity`) and
// the messages (`optionNames`) are all built from this one list; ranges are checked with the rest
// of the configuration in `validate()`.
import DQNNumerics
import Foundation

/// One training option.
public struct TrainingOption: Sendable {
    public enum Kind: Sendable, Equatable {
        /// A whole number.
        case integer
        /// A seed: a whole number from 0 to 2^64 − 1.
        case seed
        /// A real number.
        case number
        /// On or off: `--name` and, when `invertible`, `--no-name`.
        case flag(invertible: Bool)
        /// One of a few words (the option's help names them). No payload here: a pointer inside a
        /// multi-payload enum carries tag bits, which LeakSanitizer cannot follow.
        case choice
    }

    /// The config.json field (the `TrainingConfig` property).
    public let field: String
    /// The command-line option, such as `--ema-tau`.
    public let name: String
    public let kind: Kind
    /// One line of help; `--help` adds the defaults.
    public let help: String
    /// Whether `train --resume` may change it (run length, threads, evaluations, checkpoints).
    public let resumable: Bool
    /// The value a config.json written before the option existed stands for (nil: always written).
    let valueBeforeItExisted: (any Sendable)?
    /// Sets the field from the text given on the command line; throws `OptionValueError` naming
    /// what was expected.
    let parse: @Sendable (inout TrainingConfig, String) throws -> Void
    /// Copies the field from another configuration.
    let copy: @Sendable (inout TrainingConfig, TrainingConfig) -> Void
    /// The field's value as help shows it.
    public let show: @Sendable (TrainingConfig) -> String
    /// The field's own range: nil when the value is in it, else (the value, what was expected).
    /// Checks between fields are `validate()`'s.
    var check: @Sendable (TrainingConfig) -> (value: String, expected: String)? = { _ in nil }

    /// Sets the field of `config` from `text` (for a flag: "true" or "false").
    public func apply(_ text: String, to config: inout TrainingConfig) throws { try parse(&config, text) }
}

/// A command-line value of the wrong form: what was expected.
public struct OptionValueError: Error, CustomStringConvertible {
    public let expected: String
    public var description: String { expected }
}

extension TrainingOption {
    static func integer(_ field: String, _ name: String, _ key: WritableKeyPath<TrainingConfig, Int> & Sendable, _ help: String,
                        _ range: ClosedRange<Int>? = nil, resumable: Bool = false, before: Int? = nil) -> TrainingOption {
        var option = TrainingOption(field: field, name: name, kind: .integer, help: help, resumable: resumable, valueBeforeItExisted: before,
                       parse: { c, text in
                           let trimmed = text.trimmingCharacters(in: .whitespaces)
                           guard let v = Int(trimmed) else {
                               let digits = !trimmed.isEmpty && trimmed.drop(while: { $0 == "-" || $0 == "+" }).allSatisfy(\.isNumber)
                               throw OptionValueError(expected: digits ? "a whole number no larger than \(Int.max)" : "a whole number")
                           }
                           c[keyPath: key] = v
                       }, copy: { $0[keyPath: key] = $1[keyPath: key] }, show: { "\($0[keyPath: key])" })
        if let range {
            let expected = range.upperBound == TrainingConfig.maximumSteps ? "\(range.lowerBound) to \(range.upperBound) (10⁹)"
                                                                           : "\(range.lowerBound) to \(range.upperBound)"
            option.check = { c in range.contains(c[keyPath: key]) ? nil : ("\(c[keyPath: key])", expected) }
        }
        return option
    }

    static func number(_ field: String, _ name: String, _ key: WritableKeyPath<TrainingConfig, Double> & Sendable, _ help: String,
                       _ valid: @escaping @Sendable (Double) -> Bool, _ expected: String, before: Double? = nil) -> TrainingOption {
        var option = TrainingOption(field: field, name: name, kind: .number, help: help, resumable: false, valueBeforeItExisted: before,
                       parse: { c, text in
                           guard let v = Double(text.trimmingCharacters(in: .whitespaces)) else { throw OptionValueError(expected: "a number") }
                           c[keyPath: key] = v
                       }, copy: { $0[keyPath: key] = $1[keyPath: key] }, show: { "\($0[keyPath: key])" })
        option.check = { c in valid(c[keyPath: key]) ? nil : ("\(c[keyPath: key])", expected) }
        return option
    }

    static func flag(_ field: String, _ name: String, _ key: WritableKeyPath<TrainingConfig, Bool> & Sendable, _ help: String,
                     invertible: Bool = true, resumable: Bool = false, before: Bool? = nil) -> TrainingOption {
        TrainingOption(field: field, name: name, kind: .flag(invertible: invertible), help: help, resumable: resumable,
                       valueBeforeItExisted: before,
                       parse: { c, text in
                           guard let v = Bool(text) else { throw OptionValueError(expected: "true or false") }
                           c[keyPath: key] = v
                       }, copy: { $0[keyPath: key] = $1[keyPath: key] }, show: { "\($0[keyPath: key])" })
    }

    static func choice<T: RawRepresentable & CaseIterable & Sendable>(
        _ field: String, _ name: String, _ key: WritableKeyPath<TrainingConfig, T> & Sendable, _ help: String, before: String? = nil
    ) -> TrainingOption where T.RawValue == String {
        let words = T.allCases.map(\.rawValue)
        return TrainingOption(field: field, name: name, kind: .choice, help: help, resumable: false, valueBeforeItExisted: before,
                              parse: { c, text in
                                  guard let v = T(rawValue: text) else { throw OptionValueError(expected: "one of \(words.joined(separator: ", "))") }
                                  c[keyPath: key] = v
                              }, copy: { $0[keyPath: key] = $1[keyPath: key] }, show: { $0[keyPath: key].rawValue })
    }
}

extension TrainingConfig {
    /// Every training option, in the order `--help` lists them.
    public static let options: [TrainingOption] = [
        .choice("observation", "--observation", \.observation,
                "pixels (φ of rendered 84x84 frames) or state (the task's observation numbers: \(EnvironmentID.classic.map { "\($0.observationCount) for \($0.rawValue)" }.joined(separator: ", ")))"),
        TrainingOption(field: "seed", name: "--seed", kind: .seed, help: "Seed of the one RNG (init, resets, ε-greedy, sampling)",
                       resumable: false, valueBeforeItExisted: nil,
                       parse: { c, text in
                           guard let v = UInt64(text.trimmingCharacters(in: .whitespaces)) else {
                               throw OptionValueError(expected: "a whole number from 0 to \(UInt64.max)")
                           }
                           c.seed = v
                       }, copy: { $0.seed = $1.seed }, show: { "\($0.seed)" }),
        TrainingOption(field: "env", name: "--env", kind: .choice, help: "The task: \(EnvironmentID.names)",
                       resumable: false, valueBeforeItExisted: nil,
                       parse: { c, text in
                           guard let v = EnvironmentID(rawValue: text) else { throw OptionValueError(expected: EnvironmentID.names) }
                           c.env = v
                       }, copy: { $0.env = $1.env }, show: { $0.env.rawValue }),
        .choice("network", "--network", \.network, "Q-network: small, nature (pixels) or mlp (state)"),
        .integer("totalTimesteps", "--total-timesteps", \.totalTimesteps, "Env steps to train", 1...TrainingConfig.maximumSteps, resumable: true),
        .number("learningRate", "--learning-rate", \.learningRate, "Optimizer step size", { $0.isFinite && TrainingConfig.learningRateRange.contains($0) }, "a positive number from 1e-30 to 1e30"),
        .choice("optimizer", "--optimizer", \.optimizer, "adam or rmsprop"),
        .integer("bufferSize", "--buffer-size", \.bufferSize, "Replay memory capacity in transitions", 2...TrainingConfig.maximumSteps),
        .number("gamma", "--gamma", \.gamma, "Discount factor γ", { $0.isFinite && (0...1).contains($0) }, "a number in [0, 1]"),
        .number("tau", "--tau", \.tau, "Target update rate: 1 = hard copy, < 1 = Polyak", { $0 > 0 && $0 <= 1 }, "a number in (0, 1]"),
        .integer("targetNetworkFrequency", "--target-network-frequency", \.targetNetworkFrequency, "Env steps between target updates", 1...TrainingConfig.maximumSteps),
        .integer("batchSize", "--batch-size", \.batchSize, "Transitions per update", 1...TrainingConfig.maximumBatchSize),
        .number("startEpsilon", "--start-e", \.startEpsilon, "ε at the start", { $0.isFinite && (0...1).contains($0) }, "a probability in [0, 1]"),
        .number("endEpsilon", "--end-e", \.endEpsilon, "ε after exploration", { $0.isFinite && (0...1).contains($0) }, "a probability in [0, 1]"),
        .number("explorationFraction", "--exploration-fraction", \.explorationFraction, "Fraction of the run over which ε falls", { $0 > 0 && $0 <= 1 }, "a number in (0, 1]"),
        .integer("learningStarts", "--learning-starts", \.learningStarts, "Random steps before the first update", 0...TrainingConfig.maximumSteps),
        .integer("trainFrequency", "--train-frequency", \.trainFrequency, "Env steps between updates", 1...TrainingConfig.maximumSteps),
        .number("maxGradNorm", "--max-grad-norm", \.maxGradNorm, "Clip the global gradient norm (0 = off)", { $0 == 0 || ($0.isFinite && $0 >= 1e-30 && $0 <= 1e30) }, "0 (off) or a positive number from 1e-30 to 1e30"),
        .flag("double", "--double", \.double, "Double DQN targets"),
        .choice("loss", "--loss", \.loss, "huber or mse"),
        .integer("nStep", "--n-step", \.nStep, "n of the n-step return Σ γ^i r_{t+i} + γ^n Q(s_{t+n}), cut at the episode's end", 1...100, before: 1),
        .flag("dueling", "--dueling", \.dueling, "Dueling head: Q = V + A − mean A", before: false),
        .flag("prioritized", "--prioritized", \.prioritized, "Proportional prioritized replay with importance weights", before: false),
        .number("priorityAlpha", "--priority-alpha", \.priorityAlpha, "α of prioritized replay", { $0.isFinite && (0...1).contains($0) }, "a number in [0, 1]", before: 0.6),
        .number("priorityBeta", "--priority-beta", \.priorityBeta, "β of prioritized replay at the start, rising linearly to 1", { $0.isFinite && (0...1).contains($0) }, "a number in [0, 1]", before: 0.4),
        .number("priorityEpsilon", "--priority-epsilon", \.priorityEpsilon, "Added to |TD error| in priorities", { $0 > 0 && $0 <= 1 }, "a number in (0, 1]", before: 1e-6),
        .flag("invertFrames", "--invert-frames", \.invertFrames, "Frames enter φ as 255 − gray: the white background 0, the shapes bright (pixels only)", before: false),
        .number("rewardScale", "--reward-scale", \.rewardScale, "Factor on every reward in the learner's targets (returns are still reported in the task's units)", { $0 >= 1e-6 && $0 <= 1e6 }, "a positive number from 1e-6 to 1e6", before: 1.0),
        .choice("augment", "--augment", \.augment, "none or shift (DrQ's random shift of replayed s and s′; pixels only)", before: "none"),
        .integer("augmentPad", "--augment-pad", \.augmentPad, "Largest shift in pixels for --augment shift", before: 4),
        .integer("gradientSteps", "--gradient-steps", \.gradientSteps, "Gradient updates every --train-frequency steps (replay ratio)", 1...64, before: 1),
        .choice("learningRateSchedule", "--lr-schedule", \.learningRateSchedule, "constant or linear (to --final-learning-rate at --total-timesteps)", before: "constant"),
        .number("finalLearningRate", "--final-learning-rate", \.finalLearningRate, "Learning rate at the end of a linear schedule", { $0 == 0 || TrainingConfig.learningRateRange.contains($0) }, "0 or a positive number from 1e-30 to 1e30", before: 0.0),
        .number("emaTau", "--ema-tau", \.emaTau, "Rate of a moving average of the online weights, updated after every gradient step (0 = off); evaluations and the saved models use it, training does not", { $0 >= 0 && $0 < 1 }, "0 (off) or a number in (0, 1)", before: 0.0),
        .integer("frameStack", "--frame-stack", \.frameStack, "k, frames in φ", 1...32),
        .integer("frameSkip", "--frame-skip", \.frameSkip, "Env steps per action; max over the last two frames", 1...16),
        .integer("frameSize", "--frame-size", \.frameSize, "Side of the square frame in pixels", 36...256),
        .integer("evalEvery", "--eval-every", \.evalEvery, "Env steps between evaluations (0 = only at the end)", 0...TrainingConfig.maximumSteps, resumable: true),
        .integer("evalEpisodes", "--eval-episodes", \.evalEpisodes, "Episodes per evaluation", 1...TrainingConfig.maximumEpisodes, resumable: true),
        .integer("finalEvalEpisodes", "--final-eval-episodes", \.finalEvalEpisodes, "Episodes of the final evaluation", 0...TrainingConfig.maximumEpisodes, resumable: true),
        .number("evalEpsilon", "--eval-epsilon", \.evalEpsilon, "ε while evaluating", { $0.isFinite && (0...1).contains($0) }, "a probability in [0, 1]"),
        .integer("checkpointEvery", "--checkpoint-every", \.checkpointEvery, "Env steps between checkpoints", 1...TrainingConfig.maximumSteps, resumable: true),
        .flag("saveReplay", "--save-replay", \.saveReplay, "Save the replay memory in checkpoints (exact resume)", invertible: false),
        .integer("threads", "--threads", \.threads, "Numerics threads, 1 or 2 (results are identical)", NumericsThreads.supported, resumable: true),
        .flag("stopWhenSolved", "--stop-when-solved", \.stopWhenSolved,
              "Stop at the first solve: a periodic evaluation at the threshold, confirmed over the final evaluation's episodes",
              invertible: false, resumable: true),
        .flag("tensorboard", "--tensorboard", \.tensorboard, "Write TensorBoard event files into the run folder",
              resumable: true, before: false),
    ]

    /// The option of a config.json field, or nil.
    public static func option(field: String) -> TrainingOption? { options.first { $0.field == field } }

    /// The command-line option of every config.json field.
    public static let optionNames: [String: String] = {
        var names = Dictionary(uniqueKeysWithValues: options.map { ($0.field, $0.name) })
        names["version"] = "--version"
        return names
    }()

    /// Options a resumed run may change (`train --resume DIR --total-timesteps N`); they are
    /// written to config.json. None of them changes what the run has learned so far: they set the
    /// run's length, the threads, and when and how much it evaluates and checkpoints. (The ε and
    /// learning-rate schedules and prioritized replay's β are functions of --total-timesteps, so
    /// extending a run stretches them from the step it resumes at.)
    public static let resumableFields: [String] = options.filter(\.resumable).map(\.field)

    /// Values of the options that config.json files written before they existed lack: each is
    /// the behaviour such a run had (plain one-step uniform replay, no augmentation).
    static var valuesBeforeOptionsExisted: [String: Any] {
        var values: [String: Any] = [:]
        for option in options { if let v = option.valueBeforeItExisted { values[option.field] = v } }
        return values
    }

    /// What a field's JSON value must be.
    static func expectedType(of field: String) -> String {
        if field == "version" { return "a string" }
        switch option(field: field)?.kind {
        case .flag: return "true or false"
        case .choice: return "a string"
        case .number: return "a number"
        case .seed: return "an integer from 0 to 18446744073709551615"
        case .integer, nil: return "an integer"
        }
    }

    /// The configuration with every resumable field set to its default: what identifies a run
    /// (two configs of the same run have the same identity).
    public var identity: TrainingConfig {
        var c = self
        let d = TrainingConfig()
        for option in Self.options where option.resumable { option.copy(&c, d) }
        c.version = d.version
        return c
    }
}
