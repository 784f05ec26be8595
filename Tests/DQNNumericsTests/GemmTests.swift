// SIMD kernels vs their scalar references on seeded random shapes, including sizes that are not
// multiples of the 6-row / 16-column tile or the 8-lane vector.
import Testing
import DQNNumerics

@Suite struct GemmTests {
    static let shapes: [(m: Int, n: Int, k: Int)] = [
        (1, 1, 1), (6, 16, 8), (7, 17, 9), (13, 33, 300), (5, 3, 2), (32, 256, 70), (50, 16, 257), (2, 40, 513),
        (70, 3800, 33),   // C over Gemm.largeC with one K block: walked by row tiles
        (40, 32, 600), (13, 64, 300), (20, 32, 2100),   // up to Gemm.narrowC full columns: all panels per row tile
    ]

    /// The fixed edge shapes plus 24 shapes drawn from a seeded generator (sides 1…70, K up to 600).
    static func testShapes() -> [(m: Int, n: Int, k: Int)] {
        var rng = Xoshiro256(seed: 10)
        return shapes + (0..<24).map { _ in (1 + rng.nextIndex(below: 70), 1 + rng.nextIndex(below: 70), 1 + rng.nextIndex(below: 600)) }
    }

    @Test(arguments: [false, true])
    func gemmMatchesReference(transposeA: Bool) {
        var rng = Xoshiro256(seed: 11)
        for s in Self.testShapes() {
            for accumulate in [false, true] {
                let a = randomFloats(s.m * s.k, &rng), b = randomFloats(s.k * s.n, &rng)
                let c0 = randomFloats(s.m * s.n, &rng)
                var expected = c0
                Reference.gemm(transposeA: transposeA, m: s.m, n: s.n, k: s.k, a: a, b: b, c: &expected, accumulate: accumulate)
                var observed = c0
                a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in observed.withUnsafeMutableBufferPointer { cp in
                    Gemm.multiply(transposeA: transposeA, m: s.m, n: s.n, k: s.k, a: ap.baseAddress!, lda: transposeA ? s.m : s.k,
                                  b: bp.baseAddress!, ldb: s.n, c: cp.baseAddress!, ldc: s.n, accumulate: accumulate, threads: 2)
                } } }
                let scale = Float(s.k).squareRoot()
                Tolerance.expectClose(observed.map { $0 / scale }, expected.map { $0 / scale }, Tolerance.kernel,
                                      "gemm(transposeA: \(transposeA), m: \(s.m), n: \(s.n), k: \(s.k), accumulate: \(accumulate))")
            }
        }
    }

    /// The row-tile order of a large C changes only which tile runs when: the same product computed
    /// as two column halves (each below `Gemm.largeC`, so walked panel by panel) has the same bits.
    @Test(arguments: [false, true])
    func rowTileOrderGivesTheSameBitsAsPanelOrder(transposeA: Bool) {
        var rng = Xoshiro256(seed: 17)
        let m = 70, n = 3800, k = 33, half = 1904
        let a = randomFloats(m * k, &rng), b = randomFloats(k * n, &rng), c0 = randomFloats(m * n, &rng)
        for accumulate in [false, true] {
            var whole = c0, halves = c0
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in
                let lda = transposeA ? m : k
                whole.withUnsafeMutableBufferPointer { cp in
                    Gemm.multiply(transposeA: transposeA, m: m, n: n, k: k, a: ap.baseAddress!, lda: lda,
                                  b: bp.baseAddress!, ldb: n, c: cp.baseAddress!, ldc: n, accumulate: accumulate, threads: 2)
                }
                halves.withUnsafeMutableBufferPointer { cp in
                    for (start, width) in [(0, half), (half, n - half)] {
                        Gemm.multiply(transposeA: transposeA, m: m, n: width, k: k, a: ap.baseAddress!, lda: lda,
                                      b: bp.baseAddress! + start, ldb: n, c: cp.baseAddress! + start, ldc: n, accumulate: accumulate, threads: 2)
                    }
                }
            } }
            #expect(m * half < 1 << 18 && m * n >= 1 << 18, "the shapes must straddle Gemm.largeC")
            #expect(whole == halves, "row-tile order changed bits (transposeA: \(transposeA), accumulate: \(accumulate))")
        }
    }

    /// Up to `Gemm.narrowC` full columns, a K block (`Gemm.fewPanelsKBlock`) is walked row tile by
    /// row tile with all its panels; the first 48 columns of a wider product (walked panel by panel,
    /// K blocks of 256) have the same bits.
    @Test(arguments: [false, true])
    func narrowCOrderGivesTheSameBitsAsPanelOrder(transposeA: Bool) {
        var rng = Xoshiro256(seed: 19)
        let m = 40, wide = 80, narrow = 48, k = 2100   // K blocks of 1024 here, of 256 for the wide product
        let a = randomFloats(m * k, &rng), b = randomFloats(k * wide, &rng), c0 = randomFloats(m * wide, &rng)
        #expect(narrow <= Gemm.narrowC && wide > Gemm.narrowC, "the widths must straddle Gemm.narrowC")
        for accumulate in [false, true] {
            var whole = c0, part = c0
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in
                let lda = transposeA ? m : k
                whole.withUnsafeMutableBufferPointer { cp in
                    Gemm.multiply(transposeA: transposeA, m: m, n: wide, k: k, a: ap.baseAddress!, lda: lda,
                                  b: bp.baseAddress!, ldb: wide, c: cp.baseAddress!, ldc: wide, accumulate: accumulate, threads: 2)
                }
                part.withUnsafeMutableBufferPointer { cp in
                    Gemm.multiply(transposeA: transposeA, m: m, n: narrow, k: k, a: ap.baseAddress!, lda: lda,
                                  b: bp.baseAddress!, ldb: wide, c: cp.baseAddress!, ldc: wide, accumulate: accumulate, threads: 2)
                }
            } }
            for i in 0..<m {
                for j in 0..<wide {
                    let expected = j < narrow ? whole[i * wide + j] : c0[i * wide + j]
                    if part[i * wide + j].bitPattern != expected.bitPattern {
                        Issue.record("C[\(i), \(j)]: \(part[i * wide + j]) vs \(expected) (transposeA: \(transposeA), accumulate: \(accumulate))")
                        return
                    }
                }
            }
        }
    }

    /// The 8×8-block SIMD transpose against the scalar one: exact, on the network's shapes and on
    /// seeded random ones with edges that are not multiples of 8.
    @Test func transposeMatchesReference() {
        var rng = Xoshiro256(seed: 12)
        let shapes = [(1, 1), (1, 9), (9, 1), (8, 8), (32, 256), (64, 576), (49, 64), (32, 3136), (512, 32)]
            + (0..<20).map { _ in (1 + rng.nextIndex(below: 40), 1 + rng.nextIndex(below: 40)) }
        for (rows, cols) in shapes {
            let src = randomFloats(rows * cols, &rng)
            var dst = [Float](repeating: .nan, count: rows * cols)
            src.withUnsafeBufferPointer { sp in dst.withUnsafeMutableBufferPointer { dp in
                Transpose.matrix(rows: rows, cols: cols, src: sp.baseAddress!, dst: dp.baseAddress!)
            } }
            #expect(dst == Reference.transpose(rows: rows, cols: cols, src), "\(rows)×\(cols)")
        }
    }

    @Test func gemvMatchesReference() {
        var rng = Xoshiro256(seed: 12)
        for (m, k) in [(1, 1), (3, 7), (5, 8), (9, 17), (256, 2592), (13, 31)] {
            let a = randomFloats(m * k, &rng), x = randomFloats(k, &rng)
            var y = [Float](repeating: 0, count: m)
            a.withUnsafeBufferPointer { ap in x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
                Gemm.multiplyVector(m: m, k: k, a: ap.baseAddress!, lda: k, x: xp.baseAddress!, y: yp.baseAddress!, accumulate: false, threads: 2)
            } } }
            let scale = Float(k).squareRoot()
            Tolerance.expectClose(y.map { $0 / scale }, Reference.gemv(m: m, k: k, a: a, x: x).map { $0 / scale },
                                  Tolerance.kernel, "gemv(m: \(m), k: \(k))")
        }
    }

    /// The batched matrix-vector product gives each vector the bits the batch-1 product gives it
    /// alone, on 1 and 2 threads, for every remainder of the batch by 4 and of K by 16 and 8.
    @Test(arguments: [1, 2])
    func batchedGemvIsEachVectorsGemvBitForBit(threads: Int) {
        var rng = Xoshiro256(seed: 31)
        for (m, k, batch) in [(1, 1, 1), (3, 7, 2), (5, 8, 4), (9, 17, 5), (256, 2592, 7), (13, 31, 11), (2, 24, 3)] {
            let a = randomFloats(m * k, &rng), x = randomFloats(batch * k, &rng)
            var y = [Float](repeating: .nan, count: batch * m)
            a.withUnsafeBufferPointer { ap in x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
                Gemm.multiplyVectors(m: m, k: k, a: ap.baseAddress!, lda: k, x: xp.baseAddress!, ldx: k, batch: batch,
                                     y: yp.baseAddress!, ldy: m, threads: threads)
            } } }
            for b in 0..<batch {
                var alone = [Float](repeating: 0, count: m)
                a.withUnsafeBufferPointer { ap in x.withUnsafeBufferPointer { xp in alone.withUnsafeMutableBufferPointer { yp in
                    Gemm.multiplyVector(m: m, k: k, a: ap.baseAddress!, lda: k, x: xp.baseAddress! + b * k, y: yp.baseAddress!,
                                        accumulate: false, threads: 1)
                } } }
                #expect(Array(y[(b * m)..<((b + 1) * m)]) == alone, "vector \(b) of m \(m) k \(k) batch \(batch)")
            }
        }
    }

    static let geometries = [
        ConvGeometry(channels: 3, height: 11, width: 9, kernelHeight: 3, kernelWidth: 2, stride: 2, padding: 1),
        ConvGeometry(channels: 4, height: 20, width: 20, kernelHeight: 8, kernelWidth: 8, stride: 4, padding: 0),
        ConvGeometry(channels: 2, height: 7, width: 5, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 2),
    ]

    @Test(arguments: geometries)
    func im2rowAndAdjointMatchReference(g: ConvGeometry) {
        var rng = Xoshiro256(seed: 13)
        let batch = 3
        let x = randomFloats(batch * g.inputSize, &rng)
        var rows = [Float](repeating: .nan, count: batch * g.positions * g.patchSize)
        x.withUnsafeBufferPointer { xp in rows.withUnsafeMutableBufferPointer { rp in
            Im2Row.forward(g, batch: batch, input: xp.baseAddress!, rows: rp.baseAddress!, threads: 2)
        } }
        #expect(rows == Reference.im2row(g, batch: batch, input: x), "im2row differs for \(g)")
        let dRows = randomFloats(rows.count, &rng)
        var dx = [Float](repeating: .nan, count: x.count)
        dRows.withUnsafeBufferPointer { rp in dx.withUnsafeMutableBufferPointer { xp in
            Im2Row.backward(g, batch: batch, rows: rp.baseAddress!, gradInput: xp.baseAddress!, threads: 2)
        } }
        Tolerance.expectClose(dx, Reference.row2im(g, batch: batch, rows: dRows), Tolerance.kernel, "row2im \(g)")
    }

    @Test(arguments: geometries)
    func conv2DMatchesDirectConvolution(g: ConvGeometry) {
        var rng = Xoshiro256(seed: 14)
        let batch = 5, outChannels = 7
        let layer = Conv2D(geometry: g, outChannels: outChannels, maxBatch: batch)
        let x = randomFloats(batch * g.inputSize, &rng), params = randomFloats(layer.parameterCount, &rng)
        let y = forward(layer, x, batch: batch, params)
        let weight = Array(params[0..<(outChannels * g.patchSize)]), bias = Array(params[(outChannels * g.patchSize)...])
        let expected = Reference.conv2d(g, outChannels: outChannels, batch: batch, input: x, weight: weight, bias: bias)
        Tolerance.expectClose(y, expected, Tolerance.kernel, "conv2d \(g)")
        // The batch-1 path (threads split the GEMM, not the batch) gives the same bits.
        let first = forward(layer, Array(x[0..<g.inputSize]), batch: 1, params)
        #expect(first == Array(y[0..<layer.outputSize]), "batch-1 conv differs from sample 0 of the batch for \(g)")
    }
}

