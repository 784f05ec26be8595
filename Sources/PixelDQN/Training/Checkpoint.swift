// Everything needed to resume a run exactly, in one safetensors file: the networks (online,
// target, and the moving average of the weights when on), the optimizer state, φ, the RNG, the
// environment mid-episode, the counters, and (with --save-replay) the replay memory. Written
// atomically, so a kill never leaves half a file.
import Foundation

/// Counters of the training loop that a checkpoint carries.
public struct LoopState: Equatable, Sendable {
    public var step = 0
    public var episode = 0
    public var episodeReturn = 0.0
    public var episodeLength = 0
    public var lossSum = 0.0
    public var lossCount = 0
    public var qSum = 0.0
    public var bestEval = -Double.infinity
    public var evaluations = 0
    /// Best mean of a confirmation evaluation (100 episodes) so far.
    public var bestConfirmed = -Double.infinity
    /// The first periodic (10-episode) evaluation at the threshold.
    public var firstReachedStep = -1
    public var firstReachedSeconds = -1.0
    /// The first confirmation evaluation at the threshold: the run is solved.
    public var firstSolvedStep = -1
    public var firstSolvedSeconds = -1.0
    /// Wall seconds spent before this process (resumed runs add up).
    public var wallSeconds = 0.0
    /// Work at `step` that a stop (Ctrl-C) cut short; a resumed run does it first.
    public var pending = PendingWork.none
    /// The --total-timesteps at which the run finished (its final evaluation done), −1 while it
    /// has not. A resume with a larger --total-timesteps extends a finished run.
    public var finishedTotal = -1
    public init() {}
}

/// The evaluation work a stopped run had not finished at its step.
public enum PendingWork: String, Sendable, CaseIterable {
    case none
    /// The periodic evaluation (and its confirmation, when it reaches the threshold).
    case evaluation
    /// The confirmation of a periodic evaluation that reached the threshold.
    case confirmation
    /// The final evaluation, then the best model's.
    case finalEvaluation = "final_evaluation"
    /// The best model's evaluation (the final evaluation's row is in metrics.csv).
    case bestModelEvaluation = "best_model_evaluation"
}

enum CheckpointKeys {
    static let format = "pixel_dqn_checkpoint"
    /// The run's identity (`TrainingConfig.identity` as JSON): a checkpoint beside another run's
    /// config.json is refused.
    static let runConfig = "run_config"
    /// FNV-1a of every tensor's name, dtype, shape and bytes, in name order.
    static let tensorsChecksum = "tensors_fnv1a"
    /// Rows of metrics.csv up to the checkpoint's step, and their FNV-1a.
    static let metricsRows = "metrics_rows", metricsChecksum = "metrics_fnv1a"
}

extension SafetensorsFile {
    /// FNV-1a of every tensor (name, dtype, shape, bytes) in name order: a checkpoint's record
    /// of its own contents, checked when it is read back.
    public var tensorsChecksum: Checksum {
        var sum = Checksum()
        for (name, tensor) in tensors.sorted(by: { $0.name < $1.name }) {
            sum.add(Array("\(name):\(tensor.dtype.rawValue):\(tensor.shape)".utf8))
            tensor.forEachSlice { sum.addWords($0) }  // slices of a multiple of 8 bytes: the same sum
        }
        return sum
    }
}

extension Trainer {
    /// Writes checkpoint.safetensors for the current state of the loop.
    func writeCheckpoint() throws {
        var file = SafetensorsFile()
        agent.online.addTensors(to: &file, prefix: "online.")
        agent.target.addTensors(to: &file, prefix: "target.")
        agent.average?.addTensors(to: &file, prefix: "average.")
        // The optimizer's own safetensors layout (DQNNumerics/Optimizer+Safetensors.swift).
        agent.adam?.addState(to: &file)
        agent.rmsprop?.addState(to: &file)
        var phi = [Source.Element](repeating: 0, count: source.observationSize)
        phi.withUnsafeMutableBufferPointer { source.copyObservation(into: $0) }
        file.set("phi", Source.Element.tensor(phi))
        file.set("rng", SafetensorsTensor(int64s: rng.stateWords.map { Int64(bitPattern: $0) }))
        if config.saveReplay { memory.save(into: &file) }
        // The episode in progress: its metadata fields (env_*) and tensors, the source's own.
        source.saveEpisode(into: &file)
        var meta: [String: String] = [
            CheckpointKeys.format: "1",
            "step": "\(loop.step)", "episode": "\(loop.episode)",
            "episode_return": "\(loop.episodeReturn)", "episode_length": "\(loop.episodeLength)",
            "loss_sum": "\(loop.lossSum)", "loss_count": "\(loop.lossCount)", "q_sum": "\(loop.qSum)",
            "best_eval": "\(loop.bestEval)", "evaluations": "\(loop.evaluations)",
            "first_solved_step": "\(loop.firstSolvedStep)", "first_solved_seconds": "\(loop.firstSolvedSeconds)",
            "best_confirmed": "\(loop.bestConfirmed)",
            "first_reached_step": "\(loop.firstReachedStep)", "first_reached_seconds": "\(loop.firstReachedSeconds)",
            "wall_seconds": "\(elapsedWall())",
            "replay_saved": "\(config.saveReplay)",
            "updates_paused_until": "\(updatesResumeAt)",
            "pending": loop.pending.rawValue,
            "finished_total_timesteps": "\(loop.finishedTotal)",
        ]
        for (k, v) in file.metadata { meta[k] = v }
        for (k, v) in agent.online.architecture.metadata { meta[k] = v }
        let identity = JSONEncoder()
        identity.outputFormatting = [.sortedKeys]
        meta[CheckpointKeys.runConfig] = String(decoding: try identity.encode(config.identity), as: UTF8.self)
        // The rows this checkpoint commits: every row so far (all at or before its step). Rows a
        // later write adds after them are the next, uncommitted stretch (`readRunFiles`).
        let digest = MetricsLog.digest(text: metrics.csv)
        meta[CheckpointKeys.metricsRows] = "\(digest.rows)"
        meta[CheckpointKeys.metricsChecksum] = String(digest.hash, radix: 16)
        meta[CheckpointKeys.tensorsChecksum] = file.tensorsChecksum.hex
        file.metadata = meta
        try file.write(to: URL(fileURLWithPath: folder.checkpoint))
    }
}

/// Conversion of observation elements to and from safetensors tensors.
public protocol TensorStorable: NetworkInput {
    static func tensor(_ values: [Self]) -> SafetensorsTensor
    static func values(_ tensor: SafetensorsTensor, name: String, file: String) throws -> [Self]
    /// Whether a value read from a file can be an observation (any byte; a finite state number).
    static func isValidObservation(_ value: Self) -> Bool
}

extension UInt8: TensorStorable {
    public static func tensor(_ values: [UInt8]) -> SafetensorsTensor { SafetensorsTensor(uint8s: values) }
    public static func values(_ tensor: SafetensorsTensor, name: String, file: String) throws -> [UInt8] { try tensor.uint8s(name: name, file: file) }
    public static func isValidObservation(_ value: UInt8) -> Bool { true }
}

extension Float: TensorStorable {
    public static func tensor(_ values: [Float]) -> SafetensorsTensor { SafetensorsTensor(floats: values) }
    public static func values(_ tensor: SafetensorsTensor, name: String, file: String) throws -> [Float] { try tensor.floats(name: name, file: file) }
    public static func isValidObservation(_ value: Float) -> Bool { value.isFinite && abs(value) <= Float(NumberLists.stateBound) }
}
