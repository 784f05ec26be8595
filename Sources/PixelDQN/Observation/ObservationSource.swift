// What the agent observes: either φ over rendered frames (pixels) or the task's observation
// numbers. The trainer is generic over this protocol, so both paths share one loop.

/// An environment seen through an observation φ of `stackDepth` frames of `frameSize` elements.
public protocol ObservationSource: AnyObject {
    associatedtype Element: Numeric & Sendable
    associatedtype Env: Environment
    var env: Env { get }
    var frameSize: Int { get }
    var stackDepth: Int { get }
    /// The newest frame of φ (what the replay memory stores once per step).
    var newestFrame: [Element] { get }
    func reset<G: RandomNumberGenerator>(using rng: inout G)
    func step(_ action: Int) throws -> EnvironmentStep<Env.State>
    /// Copies φ (k × frameSize, oldest first) into `output`.
    func copyObservation(into output: UnsafeMutableBufferPointer<Element>)
    /// Restores a saved episode: env state, steps taken and the frames of φ (oldest first).
    func restore(state: Env.State, elapsedSteps: Int, frames: [Element])
    /// Why saved frames of φ (oldest first) cannot have been observed in `state`, or nil: their
    /// newest frame must be what the state shows. Checked before a running episode is restored.
    func newestFrameProblem(state: Env.State, frames: [Element]) -> String?
}

extension ObservationSource {
    public var observationSize: Int { stackDepth * frameSize }
}

extension PixelObservation: ObservationSource {
    public var stackDepth: Int { stack.depth }
    public var newestFrame: [UInt8] { frame }
}
