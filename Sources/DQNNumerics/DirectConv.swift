// Direct ("implicit GEMM") convolution for unpadded convolutions: Gemm's 6×16 register tile with
// the A operand read straight from the input image instead of from an im2row copy. Patch entry
// k = (c, ky, kx) of output position p = (oy, ox) sits at input offset origin(p) + patchOffset(k),
// with origin(p) = oy·s·W + ox·s and patchOffset(k) = c·H·W + ky·W + kx, so a tile needs only
// six base pointers and no copy. Every output element is the same in-order chain of fused
// multiply-adds as the im2row + Gemm path computes, so the two paths give identical bits.

import DQNSIMD
import DQNWideKernels

/// Kernels of the direct convolution path of `Conv2D` (padding 0, output channels a multiple of 16).
enum DirectConv {
    /// Whether `Conv2D` takes the direct path for this geometry and channel count.
    static func applies(_ g: ConvGeometry, outChannels: Int) -> Bool {
        g.padding == 0 && outChannels % 16 == 0
    }

    /// The offset tables of a geometry: patchOffset(k) for k in 0..<Kc, in the (c, ky, kx) order of
    /// PyTorch's weight, then origin(p) for p in 0..<P. For a channels-last (H×W×C) input,
    /// patchOffset(c, ky, kx) = (ky·W + kx)·C + c and origin(p) = (oy·s·W + ox·s)·C, and a third
    /// part follows: the patch offsets again in (ky, kx, c) order, the row order of the weight
    /// gradient (`gradientRowOffsets`).
    static func offsetTables(_ g: ConvGeometry, channelsLast: Bool = false) -> [Int] {
        var offsets: [Int] = []
        offsets.reserveCapacity(g.patchSize * (channelsLast ? 2 : 1) + g.positions)
        let c0 = g.channels, w = g.width, plane = g.height * g.width
        for c in 0..<c0 {
            for ky in 0..<g.kernelHeight {
                for kx in 0..<g.kernelWidth {
                    offsets.append(channelsLast ? (ky * w + kx) * c0 + c : c * plane + ky * w + kx)
                }
            }
        }
        for oy in 0..<g.outputHeight {
            for ox in 0..<g.outputWidth {
                let pixel = oy * g.stride * w + ox * g.stride
                offsets.append(channelsLast ? pixel * c0 : pixel)
            }
        }
        if channelsLast {
            var reordered = [Int](repeating: 0, count: g.patchSize)
            for (k, j) in channelsLastIndex(g).enumerated() { reordered[j] = offsets[k] }
            offsets += reordered
        }
        return offsets
    }

    /// Where PyTorch's patch entry k = (c, ky, kx) sits in (ky, kx, c) order: (ky·kw + kx)·C + c.
    static func channelsLastIndex(_ g: ConvGeometry) -> [Int] {
        let window = g.kernelHeight * g.kernelWidth
        return (0..<g.patchSize).map { k in k % window * g.channels + k / window }
    }

    /// The patch offsets in the row order of the weight gradient's partial sums: PyTorch's
    /// (c, ky, kx) for a C×H×W input; (ky, kx, c) for a channels-last one, so that a tile's six
    /// rows are six neighbouring channels of one pixel (one or two cache lines per position)
    /// rather than six pixels. Only which tile computes an element changes, not its chain.
    static func gradientRowOffsets(_ g: ConvGeometry, tables: UnsafePointer<Int>, channelsLast: Bool) -> UnsafePointer<Int> {
        channelsLast ? tables + g.patchSize + g.positions : tables
    }

    /// dx += the patch gradients `rows` ([lines·Wo, kh·kw·C], columns in (ky, kx, c) order) of output
    /// lines `outputLines`, for a channels-last input: each (p, ky, kx) adds C contiguous values.
    /// Every dx element gets its terms in (p, ky, kx) order, as `Im2Row.addSample` adds them.
    static func addPatchesChannelsLast(_ g: ConvGeometry, rows: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>,
                                       outputLines: Range<Int>) {
        let c0 = g.channels, w = g.width, s = g.stride
        var row = rows
        for oy in outputLines {
            for ox in 0..<g.outputWidth {
                let origin = gradInput + (oy * s * w + ox * s) * c0
                for ky in 0..<g.kernelHeight {
                    for kx in 0..<g.kernelWidth {
                        let dst = origin + (ky * w + kx) * c0
                        var c = 0
                        while c + 8 <= c0 {
                            store8(load8(dst + c) + load8(row + c), dst + c)
                            c += 8
                        }
                        while c < c0 { dst[c] += row[c]; c += 1 }
                        row += c0
                    }
                }
            }
        }
    }

    /// Wᵀ [Kc, Cout] cut into Cout/16 panels of [Kc, 16], each contiguous: panel q is the
    /// transpose of W's rows 16q..<16q+16. A tile then reads its B operand as one 64-byte line per
    /// k, one after the other. In plain Wᵀ those lines are Cout floats apart, 256 bytes for Cout 64,
    /// so a panel's Kc lines fall into a quarter of the L1 cache's sets and keep evicting each
    /// other (nature's conv2 forward ran at about 70 % of conv1's rate on one core).
    static func weightPanels(_ w: UnsafePointer<Float>, outChannels co: Int, patchSize kc: Int,
                             into panels: UnsafeMutablePointer<Float>) {
        for q in 0..<(co / 16) {
            Transpose.matrix(rows: 16, cols: kc, src: w + q * 16 * kc, dst: panels + q * 16 * kc)
        }
    }

