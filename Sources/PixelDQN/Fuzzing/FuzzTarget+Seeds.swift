// The seed corpora of the fuzz targets, made from the repository's Fixtures/ and Models/ and
// from a short training run: valid inputs of each reader for libFuzzer to mutate.
import Foundation

extension FuzzTarget {
    /// Seed inputs, named, for this target. `repository` is the package's root folder (its
    /// Fixtures/ and Models/ are read); `workFolder` is where the short run for checkpoint seeds
    /// goes (it is left there).
    package func seeds(repository: String, workFolder: String) throws -> [(name: String, bytes: [UInt8])] {
        let models = repository + "/Models", fixtures = repository + "/Fixtures"
        func files(in folder: String, suffix: String) -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
                .filter { $0.hasSuffix(suffix) }.sorted().map { folder + "/" + $0 }
        }
        func named(_ path: String) throws -> (name: String, bytes: [UInt8]) {
            ((path as NSString).lastPathComponent, try AtomicFile.read(path))
        }
        switch self {
        case .png:
            let paths = files(in: fixtures + "/phi", suffix: ".png") + files(in: fixtures + "/gym/frames", suffix: ".png")
                + [models + "/returns.png"]
            return try paths.map(named)
        case .runFolder:
            var seeds = try ["config.json", "metrics.csv", "timing.csv", "summary.json"].map { try named(models + "/" + $0) }
            let run = try FuzzTarget.trainSeedRun(in: workFolder)
            for name in ["config.json", "metrics.csv", "timing.csv", "summary.json"] {
                let s = try named(run.path + "/" + name)
                seeds.append(("run-" + s.name, s.bytes))
            }
            return seeds
        case .numberLists:
            // The start states and actions of the Gymnasium reference trajectories, and seed lists.
            let json = try JSONSerialization.jsonObject(with: Data(try AtomicFile.read(fixtures + "/gym/trajectories.json")))
            let cases = ((json as? [String: Any])?["cases"] as? [[String: Any]]) ?? []
            var seeds: [(name: String, bytes: [UInt8])] = []
            for (i, c) in cases.prefix(8).enumerated() {
                if let state = c["initial_state"] as? [Double] {
                    seeds.append(("state-\(i)", Array(state.map { "\($0)" }.joined(separator: ",").utf8)))
                }
                if let actions = c["actions"] as? [Int] {
                    seeds.append(("actions-\(i)", Array(actions.prefix(16).map(String.init).joined(separator: ",").utf8)))
                }
            }
            for (i, text) in ["-0.1,0,0.05,0", "1e6,-1e6,0.5,-0.5", "1-10", "1,3,5", "1-3,7", "0, 1 ,2"].enumerated() {
                seeds.append(("list-\(i)", Array(text.utf8)))
            }
            return seeds
        case .safetensors:
            var seeds: [(name: String, bytes: [UInt8])] = []
            // The shipped model's header: its metadata (a pixel network's architecture) and
            // tensor names, each tensor cut to one value (the full file is 2.7 MB).
            let shipped = try SafetensorsFile(contentsOf: URL(fileURLWithPath: models + "/cartpole-v1-pixels.safetensors"))
            var header = SafetensorsFile(metadata: shipped.metadata)
            for (name, _) in shipped.tensors { header.set(name, SafetensorsTensor(floats: [0.5], shape: [1])) }
            seeds.append(("shipped-model-header", [UInt8](try header.serialized())))
            // A whole state-observation model and checkpoint of a short run.
            let run = try FuzzTarget.trainSeedRun(in: workFolder)
            seeds.append(try named(run.model))
            seeds.append(try named(run.checkpoint))
            return seeds
        }
    }

    /// A short run of `checkpointConfig` in `folder`/run, stopped at step 250 (a checkpoint
    /// mid-episode, with the replay memory); made once per folder.
    static func trainSeedRun(in folder: String) throws -> RunFolder {
        let run = RunFolder(path: folder + "/run")
        if FileManager.default.fileExists(atPath: run.checkpoint) && FileManager.default.fileExists(atPath: run.summary) { return run }
        let config = checkpointConfig
        let lock = try run.prepareNew()
        try run.writeConfig(config)
        func make() -> StateCartPole { StateCartPole(version: config.env, frameStack: config.frameStack) }
        let trainer = try Trainer(config: config, folder: run, source: make(), evalSource: make(), resume: false, lock: lock)
        trainer.progressEvery = 0
        trainer.report = { _, _ in }
        trainer.stopAtStep = 250
        _ = try trainer.run()
        return run
    }
}
