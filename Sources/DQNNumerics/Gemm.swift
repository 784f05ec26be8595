// Row-major single-precision matrix multiply: the one hot kernel behind Conv2D and Linear.
// A 6×16 register tile of SIMD8<Float> fused multiply-adds (see Gemm+Kernels.swift), K blocked by
// 256, split over 2 threads by rows or 16-column panels; a large C with one K block is walked by row
// tiles. No packing, no transposed-B variant.

import DQNWideKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Dense matrix products on row-major `Float` buffers.
///
/// Shapes: `C` is M×N with row stride `ldc`; `B` is K×N with row stride `ldb`; `A` is M×K with
/// row stride `lda` (`transposeA == false`), or is stored K×M with row stride `lda` and used
/// transposed (`transposeA == true`).
///
/// Determinism: every element of C is one sequential chain of fused multiply-adds over k =
/// 0..<K (in K blocks of 256, in order), whichever tile, edge path or thread computes it, so the
/// result is bitwise identical for any thread count.
public enum Gemm {
    /// K block: a 256×16 panel of B (16 KiB) stays in L1 while the row tiles stream past it.
    @usableFromInline static let kBlock = 256

    /// C = op(A)·B (`accumulate == false`) or C += op(A)·B (`accumulate == true`), split over
    /// `threads` threads (1 or 2; the same bits either way).
    /// - Complexity: 2·M·N·K floating-point operations.
    public static func multiply(
        transposeA: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        accumulate: Bool, threads: Int
    ) {
        NumericsThreads.check(threads, "Gemm.multiply")
        multiply(transposeA: transposeA, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc,
                 accumulate: accumulate, parts: threads)
    }

    /// `multiply` on the calling thread only (for callers that already split work across threads).
    /// Same bits as the threaded version.
    @usableFromInline
    static func multiplySerial(
        transposeA: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        multiply(transposeA: transposeA, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc,
                 accumulate: accumulate, parts: 1)
    }

    @usableFromInline
    static func multiply(
        transposeA: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, parts: Int
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "Gemm: negative size m=\(m) n=\(n) k=\(k)")
        precondition(ldb >= n && ldc >= n, "Gemm: ldb \(ldb) / ldc \(ldc) smaller than n \(n)")
        precondition(lda >= (transposeA ? m : k), "Gemm: lda \(lda) too small")
        if m == 0 || n == 0 { return }
        if k == 0 {
            if !accumulate { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
            return
        }
        let rowStride = transposeA ? 1 : lda, kStride = transposeA ? lda : 1
        if parts == 1 {
            block(rows: 0..<m, cols: 0..<n, k: k, a: a, rowStride: rowStride, kStride: kStride,
                  b: b, ldb: ldb, c: c, ldc: ldc, accumulate: accumulate)
            return
        }
        struct Job: ParallelJob {
            let parts: Int, m: Int, n: Int, k: Int, a: UnsafePointer<Float>, rowStride: Int, kStride: Int
            let b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
            /// Split the side with more tiles: rows in 6s or columns in 16s.
            let splitRows: Bool
            func run(part: Int) {
                let rows = splitRows ? NumericsThreads.range(part, of: parts, total: m, granule: 6) : 0..<m
                let cols = splitRows ? 0..<n : NumericsThreads.range(part, of: parts, total: n, granule: 16)
                if rows.isEmpty || cols.isEmpty { return }
                Gemm.block(rows: rows, cols: cols, k: k, a: a, rowStride: rowStride, kStride: kStride,
                           b: b, ldb: ldb, c: c, ldc: ldc, accumulate: accumulate)
            }
        }
        NumericsThreads.run(parts: parts, threads: parts, work: 2 * m * n * k,
                            Job(parts: parts, m: m, n: n, k: k, a: a, rowStride: rowStride, kStride: kStride,
                                b: b, ldb: ldb, c: c, ldc: ldc, accumulate: accumulate,
                                splitRows: (m + 5) / 6 >= (n + 15) / 16))
    }

