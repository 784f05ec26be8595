// A 2-D convolution layer (any kernel, stride, zero padding) as per-sample im2row + GEMM, with
// backward. Batched NCHW Float32; weight [Cout, Cin, kh, kw] then bias [Cout], as PyTorch's Conv2d.
// Unpadded layers with Cout a multiple of 16 take the direct path instead (Conv2D+Direct.swift).
import DQNSIMD

/// Convolution layer. Input N×C×H×W, output N×Cout×Ho×Wo (see `ConvGeometry`); on the direct
/// path either side may instead be channels-last (N×H×W×C), which the Q-network uses between
/// convolutions so no activation is ever transposed.
///
/// The batch is cut into `Conv2D.chunks` (= 2) FIXED contiguous chunks, one per thread when two
/// are available. Each sample's patch matrix [P, Kc] is built a few output lines at a time (about
/// 64 KiB) in the chunk's scratch, used at once while it is in cache, and rebuilt in backward
/// instead of caching N·P·Kc values (13 MB for conv1 at batch 32).
///
/// Forward, per sample: rows = im2row(x_n); out [P, Cout] = rows·Wᵀ; y_n[o, p] = out[p, o] + b[o].
/// Backward, per sample: g [P, Cout] = dy_nᵀ; partial_c [Kc, Cout] += rowsᵀ·g; biasPartial_c[o] += Σ_p g;
/// dx_n = row2im(g·W). Then dW[o, j] += partial_0[j, o] + partial_1[j, o] (fixed chunks, fixed
/// order: the same bits with 1 or 2 threads). Caches a pointer to the input (see `Layer`).
public final class Conv2D: Layer {
    /// Number of batch chunks the weight-gradient reduction is split into (independent of threads).
    public static let chunks = 2

    public let geometry: ConvGeometry
    public let outChannels: Int
    public let maxBatch: Int
    /// Input laid out N×H×W×C instead of N×C×H×W (direct path only).
    public let inputChannelsLast: Bool
    /// Output laid out N×Ho×Wo×Cout instead of N×Cout×Ho×Wo (direct path only).
    public let outputChannelsLast: Bool
    // Per-chunk scratch (wrapped once here, so forward/backward allocate nothing):
    let rows: [UnsafeMutablePointer<Float>]      // [P, Kc]
    let outT: [UnsafeMutablePointer<Float>]      // [P, Cout] (direct path, NCHW output: a chunk's samples)
    let partial: [UnsafeMutablePointer<Float>]   // [Kc, Cout] dWᵀ, then [Cout] db
    let gradPanels: [UnsafeMutablePointer<Float>]   // one sample's dy in panels (direct path), [P·Cout]
    /// Wᵀ [Kc, Cout] on the im2row path; on the direct path Cout/16 panels of [Kc, 16], panel q
    /// holding Wᵀ's columns 16q..<16q+16 contiguously (`DirectConv.weightPanels`).
    let weightT: UnsafeMutablePointer<Float>
    let combined: UnsafeMutablePointer<Float>        // [Cout, Kc], the summed partials transposed
    /// The weight with each row reordered (ky, kx, c), for dx of a channels-last input.
    let weightChannelsLast: UnsafeMutablePointer<Float>?
    /// For a channels-last input: where PyTorch's patch entry k = (c, ky, kx) sits in (ky, kx, c)
    /// order, the column order of `weightChannelsLast` and the row order of the weight gradient's
    /// partial sums (`DirectConv.gradientRowOffsets`). Empty otherwise.
    let channelsLastIndex: [Int]
    /// Output lines per im2row block in the batched paths: about 64 KiB of patch rows (so they stay
    /// in L1/L2 between im2row and the GEMM), a multiple of 6 rows when that costs at most half.
    let linesPerBlock: Int
    /// `DirectConv.offsetTables` (nil on the im2row path).
    let tables: UnsafeMutablePointer<Int>?
    var cachedInput: UnsafePointer<Float>?
    var cachedBatch = 0
    /// Whether the forward pass also applies ReLU, in the same pass that adds the bias (set by
    /// `QNetwork` when a ReLU follows; the ReLU layer then only keeps the output for its backward).
    /// Off by default, so the layer alone is the plain convolution.
    public var appliesReLU = false
    /// Whether the input is a ReLU's output and backward also applies that ReLU's backward to dx
    /// (dx = 0 where the input is not positive), each sample while its dx is still in cache (set
    /// by `QNetwork`, which then skips the ReLU's own backward pass). Off by default.
    public var masksGradInputByReLU = false
    /// Threads this layer's kernels use (1 or 2; see `Layer.threads`).
    public var threads = NumericsThreads.defaultCount { didSet { NumericsThreads.check(threads, "Conv2D.threads") } }