/// The direct (implicit-GEMM) convolution path against the scalar reference and, bit for bit,
/// against the im2row + Gemm path it replaces (forward, dW, db and dx).
@Suite struct DirectConvTests {
    static let geometries = [
        ConvGeometry(channels: 4, height: 84, width: 84, kernelHeight: 8, kernelWidth: 8, stride: 4, padding: 0),  // small/nature conv1
        ConvGeometry(channels: 16, height: 20, width: 20, kernelHeight: 4, kernelWidth: 4, stride: 2, padding: 0), // small conv2
        ConvGeometry(channels: 3, height: 9, width: 11, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 0),
        ConvGeometry(channels: 2, height: 13, width: 10, kernelHeight: 5, kernelWidth: 2, stride: 3, padding: 0), // kw not unrolled
    ]

    @Test(arguments: geometries)
    func directPathMatchesIm2RowPathBitwise(g: ConvGeometry) {
        var rng = Xoshiro256(seed: 15)
        let batch = 3, outChannels = 32
        let direct = Conv2D(geometry: g, outChannels: outChannels, maxBatch: batch)
        let im2row = Conv2D(geometry: g, outChannels: outChannels, maxBatch: batch, direct: false)
        #expect(direct.usesDirectPath && !im2row.usesDirectPath)
        let x = randomFloats(batch * g.inputSize, &rng), params = randomFloats(direct.parameterCount, &rng)
        let dy = randomFloats(batch * direct.outputSize, &rng)
        let a = Self.forwardBackward(direct, x, params, dy, batch: batch)
        let b = Self.forwardBackward(im2row, x, params, dy, batch: batch)
        #expect(a.y == b.y, "direct forward differs from im2row for \(g)")
        #expect(a.dParams == b.dParams, "direct dW/db differ from im2row for \(g)")
        #expect(a.dx == b.dx, "direct dx differs from im2row for \(g)")
        let weight = Array(params[0..<(outChannels * g.patchSize)]), bias = Array(params[(outChannels * g.patchSize)...])
        let expected = Reference.conv2d(g, outChannels: outChannels, batch: batch, input: x, weight: weight, bias: bias)
        Tolerance.expectClose(a.y, expected, Tolerance.kernel, "direct conv2d \(g)")
    }

