// QNetwork.forwardSideBySide: two forward passes at once give the bits of the two passes in turn,
// and the first network keeps its caches for backward.
import Testing
import DQNNumerics

extension ThreadCountTests {
    @Test(arguments: [NetworkPreset.small, .mlp], [1, 2])
    func sideBySideForwardsEqualForwardsInTurn(preset: NetworkPreset, threads: Int) {
        var rng = Xoshiro256(seed: 77)
        // Big enough that the pair is handed to the partner thread (above the work threshold).
        let shape = preset.isConvolutional ? [4, 44, 44] : [2003]
        let batch = 32, actions = 3
        let online = QNetwork(preset: preset, inputShape: shape, actions: actions, maxBatch: batch, threads: threads, rng: &rng)
        let target = QNetwork(preset: preset, inputShape: shape, actions: actions, maxBatch: batch, threads: threads, rng: &rng)
        let size = online.inputSize
        let frames = (0..<(batch * size)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let nextFrames = (0..<(batch * size)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let floats = randomFloats(batch * size, &rng), nextFloats = randomFloats(batch * size, &rng)
        let gradQ = randomFloats(batch * actions, &rng)

        func inTurn() -> (q: [Float], qNext: [Float], grads: [Float]) {
            let qNext = preset.isConvolutional ? target.forward(frames: nextFrames, batch: batch)
                                               : target.forward(floats: nextFloats, batch: batch)
            let q = preset.isConvolutional ? online.forward(frames: frames, batch: batch)
                                           : online.forward(floats: floats, batch: batch)
            online.backward(gradOutput: gradQ, accumulate: false)
            return (q, qNext, Array(online.gradients))
        }
        func sideBySide() -> (q: [Float], qNext: [Float], grads: [Float]) {
            let pair = frames.withUnsafeBufferPointer { f in
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
            let q = Array(pair.first), qNext = Array(pair.second)
            online.backward(gradOutput: gradQ, accumulate: false)   // uses the side-by-side pass's caches
            return (q, qNext, Array(online.gradients))
        }
        let a = inTurn(), b = sideBySide()
        #expect(a.q.count == batch * actions && a.qNext.count == batch * actions)
        #expect(a.q != a.qNext, "the two networks and inputs differ, so their Q-values must")
        for (name, x, y) in [("q", a.q, b.q), ("qNext", a.qNext, b.qNext), ("gradients", a.grads, b.grads)] {
            #expect(x.count == y.count, "\(name): \(x.count) vs \(y.count) values")
            let first = zip(x, y).enumerated().first { $0.element.0.bitPattern != $0.element.1.bitPattern }
            #expect(first == nil, "\(name): first differing value (index, (in turn, side by side)): \(String(describing: first))")
        }
    }
}

extension ThreadCountTests {
    /// The AVX-512 convolution tiles (`WideKernels`) against the 16-column ones: forward Q-values
    /// and every gradient of the nature and small presets, bit for bit. Runs only on a CPU with
    /// AVX-512 (elsewhere the wide tiles are never called, and the test is reported as skipped).
    @Test(.enabled(if: WideKernels.available, "this CPU has no AVX-512"), arguments: [NetworkPreset.nature, .small])
    func wideTilesGiveTheSameBits(preset: NetworkPreset) {
        let saved = WideKernels.enabled
        defer { WideKernels.enabled = saved }
        func run(wide: Bool) -> [Float] {
            WideKernels.enabled = wide
            var rng = Xoshiro256(seed: 91)
            let batch = 5, actions = 3
            let net = QNetwork(preset: preset, inputShape: [4, 84, 84], actions: actions, maxBatch: batch, rng: &rng)
            let frames = (0..<(batch * net.inputSize)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let q = net.forward(frames: frames, batch: batch)
            net.backward(gradOutput: randomFloats(batch * actions, &rng), accumulate: false)
            let acting = net.forward(frames: Array(frames[0..<net.inputSize]), batch: 1)   // the batch-1 path
            return q + Array(net.gradients) + acting
        }
        let narrow = run(wide: false), wide = run(wide: true)
        #expect(narrow.count == wide.count)
        let first = zip(narrow, wide).enumerated().first { $0.element.0.bitPattern != $0.element.1.bitPattern }
        #expect(first == nil, "\(preset): first differing value (index, (16 columns, 32 columns)): \(String(describing: first))")
    }
}

extension ThreadCountTests {
    /// Gemm with the 6×32 AVX-512 tile against the 16-column tiles, bit for bit, on the shapes of
    /// `GemmTests` (both A layouts, with and without accumulation). Skipped without AVX-512.
    @Test(.enabled(if: WideKernels.available, "this CPU has no AVX-512"), arguments: [false, true])
    func wideGemmGivesTheSameBits(transposeA: Bool) {
        let saved = WideKernels.enabled
        defer { WideKernels.enabled = saved }
        var rng = Xoshiro256(seed: 23)
        for s in GemmTests.testShapes() + [(m: 64, n: 3136, k: 32), (m: 32, n: 3136, k: 300), (m: 512, n: 32, k: 1100)] {
            for accumulate in [false, true] {
                let a = randomFloats(s.m * s.k, &rng), b = randomFloats(s.k * s.n, &rng), c0 = randomFloats(s.m * s.n, &rng)
                func product(wide: Bool) -> [Float] {
                    WideKernels.enabled = wide
                    var c = c0
                    a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                        Gemm.multiply(transposeA: transposeA, m: s.m, n: s.n, k: s.k, a: ap.baseAddress!, lda: transposeA ? s.m : s.k,
                                      b: bp.baseAddress!, ldb: s.n, c: cp.baseAddress!, ldc: s.n, accumulate: accumulate, threads: 2)
                    } } }
                    return c
                }
                let narrow = product(wide: false), wide = product(wide: true)
                let first = zip(narrow, wide).enumerated().first { $0.element.0.bitPattern != $0.element.1.bitPattern }
                #expect(first == nil, "gemm(transposeA: \(transposeA), m: \(s.m), n: \(s.n), k: \(s.k), accumulate: \(accumulate)): first difference \(String(describing: first))")
            }
        }
    }
}
