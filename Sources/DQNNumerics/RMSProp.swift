// torch.optim.RMSprop (non-centred, no momentum, no weight decay) over a flat parameter buffer,
// with its square-average state public for checkpoints.
import DQNSIMD

/// RMSProp as torch.optim.RMSprop computes it:
///
///     s = α·s + (1 − α)·g²
///     θ -= lr · g / (√s + ε)
public final class RMSProp {
    public var learningRate: Double
    public let alpha: Double, epsilon: Double
    /// Number of steps taken.
    public private(set) var step: Int = 0
    /// Threads an update uses (1 or 2; the same bits either way). Set it between updates.
    public var threads: Int { didSet { NumericsThreads.check(threads, "RMSProp.threads") } }
    /// Running average of squared gradients (torch's `square_avg`).
    public private(set) var squareAverage: [Float]

    public init(parameterCount: Int, learningRate: Double = 1e-2, alpha: Double = 0.99, epsilon: Double = 1e-8,
                threads: Int = NumericsThreads.defaultCount) {
        precondition(parameterCount > 0 && learningRate > 0, "RMSProp: parameterCount and learningRate must be positive")
        NumericsThreads.check(threads, "RMSProp")
        self.threads = threads
        self.learningRate = learningRate; self.alpha = alpha; self.epsilon = epsilon
        squareAverage = [Float](repeating: 0, count: parameterCount)
    }

    /// Restores a checkpointed state.
    public func restore(step: Int, squareAverage s: [Float]) {
        precondition(step >= 0 && s.count == squareAverage.count,
                     "RMSProp.restore: step \(step), state \(s.count), expected \(squareAverage.count)")
        self.step = step; squareAverage = s
    }

    /// One update of `parameters` from `gradients`.
    /// One update; each gradient is first multiplied by `gradientScale` when it is not 1 (clipping).
    public func update(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>,
                       gradientScale: Float = 1) {
        precondition(parameters.count == squareAverage.count && gradients.count == squareAverage.count,
                     "RMSProp.update: \(parameters.count) parameters, \(gradients.count) gradients, expected \(squareAverage.count)")
        step += 1
        let a = Float(alpha), w = Float(1 - alpha), eps = Float(epsilon), lr = Float(learningRate)
        let count = parameters.count
        guard let pp = parameters.baseAddress, let gp = gradients.baseAddress else { return }
        squareAverage.withUnsafeMutableBufferPointer { sb in
            guard let sp = sb.baseAddress else { return }
            NumericsThreads.forEachPart(total: count, threads: threads, work: 6 * count, granule: 64,
                Step(p: pp, g: gp, sq: sp, scale: gradientScale, a: a, w: w, eps: eps, lr: lr))
        }
    }

    /// RMSProp on one range of parameters (elementwise: any split gives the same bits).
    private struct Step: RangeJob {
        let p: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>, sq: UnsafeMutablePointer<Float>
        let scale: Float, a: Float, w: Float, eps: Float, lr: Float

        func run(range: Range<Int>) {
            let scaled = scale != 1
            var i = range.lowerBound
            while i + 8 <= range.upperBound {
                let gi = scaled ? load8(g + i) * scale : load8(g + i)
                let si = load8(sq + i) * a + w * gi * gi
                store8(si, sq + i)
                store8(load8(p + i) - lr * (gi / (si.squareRoot() + eps)), p + i)
                i += 8
            }
            while i < range.upperBound {
                let gi = scaled ? g[i] * scale : g[i]
                let si = sq[i] * a + w * gi * gi
                sq[i] = si
                p[i] -= lr * (gi / (si.squareRoot() + eps))
                i += 1
            }
        }
    }

    /// One update of a network's parameters from its gradients.
    public func update(_ network: QNetwork, gradientScale: Float = 1) {
        update(parameters: network.parameters, gradients: UnsafeBufferPointer(network.gradients), gradientScale: gradientScale)
    }
}
