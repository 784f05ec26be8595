// A task seen through pixels: each step draws the new state into an 84x84 (configurable) gray
// frame and pushes it onto φ. Optional Atari-style frame skip repeats an action and keeps the
// pixelwise max of the last two drawn frames. The stages are in DrawnStages.swift.

/// CartPole through pixels (the tests' and the shipped model's type).
public typealias PixelCartPole = PixelObservation<CartPole>

/// The pixel observation path, composed of its stages (DrawnStages.swift): the task drawn by the
/// rasterizer (DrawnScene, inverted with `invert`: InvertFrame) → frame skip with max-pooling
/// (SkipAndMaxFrames) → φ (FrameStack).
public final class PixelObservation<E: Environment> {
    public let scene: DrawnScene<E>
    public let frames: SkipAndMaxFrames<E>
    public private(set) var stack: FrameStack

    public init(env: E, width: Int = 84, height: Int = 84, frameStack: Int = 4, frameSkip: Int = 1, invert: Bool = false) {
        precondition(frameSkip >= 1, "PixelObservation: frame skip must be at least 1, got \(frameSkip)")
        scene = DrawnScene(env: env, width: width, height: height, invert: invert)
        frames = SkipAndMaxFrames(scene: scene, skip: frameSkip)
        stack = FrameStack(depth: frameStack, frameSize: width * height)
    }

    public var env: E { scene.env }
    public var rasterizer: Rasterizer { scene.rasterizer }
    /// Env steps per agent step (1 = no skipping); rewards are summed over them.
    public var frameSkip: Int { frames.skip }
    /// Frames are stored as 255 − gray: the white background becomes 0 and the shapes bright.
    public var invert: Bool { scene.invert }
    /// The newest frame pushed onto φ.
    public var frame: [UInt8] { frames.frame }

    public var frameSize: Int { scene.frameSize }
    /// Bytes of one φ observation: k × H × W.
    public var observationSize: Int { stack.depth * frameSize }

    /// Resets the environment with `rng` and φ to k−1 zero frames and the start frame.
    public func reset<G: RandomNumberGenerator>(using rng: inout G) {
        scene.env.reset(using: &rng)
        startEpisode()
    }

    /// Resets to a given state (for tests and `trace`).
    public func reset(to state: E.State) {
        scene.env.reset(to: state)
        startEpisode()
    }

    private func startEpisode() {
        frames.drawStart()
        frames.frame.withUnsafeBufferPointer { stack.reset(start: $0) }
    }

    /// Applies `action` for `frameSkip` env steps (stopping early at the episode's end), pushes
    /// the resulting frame onto φ and returns the last step with the summed reward.
    public func step(_ action: Int) throws -> EnvironmentStep<E.State> {
        let result = try frames.step(action)
        stack.push(frames.frame)
        return result
    }

    /// Restores a saved episode mid-way (see `ObservationSource.restore`).
    public func restore(state: E.State, elapsedSteps: Int, frames saved: [UInt8]) {
        scene.env.resume(at: state, elapsedSteps: elapsedSteps)
        stack.restore(frames: saved)
        frames.restore(frame: saved.suffix(frameSize))
    }

    /// The newest frame is the state drawn (inverted with `invert`); with frame skip it is the
    /// pixelwise max of that and the frame before, so at least the state drawn at every pixel.
    public func newestFrameProblem(state: E.State, frames saved: [UInt8]) -> String? {
        var drawn = [UInt8](repeating: 0, count: frameSize)
        drawn.withUnsafeMutableBufferPointer { scene.draw(state, into: $0) }
        let newest = saved.suffix(frameSize)
        let differing = zip(newest, drawn).filter { frameSkip == 1 ? $0 != $1 : $0 < $1 }.count
        guard differing == 0 else {
            let relation = frameSkip == 1 ? "differ from" : "are darker than"
            return "\(differing) of the \(frameSize) pixels of φ's newest frame \(relation) the state drawn\(invert ? " (inverted)" : "")"
        }
        return nil
    }

    /// Copies φ (k × H × W, oldest first) into `output`.
    public func copyObservation(into output: UnsafeMutableBufferPointer<UInt8>) {
        stack.copyStack(into: output)
    }
}

extension PixelObservation where E == CartPole {
    /// CartPole of `version` through pixels.
    public convenience init(version: CartPoleVersion = .v1, width: Int = 84, height: Int = 84,
                            frameStack: Int = 4, frameSkip: Int = 1) {
        self.init(env: CartPole(version: version), width: width, height: height, frameStack: frameStack, frameSkip: frameSkip)
    }

    /// CartPole of a CartPole id through pixels.
    /// - Precondition: `version` is CartPole-v0 or CartPole-v1.
    public convenience init(version: EnvironmentID, width: Int = 84, height: Int = 84,
                            frameStack: Int = 4, frameSkip: Int = 1) {
        guard let v = version.cartPoleVersion else { preconditionFailure("PixelCartPole: \(version.rawValue) is not CartPole") }
        self.init(version: v, width: width, height: height, frameStack: frameStack, frameSkip: frameSkip)
    }
}

extension PixelObservation where E == AnyEnvironment {
    /// The task `id` through pixels.
    public convenience init(id: EnvironmentID, width: Int = 84, height: Int = 84, frameStack: Int = 4, frameSkip: Int = 1,
                            invert: Bool = false) {
        self.init(env: AnyEnvironment(id), width: width, height: height, frameStack: frameStack, frameSkip: frameSkip, invert: invert)
    }
}
