// Print-free benchmark of a preset: acting latency (one observation) and one full DQN update
// (online and target forwards, TD target, Huber loss, backward, Adam, and with `average` the
// weights' moving average), as medians with FLOP rates.

/// The measurements of one `NetworkBenchmark.run`. Times are medians over the repetitions.
public struct NetworkBenchmarkResult: Codable, Sendable, Equatable {
    public var preset: String
    /// Whether the networks end in a dueling head.
    public var dueling: Bool
    /// Whether each update also folds the weights into their moving average (as training does when its moving average is on).
    public var average: Bool
    /// Whether each update is Double DQN's (`train`'s default): online and target passes on s′,
    /// then the online pass on s, three forwards in all; otherwise plain DQN's two.
    public var double: Bool
    public var inputShape: [Int]
    public var actions: Int
    public var threads: Int
    /// Batch size of the update (32 for conv presets, 256 for mlp).
    public var batch: Int
    public var repeats: Int
    /// Median forward latency for ONE observation (acting), in milliseconds.
    public var actLatencyMs: Double
    /// Median time of one DQN update, in milliseconds.
    public var updateMs: Double
    public var updatesPerSecond: Double
    /// FLOPs of one update: 2·M·N·K over every conv/linear GEMM of the online forward, the target
    /// forward (with `double`, also the online forward on s′) and the backward (dW everywhere, dX
    /// for all but the first layer).
    public var flopsPerUpdate: Double
    /// flopsPerUpdate / updateMs.
    public var achievedGFLOPS: Double
    /// The FMA peak of the kernels' width on `threads` threads, measured right after the update
    /// (`FMAPeak`).
    public var peakGFLOPS: Double
    /// achievedGFLOPS / peakGFLOPS.
    public var fractionOfPeak: Double
}

/// Benchmarks of the Q-network on this machine.
public enum NetworkBenchmark {
    /// The update batch for a preset: 32 (conv, as DQN) or 256 (mlp).
    public static func updateBatch(for preset: NetworkPreset) -> Int { preset.isConvolutional ? 32 : 256 }

