// Central finite-difference gradient checks for every layer type (see Tolerance.gradient).
import Testing
import DQNNumerics

@Suite struct LayerGradientTests {
    @Test func conv2DWithStrideAndPadding() {
        let g = ConvGeometry(channels: 3, height: 11, width: 10, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 1)
        checkLayerGradients(Conv2D(geometry: g, outChannels: 5, maxBatch: 3), batch: 3, seed: 21)
    }

    @Test func conv2DRectangularKernelNoPadding() {
        let g = ConvGeometry(channels: 2, height: 13, width: 9, kernelHeight: 4, kernelWidth: 2, stride: 3, padding: 0)
        checkLayerGradients(Conv2D(geometry: g, outChannels: 17, maxBatch: 2), batch: 2, seed: 22)
    }

    @Test func linear() {
        checkLayerGradients(Linear(inFeatures: 19, outFeatures: 13, maxBatch: 7), batch: 7, seed: 23)
        checkLayerGradients(Linear(inFeatures: 37, outFeatures: 9, maxBatch: 1), batch: 1, seed: 24)
    }

    /// A layer that applies the following ReLU in its bias pass (as inside `QNetwork`) gives
    /// exactly max(·, 0) of its plain output, on every convolution path and for batch 1 (acting).
    @Test func fusedReLUEqualsReLUAfterTheLayer() {
        let g1 = ConvGeometry(channels: 3, height: 19, width: 17, kernelHeight: 4, kernelWidth: 4, stride: 2, padding: 0)
        let g2 = ConvGeometry(channels: 3, height: 11, width: 10, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 1)
        let makers: [(String, () -> any Layer)] = [
            ("direct NCHW", { Conv2D(geometry: g1, outChannels: 16, maxBatch: 3) }),
            ("direct channels-last", { Conv2D(geometry: g1, outChannels: 32, maxBatch: 3, inputChannelsLast: true, outputChannelsLast: true) }),
            ("im2row", { Conv2D(geometry: g2, outChannels: 5, maxBatch: 3) }),
            ("linear", { Linear(inFeatures: 37, outFeatures: 21, maxBatch: 3) }),
        ]
        for (name, make) in makers {
            for batch in [1, 3] {
                var rng = Xoshiro256(seed: 28)
                let plain = make(), fused = make()
                if let c = fused as? Conv2D { c.appliesReLU = true } else if let l = fused as? Linear { l.appliesReLU = true }
                let x = randomFloats(batch * plain.inputSize, &rng), params = randomFloats(plain.parameterCount, &rng)
                let expected = forward(plain, x, batch: batch, params).map { max($0, 0) }
                let got = forward(fused, x, batch: batch, params)
                #expect(got.map(\.bitPattern) == expected.map(\.bitPattern), "\(name), batch \(batch)")
                #expect(got.contains { $0 == 0 } && got.contains { $0 > 0 }, "\(name): the check needs both signs")
            }
        }
    }

