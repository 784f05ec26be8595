// Whole-network checks: layout and names, gradient checks per preset on a reduced input,
// target-network updates, and bitwise determinism across thread counts.
import Testing
import DQNNumerics

/// Reduced inputs keep the gradient checks fast: 36×36 gives conv outputs 8×8 → 3×3 (→ 1×1).
func testShape(_ preset: NetworkPreset) -> [Int] { preset.isConvolutional ? [4, 36, 36] : [11] }

/// Central finite differences of the Huber TD loss against backward, at 6 random coordinates of
/// every tensor of a preset on its reduced test shape (weights, inputs and coordinates from `seed`).
func checkNetworkGradients(preset: NetworkPreset, dueling: Bool, seed: UInt64,
                           sourceLocation: SourceLocation = #_sourceLocation) {
    var rng = Xoshiro256(seed: seed)
    let batch = 3, actions = 3
    let net = QNetwork(preset: preset, inputShape: testShape(preset), actions: actions, maxBatch: batch,
                       dueling: dueling, rng: &rng)
    let x = randomFloats(batch * net.inputSize, &rng, 0, 1)
    let acts = (0..<batch).map { _ in rng.nextIndex(below: actions) }
    let targets = randomFloats(batch, &rng)
    var gradQ: [Float] = []
    func loss() -> Double {
        Double(LossKind.huber.loss(q: net.forward(floats: x, batch: batch), actionCount: actions,
                                   actions: acts, targets: targets, gradQ: &gradQ))
    }
    net.zeroGradients()
    _ = loss()
    net.backward(gradOutput: gradQ)
    let analytic = Array(net.gradients)
    let h: Float = 1e-3
    for tensor in net.namedTensors {
        for _ in 0..<6 {
            let i = tensor.range.lowerBound + rng.nextIndex(below: tensor.range.count)
            let saved = net.parameters[i]
            net.parameters[i] = saved + h; let up = loss()
            net.parameters[i] = saved - h; let down = loss()
            net.parameters[i] = saved
            let numeric = (up - down) / Double(2 * h)
            #expect(Tolerance.isClose(Double(analytic[i]), numeric, Tolerance.gradient),
                    "\(preset)\(dueling ? " dueling" : "") \(tensor.name)[\(i - tensor.range.lowerBound)]: numeric \(numeric), analytic \(analytic[i])",
                    sourceLocation: sourceLocation)
        }
    }
}

@Suite struct NetworkTests {
    @Test func smallPresetLayoutMatchesPyTorch() {
        var rng = Xoshiro256(seed: 1)
        let net = QNetwork(preset: .small, inputShape: [4, 84, 84], actions: 2, maxBatch: 2, rng: &rng)
        #expect(net.namedTensors.map(\.name) == ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias",
                                                 "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
        #expect(net.namedTensors.map(\.shape) == [[16, 4, 8, 8], [16], [32, 16, 4, 4], [32], [256, 2592], [256], [2, 256], [2]])
        #expect(net.parameterCount == 4112 + 8224 + 663_808 + 514)
        let bound = 1 / Float(256).squareRoot()   // conv1 fan_in = 4·8·8
        #expect(net.parameters[0..<4112].allSatisfy { abs($0) <= bound })
        let nature = QNetwork(preset: .nature, inputShape: [4, 84, 84], actions: 3, maxBatch: 1, rng: &rng)
        #expect(nature.namedTensors.map(\.shape)[4] == [64, 64, 3, 3])
        #expect(nature.namedTensors.map(\.shape)[6] == [512, 3136])
    }

