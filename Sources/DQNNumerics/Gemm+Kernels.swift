// The register-blocked micro-kernels of Gemm: an R×16 tile for R = 1…6 (2R SIMD8<Float>
// accumulators, two B loads and R A-broadcasts per k); 6×16 is the main one (12 accumulators),
// the others take the leftover rows. Every kernel computes each element of C as the same in-order
// chain of fused multiply-adds, which keeps tiles (and thread splits) interchangeable.
import DQNSIMD

extension Gemm {
    /// C[0..<r, 0..<16] (+)= Σ_k a(i, k)·B[k, 0..<16] with a(i, k) = a[i·rs + k·ks], for r in 1...6.
    @inline(__always) @usableFromInline
    static func kernel(
        rows r: Int, kc: Int, a: UnsafePointer<Float>, rs: Int, ks: Int,
        b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, load: Bool
    ) {
        switch r {
        case 6: kernel6x16(kc: kc, a: a, rs: rs, ks: ks, b: b, ldb: ldb, c: c, ldc: ldc, load: load)
        case 5: kernel5x16(kc: kc, a: a, rs: rs, ks: ks, b: b, ldb: ldb, c: c, ldc: ldc, load: load)
        case 4: kernel4x16(kc: kc, a: a, rs: rs, ks: ks, b: b, ldb: ldb, c: c, ldc: ldc, load: load)
        case 3: kernel3x16(kc: kc, a: a, rs: rs, ks: ks, b: b, ldb: ldb, c: c, ldc: ldc, load: load)
        case 2: kernel2x16(kc: kc, a: a, rs: rs, ks: ks, b: b, ldb: ldb, c: c, ldc: ldc, load: load)
        case 1: kernel1x16(kc: kc, a: a, rs: rs, ks: ks, b: b, ldb: ldb, c: c, ldc: ldc, load: load)
        default: preconditionFailure("Gemm.kernel: \(r) rows, expected 1...6")
        }
    }

    @inline(never) @usableFromInline
    static func kernel1x16(
        kc: Int, a: UnsafePointer<Float>, rs: Int, ks: Int,
        b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, load: Bool
    ) {
        var c00, c01: SIMD8<Float>
        if load {
            c00 = load8(c + 0 * ldc); c01 = load8(c + 0 * ldc + 8)
        } else {
            let z = SIMD8<Float>()
            c00 = z; c01 = z
        }
        var ap = a, bp = b
        for _ in 0..<kc {
            let b0 = load8(bp), b1 = load8(bp + 8)
            let a0 = SIMD8<Float>(repeating: ap[0 * rs])
            c00 = c00.addingProduct(a0, b0); c01 = c01.addingProduct(a0, b1)
            ap += ks; bp += ldb
        }
        store8(c00, c + 0 * ldc); store8(c01, c + 0 * ldc + 8)
    }

    @inline(never) @usableFromInline
    static func kernel2x16(
        kc: Int, a: UnsafePointer<Float>, rs: Int, ks: Int,
        b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, load: Bool
    ) {
        var c00, c01, c10, c11: SIMD8<Float>
        if load {
            c00 = load8(c + 0 * ldc); c01 = load8(c + 0 * ldc + 8)
            c10 = load8(c + 1 * ldc); c11 = load8(c + 1 * ldc + 8)
        } else {
            let z = SIMD8<Float>()
            c00 = z; c01 = z; c10 = z; c11 = z
        }
        var ap = a, bp = b
        for _ in 0..<kc {
            let b0 = load8(bp), b1 = load8(bp + 8)
            let a0 = SIMD8<Float>(repeating: ap[0 * rs])
            c00 = c00.addingProduct(a0, b0); c01 = c01.addingProduct(a0, b1)
            let a1 = SIMD8<Float>(repeating: ap[1 * rs])
            c10 = c10.addingProduct(a1, b0); c11 = c11.addingProduct(a1, b1)
            ap += ks; bp += ldb
        }
        store8(c00, c + 0 * ldc); store8(c01, c + 0 * ldc + 8)
        store8(c10, c + 1 * ldc); store8(c11, c + 1 * ldc + 8)
    }

