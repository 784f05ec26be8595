// What the agent observes: either φ over rendered frames (pixels) or the CartPole state numbers.
// The trainer is generic over this protocol, so both paths share one loop.

/// An environment seen through an observation φ of `stackDepth` frames of `frameSize` elements.
public protocol ObservationSource: AnyObject {
    associatedtype Element: Numeric & Sendable
    var env: CartPole { get }
    var frameSize: Int { get }
    var stackDepth: Int { get }
    /// The newest frame of φ (what the replay memory stores once per step).
    var newestFrame: [Element] { get }
    func reset<G: RandomNumberGenerator>(using rng: inout G)
    func step(_ action: Int) throws -> CartPoleStep
    /// Copies φ (k × frameSize, oldest first) into `output`.
    func copyObservation(into output: UnsafeMutableBufferPointer<Element>)
    /// Restores a saved episode: env state, steps taken and the frames of φ (oldest first).
    func restore(state: CartPoleState, elapsedSteps: Int, frames: [Element])
}

extension ObservationSource {
    public var observationSize: Int { stackDepth * frameSize }
}

extension PixelCartPole: ObservationSource {
    public var stackDepth: Int { stack.depth }
    public var newestFrame: [UInt8] { frame }
}

/// CartPole observed through its four state numbers (as Float), optionally stacked.
public final class StateCartPole: ObservationSource {
    public private(set) var env: CartPole
    public private(set) var stack: FrameStackOf<Float>
    public private(set) var newestFrame: [Float]

    public init(version: CartPoleVersion = .v1, frameStack: Int = 1) {
        env = CartPole(version: version)
        stack = FrameStackOf<Float>(depth: frameStack, frameSize: 4)
        newestFrame = [0, 0, 0, 0]
    }

    public var frameSize: Int { 4 }
    public var stackDepth: Int { stack.depth }

    private func observe(_ s: CartPoleState) {
        newestFrame[0] = Float(s.x); newestFrame[1] = Float(s.xDot)
        newestFrame[2] = Float(s.theta); newestFrame[3] = Float(s.thetaDot)
    }

    public func reset<G: RandomNumberGenerator>(using rng: inout G) {
        observe(env.reset(using: &rng))
        stack.reset(start: newestFrame)
    }

    public func step(_ action: Int) throws -> CartPoleStep {
        let r = try env.step(action)
        observe(r.state)
        stack.push(newestFrame)
        return r
    }

    public func copyObservation(into output: UnsafeMutableBufferPointer<Float>) { stack.copyStack(into: output) }

    public func restore(state: CartPoleState, elapsedSteps: Int, frames: [Float]) {
        env.resume(at: state, elapsedSteps: elapsedSteps)
        stack.restore(frames: frames)
        observe(state)
    }
}
