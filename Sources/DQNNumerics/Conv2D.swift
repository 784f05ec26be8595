// A 2-D convolution layer (any kernel, stride, zero padding) as im2row + GEMM, with backward.
// Batched NCHW Float32; weight [Cout, Cin, kh, kw] then bias [Cout], as PyTorch's Conv2d.

/// Convolution layer. Input N×C×H×W, output N×Cout×Ho×Wo (see `ConvGeometry`).
///
/// Forward: rows [N·P, Kc] = im2row(x); out [N·P, Cout] = rows·Wᵀ; y[n, o, p] = out[n·P + p, o] + b[o].
/// Backward: g [N·P, Cout] = dyᵀ per sample; dW [Cout, Kc] += (rowsᵀ·g)ᵀ (one in-order chain over
/// the whole batch per weight, so no batch-chunk reduction is needed); db[o] += Σ g[·, o];
/// then rows ← g·W and dx = row2im(rows) (this reuses, and consumes, the cached rows).
public final class Conv2D: Layer {
    public let geometry: ConvGeometry
    public let outChannels: Int
    public let maxBatch: Int
    private let rows: UnsafeMutablePointer<Float>      // [maxBatch·P, Kc]: im2row cache
    private let outT: UnsafeMutablePointer<Float>      // [maxBatch·P, Cout]
    private let weightT: UnsafeMutablePointer<Float>   // [Kc, Cout]
    private var cachedBatch = 0

    public var inputSize: Int { geometry.inputSize }
    public var outputSize: Int { outChannels * geometry.positions }
    public var parameterCount: Int { outChannels * geometry.patchSize + outChannels }
    public var forwardFLOPsPerSample: Int { 2 * geometry.positions * geometry.patchSize * outChannels }

    public init(geometry: ConvGeometry, outChannels: Int, maxBatch: Int) {
        precondition(outChannels > 0 && maxBatch > 0, "Conv2D: outChannels \(outChannels) and maxBatch \(maxBatch) must be positive")
        self.geometry = geometry; self.outChannels = outChannels; self.maxBatch = maxBatch
        let p = maxBatch * geometry.positions
        rows = .allocate(capacity: p * geometry.patchSize); rows.initialize(repeating: 0, count: p * geometry.patchSize)
        outT = .allocate(capacity: p * outChannels); outT.initialize(repeating: 0, count: p * outChannels)
        weightT = .allocate(capacity: geometry.patchSize * outChannels)
        weightT.initialize(repeating: 0, count: geometry.patchSize * outChannels)
    }

    deinit { rows.deallocate(); outT.deallocate(); weightT.deallocate() }

    public func initialize(parameters: UnsafeMutablePointer<Float>, rng: inout Xoshiro256) {
        Self.pytorchDefaultInit(weights: outChannels * geometry.patchSize, biases: outChannels,
                                fanIn: geometry.patchSize, parameters: parameters, rng: &rng)
    }

    public func forward(input: UnsafePointer<Float>, batch: Int, parameters: UnsafePointer<Float>,
                        output: UnsafeMutablePointer<Float>) {
        precondition(batch > 0 && batch <= maxBatch, "Conv2D.forward: batch \(batch) outside 1...\(maxBatch)")
        cachedBatch = batch
        let g = geometry, kc = g.patchSize, co = outChannels, pos = g.positions
        Im2Row.forward(g, batch: batch, input: input, rows: rows)
        transpose(rows: co, cols: kc, src: parameters, dst: weightT)
        Gemm.multiply(transposeA: false, m: batch * pos, n: co, k: kc, a: rows, lda: kc,
                      b: weightT, ldb: co, c: outT, ldc: co, accumulate: false)
        let bias = SendableConstPointer(parameters + co * kc), out = SendablePointer(output)
        let src = SendableConstPointer(UnsafePointer(outT))
        NumericsThreads.forEachPart(total: batch, work: batch * pos * co) { samples in
            for n in samples {
                let y = out.base + n * co * pos
                transpose(rows: pos, cols: co, src: src.base + n * pos * co, dst: y)
                for o in 0..<co {
                    let b = bias.base[o], plane = y + o * pos
                    for p in 0..<pos { plane[p] += b }
                }
            }
        }
    }

    public func backward(gradOutput: UnsafePointer<Float>, parameters: UnsafePointer<Float>,
                         gradParameters: UnsafeMutablePointer<Float>, gradInput: UnsafeMutablePointer<Float>?) {
        let batch = cachedBatch
        precondition(batch > 0, "Conv2D.backward called without a forward")
        let g = geometry, kc = g.patchSize, co = outChannels, pos = g.positions
        let dy = SendableConstPointer(gradOutput), gT = SendablePointer(outT)
        NumericsThreads.forEachPart(total: batch, work: batch * pos * co) { samples in
            for n in samples { transpose(rows: co, cols: pos, src: dy.base + n * co * pos, dst: gT.base + n * pos * co) }
        }
        // dWᵀ [Kc, Cout] = rowsᵀ·g: the tall side (Kc) becomes the GEMM's rows, so the 6×16 tiles
        // stay full; weightT is free scratch here (forward rebuilds it). Then dW += (dWᵀ)ᵀ.
        Gemm.multiply(transposeA: true, m: kc, n: co, k: batch * pos, a: rows, lda: kc,
                      b: outT, ldb: co, c: weightT, ldc: co, accumulate: false)
        for o in 0..<co {
            let dst = gradParameters + o * kc
            for j in 0..<kc { dst[j] += weightT[j * co + o] }
        }
        let gradBias = gradParameters + co * kc
        for o in 0..<co {
            var s: Float = 0
            for n in 0..<batch {
                let plane = gradOutput + (n * co + o) * pos
                for p in 0..<pos { s += plane[p] }
            }
            gradBias[o] += s
        }
        guard let gradInput else { cachedBatch = 0; return }
        Gemm.multiply(transposeA: false, m: batch * pos, n: kc, k: co, a: outT, lda: co,
                      b: parameters, ldb: kc, c: rows, ldc: kc, accumulate: false)
        Im2Row.backward(g, batch: batch, rows: rows, gradInput: gradInput)
        cachedBatch = 0
    }
}