    /// C elements (floats) from which a one-K-block product walks C by row tiles: 1 MiB, the L2
    /// cache of one core here.
    @usableFromInline static let largeC = 1 << 18

    /// Columns up to which C is walked row tile by row tile inside a K block (all its panels for one
    /// row tile of A): the K block of B, at most 256×64 floats (64 KiB), stays in L2.
    public static let narrowC = 64

    /// K block of the few-panels walk: a row tile of A (6 × 1024 floats, 24 KiB) stays in L1 while
    /// every panel uses it, and the K block of B (at most 1024 × 64 floats) in L2. For nature's fc1
    /// forward on one thread this measured about 9 % faster than blocks of 256 (fewer reloads of
    /// C) and than blocks of 128; with no blocking (A's tile then 75 KiB) it was no better.
    public static let fewPanelsKBlock = 1024

    /// One thread's share: all K blocks for C[rows, cols].
    @usableFromInline
    static func block(
        rows: Range<Int>, cols: Range<Int>, k: Int,
        a: UnsafePointer<Float>, rowStride: Int, kStride: Int,
        b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        if k <= kBlock && rows.count * cols.count >= largeC {
            // A short K (one K block) and a C larger than the cache, such as a Linear weight
            // gradient (K = the batch): row tile by row tile, so each of the tile's six C rows
            // streams forward through memory, instead of panel by panel, which would visit every
            // row of C 64 bytes at a time once per panel. B (K×N, small) is reread from the cache
            // for each row tile. Only the order of the tiles changes, not any element's chain.
            let fullEnd = cols.lowerBound + (cols.count / 16) * 16
            var i = rows.lowerBound
            while i < rows.upperBound {
                let r = min(6, rows.upperBound - i)
                var j = cols.lowerBound
                while j < fullEnd {
                    j += tile(rows: r, upTo: fullEnd - j, kc: k, a: a + i * rowStride, rs: rowStride, ks: kStride,
                              b: b + j, ldb: ldb, c: c + i * ldc + j, ldc: ldc, load: accumulate)
                }
                if fullEnd < cols.upperBound {
                    narrowPanel(rows: i..<(i + r), width: cols.upperBound - fullEnd, kc: k, a: a, rs: rowStride, ks: kStride,
                                b: b + fullEnd, ldb: ldb, c: c + fullEnd, ldc: ldc, load: accumulate)
                }
                i += r
            }
            return
        }
        let fewPanels = cols.count <= narrowC && cols.count % 16 == 0
        var k0 = 0
        while k0 < k {
            let kc = min(fewPanels ? fewPanelsKBlock : kBlock, k - k0)
            let load = accumulate || k0 > 0
            if fewPanels {
                // A few full panels (a Linear forward whose N is the batch, with A the weight): each
                // row tile of A is used for every panel while it is in L1, so A (6.4 MB for
                // nature's fc1) is read from memory once per K block instead of once per panel.
                // Only the order of the tiles changes, not any element's chain.
                var i = rows.lowerBound
                while i < rows.upperBound {
                    let r = min(6, rows.upperBound - i)
                    var j = cols.lowerBound
                    while j < cols.upperBound {
                        j += tile(rows: r, upTo: cols.upperBound - j, kc: kc, a: a + i * rowStride + k0 * kStride,
                                  rs: rowStride, ks: kStride, b: b + k0 * ldb + j, ldb: ldb, c: c + i * ldc + j, ldc: ldc,
                                  load: load)
                    }
                    i += r
                }
                k0 += kc
                continue
            }
            var j = cols.lowerBound
            while j < cols.upperBound {
                // A panel of 32 columns with the AVX-512 tile (`WideKernels`), else of 16.
                let w = min(WideKernels.enabled && cols.upperBound - j >= 32 ? 32 : 16, cols.upperBound - j)
                let bPanel = b + k0 * ldb + j
                if w >= 16 {
                    var i = rows.lowerBound
                    while i < rows.upperBound {
                        let r = min(6, rows.upperBound - i)
                        var done = 0
                        while done < w {
                            done += tile(rows: r, upTo: w - done, kc: kc, a: a + i * rowStride + k0 * kStride,
                                         rs: rowStride, ks: kStride, b: bPanel + done, ldb: ldb, c: c + i * ldc + j + done,
                                         ldc: ldc, load: load)
                        }
                        i += r
                    }
                } else {
                    narrowPanel(rows: rows, width: w, kc: kc, a: a + k0 * kStride, rs: rowStride, ks: kStride,
                                b: bPanel, ldb: ldb, c: c + j, ldc: ldc, load: load)
                }
                j += w
            }
            k0 += kc
        }
    }

