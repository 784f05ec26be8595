// The dueling head (Wang et al. 2016): the layer's known answers and gradients, the network's
// tensor names and layout, its gradients, checkpoints with the `pixel_dqn.dueling` metadata, and
// bitwise determinism across thread counts.
import Foundation
import Testing
import DQNNumerics

/// Runs a layer's backward into a fresh dx (parameter-free layers only).
private func gradInput(_ layer: any Layer, _ dy: [Float], batch: Int) -> [Float] {
    var dx = [Float](repeating: .nan, count: batch * layer.inputSize)
    dy.withUnsafeBufferPointer { db in dx.withUnsafeMutableBufferPointer { xb in
        let none = UnsafeMutablePointer<Float>(bitPattern: 8)!
        layer.backward(gradOutput: db.baseAddress!, parameters: UnsafePointer(none), gradParameters: none,
                       gradInput: xb.baseAddress!)
    } }
    return dx
}

@Suite struct DuelingTests {
    /// Rows [v, a_0, …]: q_i = v + a_i − mean(a); dv = Σ dq; da_j = dq_j − mean(dq). Every value
    /// here is exact in Float, so the comparison is exact.
    @Test func headKnownValues() {
        let head = DuelingHead(actions: 2, maxBatch: 3)
        // v = 1, a = [1, 3]: mean 2, q = [1 + 1 − 2, 1 + 3 − 2] = [0, 2].
        // v = 0.5, a = [−1, 1]: mean 0, q = [−0.5, 1.5].
        // v = −2, a = [4, 4]: mean 4, q = [−2, −2] (equal advantages: Q = V).
        let q = forward(head, [1, 1, 3, 0.5, -1, 1, -2, 4, 4], batch: 3, [])
        #expect(q == [0, 2, -0.5, 1.5, -2, -2])
        // dq = [1, 0]: dv = 1, da = [1 − 0.5, 0 − 0.5]; dq = [2, 4]: dv = 6, da = [−1, 1];
        // dq = [−1, −1]: dv = −2, da = [0, 0].
        let dx = gradInput(head, [1, 0, 2, 4, -1, -1], batch: 3)
        #expect(dx == [1, 0.5, -0.5, 6, -1, 1, -2, 0, 0])

        let three = DuelingHead(actions: 3, maxBatch: 1)
        // v = 1, a = [1, 3, 5]: mean 3, q = [−1, 1, 3].
        #expect(forward(three, [1, 1, 3, 5], batch: 1, []) == [-1, 1, 3])
        // dq = [3, 0, 0]: dv = 3, da = [2, −1, −1].
        #expect(gradInput(three, [3, 0, 0], batch: 1) == [3, 2, -1, -1])
    }

    @Test func headGradientCheck() {
        checkLayerGradients(DuelingHead(actions: 5, maxBatch: 4), batch: 4, seed: 51)
        checkLayerGradients(DuelingHead(actions: 2, maxBatch: 1), batch: 1, seed: 52)
        checkLayerGradients(DuelingHead(actions: 1, maxBatch: 3), batch: 3, seed: 53)   // q = v: da = 0
    }

    /// Seed 32: with seed 31 (the plain networks' check) a conv2 pre-activation of the dueling
    /// `small` network lies about 1e-4 from ReLU's kink, inside the step h = 1e-3, so the central
    /// difference of conv2.bias[31] straddles it (0.0272 vs 0.0248; the backward one-sided
    /// difference and every step below 1e-4 agree with backward).
    @Test(arguments: NetworkPreset.allCases)
    func networkGradientCheck(preset: NetworkPreset) {
        checkNetworkGradients(preset: preset, dueling: true, seed: 32)
    }

