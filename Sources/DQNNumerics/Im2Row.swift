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
                               rows: UnsafeMutablePointer<Float>) {
        let parts = NumericsThreads.count
        let src = SendableConstPointer(input), dst = SendablePointer(rows)
        NumericsThreads.run(parts: parts, work: batch * g.positions * g.patchSize) { part in
            for n in NumericsThreads.range(part, of: parts, total: batch) {
                sample(g, input: src.base + n * g.inputSize, rows: dst.base + n * g.positions * g.patchSize)
            }
        }
    }

    @inline(__always)
    static func sample(_ g: ConvGeometry, input: UnsafePointer<Float>, rows: UnsafeMutablePointer<Float>) {
        let kh = g.kernelHeight, kw = g.kernelWidth, s = g.stride, p = g.padding
        let h = g.height, w = g.width, plane = h * w
        var out = rows
        for oy in 0..<g.outputHeight {
            for ox in 0..<g.outputWidth {
                let x0 = ox * s - p
                let inside = x0 >= 0 && x0 + kw <= w
                for c in 0..<g.channels {
                    for ky in 0..<kh {
                        let iy = oy * s - p + ky
                        if iy < 0 || iy >= h {
                            for kx in 0..<kw { out[kx] = 0 }
                        } else if inside {
                            let line = input + c * plane + iy * w + x0
                            if kw == 8 {
                                UnsafeMutableRawPointer(out).storeBytes(
                                    of: UnsafeRawPointer(line).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
                            } else if kw == 4 {
                                UnsafeMutableRawPointer(out).storeBytes(
                                    of: UnsafeRawPointer(line).loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
                            } else {
                                for kx in 0..<kw { out[kx] = line[kx] }
                            }
                        } else {
                            let line = input + c * plane + iy * w
                            for kx in 0..<kw {
                                let ix = x0 + kx
                                out[kx] = ix >= 0 && ix < w ? line[ix] : 0
                            }
                        }
                        out += kw
                    }
                }
            }
        }
    }

    /// The adjoint of `forward`: gradInput = Σ over patches of their gradient rows (scatter-add),
    /// overwriting `gradInput` (N×C×H×W). Parallel over samples, each sample summed in a fixed
    /// order, so the result does not depend on the thread count.
    public static func backward(_ g: ConvGeometry, batch: Int, rows: UnsafePointer<Float>,
                                gradInput: UnsafeMutablePointer<Float>) {
        let parts = NumericsThreads.count
        let src = SendableConstPointer(rows), dst = SendablePointer(gradInput)
        NumericsThreads.run(parts: parts, work: batch * g.positions * g.patchSize) { part in
            for n in NumericsThreads.range(part, of: parts, total: batch) {
                let dx = dst.base + n * g.inputSize
                dx.update(repeating: 0, count: g.inputSize)
                addSample(g, rows: src.base + n * g.positions * g.patchSize, gradInput: dx)
            }
        }
    }

    @inline(__always)
    static func addSample(_ g: ConvGeometry, rows: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>) {
        let kh = g.kernelHeight, kw = g.kernelWidth, s = g.stride, p = g.padding
        let h = g.height, w = g.width, plane = h * w
        var row = rows
        for oy in 0..<g.outputHeight {
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
