// summary.json: how a run ended, written by the trainer at the end of every process and read (and
// checked) by `sweep`, `train --resume` and the Slurm job script. One Codable type for both sides.
import Foundation

/// An evaluation's episodes and returns, as summary.json records it (final_eval, best_model_eval).
public struct EvaluationSummary: Codable, Equatable, Sendable {
    public var episodes: Int?
    public var mean: Double
    public var std: Double
    public var min: Double?
    public var max: Double?

    public init(mean: Double, std: Double, episodes: Int? = nil, min: Double? = nil, max: Double? = nil) {
        self.mean = mean; self.std = std; self.episodes = episodes; self.min = min; self.max = max
    }

    public init(_ stats: EvalStats) {
        self.init(mean: stats.mean, std: stats.std, episodes: stats.episodes, min: stats.min, max: stats.max)
    }
}

/// Where the wall time of the process that wrote summary.json went, in seconds
/// (summary.json's "seconds_by_phase"; `TrainingPhases` measures it).
public struct PhaseSeconds: Codable, Equatable, Sendable {
    /// Copying φ and choosing the ε-greedy action (the online network's forward pass on one φ).
    public var act = 0.0
    /// The environment's steps and resets, with rendering or emulation and the preprocessing.
    public var environment = 0.0
    /// Storing each transition in the replay memory.
    public var replayStore = 0.0
    /// Sampling minibatches (n-step targets' rewards and discounts, importance weights, DrQ's
    /// shift) and writing prioritized replay's new priorities.
    public var replaySample = 0.0
    /// The update's value of s′: the target network's pass (and Double DQN's online pass) and the TD targets.
    public var updateTargets = 0.0
    /// The update's forward pass on s, the loss and its gradient.
    public var updateForwardLoss = 0.0
    /// The update's backward pass.
    public var updateBackward = 0.0
    /// Gradient clipping and the optimizer's step.
    public var updateOptimizer = 0.0
    /// The moving average of the weights (--ema-tau).
    public var updateAverage = 0.0
    /// Copying (or averaging) the online weights into the target network.
    public var targetRefresh = 0.0
    /// Periodic evaluations, confirmations, the final evaluation and the best model's.
    public var evaluation = 0.0
    /// metrics.csv, timing.csv, TensorBoard events, returns.png, the models and checkpoints.
    public var writing = 0.0
    /// Everything else (episode records, the progress line, the loop itself).
    public var other = 0.0
    /// The process's whole time in `Trainer.run`: the sum of the fields above.
    public var total = 0.0

    enum CodingKeys: String, CodingKey {
        case act, environment, evaluation, writing, other, total
        case replayStore = "replay_store", replaySample = "replay_sample"
        case updateTargets = "update_targets", updateForwardLoss = "update_forward_loss", updateBackward = "update_backward"
        case updateOptimizer = "update_optimizer", updateAverage = "update_average", targetRefresh = "target_refresh"
    }

    public init() {}

    /// One line for a person: each phase's share of the total, the update's parts in parentheses.
    public var shares: String {
        func pct(_ x: Double) -> String { String(format: "%.1f %%", 100 * x / Swift.max(total, 1e-9)) }
        let update = updateTargets + updateForwardLoss + updateBackward + updateOptimizer + updateAverage
        var parts = [
            "update \(pct(update)) (targets \(pct(updateTargets)), forward and loss \(pct(updateForwardLoss)), backward \(pct(updateBackward)), optimizer \(pct(updateOptimizer))"
                + (updateAverage > 0 ? ", average \(pct(updateAverage)))" : ")"),
            "act \(pct(act))", "environment \(pct(environment))", "replay \(pct(replayStore + replaySample))",
        ]
        if targetRefresh > 0 { parts.append("target refresh \(pct(targetRefresh))") }
        parts += ["evaluation \(pct(evaluation))", "writing \(pct(writing))", "other \(pct(other))"]
        return parts.joined(separator: ", ") + " of \(formatDuration(total))"
    }

    /// Each field rounded to milliseconds, as summary.json writes them.
    func rounded() -> PhaseSeconds {
        func r(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }
        var p = self
        for (_, path) in Self.fields { p[keyPath: path] = r(p[keyPath: path]) }
        p.total = r(total)
        return p
    }

    /// The phases (every field but `total`) with their summary.json keys, in the order of a training step.
    static var fields: [(key: CodingKeys, path: WritableKeyPath<PhaseSeconds, Double>)] {
        [(.act, \.act), (.environment, \.environment), (.replayStore, \.replayStore), (.replaySample, \.replaySample),
         (.updateTargets, \.updateTargets), (.updateForwardLoss, \.updateForwardLoss), (.updateBackward, \.updateBackward),
         (.updateOptimizer, \.updateOptimizer), (.updateAverage, \.updateAverage), (.targetRefresh, \.targetRefresh),
         (.evaluation, \.evaluation), (.writing, \.writing), (.other, \.other)]
    }
}

