// What the safetensors fuzz target loads files into: networks of the architectures inputs
// describe (kept for reuse, within a memory bound), and a small state-observation trainer whose
// checkpoint restore runs on every input. Both live for the whole fuzzing process.
import Foundation

/// Networks built from fuzzed metadata, at most `capacity` of them and each within
/// `maximumFloats`, so that no input makes the fuzzer allocate more than a bounded amount.
final class FuzzNetworks: @unchecked Sendable {
    static let shared = FuzzNetworks()
    /// 4 M floats (16 MB) per network: the shipped pixel model's architecture fits.
    static let maximumFloats = 4_000_000.0
    static let capacity = 4
    private let lock = NSLock()
    private var networks: [(key: String, network: QNetwork)] = []

    /// Runs `body` with the network of `architecture` (one caller at a time: tests feed inputs
    /// from several threads); does nothing when the network would exceed the bound.
    func withNetwork(for architecture: NetworkArchitecture, _ body: (QNetwork) throws -> Void) rethrows {
        let a = architecture
        guard a.preset.allocatedFloats(inputShape: a.inputShape, actions: a.actions, maxBatch: 1, dueling: a.dueling) <= Self.maximumFloats else { return }
        let key = "\(a.preset.rawValue) \(a.inputShape) \(a.actions) \(a.dueling)"
        lock.lock(); defer { lock.unlock() }
        if let found = networks.first(where: { $0.key == key }) { return try body(found.network) }
        var rng = Xoshiro256(seed: 0)
        let network = QNetwork(preset: a.preset, inputShape: a.inputShape, actions: a.actions, maxBatch: 1,
                               dueling: a.dueling, threads: 1, rng: &rng)
        if networks.count == Self.capacity { networks.removeFirst() }
        networks.append((key, network))
        try body(network)
    }
}

/// A trainer of `FuzzTarget.checkpointConfig` in a temporary folder; every input is a
/// checkpoint it restores (all checks, then the commit, as `train --resume` does).
final class FuzzCheckpointRestorer: @unchecked Sendable {
    /// nil when no temporary folder can be made (the target then fuzzes the reader alone).
    static let shared: FuzzCheckpointRestorer? = try? FuzzCheckpointRestorer()
    private let trainer: Trainer<StateCartPole>
    private let lock = NSLock()

    private init() throws {
        let path = NSTemporaryDirectory() + "/pixel-dqn-fuzz-\(getpid())"
        let folder = RunFolder(path: path)
        let folderLock = try folder.prepareNew()
        let config = FuzzTarget.checkpointConfig
        func make() -> StateCartPole { StateCartPole(version: config.env, frameStack: config.frameStack) }
        trainer = try Trainer(config: config, folder: folder, source: make(), evalSource: make(), resume: false, lock: folderLock)
        // A restore reads nothing from the folder (the summary.json of older checkpoints is
        // then absent): it is removed now rather than left behind by every fuzzing process.
        try? FileManager.default.removeItem(atPath: path)
    }

    func restore(_ file: SafetensorsFile) -> FuzzOutcome {
        lock.lock(); defer { lock.unlock() }
        do { try trainer.restoreCheckpoint(from: file, path: "checkpoint.safetensors"); return .loaded }
        catch is SafetensorsError { return .rejected }
        catch is FileError { return .rejected }
        catch { return .unexpected("checkpoint restore: \(type(of: error)): \(error)") }
    }
}

extension FuzzTarget {
    /// The run whose checkpoints the safetensors target restores: the state observation, tiny
    /// sizes, replay memory saved in checkpoints.
    static var checkpointConfig: TrainingConfig {
        var c = TrainingConfig.defaults(for: .state)
        c.totalTimesteps = 400
        c.learningStarts = 100
        c.bufferSize = 300
        c.batchSize = 8
        c.targetNetworkFrequency = 50
        c.evalEvery = 0
        c.finalEvalEpisodes = 1
        c.checkpointEvery = 100
        c.saveReplay = true
        c.tensorboard = false
        c.threads = 1
        return c
    }
}
