// Print-free benchmark of a preset's layers: each layer's forward and backward pass at the update
// batch, the input scaling, Adam and the moving average, as medians with FLOP rates. The whole
// update is timed as training runs it, by PixelDQN's `UpdateBenchmark` (`DQNAgent.update`).

/// Benchmarks of the Q-network on this machine.
public enum NetworkBenchmark {
    /// The update batch for a preset: 32 (conv, as DQN) or 256 (mlp).
    public static func updateBatch(for preset: NetworkPreset) -> Int { preset.isConvolutional ? 32 : 256 }

    /// The rate of the benchmarked moving average (the CartPole pixel default; the rate does not
    /// change the work).
    static let averageRate: Float = 0.001

    static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}

/// One row of `NetworkBenchmark.layerBreakdown`: the median time of one stage of an update.
public struct LayerTiming: Codable, Sendable, Equatable {
    /// "conv1", "relu", "fc1", ... or a whole-network stage ("scale input", "adam").
    public var name: String
    public var forwardMs: Double
    /// 0 for stages that have no backward.
    public var backwardMs: Double
    /// GEMM-like FLOPs of the stage's forward and backward at the benchmark batch (0 for the rest).
    public var forwardFLOPs: Double
    public var backwardFLOPs: Double
}

extension NetworkBenchmark {
    /// Where an update's time goes: each layer's forward and backward at the update batch, timed
    /// inside the network's own forward and backward passes (`QNetwork.run(batch:layerSeconds:)`,
    /// medians over `repeats`), then the network-wide stages. Flatten, a view inside the network,
    /// has no row, and neither has a ReLU the network fuses into the layers around it (its forward
    /// is in the row of the layer before, its backward in the row of the layer after). The sum is close to, but not exactly, `run`'s update time: the target forward
    /// repeats the forward column, and the loss and the TD target (a few microseconds) are left out.
    /// With `average`, a last row times the moving average's pass.
    public static func layerBreakdown(preset: NetworkPreset, dueling: Bool = false, average: Bool = false, actions: Int = 2,
                                      repeats: Int = 20, threads: Int = 2, seed: UInt64 = 1) -> [LayerTiming] {
        precondition(repeats > 0, "NetworkBenchmark: repeats must be positive, got \(repeats)")
        let batch = updateBatch(for: preset)
        var rng = Xoshiro256(seed: seed)
        let net = QNetwork(preset: preset, inputShape: preset.defaultInputShape, actions: actions, maxBatch: batch,
                           dueling: dueling, threads: threads, rng: &rng)
        let adam = Adam(parameterCount: net.parameterCount, learningRate: 1e-4, threads: threads)
        let averaged = average ? QNetwork(copying: net, maxBatch: 1, threads: threads) : nil
        let frames = (0..<(batch * net.inputSize)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let gradQ = (0..<(batch * actions)).map { _ in rng.uniform(-1, 1) / Float(batch) }
        let count = net.layers.count
        var forward = [[Double]](repeating: [], count: count), backward = [[Double]](repeating: [], count: count)
        var load: [Double] = [], step: [Double] = [], blend: [Double] = []
        var seconds = [Double](repeating: 0, count: 2 * count)   // this repetition: forward, then backward
        func ms(_ body: () -> Void) -> Double {
            var s = 0.0
            QNetwork.timed(&s, body)
            return s * 1e3
        }
        for rep in 0..<(repeats + 2) {
            let tLoad = ms { frames.withUnsafeBufferPointer { net.load(frames: $0, batch: batch) } }
            for i in seconds.indices { seconds[i] = 0 }
            seconds.withUnsafeMutableBufferPointer { sp in _ = net.run(batch: batch, layerSeconds: sp.baseAddress) }
            gradQ.withUnsafeBufferPointer { gq in
                seconds.withUnsafeMutableBufferPointer { sp in net.backward(gradOutput: gq, accumulate: false, layerSeconds: sp.baseAddress.map { $0 + count }) }
            }
            let tStep = ms { adam.update(net) }
            let tBlend = averaged.map { a in ms { a.polyakUpdate(from: net, tau: averageRate) } }
            guard rep >= 2 else { continue }   // two warm-up rounds
            load.append(tLoad); step.append(tStep)
            if let tBlend { blend.append(tBlend) }
            for i in 0..<count {
                forward[i].append(seconds[i] * 1e3); backward[i].append(seconds[count + i] * 1e3)
            }
        }
        var rows = [LayerTiming(name: "scale input", forwardMs: median(load),
                                backwardMs: 0, forwardFLOPs: 0, backwardFLOPs: 0)]
        for i in 0..<count where !net.isView[i] && net.fusedReLUs[i] == nil {
            let f = Double(batch * net.layers[i].forwardFLOPsPerSample)
            rows.append(LayerTiming(name: net.layerNames[i], forwardMs: median(forward[i]), backwardMs: median(backward[i]),
                                    forwardFLOPs: f, backwardFLOPs: i == 0 ? f : 2 * f))
        }
        rows.append(LayerTiming(name: "adam", forwardMs: 0, backwardMs: median(step), forwardFLOPs: 0, backwardFLOPs: 0))
        if average {
            rows.append(LayerTiming(name: "moving average", forwardMs: 0, backwardMs: median(blend), forwardFLOPs: 0,
                                    backwardFLOPs: 0))
        }
        return rows
    }
}