/// summary.json.
public struct RunSummary: Codable, Equatable, Sendable {
    public var steps: Int
    public var episodes: Int?
    public var wallSeconds: Double
    public var interrupted: Bool
    /// The first periodic evaluation at the threshold (−1: none), and the wall seconds to it.
    public var firstReachedStep: Int?
    public var firstReachedSeconds: Double?
    /// The first confirmed solve (−1: none), and the wall seconds to it.
    public var firstSolvedStep: Int
    public var firstSolvedSeconds: Double
    public var stepsPerSecond: Double?
    /// The step since which periodic evaluations stopped improving (`MetricsLog.stalledSince`), or nil.
    public var stalledSinceStep: Int?
    public var finalEval: EvaluationSummary?
    public var bestModelEval: EvaluationSummary?
    /// Where this process's time went (a resumed run: the last process's share only).
    public var secondsByPhase: PhaseSeconds?

    enum CodingKeys: String, CodingKey {
        case steps, episodes, interrupted
        case wallSeconds = "wall_seconds"
        case firstReachedStep = "first_reached_step", firstReachedSeconds = "first_reached_seconds"
        case firstSolvedStep = "first_solved_step", firstSolvedSeconds = "first_solved_seconds"
        case stepsPerSecond = "steps_per_second", stalledSinceStep = "stalled_since_step"
        case finalEval = "final_eval", bestModelEval = "best_model_eval"
        case secondsByPhase = "seconds_by_phase"
    }

    /// The summary of a run that ended with `result`; seconds are rounded to tenths as written.
    public init(_ result: TrainingResult, stalledSinceStep: Int?, phases: PhaseSeconds?) {
        func tenths(_ x: Double) -> Double { (x * 10).rounded() / 10 }
        steps = result.steps
        episodes = result.episodes
        wallSeconds = tenths(result.wallSeconds)
        interrupted = result.interrupted
        firstReachedStep = result.firstReachedStep
        firstReachedSeconds = tenths(result.firstReachedSeconds)
        firstSolvedStep = result.firstSolvedStep
        firstSolvedSeconds = tenths(result.firstSolvedSeconds)
        stepsPerSecond = tenths(Double(result.steps) / max(result.wallSeconds, 1e-9))
        self.stalledSinceStep = stalledSinceStep
        finalEval = result.finalEvaluation.map(EvaluationSummary.init)
        bestModelEval = result.bestModelEvaluation.map(EvaluationSummary.init)
        secondsByPhase = phases?.rounded()
    }