    /// A layer whose input is a ReLU's output and that applies the ReLU's backward to its dx (as
    /// inside `QNetwork`) gives exactly the plain dx with zeros where the input is not positive:
    /// every convolution path and Linear, input with exact zeros and a NaN.
    @Test func gradInputMaskedByReLUEqualsReLUBackward() {
        let g1 = ConvGeometry(channels: 3, height: 19, width: 17, kernelHeight: 4, kernelWidth: 4, stride: 2, padding: 0)
        let g2 = ConvGeometry(channels: 3, height: 11, width: 10, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 1)
        let makers: [(String, () -> any Layer)] = [
            ("direct NCHW", { Conv2D(geometry: g1, outChannels: 16, maxBatch: 3) }),
            ("direct channels-last", { Conv2D(geometry: g1, outChannels: 32, maxBatch: 3, inputChannelsLast: true, outputChannelsLast: true) }),
            ("im2row", { Conv2D(geometry: g2, outChannels: 5, maxBatch: 3) }),
            ("linear", { Linear(inFeatures: 37, outFeatures: 21, maxBatch: 3) }),
        ]
        for (name, make) in makers {
            var rng = Xoshiro256(seed: 29)
            let plain = make(), masked = make()
            if let c = masked as? Conv2D { c.masksGradInputByReLU = true } else if let l = masked as? Linear { l.masksGradInputByReLU = true }
            let batch = 3
            var x = randomFloats(batch * plain.inputSize, &rng).map { max($0, 0) }   // a ReLU's output
            x[1] = .nan
            let params = randomFloats(plain.parameterCount, &rng), dy = randomFloats(batch * plain.outputSize, &rng)
            func gradInput(_ layer: any Layer) -> [Float] {
                _ = forward(layer, x, batch: batch, params)
                var grad = [Float](repeating: 0, count: layer.parameterCount)
                var dx = [Float](repeating: .nan, count: batch * layer.inputSize)
                params.withUnsafeBufferPointer { pb in dy.withUnsafeBufferPointer { db in
                    grad.withUnsafeMutableBufferPointer { gb in dx.withUnsafeMutableBufferPointer { xb in
                        layer.backward(gradOutput: db.baseAddress!, parameters: pb.baseAddress!, gradParameters: gb.baseAddress!,
                                       gradInput: xb.baseAddress!)
                    } }
                } }
                return dx
            }
            let expected = zip(x, gradInput(plain)).map { $0 > 0 ? $1 : 0 }
            let got = gradInput(masked)
            #expect(got.map(\.bitPattern) == expected.map(\.bitPattern), "\(name)")
            #expect(x.contains(0) && got.contains { $0 != 0 }, "\(name): the check needs zeros and survivors")
        }
    }

    @Test func reluAndFlatten() {
        checkLayerGradients(ReLU(size: 29, maxBatch: 3), batch: 3, seed: 25)
        checkLayerGradients(Flatten(size: 12, maxBatch: 2), batch: 2, seed: 26)
    }

    @Test(arguments: LossKind.allCases)
    func lossGradient(kind: LossKind) {
        var rng = Xoshiro256(seed: 27)
        let n = 9, a = 3
        var q = randomFloats(n * a, &rng, -3, 3)
        let actions = (0..<n).map { _ in rng.nextIndex(below: a) }
        let targets = randomFloats(n, &rng, -3, 3)
        var grad: [Float] = []
        _ = kind.loss(q: q, actionCount: a, actions: actions, targets: targets, gradQ: &grad)
        var scratch: [Float] = []
        let h: Float = 1e-3
        for i in 0..<(n * a) {
            let saved = q[i]
            q[i] = saved + h; let up = Double(kind.loss(q: q, actionCount: a, actions: actions, targets: targets, gradQ: &scratch))
            q[i] = saved - h; let down = Double(kind.loss(q: q, actionCount: a, actions: actions, targets: targets, gradQ: &scratch))
            q[i] = saved
            let numeric = (up - down) / Double(2 * h)
            #expect(Tolerance.isClose(Double(grad[i]), numeric, Tolerance.gradient),
                    "\(kind) dL/dQ[\(i)]: numeric \(numeric), analytic \(grad[i])")
        }
    }

    @Test func huberKnownValues() {
        // d = 0.5 → ½·0.25 = 0.125; d = −3 → 3 − ½ = 2.5; mean 1.3125. dL/dQ = clamp(d)/N.
        var grad: [Float] = []
        let loss = LossKind.huber.loss(q: [1.5, 9, 9, -1], actionCount: 2, actions: [0, 1], targets: [1, 2], gradQ: &grad)
        #expect(loss == 1.3125)
        #expect(grad == [0.25, 0, 0, -0.5])
        let mse = LossKind.mse.loss(q: [1.5, 9, 9, -1], actionCount: 2, actions: [0, 1], targets: [1, 2], gradQ: &grad)
        #expect(mse == (0.25 + 9) / 2)
        #expect(grad == [0.5, 0, 0, -3])
    }
}
