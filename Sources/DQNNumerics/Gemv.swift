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

    /// Y = X·Aᵀ for `batch` vectors at once: y_b[i] = A[i]·x_b for b < batch, each y_b[i] with the
    /// bits `multiplyVector` gives for x_b alone (`dot`'s order), so a batch of observations gets
    /// the Q-values each would get acting alone. Each row of A is read once per four vectors (the
    /// batch-1 path reads all of A per vector); rows split over `threads` threads.
    /// x_b starts at `x + b·ldx`, y_b at `y + b·ldy`.
    /// - Complexity: 2·batch·M·K floating-point operations.
    public static func multiplyVectors(
        m: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
        x: UnsafePointer<Float>, ldx: Int, batch: Int, y: UnsafeMutablePointer<Float>, ldy: Int, threads: Int
    ) {
        precondition(m >= 0 && k >= 0 && lda >= k && batch >= 0 && ldx >= k && ldy >= m,
                     "Gemv: bad sizes m=\(m) k=\(k) lda=\(lda) batch=\(batch) ldx=\(ldx) ldy=\(ldy)")
        struct Job: RangeJob {
            let k: Int, a: UnsafePointer<Float>, lda: Int, x: UnsafePointer<Float>, ldx: Int, batch: Int
            let y: UnsafeMutablePointer<Float>, ldy: Int
            func run(range: Range<Int>) {
                var b = 0
                while b + 4 <= batch {
                    let x0 = x + b * ldx
                    for i in range {
                        let d = Gemm.dot4(a + i * lda, x0, x0 + ldx, x0 + 2 * ldx, x0 + 3 * ldx, k)
                        y[b * ldy + i] = d.0; y[(b + 1) * ldy + i] = d.1
                        y[(b + 2) * ldy + i] = d.2; y[(b + 3) * ldy + i] = d.3
                    }
                    b += 4
                }
                while b < batch {
                    for i in range { y[b * ldy + i] = Gemm.dot(a + i * lda, x + b * ldx, k) }
                    b += 1
                }
            }
        }
        NumericsThreads.forEachPart(total: m, threads: threads, work: 2 * batch * m * k, granule: 4,
                                    Job(k: k, a: a, lda: lda, x: x, ldx: ldx, batch: batch, y: y, ldy: ldy))
    }

    /// `dot(u, v_j, k)` for four vectors v_j, u's loads shared: each result has `dot`'s bits.
    @inline(__always) @usableFromInline
    static func dot4(_ u: UnsafePointer<Float>, _ v0: UnsafePointer<Float>, _ v1: UnsafePointer<Float>,
                     _ v2: UnsafePointer<Float>, _ v3: UnsafePointer<Float>, _ k: Int) -> (Float, Float, Float, Float) {
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), b0 = SIMD8<Float>(), b1 = SIMD8<Float>()
        var c0 = SIMD8<Float>(), c1 = SIMD8<Float>(), d0 = SIMD8<Float>(), d1 = SIMD8<Float>()
        var kk = 0
        while kk + 16 <= k {
            let ul = load8(u + kk), uh = load8(u + kk + 8)
            a0 = a0.addingProduct(ul, load8(v0 + kk)); a1 = a1.addingProduct(uh, load8(v0 + kk + 8))
            b0 = b0.addingProduct(ul, load8(v1 + kk)); b1 = b1.addingProduct(uh, load8(v1 + kk + 8))
            c0 = c0.addingProduct(ul, load8(v2 + kk)); c1 = c1.addingProduct(uh, load8(v2 + kk + 8))
            d0 = d0.addingProduct(ul, load8(v3 + kk)); d1 = d1.addingProduct(uh, load8(v3 + kk + 8))
            kk += 16
        }
        if kk + 8 <= k {
            let ul = load8(u + kk)
            a0 = a0.addingProduct(ul, load8(v0 + kk)); b0 = b0.addingProduct(ul, load8(v1 + kk))
            c0 = c0.addingProduct(ul, load8(v2 + kk)); d0 = d0.addingProduct(ul, load8(v3 + kk))
            kk += 8
        }
        return (finish(a0, a1, u, v0, from: kk, k), finish(b0, b1, u, v1, from: kk, k),
                finish(c0, c1, u, v2, from: kk, k), finish(d0, d1, u, v3, from: kk, k))
    }

    /// The end of `dot`: the two lane chains summed in a fixed order, then the tail from `kk` on.
    @inline(__always) @usableFromInline
    static func finish(_ acc0: SIMD8<Float>, _ acc1: SIMD8<Float>, _ u: UnsafePointer<Float>, _ v: UnsafePointer<Float>,
                       from kk: Int, _ k: Int) -> Float {
        let acc = acc0 + acc1
        let lo = acc.lowHalf + acc.highHalf
        var s = (lo[0] + lo[1]) + (lo[2] + lo[3])
        var t = kk
        while t < k { s = s.addingProduct(u[t], v[t]); t += 1 }
        return s
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
        return finish(acc0, acc1, u, v, from: kk, k)
    }
}
