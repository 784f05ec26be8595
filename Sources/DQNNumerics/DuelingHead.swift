// The dueling aggregation of Wang et al. 2016 ("Dueling Network Architectures for Deep
// Reinforcement Learning", eq. 9): Q(s, a) = V(s) + A(s, a) − mean_a' A(s, a'). A parameter-free
// layer after the one Linear that computes both streams; it knows nothing of how they were made.

/// Dueling head. Input N×(1 + A): each row is [v, a_0, …, a_{A−1}] (the value stream, then the
/// advantage stream); output N×A: q_i = (v + a_i) − mean(a), where mean(a) = (Σ_j a_j) / A is summed
/// in j order and the terms are taken in the order PyTorch's `V + A - A.mean(1, keepdim=True)`
/// evaluates them.
///
/// Backward (the head is linear in its input): dv = Σ_i dq_i; da_j = dq_j − (Σ_i dq_i) / A, the
/// sum in i order, computed once per row. Subtracting the mean is what makes V and A identifiable
/// (Wang et al. §3): adding c to every a_j leaves q unchanged, and so each row's da sums to zero.
/// Nothing is cached but the batch size: the backward does not depend on the input.
public final class DuelingHead: Layer {
    /// A, the number of actions (Q-values per sample).
    public let actions: Int
    public let maxBatch: Int
    private var cachedBatch = 0
    /// Unused (a few adds per row, on the calling thread); kept for the `Layer` contract.
    public var threads = NumericsThreads.defaultCount

    public var inputSize: Int { 1 + actions }
    public var outputSize: Int { actions }
    public var parameterCount: Int { 0 }
    /// No GEMM-like work (a few adds per Q-value).
    public var forwardFLOPsPerSample: Int { 0 }

    public init(actions: Int, maxBatch: Int) {
        precondition(actions > 0 && maxBatch > 0, "DuelingHead: actions \(actions) and maxBatch \(maxBatch) must be positive")
        self.actions = actions; self.maxBatch = maxBatch
    }

    public func initialize(parameters: UnsafeMutablePointer<Float>, rng: inout Xoshiro256) {}

    public func forward(input: UnsafePointer<Float>, batch: Int, parameters: UnsafePointer<Float>,
                        output: UnsafeMutablePointer<Float>) {
        precondition(batch > 0 && batch <= maxBatch, "DuelingHead.forward: batch \(batch) outside 1...\(maxBatch)")
        let n = actions
        for s in 0..<batch {
            let row = input + s * (1 + n), q = output + s * n
            let v = row[0], a = row + 1
            var sum: Float = 0
            for j in 0..<n { sum += a[j] }
            let mean = sum / Float(n)
            for i in 0..<n { q[i] = (v + a[i]) - mean }
        }
        cachedBatch = batch
    }

    public func backward(gradOutput: UnsafePointer<Float>, parameters: UnsafePointer<Float>,
                         gradParameters: UnsafeMutablePointer<Float>, gradInput: UnsafeMutablePointer<Float>?,
                         accumulate: Bool) {
        precondition(cachedBatch > 0, "DuelingHead.backward called without a forward")
        guard let gradInput else { return }
        let n = actions
        for s in 0..<cachedBatch {
            let dq = gradOutput + s * n, row = gradInput + s * (1 + n)
            var sum: Float = 0
            for i in 0..<n { sum += dq[i] }
            let share = sum / Float(n)
            row[0] = sum
            for j in 0..<n { row[1 + j] = dq[j] - share }
        }
    }
}
