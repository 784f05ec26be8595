// im2row / row2im: turn convolution into GEMM. One row per output position, one column per
// patch entry, so the forward pass is [N·P, Kc]·[Kc, Cout] and the batch is a plain row range.

/// Patch matrix transforms for convolution.
///
/// Shapes: input x is N×C×H×W row-major; the patch matrix is [N·P, Kc] row-major with
/// row n·P + oy·Wo + ox and column c·kh·kw + ky·kw + kx holding x[n, c, oy·s − p + ky, ox·s − p + kx]
/// (zero outside the image). See `ConvGeometry` for P and Kc.
public enum Im2Row {
    /// Writes the patch matrix of `batch` samples of `input` into `rows`.
    public static func forward(_ g: ConvGeometry, batch: Int, input: UnsafePointer<Float>,
                               rows: UnsafeMutablePointer<Float>, threads: Int) {
        struct Job: RangeJob {
            let g: ConvGeometry, input: UnsafePointer<Float>, rows: UnsafeMutablePointer<Float>
            func run(range: Range<Int>) {
                for n in range { Im2Row.sample(g, input: input + n * g.inputSize, rows: rows + n * g.positions * g.patchSize) }
            }
        }
        NumericsThreads.forEachPart(total: batch, threads: threads, work: batch * g.positions * g.patchSize,
                                    Job(g: g, input: input, rows: rows))
    }

    /// One sample's patch matrix [P, Kc], or only the rows of output lines `outputLines` (written
    /// from `rows` on: [lines·Wo, Kc]). Loops run (oy; c, ky; ox) so the inner loop copies one
    /// kw-wide strip per output column from a single input line, with bounds checks only at the
    /// padded edges; the 32-byte strips of one output row stay in L1.
    @inline(__always)
    static func sample(_ g: ConvGeometry, input: UnsafePointer<Float>, rows: UnsafeMutablePointer<Float>,
                       outputLines: Range<Int>? = nil) {
        let kh = g.kernelHeight, kw = g.kernelWidth, s = g.stride, p = g.padding
        let h = g.height, w = g.width, plane = h * w, kc = g.patchSize, wo = g.outputWidth
        // Output columns whose whole kw-wide strip lies inside the image: ox·s − p ≥ 0 and ox·s − p + kw ≤ w.
        let oxLo = min(wo, (p + s - 1) / s)
        let oxHi = max(oxLo, min(wo, w + p - kw >= 0 ? (w + p - kw) / s + 1 : 0))
        let lines = outputLines ?? 0..<g.outputHeight
        for oy in lines {
            let block = rows + (oy - lines.lowerBound) * wo * kc
            for c in 0..<g.channels {
                for ky in 0..<kh {
                    let iy = oy * s - p + ky
                    let column = block + (c * kh + ky) * kw
                    if iy < 0 || iy >= h {
                        for ox in 0..<wo { (column + ox * kc).update(repeating: 0, count: kw) }
                        continue
                    }
                    let line = input + c * plane + iy * w
                    func edge(_ ox: Int) {
                        let x0 = ox * s - p, dst = column + ox * kc
                        for kx in 0..<kw { let ix = x0 + kx; dst[kx] = ix >= 0 && ix < w ? line[ix] : 0 }
                    }
                    for ox in 0..<oxLo { edge(ox) }
                    for ox in oxHi..<wo { edge(ox) }
                    if oxHi > oxLo {
                        copyStrips(from: line + (oxLo * s - p), stride: s, to: column + oxLo * kc, rowStride: kc,
                                   count: oxHi - oxLo, width: kw)
                    }
                }
            }
        }
    }

