// Everything needed to resume a run exactly, in one safetensors file: both networks, the
// optimizer state, φ, the RNG, the environment mid-episode, the counters, and (with
// --save-replay) the replay memory. Written atomically, so a kill never leaves half a file.
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
    public init() {}
}

enum CheckpointKeys {
    static let format = "pixel_dqn_checkpoint"
}

extension Trainer {
    /// Writes checkpoint.safetensors for the current state of the loop.
    func writeCheckpoint() throws {
        var file = SafetensorsFile()
        agent.online.addTensors(to: &file, prefix: "online.")
        agent.target.addTensors(to: &file, prefix: "target.")
        // The optimizer's own safetensors layout (DQNNumerics/Optimizer+Safetensors.swift).
        agent.adam?.addState(to: &file)
        agent.rmsprop?.addState(to: &file)
        var phi = [Source.Element](repeating: 0, count: source.observationSize)
        phi.withUnsafeMutableBufferPointer { source.copyObservation(into: $0) }
        file.set("phi", Source.Element.tensor(phi))
        file.set("rng", SafetensorsTensor(int64s: rng.stateWords.map { Int64(bitPattern: $0) }))
        if config.saveReplay { memory.save(into: &file) }
        let s = source.env.state
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
            "env_state": s.array.map { "\($0)" }.joined(separator: ","),
            "env_elapsed": "\(source.env.elapsedSteps)", "env_running": "\(source.env.isRunning)",
            "replay_saved": "\(config.saveReplay)",
            "updates_paused_until": "\(updatesResumeAt)",
        ]
        for (k, v) in agent.online.architecture.metadata { meta[k] = v }
        file.metadata = meta
        try file.write(to: URL(fileURLWithPath: folder.checkpoint))
    }

    /// Restores the loop from checkpoint.safetensors (see `writeCheckpoint`).
    func restoreCheckpoint() throws {
        let path = folder.checkpoint
        let file = try SafetensorsFile(contentsOf: URL(fileURLWithPath: path))
        let m = file.metadata
        func value(_ key: String) throws -> String {
            guard let v = m[key] else { throw FileError(path: path, problem: "metadata field \"\(key)\" is missing") }
            return v
        }
        func int(_ key: String) throws -> Int {
            guard let v = Int(try value(key)) else { throw FileError(path: path, problem: "metadata field \"\(key)\": expected an integer, found \"\(m[key] ?? "")\"") }
            return v
        }
        func double(_ key: String) throws -> Double {
            guard let v = Double(try value(key)) else { throw FileError(path: path, problem: "metadata field \"\(key)\": expected a number, found \"\(m[key] ?? "")\"") }
            return v
        }
        guard m[CheckpointKeys.format] == "1" else { throw FileError(path: path, problem: "not a pixel-dqn checkpoint (metadata \(CheckpointKeys.format) missing)") }
        try agent.online.loadParameters(from: file, fileName: path, prefix: "online.")
        try agent.target.loadParameters(from: file, fileName: path, prefix: "target.")
        try agent.adam?.restoreState(from: file, fileName: path)
        try agent.rmsprop?.restoreState(from: file, fileName: path)
        let words = try file.tensor("rng", file: path).int64s(name: "rng", file: path).map { UInt64(bitPattern: $0) }
        guard let restored = Xoshiro256(stateWords: words) else { throw FileError(path: path, problem: "tensor rng: expected 4 non-zero words") }
        rng = restored
        loop.step = try int("step"); loop.episode = try int("episode")
        loop.episodeReturn = try double("episode_return"); loop.episodeLength = try int("episode_length")
        loop.lossSum = try double("loss_sum"); loop.lossCount = try int("loss_count"); loop.qSum = try double("q_sum")
        loop.bestEval = try double("best_eval"); loop.evaluations = try int("evaluations")
        loop.firstSolvedStep = try int("first_solved_step"); loop.firstSolvedSeconds = try double("first_solved_seconds")
        loop.bestConfirmed = try double("best_confirmed")
        loop.firstReachedStep = try int("first_reached_step"); loop.firstReachedSeconds = try double("first_reached_seconds")
        loop.wallSeconds = try double("wall_seconds")
        let stateValues = try value("env_state").split(separator: ",").compactMap { Double($0) }
        guard let envState = CartPoleState(stateValues) else { throw FileError(path: path, problem: "metadata env_state: expected 4 numbers") }
        let phi = try Source.Element.values(try file.tensor("phi", file: path), name: "phi", file: path)
        guard phi.count == source.observationSize else {
            throw FileError(path: path, problem: "tensor phi: expected \(source.observationSize) elements, found \(phi.count)")
        }
        if try value("env_running") == "true" {
            source.restore(state: envState, elapsedSteps: try int("env_elapsed"), frames: phi)
            needsReset = false
        } else {
            needsReset = true
        }
        if try value("replay_saved") == "true" && config.saveReplay {
            try memory.load(from: file, path: path)
            updatesResumeAt = try int("updates_paused_until")
        } else {
            // Without the replay memory, refill it before updating again.
            updatesResumeAt = loop.step + max(config.learningStarts, config.batchSize + config.frameStack)
            needsReset = true
        }
    }
}

/// Conversion of observation elements to and from safetensors tensors.
public protocol TensorStorable: NetworkInput {
    static func tensor(_ values: [Self]) -> SafetensorsTensor
    static func values(_ tensor: SafetensorsTensor, name: String, file: String) throws -> [Self]
}

extension UInt8: TensorStorable {
    public static func tensor(_ values: [UInt8]) -> SafetensorsTensor { SafetensorsTensor(uint8s: values) }
    public static func values(_ tensor: SafetensorsTensor, name: String, file: String) throws -> [UInt8] { try tensor.uint8s(name: name, file: file) }
}

extension Float: TensorStorable {
    public static func tensor(_ values: [Float]) -> SafetensorsTensor { SafetensorsTensor(floats: values) }
    public static func values(_ tensor: SafetensorsTensor, name: String, file: String) throws -> [Float] { try tensor.floats(name: name, file: file) }
}