    @Test(arguments: NetworkPreset.allCases)
    func presetGradientCheck(preset: NetworkPreset) {
        checkNetworkGradients(preset: preset, dueling: false, seed: 31)
    }
    /// `backward(accumulate: false)`, what a training step uses, writes every gradient with the
    /// bits that zeroing and adding give (the stale values are NaN, so one left unwritten shows);
    /// adding again then sums onto what is there. Includes an im2row (padded) convolution.
    @Test(arguments: NetworkPreset.allCases)
    func backwardOverwriteMatchesZeroThenAdd(preset: NetworkPreset) {
        var rng = Xoshiro256(seed: 37)
        let batch = 5, actions = 3
        let net = QNetwork(preset: preset, inputShape: testShape(preset), actions: actions, maxBatch: batch, rng: &rng)
        let x = randomFloats(batch * net.inputSize, &rng, 0, 1)
        let gradQ = randomFloats(batch * actions, &rng)
        _ = net.forward(floats: x, batch: batch)
        net.zeroGradients()
        net.backward(gradOutput: gradQ)
        let added = Array(net.gradients)
        for i in 0..<net.parameterCount { net.gradients[i] = .nan }
        _ = net.forward(floats: x, batch: batch)
        net.backward(gradOutput: gradQ, accumulate: false)
        let written = Array(net.gradients)
        let firstDifference = zip(added, written).enumerated().first { $0.element.0 != $0.element.1 }
        #expect(firstDifference == nil, "\(preset): first differing gradient \(String(describing: firstDifference))")
        #expect(added.contains { $0 != 0 })
        _ = net.forward(floats: x, batch: batch)
        net.backward(gradOutput: gradQ)   // accumulate: now twice the gradient
        for i in stride(from: 0, to: net.parameterCount, by: 97) {
            #expect(Tolerance.isClose(Double(net.gradients[i]), 2 * Double(added[i]), (relative: 1e-5, absolute: 1e-7)), "\(preset) [\(i)]")
        }
    }

    @Test func paddedConvolutionBackwardOverwrites() {
        var rng = Xoshiro256(seed: 38)
        let g = ConvGeometry(channels: 3, height: 11, width: 9, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 1)
        let layer = Conv2D(geometry: g, outChannels: 5, maxBatch: 4)
        #expect(!layer.usesDirectPath)
        let x = randomFloats(4 * layer.inputSize, &rng), params = randomFloats(layer.parameterCount, &rng)
        let dy = randomFloats(4 * layer.outputSize, &rng)
        func gradients(accumulate: Bool) -> [Float] {
            _ = forward(layer, x, batch: 4, params)
            var grad = [Float](repeating: accumulate ? 0 : .nan, count: layer.parameterCount)
            params.withUnsafeBufferPointer { pb in dy.withUnsafeBufferPointer { db in grad.withUnsafeMutableBufferPointer { gb in
                layer.backward(gradOutput: db.baseAddress!, parameters: pb.baseAddress!, gradParameters: gb.baseAddress!,
                               gradInput: nil, accumulate: accumulate)
            } } }
            return grad
        }
        #expect(gradients(accumulate: false) == gradients(accumulate: true))
    }

