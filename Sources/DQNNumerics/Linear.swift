// A fully connected layer y = x·Wᵀ + b with backward; weight [out, in] then bias [out], as
// PyTorch's Linear. The batch-1 forward (acting) is a matrix-vector product.

/// Linear layer. Input N×in, output N×out.
///
/// Forward (N > 1), whichever transposes less: when N·(in + out) > in·out (small layers, large
/// batch), Wᵀ [in, out] and y = x·Wᵀ + b; otherwise xᵀ [in, N], yᵀ [out, N] = W·xᵀ (a GEMM whose wide
/// side is W) and y = (yᵀ)ᵀ + b. Both compute each y[n, o] as the same in-order chain over `in`.
/// Backward: dW [out, in] += dyᵀ·x (one in-order chain over the batch per weight);
/// db[o] += Σ_n dy[n, o] (summed from 0 in n order); dx [N, in] = dy·W. Without `accumulate`,
/// dW and db are written (=) instead of added.
public final class Linear: Layer {
    public let inFeatures: Int, outFeatures: Int
    public let maxBatch: Int
    private let xT: UnsafeMutablePointer<Float>   // [in, maxBatch]
    private let yT: UnsafeMutablePointer<Float>   // [out, maxBatch]
    private let weightT: UnsafeMutablePointer<Float>   // [in, out]
    private let biasSums: UnsafeMutablePointer<Float>  // [out]
    private var cachedInput: UnsafePointer<Float>?
    private var cachedBatch = 0
    /// Whether the forward pass also applies ReLU, in the pass that adds the bias (see
    /// `Conv2D.appliesReLU`). Off by default.
    public var appliesReLU = false
    /// Whether the input is a ReLU's output and backward also applies that ReLU's backward to dx
    /// (see `Conv2D.masksGradInputByReLU`). Off by default.
    public var masksGradInputByReLU = false
    /// A batch's outputs with the bits each sample gets alone (the batch-1 order,
    /// `Gemm.multiplyVectors`) instead of the GEMM's: set by `QNetwork.forwardEach`.
    var samplewise = false
    /// Threads this layer's kernels use (1 or 2; see `Layer.threads`).
    public var threads = NumericsThreads.defaultCount { didSet { NumericsThreads.check(threads, "Linear.threads") } }

    public var inputSize: Int { inFeatures }
    public var outputSize: Int { outFeatures }
    public var parameterCount: Int { outFeatures * inFeatures + outFeatures }
    public var forwardFLOPsPerSample: Int { 2 * inFeatures * outFeatures }

    public init(inFeatures: Int, outFeatures: Int, maxBatch: Int) {
        precondition(inFeatures > 0 && outFeatures > 0 && maxBatch > 0,
                     "Linear: sizes in \(inFeatures), out \(outFeatures), maxBatch \(maxBatch) must be positive")
        self.inFeatures = inFeatures; self.outFeatures = outFeatures; self.maxBatch = maxBatch
        xT = .allocate(capacity: inFeatures * maxBatch); xT.initialize(repeating: 0, count: inFeatures * maxBatch)
        yT = .allocate(capacity: outFeatures * maxBatch); yT.initialize(repeating: 0, count: outFeatures * maxBatch)
        weightT = .allocate(capacity: inFeatures * outFeatures); weightT.initialize(repeating: 0, count: inFeatures * outFeatures)
        biasSums = .allocate(capacity: outFeatures); biasSums.initialize(repeating: 0, count: outFeatures)
    }

    deinit { xT.deallocate(); yT.deallocate(); weightT.deallocate(); biasSums.deallocate() }

    public func initialize(parameters: UnsafeMutablePointer<Float>, rng: inout Xoshiro256) {
        Self.pytorchDefaultInit(weights: outFeatures * inFeatures, biases: outFeatures,
                                fanIn: inFeatures, parameters: parameters, rng: &rng)
    }

    public func forward(input: UnsafePointer<Float>, batch: Int, parameters: UnsafePointer<Float>,
                        output: UnsafeMutablePointer<Float>) {
        precondition(batch > 0 && batch <= maxBatch, "Linear.forward: batch \(batch) outside 1...\(maxBatch)")
        cachedInput = input; cachedBatch = batch
        let fi = inFeatures, fo = outFeatures, bias = parameters + fo * fi
        if batch == 1 {
            Gemm.multiplyVector(m: fo, k: fi, a: parameters, lda: fi, x: input, y: output, accumulate: false, threads: threads)
        } else if samplewise {
            Gemm.multiplyVectors(m: fo, k: fi, a: parameters, lda: fi, x: input, ldx: fi, batch: batch, y: output, ldy: fo, threads: threads)
        } else if batch * (fi + fo) > fi * fo {
            transpose(rows: fo, cols: fi, src: parameters, dst: weightT)
            Gemm.multiply(transposeA: false, m: batch, n: fo, k: fi, a: input, lda: fi,
                          b: weightT, ldb: fo, c: output, ldc: fo, accumulate: false, threads: threads)
        } else {
            transpose(rows: batch, cols: fi, src: input, dst: xT)
            Gemm.multiply(transposeA: false, m: fo, n: batch, k: fi, a: parameters, lda: fi,
                          b: xT, ldb: batch, c: yT, ldc: batch, accumulate: false, threads: threads)
            transpose(rows: fo, cols: batch, src: yT, dst: output)
        }
        for n in 0..<batch {
            let y = output + n * fo
            if appliesReLU {
                for o in 0..<fo { y[o] = max(y[o] + bias[o], 0) }
            } else {
                for o in 0..<fo { y[o] += bias[o] }
            }
        }
    }

    public func backward(gradOutput: UnsafePointer<Float>, parameters: UnsafePointer<Float>,
                         gradParameters: UnsafeMutablePointer<Float>, gradInput: UnsafeMutablePointer<Float>?,
                         accumulate: Bool) {
        guard let x = cachedInput, cachedBatch > 0 else { preconditionFailure("Linear.backward called without a forward") }
        let batch = cachedBatch, fi = inFeatures, fo = outFeatures
        Gemm.multiply(transposeA: true, m: fo, n: fi, k: batch, a: gradOutput, lda: fo,
                      b: x, ldb: fi, c: gradParameters, ldc: fi, accumulate: accumulate, threads: threads)
        let gradBias = gradParameters + fo * fi
        biasSums.update(repeating: 0, count: fo)
        for n in 0..<batch {
            let row = gradOutput + n * fo
            for o in 0..<fo { biasSums[o] += row[o] }
        }
        if accumulate {
            for o in 0..<fo { gradBias[o] += biasSums[o] }
        } else {
            gradBias.update(from: biasSums, count: fo)
        }
        if let gradInput {
            Gemm.multiply(transposeA: false, m: batch, n: fi, k: fo, a: gradOutput, lda: fo,
                          b: parameters, ldb: fi, c: gradInput, ldc: fi, accumulate: false, threads: threads)
            if masksGradInputByReLU { ReLU.gradient(x: x, dy: gradInput, dx: gradInput, count: batch * fi) }
        }
    }
}