    /// Whether the layer reads patches straight from the input (`DirectConv`: padding 0 and Cout a
    /// multiple of 16) instead of building im2row blocks. Both give the same bits.
    public var usesDirectPath: Bool { tables != nil }

    public var inputSize: Int { geometry.inputSize }
    public var outputSize: Int { outChannels * geometry.positions }
    public var parameterCount: Int { outChannels * geometry.patchSize + outChannels }
    public var forwardFLOPsPerSample: Int { 2 * geometry.positions * geometry.patchSize * outChannels }

    /// `direct: false` forces the im2row path (the reference the direct path is tested against);
    /// channels-last layouts need the direct path.
    public init(geometry: ConvGeometry, outChannels: Int, maxBatch: Int, direct: Bool = true,
                inputChannelsLast: Bool = false, outputChannelsLast: Bool = false) {
        precondition(outChannels > 0 && maxBatch > 0, "Conv2D: outChannels \(outChannels) and maxBatch \(maxBatch) must be positive")
        let useDirect = direct && DirectConv.applies(geometry, outChannels: outChannels)
        precondition(useDirect || !(inputChannelsLast || outputChannelsLast),
                     "Conv2D: channels-last layouts need the direct path (padding 0, Cout a multiple of 16)")
        self.geometry = geometry; self.outChannels = outChannels; self.maxBatch = maxBatch
        self.inputChannelsLast = inputChannelsLast; self.outputChannelsLast = outputChannelsLast
        func buffer(_ count: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: count)
            p.initialize(repeating: 0, count: count)
            return p
        }
        let pos = geometry.positions, kc = geometry.patchSize
        rows = (0..<Self.chunks).map { _ in buffer(pos * kc) }
        // The direct forward pass keeps a whole chunk's rows in outT before an NCHW output.
        let chunkSamples = useDirect && !outputChannelsLast ? (maxBatch + Self.chunks - 1) / Self.chunks : 1
        outT = (0..<Self.chunks).map { _ in buffer(chunkSamples * pos * outChannels) }
        partial = (0..<Self.chunks).map { _ in buffer(kc * outChannels + outChannels) }
        gradPanels = (0..<Self.chunks).map { _ in buffer(useDirect ? pos * outChannels : 1) }
        weightT = buffer(kc * outChannels)
        combined = buffer(kc * outChannels)
        let ho = geometry.outputHeight, wo = geometry.outputWidth
        var lines = min(ho, max(1, 16_384 / (wo * kc)))
        if let aligned = (1...lines).reversed().first(where: { ($0 * wo) % 6 == 0 }), aligned * 2 >= lines { lines = aligned }
        linesPerBlock = lines
        if useDirect {
            let offsets = DirectConv.offsetTables(geometry, channelsLast: inputChannelsLast)
            let p = UnsafeMutablePointer<Int>.allocate(capacity: offsets.count)
            p.initialize(from: offsets, count: offsets.count)
            tables = p
        } else {
            tables = nil
        }
        weightChannelsLast = inputChannelsLast ? buffer(kc * outChannels) : nil
        channelsLastIndex = inputChannelsLast ? DirectConv.channelsLastIndex(geometry) : []
    }

    deinit {
        for p in rows { p.deallocate() }
        for p in outT { p.deallocate() }
        for p in partial { p.deallocate() }
        for p in gradPanels { p.deallocate() }
        weightT.deallocate()
        combined.deallocate()
        weightChannelsLast?.deallocate()
        tables?.deallocate()
    }

    public func initialize(parameters: UnsafeMutablePointer<Float>, rng: inout Xoshiro256) {
        Self.pytorchDefaultInit(weights: outChannels * geometry.patchSize, biases: outChannels,
                                fanIn: geometry.patchSize, parameters: parameters, rng: &rng)
    }

    /// The samples of chunk `c` for a batch: a fixed function of (c, batch).
    static func samples(chunk c: Int, batch: Int) -> Range<Int> {
        NumericsThreads.range(c, of: Self.chunks, total: batch)
    }

    public func forward(input: UnsafePointer<Float>, batch: Int, parameters: UnsafePointer<Float>,
                        output: UnsafeMutablePointer<Float>) {
        precondition(batch > 0 && batch <= maxBatch, "Conv2D.forward: batch \(batch) outside 1...\(maxBatch)")
        cachedInput = input; cachedBatch = batch
        let g = geometry, kc = g.patchSize, co = outChannels, pos = g.positions
        let bias = parameters + co * kc
        if let tables {
            DirectConv.weightPanels(parameters, outChannels: co, patchSize: kc, into: weightT)
            forwardDirect(tables: tables, input: input, batch: batch, bias: bias, output: output)
            return
        }
        transpose(rows: co, cols: kc, src: parameters, dst: weightT)
        if batch == 1 {
            // Acting: one sample, so split the GEMM itself across threads (same bits).
            Im2Row.sample(g, input: input, rows: rows[0])
            Gemm.multiply(transposeA: false, m: pos, n: co, k: kc, a: rows[0], lda: kc, b: weightT, ldb: co,
                          c: outT[0], ldc: co, accumulate: false, threads: threads)
            Self.finishSample(outT: outT[0], bias: bias, y: output, pos: pos, co: co, relu: appliesReLU)
            return
        }
        NumericsThreads.run(parts: Self.chunks, threads: threads, work: batch * forwardFLOPsPerSample,
                            Im2RowForward(layer: self, input: input, batch: batch, bias: bias, output: output))
    }

    /// The batched im2row forward pass, one chunk of samples per part.
    private struct Im2RowForward: ParallelJob {
        let layer: Conv2D, input: UnsafePointer<Float>, batch: Int, bias: UnsafePointer<Float>
        let output: UnsafeMutablePointer<Float>

        func run(part c: Int) {
            let g = layer.geometry, kc = g.patchSize, co = layer.outChannels, pos = g.positions, wo = g.outputWidth
            let rows = layer.rows[c], outT = layer.outT[c]
            for n in Conv2D.samples(chunk: c, batch: batch) {
                var oy = 0
                while oy < g.outputHeight {
                    let lines = oy..<min(g.outputHeight, oy + layer.linesPerBlock)
                    Im2Row.sample(g, input: input + n * g.inputSize, rows: rows, outputLines: lines)
                    Gemm.multiplySerial(transposeA: false, m: lines.count * wo, n: co, k: kc, a: rows, lda: kc,
                                        b: layer.weightT, ldb: co, c: outT + oy * wo * co, ldc: co, accumulate: false)
                    oy = lines.upperBound
                }
                Conv2D.finishSample(outT: outT, bias: bias, y: output + n * co * pos, pos: pos, co: co,
                                    relu: layer.appliesReLU)
            }
        }
    }

    /// y [Cout, P] = outᵀ + bias, then max(·, 0) with `relu`.
    static func finishSample(outT: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                             y: UnsafeMutablePointer<Float>, pos: Int, co: Int, relu: Bool) {
        transpose(rows: pos, cols: co, src: outT, dst: y)
        for o in 0..<co {
            let b = bias[o], plane = y + o * pos
            if relu {
                for p in 0..<pos { plane[p] = max(plane[p] + b, 0) }
            } else {
                for p in 0..<pos { plane[p] += b }
            }
        }
    }

    public func backward(gradOutput: UnsafePointer<Float>, parameters: UnsafePointer<Float>,
                         gradParameters: UnsafeMutablePointer<Float>, gradInput: UnsafeMutablePointer<Float>?,
                         accumulate: Bool) {
        guard let input = cachedInput, cachedBatch > 0 else { preconditionFailure("Conv2D.backward called without a forward") }
        let batch = cachedBatch
        if let tables {
            backwardDirect(tables: tables, input: input, batch: batch, gradOutput: gradOutput, parameters: parameters,
                           gradInput: gradInput)
            combinePartials(into: gradParameters, accumulate: accumulate)
            return
        }
        NumericsThreads.run(parts: Self.chunks, threads: threads, work: batch * 3 * forwardFLOPsPerSample,
                            Im2RowBackward(layer: self, input: input, batch: batch, gradOutput: gradOutput,
                                           weight: parameters, gradInput: gradInput))
        combinePartials(into: gradParameters, accumulate: accumulate)
    }

    /// The im2row backward pass, one chunk of samples per part: the chunk's dWᵀ and db partial,
    /// and dx of its samples when asked.
    private struct Im2RowBackward: ParallelJob {
        let layer: Conv2D, input: UnsafePointer<Float>, batch: Int, gradOutput: UnsafePointer<Float>
        let weight: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>?

        func run(part c: Int) {
            let g = layer.geometry, kc = g.patchSize, co = layer.outChannels, pos = g.positions, wo = g.outputWidth
            let rows = layer.rows[c], outT = layer.outT[c]
            let part = layer.partial[c], biasPart = part + kc * co
            part.update(repeating: 0, count: kc * co + co)
            for n in Conv2D.samples(chunk: c, batch: batch) {
                let gradOut = gradOutput + n * co * pos
                transpose(rows: co, cols: pos, src: gradOut, dst: outT)
                Conv2D.addPlaneSums(gradOut, channels: co, positions: pos, to: biasPart)
                let dxn = gradInput.map { $0 + n * g.inputSize }
                dxn?.update(repeating: 0, count: g.inputSize)
                var oy = 0
                while oy < g.outputHeight {
                    // One block of output lines: its patch rows are rebuilt, used for dW and dx, and
                    // dropped. dW's chain over positions keeps its order across blocks.
                    let lines = oy..<min(g.outputHeight, oy + layer.linesPerBlock)
                    let m = lines.count * wo, gBlock = outT + oy * wo * co
                    Im2Row.sample(g, input: input + n * g.inputSize, rows: rows, outputLines: lines)
                    // dWᵀ [Kc, Cout] += rowsᵀ·g: Kc is the tall side, so the 6×16 tiles stay full.
                    Gemm.multiplySerial(transposeA: true, m: kc, n: co, k: m, a: rows, lda: kc,
                                        b: gBlock, ldb: co, c: part, ldc: co, accumulate: true)
                    if let dxn {
                        // d rows [lines·Wo, Kc] = g·W, then scatter-add the patches back (row2im).
                        Gemm.multiplySerial(transposeA: false, m: m, n: kc, k: co, a: gBlock, lda: co,
                                            b: weight, ldb: kc, c: rows, ldc: kc, accumulate: false)
                        Im2Row.addSample(g, rows: rows, gradInput: dxn, outputLines: lines)
                    }
                    oy = lines.upperBound
                }
                if let dxn, layer.masksGradInputByReLU {
                    ReLU.gradient(x: input + n * g.inputSize, dy: dxn, dx: dxn, count: g.inputSize)
                }
            }
        }
    }

    /// db[o] += Σ_p dy[o, p] for one sample's Cout×P gradient, each sum from 0 in p order.
    static func addPlaneSums(_ dy: UnsafePointer<Float>, channels co: Int, positions pos: Int,
                             to biasPart: UnsafeMutablePointer<Float>) {
        for o in 0..<co {
            let plane = dy + o * pos
            var s: Float = 0
            for p in 0..<pos { s += plane[p] }
            biasPart[o] += s
        }
    }

    /// Combines the fixed chunks in a fixed order: dθ += (chunk 0 + chunk 1), or dθ = (chunk 0 +
    /// chunk 1) without `accumulate`. The partials' rows are in (ky, kx, c) order for a
    /// channels-last input (`DirectConv.gradientRowOffsets`).
    ///
    /// The sum is taken in place in chunk 0's buffer (contiguous), transposed to [Cout, Kc] with
    /// `Transpose.matrix`, and each row is then read in PyTorch's column order: a gather within
    /// one row instead of a strided walk down the partials' columns.
    func combinePartials(into gradParameters: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let kc = geometry.patchSize, co = outChannels
        let sum = partial[0], p1 = partial[1], count = kc * co + co
        var i = 0
        while i + 8 <= count {
            store8(load8(sum + i) + load8(p1 + i), sum + i)
            i += 8
        }
        while i < count { sum[i] += p1[i]; i += 1 }
        let rowOf = channelsLastIndex
        if rowOf.isEmpty && !accumulate {
            Transpose.matrix(rows: kc, cols: co, src: sum, dst: gradParameters)
        } else {
            Transpose.matrix(rows: kc, cols: co, src: sum, dst: combined)
            for o in 0..<co {
                let dst = gradParameters + o * kc, row = combined + o * kc
                for k in 0..<kc {
                    let value = row[rowOf.isEmpty ? k : rowOf[k]]
                    dst[k] = accumulate ? dst[k] + value : value
                }
            }
        }
        let gradBias = gradParameters + co * kc, biasSum = sum + kc * co
        for o in 0..<co { gradBias[o] = accumulate ? gradBias[o] + biasSum[o] : biasSum[o] }
        cachedBatch = 0
    }
}