    @Test func directPathGradients() {
        let g = ConvGeometry(channels: 3, height: 12, width: 11, kernelHeight: 4, kernelWidth: 3, stride: 2, padding: 0)
        let layer = Conv2D(geometry: g, outChannels: 16, maxBatch: 2)
        #expect(layer.usesDirectPath)
        checkLayerGradients(layer, batch: 2, seed: 28)
    }

    /// N×C×H×W → N×H×W×C (or back with `inverse`).
    static func channelsLast(_ v: [Float], batch: Int, channels: Int, pixels: Int, inverse: Bool = false) -> [Float] {
        var out = v
        for n in 0..<batch {
            for c in 0..<channels {
                for p in 0..<pixels {
                    let nchw = (n * channels + c) * pixels + p, nhwc = (n * pixels + p) * channels + c
                    if inverse { out[nchw] = v[nhwc] } else { out[nhwc] = v[nchw] }
                }
            }
        }
        return out
    }

    /// One forward and one backward (with dx) of `layer`: its output, parameter gradients and dx.
    static func forwardBackward(_ layer: Conv2D, _ x: [Float], _ params: [Float], _ dy: [Float], batch: Int)
        -> (y: [Float], dParams: [Float], dx: [Float]) {
        var y = [Float](repeating: .nan, count: batch * layer.outputSize)
        var dParams = [Float](repeating: 0, count: layer.parameterCount)
        var dx = [Float](repeating: .nan, count: x.count)
        x.withUnsafeBufferPointer { xp in params.withUnsafeBufferPointer { pp in
            y.withUnsafeMutableBufferPointer { yp in
                layer.forward(input: xp.baseAddress!, batch: batch, parameters: pp.baseAddress!, output: yp.baseAddress!)
            }
            dy.withUnsafeBufferPointer { gp in dParams.withUnsafeMutableBufferPointer { dp in dx.withUnsafeMutableBufferPointer { dxp in
                layer.backward(gradOutput: gp.baseAddress!, parameters: pp.baseAddress!, gradParameters: dp.baseAddress!,
                               gradInput: dxp.baseAddress!)
            } } }
        } }
        return (y, dParams, dx)
    }

