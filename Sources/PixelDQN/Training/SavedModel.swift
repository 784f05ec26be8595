// A saved model and what it needs to be played: the network, and the task and observation
// settings its metadata records, each checked where it is read. `evaluate` and `play` load models
// through it; the library evaluates them the way training does.
import Foundation

extension EnvironmentID {
    /// The file name of the model shipped for the task in Models/ (its registration's, or an
    /// Atari game's `<rom>-noframeskip-v4.safetensors`).
    public var shippedModelName: String {
        if let task, let name = task.shippedModel { return name }
        return (atari.map { $0.romFileName.replacingOccurrences(of: ".bin", with: "") } ?? rawValue) + "-noframeskip-v4.safetensors"
    }
}

/// A saved model (a run's model.safetensors or best.safetensors, or a shipped one) with the
/// observation settings it was trained with, read from its metadata and checked as `train`
/// checks its options.
public struct SavedModel {
    public var network: QNetwork
    public var config: TrainingConfig
    public var path: String

    /// Reads the model at `path`; `env` (from `--env`) overrides the task in its metadata.
    /// `maxBatch`: the most observations one forward pass takes.
    public init(path: String, env override: EnvironmentID? = nil, maxBatch: Int = 1) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        let meta = try SafetensorsFile(contentsOf: url).metadata
        if meta["pixel_dqn_checkpoint"] != nil {
            throw ConfigError(message: "\(path): a training checkpoint (train --resume reads it); expected a model, such as a run's model.safetensors or best.safetensors")
        }
        network = try QNetwork(contentsOf: url, maxBatch: maxBatch)
        // The observation settings the model was trained with, each checked as `train` checks
        // its options (a file's value is outside data like any other).
        var c = TrainingConfig.defaults(for: network.preset == .mlp ? .state : .pixels)
        c.network = network.preset
        c.invertFrames = false   // a model without invert_frames in its metadata was trained on plain frames
        func field<T>(_ key: String, _ expected: String, _ parse: (String) -> T?) throws -> T? {
            guard let text = meta[key] else { return nil }
            guard let v = parse(text) else { throw ConfigError(message: "\(path): metadata field \(key) is \"\(text)\", expected \(expected)") }
            return v
        }
        let recorded = try field("env", "one of \(EnvironmentID.names)", EnvironmentID.init(rawValue:))
        if let e = recorded { c.env = e }
        if let e = override {
            // A model plays the task it learned (CartPole-v0 and -v1 differ only in their time limit).
            if let recorded, recorded != e, !(recorded.cartPoleVersion != nil && e.cartPoleVersion != nil) {
                throw ConfigError(message: "--env \(e.rawValue): the model \(path) was trained on \(recorded.rawValue) (its metadata field env); expected --env \(recorded.rawValue), or a model of \(e.rawValue)")
            }
            c.env = e
        }
        if let atari = c.env.atari {
            // The game's ROM and action set, before the action count is compared.
            do { try AtariGame.load(atari) } catch let e as ALEError { throw ConfigError(message: "--env \(c.env.rawValue): \(e)") }
            c.invertFrames = false
            c.frameSkip = 4
        }
        if let o = try field("observation", "pixels or state", ObservationKind.init(rawValue:)), o != c.observation {
            throw ConfigError(message: "\(path): metadata field observation is \"\(o.rawValue)\", but the file holds a \(network.preset.rawValue) network, which sees \(c.observation.rawValue)")
        }
        if let k = try field("frame_stack", "an integer from 1 to 32", { Int($0).flatMap { (1...32).contains($0) ? $0 : nil } }) { c.frameStack = k }
        if let s = try field("frame_skip", "an integer from 1 to 16", { Int($0).flatMap { (1...16).contains($0) ? $0 : nil } }) { c.frameSkip = s }
        if let v = try field("invert_frames", "true or false", { ["true": true, "false": false][$0] }) { c.invertFrames = v }
        if let f = try field("frame_size", "an integer from 36 to 256", { Int($0).flatMap { (36...256).contains($0) ? $0 : nil } }) { c.frameSize = f }
        guard c.inputShape == network.inputShape else {
            throw ConfigError(message: "\(path): network input \(network.inputShape) does not match the observation settings \(c.inputShape) of \(c.env.rawValue) in its metadata (env, frame_stack, frame_size)")
        }
        guard network.actions == c.env.actionCount else {
            throw ConfigError(message: "\(path): the network has \(network.actions) actions, expected \(c.env.rawValue)'s \(c.env.actionCount)")
        }
        config = c
    }
}

extension SavedModel {
    /// `episodes` episodes of the model ε-greedy on the observation it was trained with (an
    /// Atari game: whole games with up to 30 no-ops at the start, each life started as training
    /// starts it, as training evaluates; the emulator seeded with `seed`), seeded by `seed`.
    public func evaluate(episodes: Int, epsilon: Double, seed: UInt64) throws -> EvalStats {
        let c = config
        if let atari = c.env.atari {
            let source = try AtariObservation.wholeGames(try AtariGame.load(atari), config: c, seed: Int32(truncatingIfNeeded: seed))
            return try Evaluator.evaluate(network: network, source: source, episodes: episodes, epsilon: epsilon, seed: seed, stream: 0)
        }
        switch c.observation {
        case .pixels:
            let source = PixelObservation(id: c.env, width: c.frameSize, height: c.frameSize, frameStack: c.frameStack,
                                          frameSkip: c.frameSkip, invert: c.invertFrames)
            return try Evaluator.evaluate(network: network, source: source, episodes: episodes, epsilon: epsilon, seed: seed, stream: 0)
        case .state:
            let source = StateObservation(id: c.env, frameStack: c.frameStack)
            return try Evaluator.evaluate(network: network, source: source, episodes: episodes, epsilon: epsilon, seed: seed, stream: 0)
        }
    }
}
