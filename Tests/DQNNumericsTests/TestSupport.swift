// Shared helpers for the DQNNumerics tests: the ONE tolerance helper every float comparison goes
// through, seeded random arrays, and a finite-difference gradient checker.
import Testing
import DQNNumerics

/// Tolerances, documented once.
///
/// - `kernel`: SIMD kernels (Float, fused multiply-add, K-blocked) vs the Double-accumulated
///   scalar reference: |x − r| ≤ 1e-5 · (1 + Σ_k |a||b|)-scaled, expressed as rel 1e-5 + abs 1e-5
///   on values of order √K.
/// - `gradient`: central finite differences in Float, step h = 1e-2 on linear-in-parameter layers
///   (exact up to rounding, ≈ 1e-4 absolute) and h = 1e-3 on whole networks (ReLU kinks and
///   Float outputs): |numeric − analytic| ≤ 1e-3 + 2e-2·max(|numeric|, |analytic|).
enum Tolerance {
    static let kernel = (relative: 1e-5, absolute: 1e-5)
    static let gradient = (relative: 2e-2, absolute: 1e-3)

    /// |observed − expected| ≤ absolute + relative·max(|observed|, |expected|).
    static func isClose(_ observed: Double, _ expected: Double, _ tol: (relative: Double, absolute: Double)) -> Bool {
        abs(observed - expected) <= tol.absolute + tol.relative * max(abs(observed), abs(expected))
    }

    /// Records a failure naming `what`, the index, inputs, expected, observed and tolerance.
    static func expectClose(_ observed: [Float], _ expected: [Float], _ tol: (relative: Double, absolute: Double),
                            _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(observed.count == expected.count, "\(what): \(observed.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
        var failures = 0
        for i in 0..<min(observed.count, expected.count)
        where !isClose(Double(observed[i]), Double(expected[i]), tol) {
            failures += 1
            if failures <= 3 {
                Issue.record("\(what)[\(i)]: expected \(expected[i]), observed \(observed[i]), tolerance \(tol)",
                             sourceLocation: sourceLocation)
            }
        }
    }
}

/// Seeded uniform Floats in [low, high).
func randomFloats(_ count: Int, _ rng: inout Xoshiro256, _ low: Float = -1, _ high: Float = 1) -> [Float] {
    (0..<count).map { _ in rng.uniform(low, high) }
}

/// Floats in ±[0.05, 1): away from ReLU's kink so finite differences do not straddle it.
func awayFromZero(_ count: Int, _ rng: inout Xoshiro256) -> [Float] {
    (0..<count).map { _ in
        let magnitude = rng.uniform(Float(0.05), 1)
        return rng.nextUnitFloat() < 0.5 ? -magnitude : magnitude
    }
}

/// Projection loss L = Σ r_i·y_i (Double) and its gradient r: makes any layer output a scalar.
func projection(_ y: [Float], _ r: [Float]) -> Double {
    zip(y, r).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
}

/// Runs a layer's forward into a fresh array.
func forward(_ layer: any Layer, _ x: [Float], batch: Int, _ params: [Float]) -> [Float] {
    var y = [Float](repeating: 0, count: batch * layer.outputSize)
    x.withUnsafeBufferPointer { xb in params.withUnsafeBufferPointer { pb in y.withUnsafeMutableBufferPointer { yb in
        layer.forward(input: xb.baseAddress!, batch: batch, parameters: pb.baseAddress ?? UnsafePointer(bitPattern: 8)!,
                      output: yb.baseAddress!)
    } } }
    return y
}

/// Checks a layer's analytic input and parameter gradients against central differences of
/// L = Σ r·y, at `checks` random coordinates of each.
func checkLayerGradients(_ layer: any Layer, batch: Int, seed: UInt64, checks: Int = 40,
                         sourceLocation: SourceLocation = #_sourceLocation) {
    var rng = Xoshiro256(seed: seed)
    var x = awayFromZero(batch * layer.inputSize, &rng)
    var params = randomFloats(layer.parameterCount, &rng, -0.5, 0.5)
    let r = randomFloats(batch * layer.outputSize, &rng)
    _ = forward(layer, x, batch: batch, params)
    var gradParams = [Float](repeating: 0, count: layer.parameterCount)
    var gradInput = [Float](repeating: 0, count: batch * layer.inputSize)
    params.withUnsafeBufferPointer { pb in r.withUnsafeBufferPointer { rb in
        gradParams.withUnsafeMutableBufferPointer { gp in gradInput.withUnsafeMutableBufferPointer { gi in
            layer.backward(gradOutput: rb.baseAddress!, parameters: pb.baseAddress ?? UnsafePointer(bitPattern: 8)!,
                           gradParameters: gp.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!, gradInput: gi.baseAddress!)
        } }
    } }
    let h: Float = 1e-2
    for _ in 0..<checks {
        let i = rng.nextIndex(below: x.count), saved = x[i]
        x[i] = saved + h; let up = projection(forward(layer, x, batch: batch, params), r)
        x[i] = saved - h; let down = projection(forward(layer, x, batch: batch, params), r)
        x[i] = saved
        let numeric = (up - down) / Double(2 * h)
        #expect(Tolerance.isClose(Double(gradInput[i]), numeric, Tolerance.gradient),
                "dL/dx[\(i)]: numeric \(numeric), analytic \(gradInput[i]), tolerance \(Tolerance.gradient)",
                sourceLocation: sourceLocation)
    }
    guard layer.parameterCount > 0 else { return }
    for _ in 0..<checks {
        let i = rng.nextIndex(below: params.count), saved = params[i]
        params[i] = saved + h; let up = projection(forward(layer, x, batch: batch, params), r)
        params[i] = saved - h; let down = projection(forward(layer, x, batch: batch, params), r)
        params[i] = saved
        let numeric = (up - down) / Double(2 * h)
        #expect(Tolerance.isClose(Double(gradParams[i]), numeric, Tolerance.gradient),
                "dL/dθ[\(i)]: numeric \(numeric), analytic \(gradParams[i]), tolerance \(Tolerance.gradient)",
                sourceLocation: sourceLocation)
    }
}
