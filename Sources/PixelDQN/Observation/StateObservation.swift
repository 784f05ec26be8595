// A task observed through Gymnasium's observation numbers (as Float), optionally stacked: the
// state path of the `mlp` network: each task writes its own `observationCount` numbers (CartPole its 4
// state numbers, Acrobot-v1 the cos and sin of both angles and the two velocities).

/// CartPole through its state numbers (the tests' type).
public typealias StateCartPole = StateObservation<CartPole>

/// An environment observed through its observation vector, stacked k deep.
public final class StateObservation<E: Environment>: EnvironmentObservationSource {
    public private(set) var env: E
    public private(set) var stack: FrameStackOf<Float>
    public private(set) var newestFrame: [Float]

    public init(env: E, frameStack: Int = 1) {
        self.env = env
        stack = FrameStackOf<Float>(depth: frameStack, frameSize: env.id.observationCount)
        newestFrame = [Float](repeating: 0, count: env.id.observationCount)
    }

    public var frameSize: Int { newestFrame.count }
    public var stackDepth: Int { stack.depth }

    private func observe(_ s: E.State) {
        newestFrame.withUnsafeMutableBufferPointer { env.observe(s, into: $0) }
    }

    public func reset<G: RandomNumberGenerator>(using rng: inout G) {
        observe(env.reset(using: &rng))
        stack.reset(start: newestFrame)
    }

    public func step(_ action: Int) throws -> EnvironmentStep<E.State> {
        let r = try env.step(action)
        observe(r.state)
        stack.push(newestFrame)
        return r
    }

    public func copyObservation(into output: UnsafeMutableBufferPointer<Float>) { stack.copyStack(into: output) }

    public func restore(state: E.State, elapsedSteps: Int, frames: [Float]) {
        env.resume(at: state, elapsedSteps: elapsedSteps)
        stack.restore(frames: frames)
        observe(state)
    }

    public func newestFrameProblem(state: E.State, frames: [Float]) -> String? {
        var seen = [Float](repeating: 0, count: frameSize)
        seen.withUnsafeMutableBufferPointer { env.observe(state, into: $0) }
        let newest = Array(frames.suffix(frameSize))
        guard newest == seen else {
            return "the newest frame of φ is \(newest), but the state's observation is \(seen)"
        }
        return nil
    }
}

extension StateObservation where E == CartPole {
    public convenience init(version: CartPoleVersion = .v1, frameStack: Int = 1) {
        self.init(env: CartPole(version: version), frameStack: frameStack)
    }

    /// - Precondition: `version` is CartPole-v0 or CartPole-v1.
    public convenience init(version: EnvironmentID, frameStack: Int = 1) {
        guard let v = version.cartPoleVersion else { preconditionFailure("StateCartPole: \(version.rawValue) is not CartPole") }
        self.init(version: v, frameStack: frameStack)
    }
}

extension StateObservation where E == AnyEnvironment {
    public convenience init(id: EnvironmentID, frameStack: Int = 1) {
        self.init(env: AnyEnvironment(id), frameStack: frameStack)
    }
}