    @inline(never) @usableFromInline
    static func kernel3x16(
        kc: Int, a: UnsafePointer<Float>, rs: Int, ks: Int,
        b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, load: Bool
    ) {
        var c00, c01, c10, c11, c20, c21: SIMD8<Float>
        if load {
            c00 = load8(c + 0 * ldc); c01 = load8(c + 0 * ldc + 8)
            c10 = load8(c + 1 * ldc); c11 = load8(c + 1 * ldc + 8)
            c20 = load8(c + 2 * ldc); c21 = load8(c + 2 * ldc + 8)
        } else {
            let z = SIMD8<Float>()
            c00 = z; c01 = z; c10 = z; c11 = z; c20 = z; c21 = z
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
            ap += ks; bp += ldb
        }
        store8(c00, c + 0 * ldc); store8(c01, c + 0 * ldc + 8)
        store8(c10, c + 1 * ldc); store8(c11, c + 1 * ldc + 8)
        store8(c20, c + 2 * ldc); store8(c21, c + 2 * ldc + 8)
    }

    @inline(never) @usableFromInline
    static func kernel4x16(
        kc: Int, a: UnsafePointer<Float>, rs: Int, ks: Int,
        b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, load: Bool
    ) {
        var c00, c01, c10, c11, c20, c21, c30, c31: SIMD8<Float>
        if load {
            c00 = load8(c + 0 * ldc); c01 = load8(c + 0 * ldc + 8)
            c10 = load8(c + 1 * ldc); c11 = load8(c + 1 * ldc + 8)
            c20 = load8(c + 2 * ldc); c21 = load8(c + 2 * ldc + 8)
            c30 = load8(c + 3 * ldc); c31 = load8(c + 3 * ldc + 8)
        } else {
            let z = SIMD8<Float>()
            c00 = z; c01 = z; c10 = z; c11 = z; c20 = z; c21 = z; c30 = z; c31 = z
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
            ap += ks; bp += ldb
        }
        store8(c00, c + 0 * ldc); store8(c01, c + 0 * ldc + 8)
        store8(c10, c + 1 * ldc); store8(c11, c + 1 * ldc + 8)
        store8(c20, c + 2 * ldc); store8(c21, c + 2 * ldc + 8)
        store8(c30, c + 3 * ldc); store8(c31, c + 3 * ldc + 8)
    }

    @inline(never) @usableFromInline
    static func kernel5x16(
        kc: Int, a: UnsafePointer<Float>, rs: Int, ks: Int,
        b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, load: Bool
    ) {
        var c00, c01, c10, c11, c20, c21, c30, c31, c40, c41: SIMD8<Float>
        if load {
            c00 = load8(c + 0 * ldc); c01 = load8(c + 0 * ldc + 8)
            c10 = load8(c + 1 * ldc); c11 = load8(c + 1 * ldc + 8)
            c20 = load8(c + 2 * ldc); c21 = load8(c + 2 * ldc + 8)
            c30 = load8(c + 3 * ldc); c31 = load8(c + 3 * ldc + 8)
            c40 = load8(c + 4 * ldc); c41 = load8(c + 4 * ldc + 8)
        } else {
            let z = SIMD8<Float>()
            c00 = z; c01 = z; c10 = z; c11 = z; c20 = z; c21 = z; c30 = z; c31 = z; c40 = z; c41 = z
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
            ap += ks; bp += ldb
        }
        store8(c00, c + 0 * ldc); store8(c01, c + 0 * ldc + 8)
        store8(c10, c + 1 * ldc); store8(c11, c + 1 * ldc + 8)
        store8(c20, c + 2 * ldc); store8(c21, c + 2 * ldc + 8)
        store8(c30, c + 3 * ldc); store8(c31, c + 3 * ldc + 8)
        store8(c40, c + 4 * ldc); store8(c41, c + 4 * ldc + 8)
    }

    @inline(never) @usableFromInline
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
            c00 = z; c01 = z; c10 = z; c11 = z; c20 = z; c21 = z; c30 = z; c31 = z; c40 = z; c41 = z; c50 = z; c51 = z
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
}
