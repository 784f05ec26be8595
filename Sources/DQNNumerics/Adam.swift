// torch.optim.Adam (no weight decay, no amsgrad) over a flat parameter buffer. The first and
// second moments and the step count are public for checkpoints and can be restored exactly.
import DQNSIMD
import Foundation

/// Adam (Kingma & Ba 2015) exactly as torch.optim.Adam's single-tensor path computes it:
///
///     t += 1
///     m = β1·m + (1 − β1)·g
///     v = β2·v + (1 − β2)·g²
///     θ -= (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
///
/// Note ε is added AFTER dividing √v by the bias correction (torch's formula, not the paper's
/// ε̂ on the corrected v̂). Hyperparameters and bias corrections are Doubles (Python floats) that
/// become Float32 scalars, and m is updated with torch's `lerp_` form m += (1 − β1)·(g − m).
public final class Adam {
    public var learningRate: Double
    public let beta1: Double, beta2: Double, epsilon: Double
    /// Number of steps taken (torch's `state['step']`).
    public private(set) var step: Int = 0
    /// Threads an update uses (1 or 2; the same bits either way). Set it between updates.
    public var threads: Int { didSet { NumericsThreads.check(threads, "Adam.threads") } }
    /// First moment m (torch's `exp_avg`), one per parameter.
    public private(set) var firstMoment: [Float]
    /// Second moment v (torch's `exp_avg_sq`), one per parameter.
    public private(set) var secondMoment: [Float]

    public init(parameterCount: Int, learningRate: Double = 1e-3, beta1: Double = 0.9,
                beta2: Double = 0.999, epsilon: Double = 1e-8,
                threads: Int = NumericsThreads.defaultCount) {
        precondition(parameterCount > 0 && learningRate > 0, "Adam: parameterCount and learningRate must be positive")
        NumericsThreads.check(threads, "Adam")
        self.threads = threads
        self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        firstMoment = [Float](repeating: 0, count: parameterCount)
        secondMoment = [Float](repeating: 0, count: parameterCount)
    }

    /// Restores a checkpointed state (sizes must match the parameter count).
    public func restore(step: Int, firstMoment m: [Float], secondMoment v: [Float]) {
        precondition(step >= 0 && m.count == firstMoment.count && v.count == secondMoment.count,
                     "Adam.restore: step \(step), moments \(m.count)/\(v.count), expected \(firstMoment.count)")
        self.step = step; firstMoment = m; secondMoment = v
    }

    /// One update of `parameters` from `gradients` (both of the optimizer's parameter count), each
    /// gradient first multiplied by `gradientScale` when it is not 1 (gradient clipping, fused).
    public func update(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>,
                       gradientScale: Float = 1) {
        precondition(parameters.count == firstMoment.count && gradients.count == firstMoment.count,
                     "Adam.update: \(parameters.count) parameters, \(gradients.count) gradients, expected \(firstMoment.count)")
        step += 1
        let w1 = Float(1 - beta1), b2 = Float(beta2), w2 = Float(1 - beta2), eps = Float(epsilon)
        let stepSize = Float(learningRate / (1 - pow(beta1, Double(step))))
        let correction2Sqrt = Float((1 - pow(beta2, Double(step))).squareRoot())
        let count = parameters.count
        guard let pp = parameters.baseAddress, let gp = gradients.baseAddress else { return }
        firstMoment.withUnsafeMutableBufferPointer { mb in
            secondMoment.withUnsafeMutableBufferPointer { vb in
                guard let mp = mb.baseAddress, let vp = vb.baseAddress else { return }
                // Elementwise, so any split gives the same bits.
                NumericsThreads.forEachPart(total: count, threads: threads, work: 8 * count, granule: 64,
                    Step(p: pp, g: gp, m: mp, v: vp, scale: gradientScale, w1: w1, b2: b2, w2: w2,
                         eps: eps, stepSize: stepSize, correction2Sqrt: correction2Sqrt))
            }
        }
    }

    /// Adam on one range of parameters.
    private struct Step: RangeJob {
        let p: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>, m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>
        let scale: Float, w1: Float, b2: Float, w2: Float, eps: Float, stepSize: Float, correction2Sqrt: Float

        func run(range: Range<Int>) {
            let scaled = scale != 1
            let tiny = Float.leastNormalMagnitude
            // 8 lanes at a time: lane-wise IEEE ops give the same bits as the scalar tail.
            var i = range.lowerBound
            while i + 8 <= range.upperBound {
                let gi = scaled ? load8(g + i) * scale : load8(g + i)
                var mi = load8(m + i), vi = load8(v + i)
                mi = mi + w1 * (gi - mi)
                // A first moment below the smallest normal float becomes a zero of its sign
                // (`flushSubnormal`, the scalar tail's rule).
                let subnormal = (mi .< tiny) .& (mi .> -tiny) .& (mi .!= 0)
                if any(subnormal) { mi.replace(with: SIMD8<Float>(repeating: 0).replacing(with: -0.0, where: mi .< 0), where: subnormal) }
                vi = vi * b2 + w2 * gi * gi
                store8(mi, m + i); store8(vi, v + i)
                let denom = vi.squareRoot() / correction2Sqrt + eps
                store8(load8(p + i) - stepSize * (mi / denom), p + i)
                i += 8
            }
            while i < range.upperBound {
                let gi = scaled ? g[i] * scale : g[i]
                let mi = Adam.flushSubnormal(m[i] + w1 * (gi - m[i]))
                let vi = v[i] * b2 + w2 * gi * gi
                m[i] = mi; v[i] = vi
                let denom = vi.squareRoot() / correction2Sqrt + eps
                p[i] -= stepSize * (mi / denom)
                i += 1
            }
        }
    }

    /// `x`, or a zero of its sign when `x` is subnormal (nonzero, below `Float.leastNormalMagnitude`).
    ///
    /// Why: a parameter whose gradient stays 0 (a ReLU unit that no input turns on) keeps a first
    /// moment that shrinks by β1 each step until it is subnormal, and x86 cores compute with
    /// subnormal operands in slow microcode. In a CartPole pixel run half of the `small`
    /// network's first moments were subnormal, and Adam took 15 times as long as on normal
    /// numbers. A subnormal m moves its weight by at most lr·1e-38/ε, far below the weight's
    /// last bit, so the flush changes no weight unless the weight itself is within about 1e-26
    /// of zero, or a later gradient is below about 1e-31.
    @inline(__always)
    public static func flushSubnormal(_ x: Float) -> Float {
        x != 0 && abs(x) < Float.leastNormalMagnitude ? (x < 0 ? -0.0 : 0.0) : x
    }

    /// One update of a network's parameters from its gradients (times `gradientScale`).
    public func update(_ network: QNetwork, gradientScale: Float = 1) {
        update(parameters: network.parameters, gradients: UnsafeBufferPointer(network.gradients), gradientScale: gradientScale)
    }
}
