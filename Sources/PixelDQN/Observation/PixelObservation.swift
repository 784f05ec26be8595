// A task seen through pixels: each step renders the new state into an 84x84 (configurable)
// gray frame and pushes it onto φ. Optional Atari-style frame skip repeats an action and keeps the
// pixelwise max of the last two rendered frames. All buffers are allocated once.

/// CartPole through pixels (the tests' and the shipped model's type).
public typealias PixelCartPole = PixelObservation<CartPole>

/// The pixel observation path: environment → Rasterizer → (frame skip) → FrameStack φ.
public final class PixelObservation<E: Environment> {
    public private(set) var env: E
    public let rasterizer: Rasterizer
    public private(set) var stack: FrameStack
    /// Env steps per agent step (1 = no skipping); rewards are summed over them.
    public let frameSkip: Int
    /// Frames are stored as 255 − gray: the white background becomes 0 and the shapes bright.
    public let invert: Bool
    /// The newest frame pushed onto φ.
    public private(set) var frame: [UInt8]
    private var previous: [UInt8]

    public init(env: E, width: Int = 84, height: Int = 84, frameStack: Int = 4, frameSkip: Int = 1, invert: Bool = false) {
        precondition(frameSkip >= 1, "PixelObservation: frame skip must be at least 1, got \(frameSkip)")
        self.env = env
        rasterizer = Rasterizer(width: width, height: height, layout: env.sceneLayout)
        stack = FrameStack(depth: frameStack, frameSize: width * height)
        self.frameSkip = frameSkip
        self.invert = invert
        frame = [UInt8](repeating: 0, count: width * height)
        previous = frame
    }

    public var frameSize: Int { rasterizer.frameSize }
    /// Bytes of one φ observation: k × H × W.
    public var observationSize: Int { stack.depth * frameSize }

    /// Resets the environment with `rng` and φ to k−1 zero frames and the start frame.
    public func reset<G: RandomNumberGenerator>(using rng: inout G) {
        env.reset(using: &rng)
        startEpisode()
    }

    /// Resets to a given state (for tests and `trace`).
    public func reset(to state: E.State) {
        env.reset(to: state)
        startEpisode()
    }

    private func startEpisode() {
        renderFrame()
        stack.reset(start: frame)
    }

    /// Draws the current state into `frame`.
    private func renderFrame() {
        frame.withUnsafeMutableBufferPointer { draw(env.state, into: $0) }
    }

    /// Draws `state` into `f` as φ sees it (inverted with `invert`).
    private func draw(_ state: E.State, into f: UnsafeMutableBufferPointer<UInt8>) {
        rasterizer.render(state, of: env, into: f)
        if invert { for i in f.indices { f[i] = 255 &- f[i] } }
    }

    /// Applies `action` for `frameSkip` env steps (stopping early at the episode's end), pushes
    /// the resulting frame onto φ and returns the last step with the summed reward.
    public func step(_ action: Int) throws -> EnvironmentStep<E.State> {
        var total = 0.0
        var result = try env.step(action)
        total += result.reward
        var taken = 1
        while taken < frameSkip && !result.done {
            if taken == frameSkip - 1 {
                swap(&frame, &previous)
                renderFrame()
            }
            result = try env.step(action)
            total += result.reward
            taken += 1
        }
        renderFrame()
        if frameSkip > 1 && taken == frameSkip {
            // Max over the last two frames (DeepMind's flicker fix): `previous` holds the frame
            // one env step before the last.
            for i in 0..<frame.count { frame[i] = max(frame[i], previous[i]) }
        }
        stack.push(frame)
        result.reward = total
        return result
    }

    /// Restores a saved episode mid-way (see `ObservationSource.restore`).
    public func restore(state: E.State, elapsedSteps: Int, frames: [UInt8]) {
        env.resume(at: state, elapsedSteps: elapsedSteps)
        stack.restore(frames: frames)
        let n = frameSize
        for i in 0..<n { frame[i] = frames[frames.count - n + i] }
    }

    /// The newest frame is the state drawn (inverted with `invert`); with frame skip it is the
    /// pixelwise max of that and the frame before, so at least the state drawn at every pixel.
    public func newestFrameProblem(state: E.State, frames: [UInt8]) -> String? {
        var drawn = [UInt8](repeating: 0, count: frameSize)
        drawn.withUnsafeMutableBufferPointer { draw(state, into: $0) }
        let newest = frames.suffix(frameSize)
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
