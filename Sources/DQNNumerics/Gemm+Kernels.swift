// The register-blocked micro-kernels of Gemm: a 6×16 tile (12 SIMD8<Float> accumulators, two B
// loads and six A broadcasts per k) and a 1×16 tile for leftover rows. Both compute each element
// of C as the same in-order chain of fused multiply-adds, which keeps tiles interchangeable.

extension Gemm {
    @inline(__always) @usableFromInline
    static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always) @usableFromInline
    static func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }

    /// C[0..<6, 0..<16] (+)= Σ_k a(r, k)·B[k, 0..<16], where a(r, k) = a[r·rs + k·ks].
    @inline(__always) @usableFromInline
    static func kernel6x16(
        kc: Int, a: UnsafePointer<Float>, rs: Int, ks: Int,
        b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, load: Bool
    ) {
        var c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51: SIMD8<Float>
        if load {
            c00 = load8(c + 0 * ldc); c01 = load8(c + 0 * ldc + 8)
            c10 = load8(c + 1 * ldc); c11 = load8(c + 1 * ldc + 8)
            c20 = load8(c + 2 * ldc); c21 = load8(c + 2 * ldc + 8)
            c30 = load8(c + 3 * ldc); c31 = load8(c + 3 * ldc + 8)
            c40 = load8(c + 4 * ldc); c41 = load8(c + 4 * ldc + 8)
            c50 = load8(c + 5 * ldc); c51 = load8(c + 5 * ldc + 8)
        } else {
            let z = SIMD8<Float>()
            c00 = z; c01 = z
            c10 = z; c11 = z
            c20 = z; c21 = z
            c30 = z; c31 = z
            c40 = z; c41 = z
            c50 = z; c51 = z
        }
        var ap = a, bp = b
        for _ in 0..<kc {
            let b0 = load8(bp), b1 = load8(bp + 8)
            let a0 = SIMD8<Float>(repeating: ap[0 * rs])
            c00 = c00.addingProduct(a0, b0); c01 = c01.addingProduct(a0, b1)
            let a1 = SIMD8<Float>(repeating: ap[1 * rs])
            c10 = c10.addingProduct(a1, b0); c11 = c11.addingProduct(a1, b1)
            let a2 = SIMD8<Float>(repeating: ap[2 * rs])
            c20 = c20.addingProduct(a2, b0); c21 = c21.addingProduct(a2, b1)
            let a3 = SIMD8<Float>(repeating: ap[3 * rs])
            c30 = c30.addingProduct(a3, b0); c31 = c31.addingProduct(a3, b1)
            let a4 = SIMD8<Float>(repeating: ap[4 * rs])
            c40 = c40.addingProduct(a4, b0); c41 = c41.addingProduct(a4, b1)
            let a5 = SIMD8<Float>(repeating: ap[5 * rs])
            c50 = c50.addingProduct(a5, b0); c51 = c51.addingProduct(a5, b1)
            ap += ks; bp += ldb
        }
        store8(c00, c + 0 * ldc); store8(c01, c + 0 * ldc + 8)
        store8(c10, c + 1 * ldc); store8(c11, c + 1 * ldc + 8)
        store8(c20, c + 2 * ldc); store8(c21, c + 2 * ldc + 8)
        store8(c30, c + 3 * ldc); store8(c31, c + 3 * ldc + 8)
        store8(c40, c + 4 * ldc); store8(c41, c + 4 * ldc + 8)
        store8(c50, c + 5 * ldc); store8(c51, c + 5 * ldc + 8)
    }

    /// C[0, 0..<16] (+)= Σ_k a[k·ks]·B[k, 0..<16]: the leftover-rows kernel.
    @inline(__always) @usableFromInline
    static func kernel1x16(
        kc: Int, a: UnsafePointer<Float>, ks: Int,
        b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, load: Bool
    ) {
        var c0 = load ? load8(c) : SIMD8<Float>(), c1 = load ? load8(c + 8) : SIMD8<Float>()
        var ap = a, bp = b
        for _ in 0..<kc {
            let a0 = SIMD8<Float>(repeating: ap[0])
            c0 = c0.addingProduct(a0, load8(bp)); c1 = c1.addingProduct(a0, load8(bp + 8))
            ap += ks; bp += ldb
        }
        store8(c0, c); store8(c1, c + 8)
    }
}
