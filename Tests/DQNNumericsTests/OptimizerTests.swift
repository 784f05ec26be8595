// Known-answer tests for Adam and RMSProp: three steps on two parameters, expected values
// computed by hand with torch's formulas (in Python floats, see each comment).
import Testing
import DQNNumerics

@Suite struct OptimizerTests {
    /// Gradients for steps 1…3 on θ = [1, −2].
    static let gradients: [[Float]] = [[0.5, -1], [-0.25, 0], [0.1, 3]]

    @Test func adamKnownAnswer() {
        // lr 0.1. Step 1: m = 0.1g, v = 0.001g², update = lr·m̂/(√v̂ + ε) = 0.1·sign(g)·(1 − 2e-8).
        // Step 2 (θ0): m = 0.02, v = 0.00031225, θ −= (0.1/0.19)·0.02/(√0.00031225/√0.001999 + 1e-8).
        let expected: [[Double]] = [[0.9000000019999999, -1.900000001],
                                    [0.8733662987078462, -1.8329941765341886],
                                    [0.841841943025716, -1.8772389196142008]]
        let adam = Adam(parameterCount: 2, learningRate: 0.1)
        var theta: [Float] = [1, -2]
        for (step, g) in Self.gradients.enumerated() {
            theta.withUnsafeMutableBufferPointer { p in g.withUnsafeBufferPointer { adam.update(parameters: p, gradients: $0) } }
            Tolerance.expectClose(theta, expected[step].map(Float.init), (relative: 1e-6, absolute: 1e-7), "Adam step \(step + 1)")
        }
        #expect(adam.step == 3)
        // Restoring the state resumes the same trajectory.
        let resumed = Adam(parameterCount: 2, learningRate: 0.1)
        resumed.restore(step: adam.step, firstMoment: adam.firstMoment, secondMoment: adam.secondMoment)
        var a = theta, b = theta
        let g: [Float] = [0.3, -0.7]
        a.withUnsafeMutableBufferPointer { p in g.withUnsafeBufferPointer { adam.update(parameters: p, gradients: $0) } }
        b.withUnsafeMutableBufferPointer { p in g.withUnsafeBufferPointer { resumed.update(parameters: p, gradients: $0) } }
        #expect(a == b)
    }

    /// A first moment that would become subnormal is a zero of its sign, in the SIMD lanes and
    /// in the scalar tail alike (19 parameters: two blocks of 8 and a tail of 3); every other
    /// value follows torch's formula bit for bit, and the weights are the same as without the flush.
    @Test func adamFlushesSubnormalFirstMomentsInEveryLane() {
        let n = 19, tiny = Float.leastNormalMagnitude
        // m starts at ±10·tiny (normal); with g = 0 it shrinks by 0.9 a step, subnormal within 22 steps.
        let adam = Adam(parameterCount: n, learningRate: 1e-3, threads: 1)
        let start = (0..<n).map { Float($0 % 2 == 0 ? 10 : -10) * tiny }
        adam.restore(step: 10, firstMoment: start, secondMoment: [Float](repeating: 1e-6, count: n))
        var theta = (0..<n).map { Float($0) * 0.25 - 2.1 }   // no weight at 0
        let before = theta
        let zero = [Float](repeating: 0, count: n)
        var m = start
        for _ in 0..<40 {
            theta.withUnsafeMutableBufferPointer { p in zero.withUnsafeBufferPointer { adam.update(parameters: p, gradients: $0) } }
            // The scalar rule: m + 0.1·(0 − m), flushed.
            m = m.map { Adam.flushSubnormal($0 + Float(1 - 0.9) * (0 - $0)) }
            #expect(adam.firstMoment.map(\.bitPattern) == m.map(\.bitPattern), "bit for bit, zeros' signs too")
            #expect(adam.firstMoment.allSatisfy { $0 == 0 || abs($0) >= tiny }, "no subnormal first moment")
        }
        #expect(adam.firstMoment.allSatisfy { $0 == 0 })
        #expect(theta == before, "moments this small move no weight")
        #expect(Adam.flushSubnormal(tiny) == tiny && Adam.flushSubnormal(-tiny / 2).bitPattern == (-0.0 as Float).bitPattern
                && Adam.flushSubnormal(0) == 0 && Adam.flushSubnormal(1e-3) == 1e-3)
    }

    @Test func rmsPropKnownAnswer() {
        // lr 0.01, α 0.99: s = 0.01g², θ −= lr·g/(√s + ε); step 1 moves by lr·sign(g)/0.1 = 0.1.
        let expected: [[Double]] = [[0.900000019999996, -1.900000009999999],
                                    [0.9449013374421751, -1.900000009999999],
                                    [0.9271374176630169, -1.9949628719042904]]
        let rms = RMSProp(parameterCount: 2)
        var theta: [Float] = [1, -2]
        for (step, g) in Self.gradients.enumerated() {
            theta.withUnsafeMutableBufferPointer { p in g.withUnsafeBufferPointer { rms.update(parameters: p, gradients: $0) } }
            Tolerance.expectClose(theta, expected[step].map(Float.init), (relative: 1e-6, absolute: 1e-7), "RMSProp step \(step + 1)")
        }
    }
}

@Suite struct OptimizerCheckpointTests {
    @Test func adamAndRMSPropStateRoundTrip() throws {
        var rng = Xoshiro256(seed: 9)
        let n = 10
        var theta = randomFloats(n, &rng)
        let g = randomFloats(n, &rng)
        let adam = Adam(parameterCount: n), rms = RMSProp(parameterCount: n)
        for _ in 0..<2 {
            theta.withUnsafeMutableBufferPointer { p in g.withUnsafeBufferPointer { adam.update(parameters: p, gradients: $0); rms.update(parameters: p, gradients: $0) } }
        }
        var file = SafetensorsFile()
        adam.addState(to: &file); rms.addState(to: &file)
        let url = temporaryFolder("optimizer").appendingPathComponent("opt.safetensors")
        try file.write(to: url)
        let back = try SafetensorsFile(contentsOf: url)
        let adam2 = Adam(parameterCount: n), rms2 = RMSProp(parameterCount: n)
        try adam2.restoreState(from: back, fileName: url.path)
        try rms2.restoreState(from: back, fileName: url.path)
        #expect(adam2.step == 2 && adam2.firstMoment == adam.firstMoment && adam2.secondMoment == adam.secondMoment)
        #expect(rms2.step == 2 && rms2.squareAverage == rms.squareAverage)
        let wrongSize = Adam(parameterCount: n + 1)
        #expect { try wrongSize.restoreState(from: back, fileName: "opt") } throws: { error in
            "\(error)".contains("adam.exp_avg") && "\(error)".contains("[10]") && "\(error)".contains("expected [11]")
        }
    }
}
