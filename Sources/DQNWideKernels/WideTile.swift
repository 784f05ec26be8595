// The tiles of the direct convolution and of Gemm for CPUs with AVX-512: the same
// gather-and-multiply as `DirectConv.gatherTile` (DQNNumerics) over 32 columns in two 16-lane
// registers per row, or over 16 columns in one, and Gemm's 6×16 tile widened to 32. This module
// alone is compiled for AVX-512 (Package.swift), and DQNNumerics calls it only when the CPU has
// AVX-512 (`WideKernels`), so the rest of the program runs on any AVX2 machine.

/// 512-bit tile kernels. Every output element is the same in-order chain of fused multiply-adds as
/// in the 16-column kernel, so both give the same bits.
public enum WideTile {
    /// C[i, 0..<32] (+)= Σ_t a_i[indices[t]] · (B0[t, 0..<16] ‖ B1[t, 0..<16]) for t in 0..<count and
    /// the six rows i, in order, from zero (`accumulate == false`) or from C. B0 and B1 are two
    /// 16-column panels (rows `ldb` floats apart); C's rows are `ldc` floats apart.
    @inline(never)
    public static func gather6x32(_ a0: UnsafePointer<Float>, _ a1: UnsafePointer<Float>, _ a2: UnsafePointer<Float>,
                                  _ a3: UnsafePointer<Float>, _ a4: UnsafePointer<Float>, _ a5: UnsafePointer<Float>,
                                  indices: UnsafePointer<Int>, count: Int,
                                  b0: UnsafePointer<Float>, b1: UnsafePointer<Float>, ldb: Int,
                                  c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
        let z = SIMD16<Float>()
        var c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z
        if accumulate {
            c00 = load16(c + 0 * ldc); c01 = load16(c + 0 * ldc + 16)
            c10 = load16(c + 1 * ldc); c11 = load16(c + 1 * ldc + 16)
            c20 = load16(c + 2 * ldc); c21 = load16(c + 2 * ldc + 16)
            c30 = load16(c + 3 * ldc); c31 = load16(c + 3 * ldc + 16)
            c40 = load16(c + 4 * ldc); c41 = load16(c + 4 * ldc + 16)
            c50 = load16(c + 5 * ldc); c51 = load16(c + 5 * ldc + 16)
        }
        var p0 = b0, p1 = b1
        for t in 0..<count {
            let off = indices[t]
            let v0 = load16(p0), v1 = load16(p1)
            let x0 = SIMD16<Float>(repeating: a0[off])
            c00 = c00.addingProduct(x0, v0); c01 = c01.addingProduct(x0, v1)
            let x1 = SIMD16<Float>(repeating: a1[off])
            c10 = c10.addingProduct(x1, v0); c11 = c11.addingProduct(x1, v1)
            let x2 = SIMD16<Float>(repeating: a2[off])
            c20 = c20.addingProduct(x2, v0); c21 = c21.addingProduct(x2, v1)
            let x3 = SIMD16<Float>(repeating: a3[off])
            c30 = c30.addingProduct(x3, v0); c31 = c31.addingProduct(x3, v1)
            let x4 = SIMD16<Float>(repeating: a4[off])
            c40 = c40.addingProduct(x4, v0); c41 = c41.addingProduct(x4, v1)
            let x5 = SIMD16<Float>(repeating: a5[off])
            c50 = c50.addingProduct(x5, v0); c51 = c51.addingProduct(x5, v1)
            p0 += ldb; p1 += ldb
        }
        store16(c00, c + 0 * ldc); store16(c01, c + 0 * ldc + 16)
        store16(c10, c + 1 * ldc); store16(c11, c + 1 * ldc + 16)
        store16(c20, c + 2 * ldc); store16(c21, c + 2 * ldc + 16)
        store16(c30, c + 3 * ldc); store16(c31, c + 3 * ldc + 16)
        store16(c40, c + 4 * ldc); store16(c41, c + 4 * ldc + 16)
        store16(c50, c + 5 * ldc); store16(c51, c + 5 * ldc + 16)
    }
}

extension WideTile {
    /// The 16-column gather tile in one 16-lane register per row: C[i, 0..<16] (+)= Σ_t
    /// a_i[indices[t]] · B[t, 0..<16] for t in 0..<count and the six rows i, in order, from zero
    /// (`accumulate == false`) or from C. The same chains as `DirectConv.gatherTile`'s two 8-lane
    /// halves, with half the multiply-add instructions (a 16-channel layer, `small`'s conv1).
    @inline(never)
    public static func gather6x16(_ a0: UnsafePointer<Float>, _ a1: UnsafePointer<Float>, _ a2: UnsafePointer<Float>,
                                  _ a3: UnsafePointer<Float>, _ a4: UnsafePointer<Float>, _ a5: UnsafePointer<Float>,
                                  indices: UnsafePointer<Int>, count: Int, b: UnsafePointer<Float>, ldb: Int,
                                  c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
        let z = SIMD16<Float>()
        var c0 = z, c1 = z, c2 = z, c3 = z, c4 = z, c5 = z
        if accumulate {
            c0 = load16(c + 0 * ldc); c1 = load16(c + 1 * ldc); c2 = load16(c + 2 * ldc)
            c3 = load16(c + 3 * ldc); c4 = load16(c + 4 * ldc); c5 = load16(c + 5 * ldc)
        }
        var bp = b
        for t in 0..<count {
            let off = indices[t]
            let v = load16(bp)
            c0 = c0.addingProduct(SIMD16<Float>(repeating: a0[off]), v)
            c1 = c1.addingProduct(SIMD16<Float>(repeating: a1[off]), v)
            c2 = c2.addingProduct(SIMD16<Float>(repeating: a2[off]), v)
            c3 = c3.addingProduct(SIMD16<Float>(repeating: a3[off]), v)
            c4 = c4.addingProduct(SIMD16<Float>(repeating: a4[off]), v)
            c5 = c5.addingProduct(SIMD16<Float>(repeating: a5[off]), v)
            bp += ldb
        }
        store16(c0, c + 0 * ldc); store16(c1, c + 1 * ldc); store16(c2, c + 2 * ldc)
        store16(c3, c + 3 * ldc); store16(c4, c + 4 * ldc); store16(c5, c + 5 * ldc)
    }
}