    /// out[r − rows.lowerBound, 0..<Cout] = patch(r)·wT for the flat rows r in `rows` of a batch,
    /// row r being position r mod P of sample r / P (x is the batch's first sample): a 6-row tile
    /// may span two samples, so a chunk of samples has one partial tile at its end rather than one
    /// per sample (conv3's P = 49 would waste 5 of every 54 rows). wT is Wᵀ in panels (`weightPanels`), `offsets` is
    /// `offsetTables(g)`. Each output's chain runs over k in order, however rows are grouped.
    static func forwardRows(_ g: ConvGeometry, tables offsets: UnsafePointer<Int>, input x: UnsafePointer<Float>,
                            weightT wT: UnsafePointer<Float>, outChannels co: Int, rows: Range<Int>,
                            out: UnsafeMutablePointer<Float>) {
        let kc = g.patchSize, pos = g.positions, size = g.inputSize, origins = offsets + kc
        let wide = WideKernels.enabled
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 6 * 32) { scratch in
            guard let tile = scratch.baseAddress else { return }
            var j = 0
            while j < co {
                // 32 columns (two panels) at a time with the AVX-512 tile, else 16.
                let width = wide && j + 32 <= co ? 32 : 16
                var p = rows.lowerBound
                while p < rows.upperBound {
                    let r = min(6, rows.upperBound - p)
                    // Rows past r repeat the last real row (valid memory) and land in scratch.
                    @inline(__always) func row(_ i: Int) -> UnsafePointer<Float> {
                        let q = p + min(i, r - 1)
                        return x + (q / pos) * size + origins[q % pos]
                    }
                    let full = r == 6, dst = out + (p - rows.lowerBound) * co + j
                    let c = full ? dst : tile, ldc = full ? co : width
                    if width == 32 {
                        WideTile.gather6x32(row(0), row(1), row(2), row(3), row(4), row(5), indices: offsets, count: kc,
                                            b0: wT + j * kc, b1: wT + (j + 16) * kc, ldb: 16, c: c, ldc: ldc, accumulate: false)
                    } else {
                        gather16(wide: wide, row(0), row(1), row(2), row(3), row(4), row(5), indices: offsets, count: kc,
                                 b: wT + j * kc, ldb: 16, c: c, ldc: ldc, accumulate: false)
                    }
                    if !full { for i in 0..<r { (dst + i * co).update(from: tile + i * width, count: width) } }
                    p += r
                }
                j += width
            }
        }
    }

    /// dy of one sample as [P, Cout] (`gradT`, rows `ld` floats apart) cut into Cout/16 contiguous
    /// panels of [P, 16], the B operand of `weightGradientSample` (see `weightPanels` for why).
    static func gradientPanels(_ gradT: UnsafePointer<Float>, ld: Int, positions pos: Int, outChannels co: Int,
                               into panels: UnsafeMutablePointer<Float>) {
        for q in 0..<(co / 16) {
            let panel = panels + q * pos * 16
            for p in 0..<pos { (panel + p * 16).update(from: gradT + p * ld + q * 16, count: 16) }
        }
    }

    /// dWᵀ [Kc, Cout] += patches(x)ᵀ·dy for one sample: `gradPanels` is dy as [P, Cout] in panels
    /// (`gradientPanels`); each element's chain runs over positions p in order. Row k of
    /// `partial` is the patch entry at `rowOffsets[k]` (`gradientRowOffsets`).
    static func weightGradientSample(_ g: ConvGeometry, tables: UnsafePointer<Int>, rowOffsets offsets: UnsafePointer<Int>,
                                     input x: UnsafePointer<Float>, gradPanels: UnsafePointer<Float>, outChannels co: Int,
                                     partial: UnsafeMutablePointer<Float>) {
        let kc = g.patchSize, pos = g.positions, origins = tables + kc
        let wide = WideKernels.enabled
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 6 * 32) { scratch in
            guard let tile = scratch.baseAddress else { return }
            var j = 0
            while j < co {
                // 32 columns (two panels) at a time with the AVX-512 tile, else 16.
                let width = wide && j + 32 <= co ? 32 : 16
                var k = 0
                while k < kc {
                    let r = min(6, kc - k)
                    @inline(__always) func row(_ i: Int) -> UnsafePointer<Float> { x + offsets[k + min(i, r - 1)] }
                    // Rows past r repeat the last real row and land in scratch (loaded so they accumulate).
                    let full = r == 6
                    if !full {
                        for i in 0..<6 { (tile + i * width).update(from: partial + (k + min(i, r - 1)) * co + j, count: width) }
                    }
                    let c = full ? partial + k * co + j : tile, ldc = full ? co : width
                    if width == 32 {
                        WideTile.gather6x32(row(0), row(1), row(2), row(3), row(4), row(5), indices: origins, count: pos,
                                            b0: gradPanels + j * pos, b1: gradPanels + (j + 16) * pos, ldb: 16,
                                            c: c, ldc: ldc, accumulate: true)
                    } else {
                        gather16(wide: wide, row(0), row(1), row(2), row(3), row(4), row(5), indices: origins, count: pos,
                                 b: gradPanels + j * pos, ldb: 16, c: c, ldc: ldc, accumulate: true)
                    }
                    if !full { for i in 0..<r { (partial + (k + i) * co + j).update(from: tile + i * width, count: width) } }
                    k += r
                }
                j += width
            }
        }
    }

    /// `gatherTile` over 16 columns: in one 16-lane register per row with AVX-512 (`wide`,
    /// `WideTile.gather6x16`), else in two 8-lane ones. The same chains, so the same bits.
    @inline(__always)
    static func gather16(wide: Bool, _ a0: UnsafePointer<Float>, _ a1: UnsafePointer<Float>, _ a2: UnsafePointer<Float>,
                         _ a3: UnsafePointer<Float>, _ a4: UnsafePointer<Float>, _ a5: UnsafePointer<Float>,
                         indices: UnsafePointer<Int>, count: Int, b: UnsafePointer<Float>, ldb: Int,
                         c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
        if wide {
            WideTile.gather6x16(a0, a1, a2, a3, a4, a5, indices: indices, count: count, b: b, ldb: ldb,
                                c: c, ldc: ldc, accumulate: accumulate)
        } else {
            gatherTile(a0, a1, a2, a3, a4, a5, indices: indices, count: count, b: b, ldb: ldb,
                       c: c, ldc: ldc, accumulate: accumulate)
        }
    }

    /// The one tile kernel of both passes: C[0..<6, 0..<16] (+)= Σ_t a_i[indices[t]]·B[t, 0..<16]
    /// for t in 0..<count, in order, from zero (`accumulate == false`) or from C. The forward pass
    /// gathers over patch offsets (B = Wᵀ), the weight gradient over position origins (B = dy as
    /// [P, Cout]). One integer load of the index per step keeps the loop as flat as Gemm's (no
    /// register spills).
    @inline(never)
    static func gatherTile(_ a0: UnsafePointer<Float>, _ a1: UnsafePointer<Float>, _ a2: UnsafePointer<Float>,
                           _ a3: UnsafePointer<Float>, _ a4: UnsafePointer<Float>, _ a5: UnsafePointer<Float>,
                           indices: UnsafePointer<Int>, count: Int, b: UnsafePointer<Float>, ldb: Int,
                           c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
        let z = SIMD8<Float>()
        var c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z
        if accumulate {
            c00 = load8(c + 0 * ldc); c01 = load8(c + 0 * ldc + 8)
            c10 = load8(c + 1 * ldc); c11 = load8(c + 1 * ldc + 8)
            c20 = load8(c + 2 * ldc); c21 = load8(c + 2 * ldc + 8)
            c30 = load8(c + 3 * ldc); c31 = load8(c + 3 * ldc + 8)
            c40 = load8(c + 4 * ldc); c41 = load8(c + 4 * ldc + 8)
            c50 = load8(c + 5 * ldc); c51 = load8(c + 5 * ldc + 8)
        }
        var bp = b
        for t in 0..<count {
            let off = indices[t]
            let b0 = load8(bp), b1 = load8(bp + 8)
            let x0 = SIMD8<Float>(repeating: a0[off])
            c00 = c00.addingProduct(x0, b0); c01 = c01.addingProduct(x0, b1)
            let x1 = SIMD8<Float>(repeating: a1[off])
            c10 = c10.addingProduct(x1, b0); c11 = c11.addingProduct(x1, b1)
            let x2 = SIMD8<Float>(repeating: a2[off])
            c20 = c20.addingProduct(x2, b0); c21 = c21.addingProduct(x2, b1)
            let x3 = SIMD8<Float>(repeating: a3[off])
            c30 = c30.addingProduct(x3, b0); c31 = c31.addingProduct(x3, b1)
            let x4 = SIMD8<Float>(repeating: a4[off])
            c40 = c40.addingProduct(x4, b0); c41 = c41.addingProduct(x4, b1)
            let x5 = SIMD8<Float>(repeating: a5[off])
            c50 = c50.addingProduct(x5, b0); c51 = c51.addingProduct(x5, b1)
            bp += ldb
        }
        store8(c00, c + 0 * ldc); store8(c01, c + 0 * ldc + 8)
        store8(c10, c + 1 * ldc); store8(c11, c + 1 * ldc + 8)
        store8(c20, c + 2 * ldc); store8(c21, c + 2 * ldc + 8)
        store8(c30, c + 3 * ldc); store8(c31, c + 3 * ldc + 8)
        store8(c40, c + 4 * ldc); store8(c41, c + 4 * ldc + 8)
        store8(c50, c + 5 * ldc); store8(c51, c + 5 * ldc + 8)
    }
}
