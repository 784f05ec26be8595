// The parameter-free layers: ReLU (elementwise max(x, 0)) and Flatten (N×C×H×W → N×(C·H·W),
// PyTorch's C, H, W order, which is already the memory order, so it is a copy).
import DQNSIMD

/// ReLU: y = max(x, 0); backward dx = dy · [x > 0] (PyTorch's convention: gradient 0 at x = 0).
/// Caches a pointer to its input (see the `Layer` contract).
public final class ReLU: Layer {
    public let inputSize: Int
    public let maxBatch: Int
    private var cachedInput: UnsafePointer<Float>?
    private var cachedBatch = 0
    /// Threads this layer's kernels use (1 or 2; see `Layer.threads`).
    public var threads = NumericsThreads.defaultCount { didSet { NumericsThreads.check(threads, "ReLU.threads") } }

    public var outputSize: Int { inputSize }
    public var parameterCount: Int { 0 }
    public var forwardFLOPsPerSample: Int { 0 }

    public init(size: Int, maxBatch: Int) {
        precondition(size > 0 && maxBatch > 0, "ReLU: size \(size) and maxBatch \(maxBatch) must be positive")
        inputSize = size; self.maxBatch = maxBatch
    }

    public func initialize(parameters: UnsafeMutablePointer<Float>, rng: inout Xoshiro256) {}

    public func forward(input: UnsafePointer<Float>, batch: Int, parameters: UnsafePointer<Float>,
                        output: UnsafeMutablePointer<Float>) {
        precondition(batch > 0 && batch <= maxBatch, "ReLU.forward: batch \(batch) outside 1...\(maxBatch)")
        struct Job: RangeJob {
            let x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>
            func run(range: Range<Int>) { for i in range { y[i] = max(x[i], 0) } }
        }
        // Work counts a memory-bound element as 4: conv1's 409,600-value output is split in two.
        NumericsThreads.forEachPart(total: batch * inputSize, threads: threads, work: 4 * batch * inputSize, granule: 64,
                                    Job(x: input, y: output))
        cachedInput = input; cachedBatch = batch
    }

    /// dx[i] = dy[i] where x[i] > 0, else 0 (also for a NaN x), eight lanes at a time; `dx` may be
    /// `dy` (in place). The backward of ReLU, and of the ReLU a layer fuses into its own backward
    /// (`Conv2D.masksGradInputByReLU`, `Linear.masksGradInputByReLU`).
    static func gradient(x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            var v = load8(dy + i)
            v.replace(with: 0, where: .!(load8(x + i) .> 0))
            store8(v, dx + i)
            i += 8
        }
        while i < count { dx[i] = x[i] > 0 ? dy[i] : 0; i += 1 }
    }

    /// The forward pass of a ReLU that the previous layer already applied (`Conv2D.appliesReLU`,
    /// `Linear.appliesReLU`): `output` holds max(x, 0), whose positive entries are exactly those of
    /// x, so it serves as the input that `backward` masks by. Nothing is computed or copied.
    public func forwardFused(output: UnsafePointer<Float>, batch: Int) {
        precondition(batch > 0 && batch <= maxBatch, "ReLU.forwardFused: batch \(batch) outside 1...\(maxBatch)")
        cachedInput = output; cachedBatch = batch
    }

    public func backward(gradOutput: UnsafePointer<Float>, parameters: UnsafePointer<Float>,
                         gradParameters: UnsafeMutablePointer<Float>, gradInput: UnsafeMutablePointer<Float>?,
                         accumulate: Bool) {
        guard let x = cachedInput else { preconditionFailure("ReLU.backward called without a forward") }
        guard let gradInput else { return }
        struct Job: RangeJob {
            let x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>
            func run(range: Range<Int>) {
                ReLU.gradient(x: x + range.lowerBound, dy: dy + range.lowerBound, dx: dx + range.lowerBound, count: range.count)
            }
        }
        NumericsThreads.forEachPart(total: cachedBatch * inputSize, threads: threads, work: 4 * cachedBatch * inputSize, granule: 64,
                                    Job(x: x, dy: gradOutput, dx: gradInput))
    }
}

/// Flatten: N×C×H×W → N×(C·H·W) in C, H, W order (PyTorch's nn.Flatten). Values are copied.
public final class Flatten: Layer {
    public let inputSize: Int
    public let maxBatch: Int
    private var cachedBatch = 0
    /// Unused (Flatten copies on the calling thread); kept for the `Layer` contract.
    public var threads = NumericsThreads.defaultCount

    public var outputSize: Int { inputSize }
    public var parameterCount: Int { 0 }
    public var forwardFLOPsPerSample: Int { 0 }

    public init(size: Int, maxBatch: Int) {
        precondition(size > 0 && maxBatch > 0, "Flatten: size \(size) and maxBatch \(maxBatch) must be positive")
        inputSize = size; self.maxBatch = maxBatch
    }

    public func initialize(parameters: UnsafeMutablePointer<Float>, rng: inout Xoshiro256) {}

    public func forward(input: UnsafePointer<Float>, batch: Int, parameters: UnsafePointer<Float>,
                        output: UnsafeMutablePointer<Float>) {
        precondition(batch > 0 && batch <= maxBatch, "Flatten.forward: batch \(batch) outside 1...\(maxBatch)")
        output.update(from: input, count: batch * inputSize)
        cachedBatch = batch
    }

    public func backward(gradOutput: UnsafePointer<Float>, parameters: UnsafePointer<Float>,
                         gradParameters: UnsafeMutablePointer<Float>, gradInput: UnsafeMutablePointer<Float>?,
                         accumulate: Bool) {
        gradInput?.update(from: gradOutput, count: cachedBatch * inputSize)
    }
}
