// The TD loss on the Q-value of the taken action, as PyTorch's F.smooth_l1_loss / F.mse_loss
// with reduction "mean"; writes dL/dQ for the whole N×A output (zero for other actions).

/// Loss between Q[i, a_i] and a target y_i, averaged over the batch.
public enum LossKind: String, CaseIterable, Sendable {
    /// Huber / smooth L1 with δ = β = 1: ½d² if |d| < 1, else |d| − ½; dL/dd = clamp(d, −1, 1).
    case huber
    /// Squared error d²; dL/dd = 2d.
    case mse

    /// Computes L = (1/N) Σ_i ℓ(Q[i, a_i] − y_i) and writes gradQ = dL/dQ (N×A, zeros except at
    /// [i, a_i], each divided by N as the mean reduction implies).
    ///
    /// Shapes: q N×A row-major, actions N (each in 0..<A), targets N, gradQ N×A.
    /// The sum is accumulated in Double in batch order.
    ///
    /// With `weights` (prioritized replay's importance weights, N of them) each sample's loss and
    /// gradient are multiplied by its weight: L = (1/N) Σ_i w_i ℓ(Q[i, a_i] − y_i), as
    /// `(weights * F.smooth_l1_loss(q, y, reduction="none")).mean()` computes it.
    public func loss(q: UnsafeBufferPointer<Float>, actionCount: Int, actions: UnsafeBufferPointer<Int>,
                     targets: UnsafeBufferPointer<Float>, weights: UnsafeBufferPointer<Float>? = nil,
                     gradQ: UnsafeMutableBufferPointer<Float>) -> Float {
        let n = actions.count
        precondition(weights == nil || weights?.count == n, "LossKind.loss: \(weights?.count ?? 0) weights for batch \(n)")
        precondition(n > 0 && actionCount > 0, "LossKind.loss: empty batch or no actions")
        precondition(q.count == n * actionCount && gradQ.count == n * actionCount && targets.count == n,
                     "LossKind.loss: q \(q.count), gradQ \(gradQ.count), targets \(targets.count) for batch \(n)×\(actionCount)")
        gradQ.update(repeating: 0)
        var sum: Double = 0
        let invN = 1 / Float(n)
        for i in 0..<n {
            let a = actions[i]
            precondition(a >= 0 && a < actionCount, "LossKind.loss: action \(a) at row \(i) outside 0..<\(actionCount)")
            let d = q[i * actionCount + a] - targets[i]
            var l: Float, g: Float
            switch self {
            case .huber:
                let ad = abs(d)
                l = ad < 1 ? 0.5 * d * d : ad - 0.5
                g = min(max(d, -1), 1) * invN
            case .mse:
                l = d * d
                g = 2 * d * invN
            }
            if let w = weights?[i] { l *= w; g *= w }
            sum += Double(l)
            gradQ[i * actionCount + a] = g
        }
        return Float(sum / Double(n))
    }

    /// Array convenience for `loss(q:actionCount:actions:targets:gradQ:)`.
    public func loss(q: [Float], actionCount: Int, actions: [Int], targets: [Float], gradQ: inout [Float]) -> Float {
        if gradQ.count != q.count { gradQ = [Float](repeating: 0, count: q.count) }
        return q.withUnsafeBufferPointer { qb in
            actions.withUnsafeBufferPointer { ab in
                targets.withUnsafeBufferPointer { tb in
                    gradQ.withUnsafeMutableBufferPointer { gb in
                        loss(q: qb, actionCount: actionCount, actions: ab, targets: tb, gradQ: gb)
                    }
                }
            }
        }
    }
}
