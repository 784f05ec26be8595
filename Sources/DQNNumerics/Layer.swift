// The layer contract shared by Conv2D, Linear, ReLU and Flatten (llm.c style forward/backward
// pairs). Layers own their scratch and caches; parameters live in the caller's flat buffer.

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
public protocol Layer: AnyObject {
    /// Values per sample going in.
    var inputSize: Int { get }
    /// Values per sample coming out.
    var outputSize: Int { get }
    /// Number of Float parameters (weight then bias); 0 for ReLU and Flatten.
    var parameterCount: Int { get }
    /// The largest batch the layer's scratch holds.
    var maxBatch: Int { get }
    /// FLOPs of the forward pass for one sample (GEMM-like work only, 2·M·N·K).
    var forwardFLOPsPerSample: Int { get }

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

/// Blocked out-of-place transpose: dst (cols×rows) = srcᵀ, src rows×cols, both dense row-major.
@usableFromInline
func transpose(rows: Int, cols: Int, src: UnsafePointer<Float>, dst: UnsafeMutablePointer<Float>) {
    let tile = 16
    var i0 = 0
    while i0 < rows {
        let i1 = min(rows, i0 + tile)
        var j0 = 0
        while j0 < cols {
            let j1 = min(cols, j0 + tile)
            for i in i0..<i1 { for j in j0..<j1 { dst[j * rows + i] = src[i * cols + j] } }
            j0 = j1
        }
        i0 = i1
    }
}