    @Test func framesAreScaledBy255() {
        var rng = Xoshiro256(seed: 2)
        let net = QNetwork(preset: .small, inputShape: [2, 36, 36], actions: 2, maxBatch: 2, rng: &rng)
        let frames = (0..<(2 * net.inputSize)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let fromBytes = net.forward(frames: frames, batch: 2)
        let fromFloats = net.forward(floats: frames.map { Float($0) / 255 }, batch: 2)
        #expect(fromBytes == fromFloats)
        let single = net.forward(frames: Array(frames[0..<net.inputSize]), batch: 1)
        Tolerance.expectClose(single, Array(fromBytes[0..<2]), Tolerance.kernel, "batch-1 vs batch-2 Q")
    }

    /// The SIMD scaling (multiply by 1/255, one fused correction) against the IEEE division, for
    /// every possible byte, in the vector lanes and in the scalar tail.
    @Test func pixelScalingEqualsDivisionForEveryByte() {
        for b in 0...255 {
            let byte = UInt8(b)
            #expect(PixelScale.corrected(byte).bitPattern == PixelScale.reference(byte).bitPattern, "byte \(b)")
        }
        var rng = Xoshiro256(seed: 6)
        for count in [256, 263, 7, 1000] {
            var bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 * 37) }
            if count == 1000 { bytes = bytes.map { _ in UInt8(truncatingIfNeeded: rng.next()) } }
            var out = [Float](repeating: .nan, count: count)
            bytes.withUnsafeBufferPointer { bp in out.withUnsafeMutableBufferPointer { op in
                PixelScale.divideBy255(bp.baseAddress!, op.baseAddress!, count: count)
            } }
            #expect(out.map(\.bitPattern) == bytes.map { PixelScale.reference($0).bitPattern }, "count \(count)")
        }
    }

    @Test func targetUpdates() {
        var rng = Xoshiro256(seed: 3)
        let online = QNetwork(preset: .mlp, inputShape: [5], actions: 2, maxBatch: 1, rng: &rng)
        let target = QNetwork(preset: .mlp, inputShape: [5], actions: 2, maxBatch: 1, rng: &rng)
        let before = Array(target.parameters)
        target.polyakUpdate(from: online, tau: 0.25)
        for i in [0, 7, online.parameterCount - 1] {
            #expect(target.parameters[i] == 0.25 * online.parameters[i] + 0.75 * before[i])
        }
        target.copyParameters(from: online)
        #expect(Array(target.parameters) == Array(online.parameters))
    }

    @Test func polyakUpdateMatchesScalarReference() {
        // The 8-lane kernel, split over 1 or 2 threads, against the one-element-at-a-time loop:
        // the small conv network (above the two-thread work threshold) and an mlp whose
        // parameter count is not a multiple of 8, at a few rates including the ends.
        var rng = Xoshiro256(seed: 9)
        for (preset, shape) in [(NetworkPreset.small, [4, 84, 84]), (.mlp, [7])] {
            let source = QNetwork(preset: preset, inputShape: shape, actions: 3, maxBatch: 1, threads: 1, rng: &rng)
            let start = QNetwork(preset: preset, inputShape: shape, actions: 3, maxBatch: 1, threads: 1, rng: &rng)
            if preset == .mlp { #expect(source.parameterCount % 8 != 0) }
            for tau: Float in [0, 0.001, 0.37, 1] {
                let reference = QNetwork(preset: preset, inputShape: shape, actions: 3, maxBatch: 1, threads: 1, rng: &rng)
                reference.copyParameters(from: start)
                for _ in 0..<3 { reference.polyakReference(from: source, tau: tau) }
                for threads in [1, 2] {
                    let blended = QNetwork(preset: preset, inputShape: shape, actions: 3, maxBatch: 1, threads: threads, rng: &rng)
                    blended.copyParameters(from: start)
                    for _ in 0..<3 { blended.polyakUpdate(from: source, tau: tau) }
                    #expect(blended.parameters.map(\.bitPattern) == reference.parameters.map(\.bitPattern),
                            "\(preset) tau \(tau) threads \(threads)")
                }
            }
        }
    }

    @Test func clipGradientNormAsTorch() {
        var rng = Xoshiro256(seed: 4)
        let net = QNetwork(preset: .mlp, inputShape: [3], actions: 2, maxBatch: 1, rng: &rng)
        net.zeroGradients()
        net.gradients[0] = 3; net.gradients[5] = 4
        #expect(net.clipGradientNorm(maxNorm: 10) == 5)
        #expect(net.gradients[0] == 3)
        #expect(net.clipGradientNorm(maxNorm: 1) == 5)
        let coef = Float(1) / (5 + 1e-6)
        #expect(net.gradients[0] == 3 * coef && net.gradients[5] == 4 * coef)
    }

    @Test func gradientNormMatchesScalarReference() {
        // The 8-lane, two-half Double sum against a plain in-order Double sum, on a size that
        // is not a multiple of 8 or 64.
        var rng = Xoshiro256(seed: 5)
        let net = QNetwork(preset: .mlp, inputShape: [7], actions: 3, maxBatch: 1, rng: &rng)
        for i in 0..<net.parameterCount { net.gradients[i] = rng.uniform(-2, 2) }
        let reference = net.gradients.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        #expect(net.parameterCount % 8 != 0)
        #expect(abs(Double(net.gradientNorm) - reference) <= 1e-6 * reference)
    }

    @Test func fusedClipScaleEqualsClippingFirst() {
        // Adam and RMSProp with gradientScale give the same bits as clipping the gradients first.
        var rng = Xoshiro256(seed: 6)
        let net = QNetwork(preset: .mlp, inputShape: [5], actions: 2, maxBatch: 1, rng: &rng)
        for i in 0..<net.parameterCount { net.gradients[i] = rng.uniform(-1, 1) }
        let (norm, scale) = net.clipScale(maxNorm: 0.5)
        #expect(scale < 1 && norm > 0.5)
        let start = Array(net.parameters)
        for useAdam in [true, false] {
            let fusedOptimizer = useAdam ? Adam(parameterCount: net.parameterCount, learningRate: 1e-2) as AnyObject
                                         : RMSProp(parameterCount: net.parameterCount) as AnyObject
            let plainOptimizer = useAdam ? Adam(parameterCount: net.parameterCount, learningRate: 1e-2) as AnyObject
                                         : RMSProp(parameterCount: net.parameterCount) as AnyObject
            var fused = start, plain = start
            let raw = Array(net.gradients), clipped = raw.map { $0 * scale }
            fused.withUnsafeMutableBufferPointer { p in raw.withUnsafeBufferPointer { g in
                if let a = fusedOptimizer as? Adam { a.update(parameters: p, gradients: g, gradientScale: scale) }
                if let r = fusedOptimizer as? RMSProp { r.update(parameters: p, gradients: g, gradientScale: scale) }
            } }
            plain.withUnsafeMutableBufferPointer { p in clipped.withUnsafeBufferPointer { g in
                if let a = plainOptimizer as? Adam { a.update(parameters: p, gradients: g) }
                if let r = plainOptimizer as? RMSProp { r.update(parameters: p, gradients: g) }
            } }
            #expect(fused == plain, "fused clipping differs (\(useAdam ? "Adam" : "RMSProp"))")
            #expect(fused != start)
        }
    }
}

