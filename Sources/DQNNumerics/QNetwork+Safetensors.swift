// Saving and loading a QNetwork as safetensors with PyTorch state-dict names, and rebuilding a
// network from a file's `__metadata__` (preset, input shape, actions, dueling head).
import Foundation

/// What is needed to rebuild a QNetwork: stored in a checkpoint's `__metadata__`.
public struct NetworkArchitecture: Sendable, Equatable {
    public var preset: NetworkPreset
    public var inputShape: [Int]
    public var actions: Int
    /// Whether the network ends in a dueling head (`QNetwork.dueling`).
    public var dueling: Bool

    public init(preset: NetworkPreset, inputShape: [Int], actions: Int, dueling: Bool = false) {
        self.preset = preset; self.inputShape = inputShape; self.actions = actions; self.dueling = dueling
    }

    /// Metadata keys: `pixel_dqn.preset`, `pixel_dqn.input_shape` ("4,84,84"), `pixel_dqn.actions`,
    /// `pixel_dqn.dueling` ("true" or "false").
    public var metadata: [String: String] {
        ["pixel_dqn.preset": preset.rawValue,
         "pixel_dqn.input_shape": inputShape.map(String.init).joined(separator: ","),
         "pixel_dqn.actions": String(actions),
         "pixel_dqn.dueling": dueling ? "true" : "false"]
    }

    /// Reads the architecture back; throws naming the missing or malformed field. A file without
    /// `pixel_dqn.dueling` (written before the option existed) describes a network without the
    /// dueling head.
    public init(metadata: [String: String], file: String) throws {
        func field(_ key: String) throws -> String {
            guard let v = metadata[key] else { throw SafetensorsError(file: file, "__metadata__ field \(key) is missing") }
            return v
        }
        let presetName = try field("pixel_dqn.preset")
        guard let preset = NetworkPreset(rawValue: presetName) else {
            throw SafetensorsError(file: file, "__metadata__ field pixel_dqn.preset is \(presetName), expected one of \(NetworkPreset.allCases.map(\.rawValue))")
        }
        let shapeText = try field("pixel_dqn.input_shape")
        let shape = shapeText.split(separator: ",", omittingEmptySubsequences: false).compactMap { Int($0) }
        guard !shape.isEmpty, shape.count == shapeText.split(separator: ",", omittingEmptySubsequences: false).count,
              shape.count == (preset.isConvolutional ? 3 : 1) else {
            throw SafetensorsError(file: file, "__metadata__ field pixel_dqn.input_shape is '\(shapeText)', expected \(preset.isConvolutional ? "C,H,W" : "features")")
        }
        // Bounded before anything is built from it: the shape decides every buffer's size.
        if let problem = preset.problem(inputShape: shape) {
            throw SafetensorsError(file: file, "__metadata__ field pixel_dqn.input_shape is '\(shapeText)': \(problem)")
        }
        let actionsText = try field("pixel_dqn.actions")
        guard let actions = Int(actionsText), (1...NetworkPreset.maximumActions).contains(actions) else {
            throw SafetensorsError(file: file, "__metadata__ field pixel_dqn.actions is '\(actionsText)', expected an integer from 1 to \(NetworkPreset.maximumActions)")
        }
        let dueling: Bool
        switch metadata["pixel_dqn.dueling"] {
        case nil, "false": dueling = false
        case "true": dueling = true
        case let other?:
            throw SafetensorsError(file: file, "__metadata__ field pixel_dqn.dueling is '\(other)', expected true or false")
        }
        self.init(preset: preset, inputShape: shape, actions: actions, dueling: dueling)
    }
}

extension QNetwork {
    /// This network's architecture.
    public var architecture: NetworkArchitecture {
        NetworkArchitecture(preset: preset, inputShape: inputShape, actions: actions, dueling: dueling)
    }

    /// The parameters as F32 tensors with PyTorch names and shapes, plus architecture metadata.
    public func safetensors(metadata extra: [String: String] = [:]) -> SafetensorsFile {
        var file = SafetensorsFile(metadata: architecture.metadata.merging(extra) { _, new in new })
        addTensors(to: &file)
        return file
    }

    /// Adds the parameters as F32 tensors named `prefix` + PyTorch name (a checkpoint holding
    /// several networks uses prefixes such as "online." and "target.").
    public func addTensors(to file: inout SafetensorsFile, prefix: String = "") {
        for t in namedTensors { file.set(prefix + t.name, SafetensorsTensor(floats: Array(parameters[t.range]), shape: t.shape)) }
    }

    /// Writes the parameters (atomically) with architecture and `metadata` in `__metadata__`.
    public func save(to url: URL, metadata: [String: String] = [:]) throws {
        try safetensors(metadata: metadata).write(to: url)
    }

    /// Copies every named tensor of `file` into the parameters, after checking that each exists
    /// and has dtype F32, this network's shape and finite values. Extra tensors (e.g. optimizer state) are ignored.
    /// Nothing is changed when a check fails.
    /// Tensors are looked up as `prefix` + PyTorch name.
    public func loadParameters(from file: SafetensorsFile, fileName: String, prefix: String = "") throws {
        var values: [[Float]] = []
        for t in namedTensors {
            let name = prefix + t.name
            let tensor = try file.tensor(name, file: fileName)
            try tensor.require(.F32, name: name, file: fileName)
            guard tensor.shape == t.shape else {
                throw SafetensorsError(file: fileName, "tensor \(name) has shape \(tensor.shape), expected \(t.shape)")
            }
            let floats = try tensor.floats(name: name, file: fileName)
            if let bad = floats.firstIndex(where: { !$0.isFinite }) {
                throw SafetensorsError(file: fileName, "tensor \(name) holds \(floats[bad]) at element \(bad), expected finite weights")
            }
            values.append(floats)
        }
        for (t, v) in zip(namedTensors, values) {
            for (i, x) in zip(t.range, v) { parameters[i] = x }
        }
    }

    /// Loads parameters from a safetensors file (see `loadParameters(from:fileName:)`).
    public func load(from url: URL) throws {
        try loadParameters(from: SafetensorsFile(contentsOf: url), fileName: url.path)
    }

    /// Builds a network with the architecture recorded in a file's metadata and loads its
    /// parameters; its kernels use `threads` threads.
    public convenience init(contentsOf url: URL, maxBatch: Int, threads: Int = NumericsThreads.defaultCount) throws {
        try self.init(file: SafetensorsFile(contentsOf: url), fileName: url.path, maxBatch: maxBatch, threads: threads)
    }

    /// Builds a network from a safetensors file already read (its metadata's architecture, its
    /// tensors' values); errors name `fileName`.
    public convenience init(file: SafetensorsFile, fileName: String, maxBatch: Int,
                            threads: Int = NumericsThreads.defaultCount) throws {
        let arch = try NetworkArchitecture(metadata: file.metadata, file: fileName)
        var rng = Xoshiro256(seed: 0)   // the draws are overwritten by the file's values
        self.init(preset: arch.preset, inputShape: arch.inputShape, actions: arch.actions, maxBatch: maxBatch,
                  dueling: arch.dueling, threads: threads, rng: &rng)
        try loadParameters(from: file, fileName: fileName)
    }
}
