// Whole-buffer operations on a QNetwork's flat parameters and gradients: zeroing, target-network
// updates (hard copy and Polyak averaging) and gradient-norm clipping.
import DQNSIMD

extension QNetwork {
    /// Sets every gradient to zero (backward only ever adds).
    public func zeroGradients() {
        struct Zero: RangeJob {
            let g: UnsafeMutablePointer<Float>
            func run(range: Range<Int>) { (g + range.lowerBound).update(repeating: 0, count: range.count) }
        }
        guard let base = gradients.baseAddress else { return }
        NumericsThreads.forEachPart(total: parameterCount, threads: threads, work: 4 * parameterCount, granule: 64, Zero(g: base))
    }

    /// Whether `other` has the same architecture (names and shapes of every tensor).
    public func hasSameLayout(as other: QNetwork) -> Bool {
        namedTensors.count == other.namedTensors.count
            && zip(namedTensors, other.namedTensors).allSatisfy { $0.name == $1.name && $0.shape == $1.shape }
    }

    /// A network of `source`'s architecture holding a copy of its weights, sized for batches up to
    /// `maxBatch` and running on `threads` threads (the moving average of the weights is one).
    public convenience init(copying source: QNetwork, maxBatch: Int, threads: Int) {
        var unused = Xoshiro256(seed: 0)   // the drawn weights are overwritten by the copy
        self.init(preset: source.preset, inputShape: source.inputShape, actions: source.actions, maxBatch: maxBatch,
                  dueling: source.dueling, threads: threads, rng: &unused)
        copyParameters(from: source)
    }

    /// Hard target update: θ ← θ_source.
    public func copyParameters(from source: QNetwork) {
        precondition(hasSameLayout(as: source), "QNetwork.copyParameters: architectures differ")
        guard let src = source.parameters.baseAddress, let dst = parameters.baseAddress else { return }
        dst.update(from: src, count: parameterCount)
    }

    /// Soft target update and moving average: θ ← τ·θ_source + (1 − τ)·θ, evaluated as CleanRL
    /// writes it (`tau * q_param + (1.0 - tau) * target_param`: two products, then their sum, no
    /// fused multiply-add), 8 lanes at a time on this network's threads. Each element is computed
    /// the same way whatever the split, so the result is `polyakReference`'s, bit for bit.
    public func polyakUpdate(from source: QNetwork, tau: Float) {
        precondition(hasSameLayout(as: source), "QNetwork.polyakUpdate: architectures differ")
        precondition(tau >= 0 && tau <= 1, "QNetwork.polyakUpdate: tau \(tau) outside [0, 1]")
        struct Blend: RangeJob {
            let source: UnsafePointer<Float>, destination: UnsafeMutablePointer<Float>, tau: Float
            func run(range: Range<Int>) {
                QNetwork.polyakBlend(source + range.lowerBound, into: destination + range.lowerBound,
                                     count: range.count, tau: tau)
            }
        }
        guard let src = source.parameters.baseAddress, let dst = parameters.baseAddress else { return }
        NumericsThreads.forEachPart(total: parameterCount, threads: threads, work: 3 * parameterCount, granule: 64,
                                    Blend(source: UnsafePointer(src), destination: dst, tau: tau))
    }

    /// The SIMD kernel of `polyakUpdate` over `count` elements.
    static func polyakBlend(_ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>,
                            count: Int, tau: Float) {
        let keep = 1 - tau
        let t = SIMD8<Float>(repeating: tau), k = SIMD8<Float>(repeating: keep)
        var i = 0
        while i + 8 <= count {
            let blended = t * load8(source + i) + k * load8(UnsafePointer(destination + i))
            store8(blended, destination + i)
            i += 8
        }
        while i < count { destination[i] = tau * source[i] + keep * destination[i]; i += 1 }
    }

    /// `polyakUpdate`'s scalar reference, one element at a time on one thread (for the tests).
    public func polyakReference(from source: QNetwork, tau: Float) {
        precondition(hasSameLayout(as: source), "QNetwork.polyakReference: architectures differ")
        let keep = 1 - tau
        for i in 0..<parameterCount { parameters[i] = tau * source.parameters[i] + keep * parameters[i] }
    }

    /// The L2 norm of all gradients. Squares are summed in Double: two fixed halves of the buffer,
    /// each over 8 lanes (element i of a half goes to lane i mod 8), then lanes and halves in a
    /// fixed order, so the result is the same for 1 and 2 threads.
    public var gradientNorm: Float {
        guard let base = gradients.baseAddress else { return 0 }
        struct Job: ParallelJob {
            let count: Int, gradients: UnsafePointer<Float>, sums: UnsafeMutablePointer<Double>
            func run(part: Int) {
                let range = NumericsThreads.range(part, of: 2, total: count, granule: 64)
                sums[part] = QNetwork.sumOfSquares(gradients + range.lowerBound, count: range.count)
            }
        }
        let count = parameterCount
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: 2) { sums in
            guard let out = sums.baseAddress else { return 0 }
            NumericsThreads.run(parts: 2, threads: threads, work: 4 * count, Job(count: count, gradients: base, sums: out))
            return Float((out[0] + out[1]).squareRoot())
        }
    }

    /// Σ x² in Double over 8 lanes (see `gradientNorm`); the scalar tail goes to lane i mod 8 too.
    static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Double {
        var lo = SIMD4<Double>(), hi = SIMD4<Double>()
        var i = 0
        while i + 8 <= count {
            let v = load8(x + i)
            let a = SIMD4<Double>(v.lowHalf), b = SIMD4<Double>(v.highHalf)
            lo.addProduct(a, a); hi.addProduct(b, b)
            i += 8
        }
        while i < count {
            let d = Double(x[i]), lane = i % 8
            if lane < 4 { lo[lane] = lo[lane].addingProduct(d, d) } else { hi[lane - 4] = hi[lane - 4].addingProduct(d, d) }
            i += 1
        }
        return ((lo[0] + lo[1]) + (lo[2] + lo[3])) + ((hi[0] + hi[1]) + (hi[2] + hi[3]))
    }

    /// torch.nn.utils.clip_grad_norm_'s factor without applying it: with total = ‖g‖₂ over all
    /// parameters, coef = maxNorm / (total + 1e-6), and the scale is coef when coef < 1, else 1.
    /// Optimizers take the scale (`gradientScale`) so clipping costs no extra pass over memory.
    public func clipScale(maxNorm: Float) -> (norm: Float, scale: Float) {
        precondition(maxNorm > 0, "clipScale: maxNorm must be positive, got \(maxNorm)")
        let total = gradientNorm
        let coef = maxNorm / (total + 1e-6)
        return (total, coef < 1 ? coef : 1)
    }

    /// torch.nn.utils.clip_grad_norm_: scales the gradients by `clipScale(maxNorm:)`.
    /// - Returns: the total norm before clipping.
    @discardableResult
    public func clipGradientNorm(maxNorm: Float) -> Float {
        let (total, scale) = clipScale(maxNorm: maxNorm)
        if scale < 1 { for i in 0..<parameterCount { gradients[i] *= scale } }
        return total
    }
}