    /// One full tile at C's top-left: 6×32 with the AVX-512 kernel when it is on, the rows are 6
    /// and `upTo` ≥ 32 columns remain, else r×16. Returns the columns done. Both tiles compute
    /// each element as the same chain, so the choice changes no bits.
    @inline(__always) @usableFromInline
    static func tile(rows r: Int, upTo remaining: Int, kc: Int, a: UnsafePointer<Float>, rs: Int, ks: Int,
                     b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int, load: Bool) -> Int {
        if r == 6 && remaining >= 32 && WideKernels.enabled {
            WideTile.gemm6x32(kc: kc, a: a, rs: rs, ks: ks, b: b, ldb: ldb, c: c, ldc: ldc, load: load)
            return 32
        }
        kernel(rows: r, kc: kc, a: a, rs: rs, ks: ks, b: b, ldb: ldb, c: c, ldc: ldc, load: load)
        return 16
    }

    /// A panel narrower than 16 columns: B is copied zero-padded to 16 columns and each row tile
    /// goes through a local 6×16 C tile, so the same kernels (and arithmetic) apply. The 16 KiB of
    /// scratch is the calling thread's own (`narrowPanelScratch`), made on its first narrow panel.
    @usableFromInline
    static func narrowPanel(
        rows: Range<Int>, width w: Int, kc: Int,
        a: UnsafePointer<Float>, rs: Int, ks: Int,
        b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, load: Bool
    ) {
        let pad = narrowPanelScratch()
        let tile = pad + kBlock * 16
        for kk in 0..<kc {
            let dst = pad + kk * 16
            dst.update(from: b + kk * ldb, count: w)
            (dst + w).update(repeating: 0, count: 16 - w)
        }
        var i = rows.lowerBound
        while i < rows.upperBound {
            let r = min(6, rows.upperBound - i)
            for rr in 0..<r {
                if load { (tile + rr * 16).update(from: c + (i + rr) * ldc, count: w) }
                (tile + rr * 16 + w).update(repeating: 0, count: 16 - w)
            }
            kernel(rows: r, kc: kc, a: a + i * rs, rs: rs, ks: ks, b: pad, ldb: 16, c: tile, ldc: 16, load: load)
            for rr in 0..<r { (c + (i + rr) * ldc).update(from: tile + rr * 16, count: w) }
            i += r
        }
    }
}

// Per-thread scratch for `Gemm.narrowPanel`. `withUnsafeTemporaryAllocation` puts buffers over
// 1 KiB on the heap here, which made two allocations per update; a buffer per thread (any thread
// may call Gemm, and two run its parts at once) allocates once per thread and is freed when the
// thread ends.
private let narrowPanelKey: pthread_key_t = {
    var key = pthread_key_t()
    let status = pthread_key_create(&key) { free($0) }
    precondition(status == 0, "Gemm: pthread_key_create failed with \(status)")
    return key
}()

/// This thread's `narrowPanel` scratch: a zero-padded K block of B, then a 6×16 C tile.
private func narrowPanelScratch() -> UnsafeMutablePointer<Float> {
    if let p = pthread_getspecific(narrowPanelKey) { return p.assumingMemoryBound(to: Float.self) }
    let count = Gemm.kBlock * 16 + 6 * 16
    guard let p = malloc(count * MemoryLayout<Float>.stride) else { preconditionFailure("Gemm: out of memory") }
    pthread_setspecific(narrowPanelKey, p)
    return p.assumingMemoryBound(to: Float.self)
}
