// Plain scalar versions of every kernel, written for clarity, not speed. The tests check the
// SIMD kernels against them; nothing in the training path calls them.

/// Scalar reference kernels on dense row-major arrays (same shapes as the fast kernels, with
/// leading dimensions equal to the row lengths).
package enum Reference {
    /// C (M×N) = op(A)·B or C += op(A)·B; A is M×K, or K×M when `transposeA`; B is K×N.
    /// Accumulates each element in Double, so it is the more accurate of the two.
    package static func gemm(transposeA: Bool, m: Int, n: Int, k: Int,
                            a: [Float], b: [Float], c: inout [Float], accumulate: Bool) {
        precondition(a.count == m * k && b.count == k * n && c.count == m * n,
                     "Reference.gemm: array sizes \(a.count), \(b.count), \(c.count) do not match m=\(m) n=\(n) k=\(k)")
        for i in 0..<m {
            for j in 0..<n {
                var s: Double = accumulate ? Double(c[i * n + j]) : 0
                for kk in 0..<k {
                    let aik = transposeA ? a[kk * m + i] : a[i * k + kk]
                    s += Double(aik) * Double(b[kk * n + j])
                }
                c[i * n + j] = Float(s)
            }
        }
    }

    /// dst (cols×rows) = srcᵀ for a rows×cols src.
    package static func transpose(rows: Int, cols: Int, _ src: [Float]) -> [Float] {
        precondition(src.count == rows * cols, "Reference.transpose: \(src.count) values, expected \(rows)×\(cols)")
        var dst = [Float](repeating: 0, count: rows * cols)
        for i in 0..<rows { for j in 0..<cols { dst[j * rows + i] = src[i * cols + j] } }
        return dst
    }

    /// y (M) = A·x with A M×K.
    package static func gemv(m: Int, k: Int, a: [Float], x: [Float]) -> [Float] {
        precondition(a.count == m * k && x.count == k, "Reference.gemv: sizes do not match m=\(m) k=\(k)")
        return (0..<m).map { i in Float((0..<k).reduce(0.0) { $0 + Double(a[i * k + $1]) * Double(x[$1]) }) }
    }

    /// The patch matrix [N·P, Kc] of an N×C×H×W input (see `Im2Row`).
    package static func im2row(_ g: ConvGeometry, batch: Int, input: [Float]) -> [Float] {
        precondition(input.count == batch * g.inputSize, "Reference.im2row: input has \(input.count) values, expected \(batch * g.inputSize)")
        var rows = [Float](repeating: 0, count: batch * g.positions * g.patchSize)
        for n in 0..<batch { for oy in 0..<g.outputHeight { for ox in 0..<g.outputWidth {
            for c in 0..<g.channels { for ky in 0..<g.kernelHeight { for kx in 0..<g.kernelWidth {
                let iy = oy * g.stride - g.padding + ky, ix = ox * g.stride - g.padding + kx
                guard iy >= 0, iy < g.height, ix >= 0, ix < g.width else { continue }
                let r = n * g.positions + oy * g.outputWidth + ox
                let col = (c * g.kernelHeight + ky) * g.kernelWidth + kx
                rows[r * g.patchSize + col] = input[((n * g.channels + c) * g.height + iy) * g.width + ix]
            } } }
        } } }
        return rows
    }

    /// The adjoint of `im2row`: scatter-adds patch rows back into an N×C×H×W gradient.
    package static func row2im(_ g: ConvGeometry, batch: Int, rows: [Float]) -> [Float] {
        precondition(rows.count == batch * g.positions * g.patchSize, "Reference.row2im: wrong row count \(rows.count)")
        var x = [Float](repeating: 0, count: batch * g.inputSize)
        for n in 0..<batch { for oy in 0..<g.outputHeight { for ox in 0..<g.outputWidth {
            for c in 0..<g.channels { for ky in 0..<g.kernelHeight { for kx in 0..<g.kernelWidth {
                let iy = oy * g.stride - g.padding + ky, ix = ox * g.stride - g.padding + kx
                guard iy >= 0, iy < g.height, ix >= 0, ix < g.width else { continue }
                let r = n * g.positions + oy * g.outputWidth + ox
                let col = (c * g.kernelHeight + ky) * g.kernelWidth + kx
                x[((n * g.channels + c) * g.height + iy) * g.width + ix] += rows[r * g.patchSize + col]
            } } }
        } } }
        return x
    }

    /// Direct convolution y[n, o, oy, ox] = b[o] + Σ w[o, c, ky, kx]·x[n, c, oy·s−p+ky, ox·s−p+kx],
    /// with w [Cout, C, kh, kw] and y N×Cout×Ho×Wo, in Double.
    package static func conv2d(_ g: ConvGeometry, outChannels: Int, batch: Int,
                              input: [Float], weight: [Float], bias: [Float]) -> [Float] {
        precondition(weight.count == outChannels * g.patchSize && bias.count == outChannels, "Reference.conv2d: parameter sizes")
        var y = [Float](repeating: 0, count: batch * outChannels * g.positions)
        for n in 0..<batch { for o in 0..<outChannels { for oy in 0..<g.outputHeight { for ox in 0..<g.outputWidth {
            var s = Double(bias[o])
            for c in 0..<g.channels { for ky in 0..<g.kernelHeight { for kx in 0..<g.kernelWidth {
                let iy = oy * g.stride - g.padding + ky, ix = ox * g.stride - g.padding + kx
                guard iy >= 0, iy < g.height, ix >= 0, ix < g.width else { continue }
                let wi: Int = ((o * g.channels + c) * g.kernelHeight + ky) * g.kernelWidth + kx
                let xi: Int = ((n * g.channels + c) * g.height + iy) * g.width + ix
                s += Double(weight[wi]) * Double(input[xi])
            } } }
            y[((n * outChannels + o) * g.outputHeight + oy) * g.outputWidth + ox] = Float(s)
        } } } }
        return y
    }
}
