// Matrix-vector product y = A·x on row-major Float buffers: the batch-1 path of Linear (acting),
// where a GEMM would waste 15 of its 16 columns. Dot products along K in SIMD8 lanes.
import DQNSIMD

extension Gemm {
    /// y[0..<M] = A·x (or y += A·x when `accumulate`), with A M×K, row stride `lda`, x of length K,
    /// rows split over `threads` threads.
    ///
    /// Each y[i] is 8 lane-wise FMA chains over k in steps of 8, summed in a fixed order, then the
    /// K % 8 tail in order: the same for every row and thread split.
    /// - Complexity: 2·M·K floating-point operations.
    public static func multiplyVector(
        m: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
        x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, accumulate: Bool, threads: Int
    ) {
        precondition(m >= 0 && k >= 0 && lda >= k, "Gemv: bad sizes m=\(m) k=\(k) lda=\(lda)")
        struct Job: RangeJob {
            let k: Int, a: UnsafePointer<Float>, lda: Int, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>
            let accumulate: Bool
            func run(range: Range<Int>) {
                for i in range {
                    let s = Gemm.dot(a + i * lda, x, k)
                    y[i] = accumulate ? y[i] + s : s
                }
            }
        }
        NumericsThreads.forEachPart(total: m, threads: threads, work: 2 * m * k, granule: 4,
                                    Job(k: k, a: a, lda: lda, x: x, y: y, accumulate: accumulate))
    }

    /// Σ_k u[k]·v[k] with the fixed lane-then-tail order described above.
    @inline(__always) @usableFromInline
    static func dot(_ u: UnsafePointer<Float>, _ v: UnsafePointer<Float>, _ k: Int) -> Float {
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
        var kk = 0
        while kk + 16 <= k {
            acc0 = acc0.addingProduct(load8(u + kk), load8(v + kk))
            acc1 = acc1.addingProduct(load8(u + kk + 8), load8(v + kk + 8))
            kk += 16
        }
        if kk + 8 <= k {
            acc0 = acc0.addingProduct(load8(u + kk), load8(v + kk))
            kk += 8
        }
        let acc = acc0 + acc1
        let lo = acc.lowHalf + acc.highHalf
        var s = (lo[0] + lo[1]) + (lo[2] + lo[3])
        while kk < k { s = s.addingProduct(u[kk], v[kk]); kk += 1 }
        return s
    }
}