    /// dst[i·rowStride + 0..<width] = src[i·stride + 0..<width] for i in 0..<count.
    @inline(__always)
    static func copyStrips(from src: UnsafePointer<Float>, stride: Int, to dst: UnsafeMutablePointer<Float>,
                           rowStride: Int, count: Int, width: Int) {
        if count <= 0 { return }
        switch width {
        case 8:
            for i in 0..<count {
                UnsafeMutableRawPointer(dst + i * rowStride).storeBytes(
                    of: UnsafeRawPointer(src + i * stride).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
            }
        case 4:
            for i in 0..<count {
                UnsafeMutableRawPointer(dst + i * rowStride).storeBytes(
                    of: UnsafeRawPointer(src + i * stride).loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
            }
        default:
            for i in 0..<count {
                let d = dst + i * rowStride, s = src + i * stride
                for kx in 0..<width { d[kx] = s[kx] }
            }
        }
    }

    /// The adjoint of `forward`: gradInput = Σ over patches of their gradient rows (scatter-add),
    /// overwriting `gradInput` (N×C×H×W). Parallel over samples, each sample summed in a fixed
    /// order, so the result does not depend on the thread count.
    public static func backward(_ g: ConvGeometry, batch: Int, rows: UnsafePointer<Float>,
                                gradInput: UnsafeMutablePointer<Float>, threads: Int) {
        struct Job: RangeJob {
            let g: ConvGeometry, rows: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>
            func run(range: Range<Int>) {
                for n in range {
                    let dx = gradInput + n * g.inputSize
                    dx.update(repeating: 0, count: g.inputSize)
                    Im2Row.addSample(g, rows: rows + n * g.positions * g.patchSize, gradInput: dx)
                }
            }
        }
        NumericsThreads.forEachPart(total: batch, threads: threads, work: batch * g.positions * g.patchSize,
                                    Job(g: g, rows: rows, gradInput: gradInput))
    }

    /// Scatter-adds the patch rows of one sample (or of output lines `outputLines`, read from `rows`
    /// on) into its N×C×H×W gradient.
    @inline(__always)
    static func addSample(_ g: ConvGeometry, rows: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>,
                          outputLines: Range<Int>? = nil) {
        let kh = g.kernelHeight, kw = g.kernelWidth, s = g.stride, p = g.padding
        let h = g.height, w = g.width, plane = h * w
        var row = rows
        if p == 0 && (kw == 4 || kw == 8) {
            // No padding: every strip lies inside the image, so each kernel line is one vector
            // add (the same per-element sums, in the same order, as the scalar loop below).
            for oy in outputLines ?? 0..<g.outputHeight {
                for ox in 0..<g.outputWidth {
                    let origin = gradInput + oy * s * w + ox * s
                    for c in 0..<g.channels {
                        for ky in 0..<kh {
                            let line = origin + c * plane + ky * w
                            if kw == 4 {
                                let sum = UnsafeRawPointer(line).loadUnaligned(as: SIMD4<Float>.self)
                                    + UnsafeRawPointer(row).loadUnaligned(as: SIMD4<Float>.self)
                                UnsafeMutableRawPointer(line).storeBytes(of: sum, as: SIMD4<Float>.self)
                            } else {
                                let sum = UnsafeRawPointer(line).loadUnaligned(as: SIMD8<Float>.self)
                                    + UnsafeRawPointer(row).loadUnaligned(as: SIMD8<Float>.self)
                                UnsafeMutableRawPointer(line).storeBytes(of: sum, as: SIMD8<Float>.self)
                            }
                            row += kw
                        }
                    }
                }
            }
            return
        }
        for oy in outputLines ?? 0..<g.outputHeight {
            for ox in 0..<g.outputWidth {
                let x0 = ox * s - p
                for c in 0..<g.channels {
                    for ky in 0..<kh {
                        let iy = oy * s - p + ky
                        if iy >= 0 && iy < h {
                            let line = gradInput + c * plane + iy * w
                            for kx in 0..<kw {
                                let ix = x0 + kx
                                if ix >= 0 && ix < w { line[ix] += row[kx] }
                            }
                        }
                        row += kw
                    }
                }
            }
        }
    }
}