@inline(__always) private func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(__always) private func store16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
}

extension WideTile {
    /// Gemm's 6×16 tile widened to 32 columns: C[i, 0..<32] (+)= Σ_k a(i, k)·B[k, 0..<32] for the
    /// six rows i, with a(i, k) = a[i·rs + k·ks], k in 0..<kc in order, from zero or from C (`load`).
    @inline(never)
    public static func gemm6x32(kc: Int, a: UnsafePointer<Float>, rs: Int, ks: Int,
                                b: UnsafePointer<Float>, ldb: Int,
                                c: UnsafeMutablePointer<Float>, ldc: Int, load: Bool) {
        let z = SIMD16<Float>()
        var c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z
        if load {
            c00 = load16(c + 0 * ldc); c01 = load16(c + 0 * ldc + 16)
            c10 = load16(c + 1 * ldc); c11 = load16(c + 1 * ldc + 16)
            c20 = load16(c + 2 * ldc); c21 = load16(c + 2 * ldc + 16)
            c30 = load16(c + 3 * ldc); c31 = load16(c + 3 * ldc + 16)
            c40 = load16(c + 4 * ldc); c41 = load16(c + 4 * ldc + 16)
            c50 = load16(c + 5 * ldc); c51 = load16(c + 5 * ldc + 16)
        }
        var ap = a, bp = b
        for _ in 0..<kc {
            let v0 = load16(bp), v1 = load16(bp + 16)
            let x0 = SIMD16<Float>(repeating: ap[0 * rs])
            c00 = c00.addingProduct(x0, v0); c01 = c01.addingProduct(x0, v1)
            let x1 = SIMD16<Float>(repeating: ap[1 * rs])
            c10 = c10.addingProduct(x1, v0); c11 = c11.addingProduct(x1, v1)
            let x2 = SIMD16<Float>(repeating: ap[2 * rs])
            c20 = c20.addingProduct(x2, v0); c21 = c21.addingProduct(x2, v1)
            let x3 = SIMD16<Float>(repeating: ap[3 * rs])
            c30 = c30.addingProduct(x3, v0); c31 = c31.addingProduct(x3, v1)
            let x4 = SIMD16<Float>(repeating: ap[4 * rs])
            c40 = c40.addingProduct(x4, v0); c41 = c41.addingProduct(x4, v1)
            let x5 = SIMD16<Float>(repeating: ap[5 * rs])
            c50 = c50.addingProduct(x5, v0); c51 = c51.addingProduct(x5, v1)
            ap += ks; bp += ldb
        }
        store16(c00, c + 0 * ldc); store16(c01, c + 0 * ldc + 16)
        store16(c10, c + 1 * ldc); store16(c11, c + 1 * ldc + 16)
        store16(c20, c + 2 * ldc); store16(c21, c + 2 * ldc + 16)
        store16(c30, c + 3 * ldc); store16(c31, c + 3 * ldc + 16)
        store16(c40, c + 4 * ldc); store16(c41, c + 4 * ldc + 16)
        store16(c50, c + 5 * ldc); store16(c51, c + 5 * ldc + 16)
    }
}

extension WideTile {
    /// `iterations` steps of 12 independent 16-lane FMA chains through memory-held state, the
    /// AVX-512 counterpart of `FMAPeak`'s loop: the FMA rate the wide tiles can reach. Returns
    /// a sum of the chains so the work is kept.
    @inline(never)
    public static func fmaLoop(iterations: Int, state: UnsafeMutablePointer<Float>) -> Float {
        let b = load16(state + 12 * 16), c = load16(state + 13 * 16)
        var a0 = load16(state), a1 = load16(state + 16), a2 = load16(state + 32), a3 = load16(state + 48)
        var a4 = load16(state + 64), a5 = load16(state + 80), a6 = load16(state + 96), a7 = load16(state + 112)
        var a8 = load16(state + 128), a9 = load16(state + 144), a10 = load16(state + 160), a11 = load16(state + 176)
        for _ in 0..<iterations {
            a0 = c.addingProduct(a0, b); a1 = c.addingProduct(a1, b); a2 = c.addingProduct(a2, b)
            a3 = c.addingProduct(a3, b); a4 = c.addingProduct(a4, b); a5 = c.addingProduct(a5, b)
            a6 = c.addingProduct(a6, b); a7 = c.addingProduct(a7, b); a8 = c.addingProduct(a8, b)
            a9 = c.addingProduct(a9, b); a10 = c.addingProduct(a10, b); a11 = c.addingProduct(a11, b)
        }
        let all = [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11]
        for (i, v) in all.enumerated() { store16(v, state + 16 * i) }
        return all.reduce(SIMD16<Float>(), +).sum()
    }
}