    /// Encodes every field, `stalled_since_step` as null when there is none, keys sorted.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(steps, forKey: .steps)
        try c.encodeIfPresent(episodes, forKey: .episodes)
        try c.encode(wallSeconds, forKey: .wallSeconds)
        try c.encode(interrupted, forKey: .interrupted)
        try c.encodeIfPresent(firstReachedStep, forKey: .firstReachedStep)
        try c.encodeIfPresent(firstReachedSeconds, forKey: .firstReachedSeconds)
        try c.encode(firstSolvedStep, forKey: .firstSolvedStep)
        try c.encode(firstSolvedSeconds, forKey: .firstSolvedSeconds)
        try c.encodeIfPresent(stepsPerSecond, forKey: .stepsPerSecond)
        try c.encode(stalledSinceStep, forKey: .stalledSinceStep)
        try c.encodeIfPresent(finalEval, forKey: .finalEval)
        try c.encodeIfPresent(bestModelEval, forKey: .bestModelEval)
        try c.encodeIfPresent(secondsByPhase, forKey: .secondsByPhase)
    }

    /// summary.json's text: pretty-printed, keys sorted.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    /// Reads and checks a summary.json.
    public static func read(_ path: String) throws -> RunSummary {
        try decode(json: try AtomicFile.read(path), path: path)
    }

    /// Decodes and checks summary.json's bytes; `path` names the file in messages.
    public static func decode(json bytes: [UInt8], path: String) throws -> RunSummary {
        let s: RunSummary
        // JSONDecoder's error for 300.7 or 1e400 where an integer belongs names no field.
        if let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] {
            for key in ["steps", "episodes", "first_reached_step", "first_solved_step", "stalled_since_step"] {
                guard let n = object[key] as? NSNumber, !(object[key] is Bool) else { continue }
                if !isWholeJSONNumber(n) {
                    throw FileError(path: path, problem: "not a pixel-dqn summary (the field \"\(key)\" is \(n), expected an integer)")
                }
            }
        }
        do { s = try JSONDecoder().decode(RunSummary.self, from: Data(bytes)) } catch {
            throw FileError(path: path, problem: "not a pixel-dqn summary (\(describeDecodingError(error)))")
        }
        func bad(_ what: String) -> FileError { FileError(path: path, problem: what) }
        if s.steps < 0 || s.steps > TrainingConfig.maximumSteps {
            throw bad("\"steps\" is \(s.steps), expected 0 to \(TrainingConfig.maximumSteps)")
        }
        if let e = s.episodes, e < 0 || e > s.steps {
            throw bad("\"episodes\" is \(e), expected 0 to \"steps\" (\(s.steps))")
        }
        for (name, step) in [("first_solved_step", s.firstSolvedStep), ("first_reached_step", s.firstReachedStep ?? -1)]
        where step < -1 || step > s.steps {
            throw bad("\"\(name)\" is \(step), expected -1 (never) or a step up to \"steps\" (\(s.steps))")
        }
        if let stalled = s.stalledSinceStep, stalled < 0 || stalled > s.steps {
            throw bad("\"stalled_since_step\" is \(stalled), expected null or a step up to \"steps\" (\(s.steps))")
        }
        for (name, e) in [("final_eval", s.finalEval), ("best_model_eval", s.bestModelEval)] {
            guard let e else { continue }
            let extremes = [e.min, e.max].compactMap { $0 }
            guard e.mean.isFinite && e.std.isFinite && e.std >= 0 && extremes.allSatisfy(\.isFinite) else {
                throw bad("\"\(name)\" has mean \(e.mean), std \(e.std); expected finite numbers, std ≥ 0")
            }
            if let n = e.episodes, n < 1 || n > TrainingConfig.maximumSteps {
                throw bad("\"\(name)\" has \(n) episodes, expected 1 to \(TrainingConfig.maximumSteps)")
            }
            if let lo = e.min, let hi = e.max, !(lo <= e.mean + 1e-9 * Swift.max(1, abs(e.mean)) && e.mean <= hi + 1e-9 * Swift.max(1, abs(e.mean))) {
                throw bad("\"\(name)\" has mean \(e.mean) outside its min \(lo) and max \(hi)")
            }
        }
        guard s.wallSeconds.isFinite, (0...1e12).contains(s.wallSeconds) else {
            throw bad("\"wall_seconds\" is \(s.wallSeconds), expected seconds from 0 to 1e12")
        }
        // Written with one decimal: allow that rounding against wall_seconds.
        func secondsProblem(_ step: Int, _ seconds: Double) -> Bool {
            step < 0 ? seconds != -1 : !(0...(s.wallSeconds + 0.1)).contains(seconds)
        }
        if secondsProblem(s.firstSolvedStep, s.firstSolvedSeconds) {
            throw bad("\"first_solved_seconds\" is \(s.firstSolvedSeconds), expected \(s.firstSolvedStep < 0 ? "-1, as first_solved_step is -1" : "seconds from 0 to wall_seconds (\(s.wallSeconds))")")
        }
        if let step = s.firstReachedStep, let seconds = s.firstReachedSeconds, secondsProblem(step, seconds) {
            throw bad("\"first_reached_seconds\" is \(seconds), expected \(step < 0 ? "-1, as first_reached_step is -1" : "seconds from 0 to wall_seconds (\(s.wallSeconds))")")
        }
        if let rate = s.stepsPerSecond, !(rate.isFinite && rate >= 0) {
            throw bad("\"steps_per_second\" is \(rate), expected a number ≥ 0")
        }
        if let phases = s.secondsByPhase {
            for (key, path) in PhaseSeconds.fields + [(.total, \.total)] {
                let v = phases[keyPath: path]
                guard v.isFinite, (0...1e12).contains(v) else {
                    throw bad("\"seconds_by_phase.\(key.stringValue)\" is \(v), expected seconds from 0 to 1e12")
                }
            }
        }
        return s
    }

    /// Checks the values that depend on the run's configuration (config.json): at most its
    /// total steps, evaluation means and deviations within its task's returns.
    public func check(against config: TrainingConfig, path: String) throws {
        func bad(_ what: String) -> FileError { FileError(path: path, problem: what) }
        if steps > config.totalTimesteps {
            throw bad("\"steps\" is \(steps), beyond the run's totalTimesteps \(config.totalTimesteps) in config.json")
        }
        let possible = config.env.returnRange(steps: config.env.maxEpisodeSteps)
        for (name, e) in [("final_eval", finalEval), ("best_model_eval", bestModelEval)] {
            guard let e else { continue }
            guard possible.contains(e.mean), e.std <= possible.upperBound - possible.lowerBound else {
                throw bad("\"\(name)\" has mean \(e.mean), std \(e.std); expected a mean from \(Int(possible.lowerBound)) to \(Int(possible.upperBound)) (\(config.env.rawValue)'s returns) and a std up to \(Int(possible.upperBound - possible.lowerBound))")
            }
        }
    }

    /// The two fields a resume reads from summary.json beside a checkpoint older than
    /// `finished_total_timesteps` (whether its run finished): "steps" and "interrupted".
    public static func stepsAndInterrupted(json bytes: [UInt8], path: String) throws -> (steps: Int, interrupted: Bool) {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any],
              let steps = object["steps"] as? Int, let interrupted = object["interrupted"] as? Bool else {
            throw FileError(path: path, problem: "not a pixel-dqn summary (expected a JSON object with \"steps\" and \"interrupted\"); it tells whether this older checkpoint's run finished")
        }
        return (steps, interrupted)
    }
}
