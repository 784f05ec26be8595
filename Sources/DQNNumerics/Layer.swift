// The layer contract shared by Conv2D, Linear, ReLU, Flatten and DuelingHead (llm.c style
// forward/backward pairs). Layers own their scratch and caches; parameters live in the caller's
// flat buffer.
import DQNSIMD

/// A batched layer on row-major Float buffers. Shapes per sample: `inputSize` values in,
/// `outputSize` values out; a batch is `batch` samples back to back (N × size).
///
/// Contract:
/// - `forward` writes `output` (N×outputSize) and caches what `backward` needs. The layer may
///   keep a pointer to `input`, so the input must stay unchanged until `backward` returns.
/// - `backward` reads the cache of the last `forward` (and may consume it: call it at most once
///   per forward), ADDS (`+=`) into `gradParameters` when `accumulate` is true or OVERWRITES them
///   when it is false (what PyTorch does after `zero_grad(set_to_none=True)`: no zeroing pass, and
///   the same bits as adding into zeros), and OVERWRITES `gradInput` (N×inputSize) when non-nil.
/// - Parameters are this layer's slice of a flat buffer: weight (PyTorch layout) then bias.
/// - Nothing allocates: scratch is sized for `maxBatch` at init.
/// - The layer's kernels use `threads` threads, passed down to them (no global thread count).
public protocol Layer: AnyObject {
    /// Values per sample going in.
    var inputSize: Int { get }
    /// Values per sample coming out.
    var outputSize: Int { get }
    /// Number of Float parameters (weight then bias); 0 for ReLU, Flatten and DuelingHead.
    var parameterCount: Int { get }
    /// The largest batch the layer's scratch holds.
    var maxBatch: Int { get }
    /// FLOPs of the forward pass for one sample (GEMM-like work only, 2·M·N·K).
    var forwardFLOPsPerSample: Int { get }
    /// Threads the layer's kernels use (1 or 2; `NumericsThreads`). Set it between computations;
    /// a `QNetwork` sets it on its layers. Results do not depend on it.
    var threads: Int { get set }

    func forward(input: UnsafePointer<Float>, batch: Int, parameters: UnsafePointer<Float>,
                 output: UnsafeMutablePointer<Float>)
    func backward(gradOutput: UnsafePointer<Float>, parameters: UnsafePointer<Float>,
                  gradParameters: UnsafeMutablePointer<Float>, gradInput: UnsafeMutablePointer<Float>?,
                  accumulate: Bool)
    /// Draws PyTorch's default initialisation into `parameters` (parameterCount values).
    func initialize(parameters: UnsafeMutablePointer<Float>, rng: inout Xoshiro256)
}

extension Layer {
    /// `backward` adding into `gradParameters`.
    public func backward(gradOutput: UnsafePointer<Float>, parameters: UnsafePointer<Float>,
                         gradParameters: UnsafeMutablePointer<Float>, gradInput: UnsafeMutablePointer<Float>?) {
        backward(gradOutput: gradOutput, parameters: parameters, gradParameters: gradParameters,
                 gradInput: gradInput, accumulate: true)
    }

    /// PyTorch's default for Conv2d and Linear: weight ~ kaiming_uniform_(a = √5), which is
    /// U(−b, b) with b = gain·√(3 / fan_in), gain = √(2 / (1 + 5)), i.e. b = 1/√fan_in; and
    /// bias ~ U(−1/√fan_in, 1/√fan_in). Weights are drawn first, then biases, in memory order.
    static func pytorchDefaultInit(weights: Int, biases: Int, fanIn: Int,
                                   parameters: UnsafeMutablePointer<Float>, rng: inout Xoshiro256) {
        let bound = Float(1 / Double(fanIn).squareRoot())
        for i in 0..<(weights + biases) { parameters[i] = rng.uniform(-bound, bound) }
    }
}

/// Out-of-place transpose of a dense row-major matrix (`Transpose.matrix`).
@usableFromInline
func transpose(rows: Int, cols: Int, src: UnsafePointer<Float>, dst: UnsafeMutablePointer<Float>) {
    Transpose.matrix(rows: rows, cols: cols, src: src, dst: dst)
}

/// Matrix transposes, the data movement between layouts (weights to Wᵀ for the GEMM's B operand,
/// fc1's input to xᵀ, a convolution's [P, Cout] tile output to Cout×P).
public enum Transpose {
    /// dst (cols×rows) = srcᵀ, src rows×cols, both dense row-major. 8×8 blocks go through
    /// registers (eight row loads, three rounds of even/odd unzips, eight row stores), so every
    /// load and store is a contiguous 32-byte row; the edges are copied one value at a time.
    /// Only moves values: the result equals `Reference.transpose` exactly.
    public static func matrix(rows: Int, cols: Int, src: UnsafePointer<Float>, dst: UnsafeMutablePointer<Float>) {
        let rows8 = rows / 8 * 8, cols8 = cols / 8 * 8
        var i = 0
        while i < rows8 {
            var j = 0
            while j < cols8 {
                block8(src + i * cols + j, cols, dst + j * rows + i, rows)
                j += 8
            }
            for jj in cols8..<cols { for ii in i..<(i + 8) { dst[jj * rows + ii] = src[ii * cols + jj] } }
            i += 8
        }
        for ii in rows8..<rows { for j in 0..<cols { dst[j * rows + ii] = src[ii * cols + j] } }
    }

    /// One 8×8 block. Reading the 64 values row by row as one vector with index (i, j) = 8i + j,
    /// an unzip (the even-indexed values, then the odd ones) rotates the 6 index bits right by
    /// one; three unzips turn 8i + j into 8j + i, the transpose.
    @inline(__always)
    static func block8(_ src: UnsafePointer<Float>, _ ls: Int, _ dst: UnsafeMutablePointer<Float>, _ ld: Int) {
        var r0 = load8(src), r1 = load8(src + ls), r2 = load8(src + 2 * ls), r3 = load8(src + 3 * ls)
        var r4 = load8(src + 4 * ls), r5 = load8(src + 5 * ls), r6 = load8(src + 6 * ls), r7 = load8(src + 7 * ls)
        for _ in 0..<3 {
            let p0 = SIMD16(lowHalf: r0, highHalf: r1), p1 = SIMD16(lowHalf: r2, highHalf: r3)
            let p2 = SIMD16(lowHalf: r4, highHalf: r5), p3 = SIMD16(lowHalf: r6, highHalf: r7)
            r0 = p0.evenHalf; r1 = p1.evenHalf; r2 = p2.evenHalf; r3 = p3.evenHalf
            r4 = p0.oddHalf; r5 = p1.oddHalf; r6 = p2.oddHalf; r7 = p3.oddHalf
        }
        store8(r0, dst); store8(r1, dst + ld); store8(r2, dst + 2 * ld); store8(r3, dst + 3 * ld)
        store8(r4, dst + 4 * ld); store8(r5, dst + 5 * ld); store8(r6, dst + 6 * ld); store8(r7, dst + 7 * ld)
    }
}