    /// The head's Linear is stored as one [1 + A, hidden] weight then one [1 + A] bias and named
    /// as PyTorch's two modules; the trunk keeps its names, shapes and initial values.
    @Test func layoutNamesAndInitialisation() {
        var rng = Xoshiro256(seed: 1)
        let plain = QNetwork(preset: .small, inputShape: [4, 84, 84], actions: 3, maxBatch: 2, rng: &rng)
        rng = Xoshiro256(seed: 1)
        let net = QNetwork(preset: .small, inputShape: [4, 84, 84], actions: 3, maxBatch: 2, dueling: true, rng: &rng)
        #expect(net.dueling && !plain.dueling)
        #expect(net.namedTensors.map(\.name) == ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias",
                                                 "fc1.weight", "fc1.bias",
                                                 "value.weight", "advantage.weight", "value.bias", "advantage.bias"])
        #expect(net.namedTensors.map(\.shape) == [[16, 4, 8, 8], [16], [32, 16, 4, 4], [32], [256, 2592], [256],
                                                  [1, 256], [3, 256], [1], [3]])
        // The ranges tile the flat buffer in storage order.
        #expect(net.namedTensors.first?.range.lowerBound == 0 && net.namedTensors.last?.range.upperBound == net.parameterCount)
        for (a, b) in zip(net.namedTensors, net.namedTensors.dropFirst()) {
            #expect(a.range.upperBound == b.range.lowerBound, "\(a.name) ends at \(a.range.upperBound), \(b.name) starts at \(b.range.lowerBound)")
        }
        #expect(net.namedTensors.allSatisfy { $0.range.count == $0.shape.reduce(1, *) })
        #expect(net.parameterCount == plain.parameterCount + 256 + 1)
        // The trunk is drawn first, so it has the bits of the plain network from the same seed.
        let trunk = net.namedTensors[5].range.upperBound
        #expect(Array(net.parameters[0..<trunk]) == Array(plain.parameters[0..<trunk]))
        // Both heads: PyTorch's Linear default with fan_in = hidden = 256.
        let bound = 1 / Float(256).squareRoot()
        let head = net.parameters[trunk...]
        #expect(head.allSatisfy { abs($0) <= bound } && head.contains { abs($0) > bound / 2 })
        #expect(!net.hasSameLayout(as: plain))
    }

    /// Q computed in Double from the named tensors as PyTorch's module does, h = relu(fc1(x)),
    /// Q = value(h) + advantage(h) − advantage(h).mean(1): checks which rows the names point to.
    @Test func forwardMatchesTheNamedTensors() {
        var rng = Xoshiro256(seed: 54)
        let batch = 4, actions = 3, features = 7
        let net = QNetwork(preset: .mlp, inputShape: [features], actions: actions, maxBatch: batch, dueling: true, rng: &rng)
        let x = randomFloats(batch * features, &rng)
        let q = net.forward(floats: x, batch: batch)
        func tensor(_ name: String) -> [Double] {
            guard let t = net.namedTensors.first(where: { $0.name == name }) else { Issue.record("no tensor \(name)"); return [] }
            return net.parameters[t.range].map(Double.init)
        }
        let w1 = tensor("fc1.weight"), b1 = tensor("fc1.bias")
        let wv = tensor("value.weight"), bv = tensor("value.bias"), wa = tensor("advantage.weight"), ba = tensor("advantage.bias")
        let hidden = b1.count
        var expected: [Float] = []
        for n in 0..<batch {
            let h = (0..<hidden).map { o in max(0, (0..<features).reduce(b1[o]) { $0 + w1[o * features + $1] * Double(x[n * features + $1]) }) }
            let v = (0..<hidden).reduce(bv[0]) { $0 + wv[$1] * h[$1] }
            let a = (0..<actions).map { i in (0..<hidden).reduce(ba[i]) { $0 + wa[i * hidden + $1] * h[$1] } }
            let mean = a.reduce(0, +) / Double(actions)
            expected += a.map { Float(v + $0 - mean) }
        }
        Tolerance.expectClose(q, expected, Tolerance.kernel, "dueling mlp Q")
    }

    /// Acting (batch 1, the Linear's matrix-vector path) gives the Q-values of a batch's first row.
    @Test func batchOneMatchesBatch() {
        var rng = Xoshiro256(seed: 55)
        let net = QNetwork(preset: .small, inputShape: [4, 36, 36], actions: 4, maxBatch: 3, dueling: true, rng: &rng)
        let frames = (0..<(3 * net.inputSize)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let all = net.forward(frames: frames, batch: 3)
        let single = net.forward(frames: Array(frames[0..<net.inputSize]), batch: 1)
        Tolerance.expectClose(single, Array(all[0..<4]), Tolerance.kernel, "batch-1 vs batch-3 dueling Q")
    }

    @Test func checkpointRoundTripRecordsDueling() throws {
        var rng = Xoshiro256(seed: 56)
        let net = QNetwork(preset: .small, inputShape: [3, 36, 36], actions: 4, maxBatch: 2, dueling: true, rng: &rng)
        let folder = temporaryFolder("dueling")
        let url = folder.appendingPathComponent("q.safetensors")
        try net.save(to: url)
        let file = try SafetensorsFile(contentsOf: url)
        #expect(file.metadata["pixel_dqn.dueling"] == "true")
        let names = Set(file.tensors.map(\.name))
        #expect(names.isSuperset(of: ["value.weight", "value.bias", "advantage.weight", "advantage.bias"]) && !names.contains("fc2.weight"))
        #expect(file["value.weight"]?.shape == [1, 256] && file["advantage.weight"]?.shape == [4, 256])
        #expect(file["value.bias"]?.shape == [1] && file["advantage.bias"]?.shape == [4])
        let rebuilt = try QNetwork(contentsOf: url, maxBatch: 2)
        #expect(rebuilt.dueling && rebuilt.architecture == net.architecture)
        #expect(Array(rebuilt.parameters) == Array(net.parameters))
        let frames = (0..<(2 * net.inputSize)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        #expect(rebuilt.forward(frames: frames, batch: 2) == net.forward(frames: frames, batch: 2))

        // A dueling file does not load into a network without the head, and vice versa.
        let plain = QNetwork(preset: .small, inputShape: [3, 36, 36], actions: 4, maxBatch: 1, rng: &rng)
        #expect { try plain.load(from: url) } throws: { "\($0)".contains("fc2.weight is missing") }
        let plainURL = folder.appendingPathComponent("plain.safetensors")
        try plain.save(to: plainURL)
        #expect(try SafetensorsFile(contentsOf: plainURL).metadata["pixel_dqn.dueling"] == "false")
        #expect { try net.load(from: plainURL) } throws: { "\($0)".contains("value.weight is missing") }
    }

    /// A file written before the option existed has no `pixel_dqn.dueling`: it loads without the head.
    @Test func fileWithoutTheKeyLoadsWithoutTheHead() throws {
        var rng = Xoshiro256(seed: 57)
        let net = QNetwork(preset: .mlp, inputShape: [4], actions: 2, maxBatch: 1, rng: &rng)
        var file = net.safetensors()
        file.metadata["pixel_dqn.dueling"] = nil
        let url = temporaryFolder("old").appendingPathComponent("old.safetensors")
        try file.write(to: url)
        let loaded = try QNetwork(contentsOf: url, maxBatch: 1)
        #expect(!loaded.dueling && Array(loaded.parameters) == Array(net.parameters))
    }

    @Test func malformedDuelingFieldThrows() throws {
        var rng = Xoshiro256(seed: 58)
        let net = QNetwork(preset: .mlp, inputShape: [4], actions: 2, maxBatch: 1, dueling: true, rng: &rng)
        var file = net.safetensors()
        file.metadata["pixel_dqn.dueling"] = "maybe"
        let url = temporaryFolder("maybe").appendingPathComponent("maybe.safetensors")
        try file.write(to: url)
        #expect { try QNetwork(contentsOf: url, maxBatch: 1) } throws: { error in
            let text = "\(error)"
            return error is SafetensorsError && text.contains(url.path) && text.contains("pixel_dqn.dueling")
                && text.contains("'maybe'") && text.contains("expected true or false")
        }
        for value in ["True", "1", ""] {
            #expect(throws: SafetensorsError.self, "value '\(value)'") {
                try NetworkArchitecture(metadata: net.architecture.metadata.merging(["pixel_dqn.dueling": value]) { $1 }, file: "x")
            }
        }
    }

    @Test func referenceExportRecordsDueling() throws {
        let folder = temporaryFolder("export-dueling")
        let written = try ReferenceExport.write(to: folder, presets: [.mlp], dueling: true)
        let net = try QNetwork(contentsOf: written[0], maxBatch: ReferenceExport.batch)
        #expect(net.dueling)
        let reference = try SafetensorsFile(contentsOf: written[1])
        let features = try reference.tensor("features").floats()
        #expect(net.forward(floats: features, batch: ReferenceExport.batch) == (try reference.tensor("q").floats()))
        #expect(reference["grad.value.bias"]?.shape == [1] && reference["after.advantage.weight"]?.shape == [ReferenceExport.actions, 256])
    }
}

extension ThreadCountTests {
    @Test(arguments: [NetworkPreset.small, .mlp])
    func duelingOneAndTwoThreadsAreBitwiseIdentical(preset: NetworkPreset) {
        let one = Self.updateTrace(preset: preset, dueling: true, threads: 1)
        let two = Self.updateTrace(preset: preset, dueling: true, threads: 2)
        #expect(one.count == two.count)
        let firstDifference = zip(one, two).enumerated().first { $0.element.0.bitPattern != $0.element.1.bitPattern }
        #expect(firstDifference == nil, "\(preset) dueling: first differing value: \(String(describing: firstDifference))")
    }

    @Test func duelingLayerBreakdownNamesTheHead() {
        let rows = NetworkBenchmark.layerBreakdown(preset: .mlp, dueling: true, repeats: 2, threads: 1)
        #expect(rows.map(\.name) == ["scale input", "fc1", "value+advantage", "dueling", "adam"])
        // Batch 256, hidden 256, 1 + 2 outputs (the breakdown uses 2 actions).
        #expect(rows[2].forwardFLOPs == 2.0 * 256 * 256 * 3 && rows[3].forwardFLOPs == 0)
    }
}
