// Writes the fixtures Scripts/torch_compare.py checks against PyTorch: per preset, a checkpoint
// and a file of seeded inputs with pixel-dqn's Q-values, loss, gradients and one Adam step.
import Foundation

/// Reference fixtures for comparing against PyTorch.
///
/// For each preset, in `folder`:
/// - `<preset>.safetensors`: the initial network (PyTorch names, architecture metadata; with
///   `dueling`, a dueling network, which the metadata records, under the same file names).
/// - `<preset>_reference.safetensors`: `frames` U8 [B, C, H, W] (conv) or `features` F32 [B, F]
///   (mlp), `actions` I64 [B], `targets` F32 [B]; pixel-dqn's `q` F32 [B, A], `loss` F32 [],
///   `grad.<name>` (Huber-loss gradients) and `after.<name>` (parameters after one Adam step,
///   learning rate in metadata `lr`).
public enum ReferenceExport {
    public static let batch = 8
    public static let actions = 3
    public static let learningRate = 1e-4

    /// Writes both files for every preset (dueling networks with `dueling`); returns the paths written.
    @discardableResult
    public static func write(to folder: URL, presets: [NetworkPreset] = NetworkPreset.allCases,
                             dueling: Bool = false, seed: UInt64 = 2024) throws -> [URL] {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), !isFolder.boolValue {
            throw SafetensorsError(file: folder.path, "is a file, expected a folder")
        }
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw SafetensorsError(file: folder.path, "cannot create the folder (a parent is a file or not writable)")
        }
        var written: [URL] = []
        for (index, preset) in presets.enumerated() {
            var rng = Xoshiro256.derived(seed: seed, stream: UInt64(index))
            let shape = preset.defaultInputShape
            let net = QNetwork(preset: preset, inputShape: shape, actions: actions, maxBatch: batch, dueling: dueling, rng: &rng)
            let checkpoint = folder.appendingPathComponent("\(preset.rawValue).safetensors")
            try net.save(to: checkpoint)
            var file = SafetensorsFile(metadata: ["lr": String(learningRate), "loss": "huber", "preset": preset.rawValue])
            let q: [Float]
            if preset.isConvolutional {
                let frames = (0..<(batch * net.inputSize)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                file.set("frames", SafetensorsTensor(uint8s: frames, shape: [batch] + shape))
                q = net.forward(frames: frames, batch: batch)
            } else {
                let features = (0..<(batch * net.inputSize)).map { _ in rng.uniform(Float(-1), 1) }
                file.set("features", SafetensorsTensor(floats: features, shape: [batch] + shape))
                q = net.forward(floats: features, batch: batch)
            }
            let taken = (0..<batch).map { _ in rng.nextIndex(below: actions) }
            let targets = (0..<batch).map { _ in rng.uniform(Float(-1), 1) }
            var gradQ: [Float] = []
            let loss = LossKind.huber.loss(q: q, actionCount: actions, actions: taken, targets: targets, gradQ: &gradQ)
            net.zeroGradients()
            net.backward(gradOutput: gradQ)
            let adam = Adam(parameterCount: net.parameterCount, learningRate: learningRate)
            adam.update(net)
            file.set("actions", SafetensorsTensor(int64s: taken.map(Int64.init)))
            file.set("targets", SafetensorsTensor(floats: targets))
            file.set("q", SafetensorsTensor(floats: q, shape: [batch, actions]))
            file.set("loss", SafetensorsTensor(floats: [loss], shape: []))
            for t in net.namedTensors {
                file.set("grad." + t.name, SafetensorsTensor(floats: Array(net.gradients[t.range]), shape: t.shape))
                file.set("after." + t.name, SafetensorsTensor(floats: Array(net.parameters[t.range]), shape: t.shape))
            }
            let reference = folder.appendingPathComponent("\(preset.rawValue)_reference.safetensors")
            try file.write(to: reference)
            written += [checkpoint, reference]
        }
        return written
    }
}
