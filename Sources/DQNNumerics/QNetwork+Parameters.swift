// Whole-buffer operations on a QNetwork's flat parameters and gradients: zeroing, target-network
// updates (hard copy and Polyak averaging) and gradient-norm clipping.

extension QNetwork {
    /// Sets every gradient to zero (backward only ever adds).
    public func zeroGradients() {
        gradients.update(repeating: 0)
    }

    /// Whether `other` has the same architecture (names and shapes of every tensor).
    public func hasSameLayout(as other: QNetwork) -> Bool {
        namedTensors.count == other.namedTensors.count
            && zip(namedTensors, other.namedTensors).allSatisfy { $0.name == $1.name && $0.shape == $1.shape }
    }

    /// Hard target update: θ ← θ_source.
    public func copyParameters(from source: QNetwork) {
        precondition(hasSameLayout(as: source), "QNetwork.copyParameters: architectures differ")
        guard let src = source.parameters.baseAddress, let dst = parameters.baseAddress else { return }
        dst.update(from: src, count: parameterCount)
    }

    /// Soft target update: θ ← τ·θ_source + (1 − τ)·θ, evaluated as CleanRL writes it
    /// (`tau * q_param + (1.0 - tau) * target_param`).
    public func polyakUpdate(from source: QNetwork, tau: Float) {
        precondition(hasSameLayout(as: source), "QNetwork.polyakUpdate: architectures differ")
        precondition(tau >= 0 && tau <= 1, "QNetwork.polyakUpdate: tau \(tau) outside [0, 1]")
        let keep = 1 - tau
        for i in 0..<parameterCount { parameters[i] = tau * source.parameters[i] + keep * parameters[i] }
    }

    /// The L2 norm of all gradients, accumulated in Double in storage order (deterministic).
    public var gradientNorm: Float {
        var s: Double = 0
        for g in gradients { s += Double(g) * Double(g) }
        return Float(s.squareRoot())
    }

    /// torch.nn.utils.clip_grad_norm_: with total = ‖g‖₂ over all parameters,
    /// coef = maxNorm / (total + 1e-6), and gradients are scaled by coef only when coef < 1.
    /// - Returns: the total norm before clipping.
    @discardableResult
    public func clipGradientNorm(maxNorm: Float) -> Float {
        precondition(maxNorm > 0, "clipGradientNorm: maxNorm must be positive, got \(maxNorm)")
        let total = gradientNorm
        let coef = maxNorm / (total + 1e-6)
        if coef < 1 { for i in 0..<parameterCount { gradients[i] *= coef } }
        return total
    }
}