/// Tests of thread counts and kernel widths. They run one at a time: some switch the process-wide
/// `WideKernels.enabled`, and a 2-thread test should find the partner thread free.
@Suite(.serialized) struct ThreadCountTests {
    /// Forward + backward + Adam on 1 and 2 threads must agree bit for bit.
    @Test(arguments: [NetworkPreset.small, .mlp])
    func oneAndTwoThreadsAreBitwiseIdentical(preset: NetworkPreset) {
        let one = Self.updateTrace(preset: preset, dueling: false, threads: 1)
        let two = Self.updateTrace(preset: preset, dueling: false, threads: 2)
        #expect(one.count == two.count)
        let firstDifference = zip(one, two).enumerated().first { $0.element.0.bitPattern != $0.element.1.bitPattern }
        #expect(firstDifference == nil, "first differing value: \(String(describing: firstDifference))")
    }

    /// `forwardEach` gives every observation of a batch the Q-values, bit for bit, that a batch-1
    /// forward gives it alone (what lets evaluation episodes run side by side), for every preset,
    /// with and without the dueling head, on 1 and 2 threads.
    @Test(arguments: [NetworkPreset.small, .nature, .mlp], [1, 2])
    func forwardEachIsEachObservationAlone(preset: NetworkPreset, threads: Int) {
        for dueling in [false, true] {
            var rng = Xoshiro256(seed: 43)
            let shape = preset.isConvolutional ? [4, 84, 84] : [12]
            let batch = 7, size = shape.reduce(1, *)
            let net = QNetwork(preset: preset, inputShape: shape, actions: 3, maxBatch: batch, dueling: dueling,
                               threads: threads, rng: &rng)
            let frames = (0..<(batch * size)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let floats = randomFloats(batch * size, &rng)
            let each = frames.withUnsafeBufferPointer { Array(net.forwardEach(frames: $0, batch: batch)) }
            let eachFloats = floats.withUnsafeBufferPointer { Array(net.forwardEach(floats: $0, batch: batch)) }
            for n in 0..<batch {
                let alone = net.forward(frames: Array(frames[(n * size)..<((n + 1) * size)]), batch: 1)
                let aloneFloats = net.forward(floats: Array(floats[(n * size)..<((n + 1) * size)]), batch: 1)
                #expect(Array(each[(n * 3)..<((n + 1) * 3)]) == alone, "\(preset) dueling \(dueling): observation \(n)")
                #expect(Array(eachFloats[(n * 3)..<((n + 1) * 3)]) == aloneFloats, "\(preset) dueling \(dueling): floats \(n)")
            }
        }
    }

    /// Two updates (forward, Huber loss, backward, Adam) on `threads` threads: every Q-value,
    /// gradient and the final parameters, in one array.
    static func updateTrace(preset: NetworkPreset, dueling: Bool, threads: Int) -> [Float] {
        var rng = Xoshiro256(seed: 41)
        let shape = preset.isConvolutional ? [4, 44, 44] : [2003]   // big enough to be dispatched on 2 threads
        let batch = 32
        let net = QNetwork(preset: preset, inputShape: shape, actions: 3, maxBatch: batch, dueling: dueling,
                           threads: threads, rng: &rng)
        let adam = Adam(parameterCount: net.parameterCount, threads: threads)
        let frames = (0..<(batch * net.inputSize)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let acts = (0..<batch).map { _ in rng.nextIndex(below: 3) }
        let targets = randomFloats(batch, &rng)
        var gradQ: [Float] = []
        var out: [Float] = []
        for _ in 0..<2 {
            let q = net.forward(frames: frames, batch: batch)
            out += q
            _ = LossKind.huber.loss(q: q, actionCount: 3, actions: acts, targets: targets, gradQ: &gradQ)
            net.zeroGradients()
            net.backward(gradOutput: gradQ)
            out += Array(net.gradients)
            adam.update(net)
        }
        return out + Array(net.parameters)
    }
}