    static let layouts: [(input: Bool, output: Bool)] = [(false, true), (true, false), (true, true)]

    @Test(arguments: [geometries[0], geometries[1], geometries[2]])
    func channelsLastLayoutsMatchNCHWBitwise(g: ConvGeometry) {
        var rng = Xoshiro256(seed: 16)
        let batch = 3, co = 16
        let reference = Conv2D(geometry: g, outChannels: co, maxBatch: batch)
        let x = randomFloats(batch * g.inputSize, &rng), params = randomFloats(reference.parameterCount, &rng)
        let dy = randomFloats(batch * reference.outputSize, &rng)
        func run(_ layer: Conv2D, _ x: [Float], _ dy: [Float]) -> (y: [Float], dParams: [Float], dx: [Float]) {
            Self.forwardBackward(layer, x, params, dy, batch: batch)
        }
        let expected = run(reference, x, dy)
        let inPixels = g.height * g.width, outPixels = g.positions
        for layout in Self.layouts {
            let layer = Conv2D(geometry: g, outChannels: co, maxBatch: batch,
                               inputChannelsLast: layout.input, outputChannelsLast: layout.output)
            let xl = layout.input ? Self.channelsLast(x, batch: batch, channels: g.channels, pixels: inPixels) : x
            let dyl = layout.output ? Self.channelsLast(dy, batch: batch, channels: co, pixels: outPixels) : dy
            let got = run(layer, xl, dyl)
            let y = layout.output ? Self.channelsLast(got.y, batch: batch, channels: co, pixels: outPixels, inverse: true) : got.y
            let dx = layout.input ? Self.channelsLast(got.dx, batch: batch, channels: g.channels, pixels: inPixels, inverse: true) : got.dx
            #expect(y == expected.y, "forward differs for \(layout) \(g)")
            #expect(got.dParams == expected.dParams, "dW/db differ for \(layout) \(g)")
            #expect(dx == expected.dx, "dx differs for \(layout) \(g)")
            // Acting (batch 1) splits positions across threads: the same bits as sample 0.
            let first = forward(layer, Array(xl[0..<g.inputSize]), batch: 1, params)
            #expect(first == Array(got.y[0..<layer.outputSize]), "batch-1 forward differs for \(layout) \(g)")
        }
    }

    @Test func channelsLastGradients() {
        let g = ConvGeometry(channels: 5, height: 10, width: 9, kernelHeight: 3, kernelWidth: 2, stride: 2, padding: 0)
        checkLayerGradients(Conv2D(geometry: g, outChannels: 16, maxBatch: 2, inputChannelsLast: true, outputChannelsLast: true),
                            batch: 2, seed: 29)
    }
}