    /// Measures a preset with seeded weights and inputs; the networks and Adam use `threads`
    /// threads. With `average`, each update ends with the moving average's pass, as training's
    /// does with its moving average on (the CartPole pixel defaults). With `double`, the update is Double
    /// DQN's, as training's by default: the online and target passes on s′ side by side, the
    /// action picked by the online one and valued by the target one, then the online pass on s.
    public static func run(preset: NetworkPreset, dueling: Bool = false, average: Bool = false, double: Bool = false,
                           inputShape: [Int]? = nil,
                           actions: Int = 2, repeats: Int = 20, threads: Int = 2, seed: UInt64 = 1) -> NetworkBenchmarkResult {
        precondition(repeats > 0, "NetworkBenchmark: repeats must be positive, got \(repeats)")
        let shape = inputShape ?? preset.defaultInputShape
        let batch = updateBatch(for: preset)
        var rng = Xoshiro256(seed: seed)
        let online = QNetwork(preset: preset, inputShape: shape, actions: actions, maxBatch: batch, dueling: dueling,
                              threads: threads, rng: &rng)
        let target = QNetwork(preset: preset, inputShape: shape, actions: actions, maxBatch: batch, dueling: dueling,
                              threads: threads, rng: &rng)
        target.copyParameters(from: online)
        let averaged = average ? QNetwork(copying: online, maxBatch: 1, threads: threads) : nil
        let adam = Adam(parameterCount: online.parameterCount, learningRate: 1e-4, threads: threads)
        let size = online.inputSize
        let frames = (0..<(batch * size)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let nextFrames = (0..<(batch * size)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let floats = frames.map { Float($0) / 255 }, nextFloats = nextFrames.map { Float($0) / 255 }
        let actionsTaken = (0..<batch).map { _ in rng.nextIndex(below: actions) }
        let rewards = (0..<batch).map { _ in Float(rng.nextIndex(below: 2)) }
        let dones = (0..<batch).map { _ in rng.nextIndex(below: 10) == 0 }
        var targets = [Float](repeating: 0, count: batch)
        var gradQ = [Float](repeating: 0, count: batch * actions)
        let gamma: Float = 0.99

        func act() {
            if preset.isConvolutional {
                frames.withUnsafeBufferPointer { _ = online.forward(frames: UnsafeBufferPointer(rebasing: $0[0..<size]), batch: 1) }
            } else {
                floats.withUnsafeBufferPointer { _ = online.forward(floats: UnsafeBufferPointer(rebasing: $0[0..<size]), batch: 1) }
            }
        }
        func update() {
            let q: UnsafeBufferPointer<Float>
            if double {
                // Q(s', ·) and Q_target(s', ·) side by side; the online one picks, the target one values.
                let (qOnline, qNext) = nextFrames.withUnsafeBufferPointer { nf in
                    nextFloats.withUnsafeBufferPointer { nx in
                        let input: ForwardInput = preset.isConvolutional ? .frames(nf) : .floats(nx)
                        return QNetwork.forwardSideBySide(online, input, target, input, batch: batch)
                    }
                }
                for i in 0..<batch {
                    var pick = 0
                    for a in 1..<max(actions, 1) where qOnline[i * actions + a] > qOnline[i * actions + pick] { pick = a }
                    targets[i] = rewards[i] + (dones[i] ? 0 : gamma * qNext[i * actions + pick])
                }
                // Then Q(s, ·) with caches for backward.
                q = preset.isConvolutional
                    ? frames.withUnsafeBufferPointer { online.forward(frames: $0, batch: batch) }
                    : floats.withUnsafeBufferPointer { online.forward(floats: $0, batch: batch) }
            } else {
                // Q(s, ·) with caches for backward, beside Q_target(s', ·) (one pass per thread).
                let (qStates, qNext) = frames.withUnsafeBufferPointer { f in
                    nextFrames.withUnsafeBufferPointer { nf in
                        floats.withUnsafeBufferPointer { x in
                            nextFloats.withUnsafeBufferPointer { nx in
                                QNetwork.forwardSideBySide(online, preset.isConvolutional ? .frames(f) : .floats(x),
                                                           target, preset.isConvolutional ? .frames(nf) : .floats(nx),
                                                           batch: batch)
                            }
                        }
                    }
                }
                q = qStates
                // Target: r + γ·(1 − done)·max_a Q_target(s', a).
                for i in 0..<batch {
                    var best = qNext[i * actions]
                    for a in 1..<max(actions, 1) { best = max(best, qNext[i * actions + a]) }
                    targets[i] = rewards[i] + (dones[i] ? 0 : gamma * best)
                }
            }
            _ = actionsTaken.withUnsafeBufferPointer { ab in
                targets.withUnsafeBufferPointer { tb in
                    gradQ.withUnsafeMutableBufferPointer { gb in
                        LossKind.huber.loss(q: q, actionCount: actions, actions: ab, targets: tb, gradQ: gb)
                    }
                }
            }
            gradQ.withUnsafeBufferPointer { online.backward(gradOutput: $0, accumulate: false) }
            adam.update(online)
            averaged?.polyakUpdate(from: online, tau: averageRate)
        }
        let clock = ContinuousClock()
        func milliseconds(_ d: Duration) -> Double {
            Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) * 1e-15
        }
        for _ in 0..<2 { act(); update() }   // warm caches and page in buffers
        var actTimes: [Double] = [], updateTimes: [Double] = []
        // Reserved, so the timed loop allocates nothing itself: `valgrind pixel-dqn bench-network
        // --repeats R` then counts only what acting and updating allocate (none).
        actTimes.reserveCapacity(repeats); updateTimes.reserveCapacity(repeats)
        for _ in 0..<repeats {
            actTimes.append(milliseconds(clock.measure { act() }))
            updateTimes.append(milliseconds(clock.measure { update() }))
        }
        let actMs = median(actTimes), updateMs = median(updateTimes)
        let flops = Double(batch * ((double ? 3 : 2) * online.forwardFLOPsPerSample + online.backwardFLOPsPerSample))
        let gflops = flops / (updateMs * 1e6)
        // The machine's speed drifts (shared cores): the peak is measured in the same minute.
        let peak = FMAPeak.measure(threads: threads)
        return NetworkBenchmarkResult(
            preset: preset.rawValue, dueling: dueling, average: average, double: double, inputShape: shape, actions: actions,
            threads: threads, batch: batch, repeats: repeats, actLatencyMs: actMs, updateMs: updateMs, updatesPerSecond: 1000 / updateMs,
            flopsPerUpdate: flops, achievedGFLOPS: gflops, peakGFLOPS: peak,
            fractionOfPeak: gflops / peak)
    }

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
