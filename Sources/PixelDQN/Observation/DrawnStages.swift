// A drawn task's pixels, one small stage per concern, as the Atari preprocessing's stages are
// (AtariStages.swift):
//
//   DrawnScene       the task and the rasterizer: the current state drawn as an H×W gray frame
//   InvertFrame      255 − gray (--invert-frames): the white background becomes 0, the shapes bright
//   SkipAndMaxFrames an action repeats for `skip` env steps (rewards summed, stopping at the end);
//                    the frame is the pixelwise max of the last two drawn (DeepMind's flicker fix)
//
// PixelObservation composes them from its settings and pushes each agent step's frame onto φ
// (FrameStack). Every buffer is allocated once.

/// 255 − gray: the white background becomes 0 and the shapes bright.
public enum InvertFrame {
    public static func apply(to frame: UnsafeMutableBufferPointer<UInt8>) {
        for i in frame.indices { frame[i] = 255 &- frame[i] }
    }
}

/// The task and its rasterizer: draws a state as the agent sees it (inverted with `invert`).
public final class DrawnScene<E: Environment> {
    public internal(set) var env: E
    public let rasterizer: Rasterizer
    public let invert: Bool

    public init(env: E, width: Int, height: Int, invert: Bool) {
        self.env = env
        rasterizer = Rasterizer(width: width, height: height, layout: env.sceneLayout)
        self.invert = invert
    }

    /// Gray levels of one frame (H × W).
    public var frameSize: Int { rasterizer.frameSize }

    /// Draws `state` into `frame`, then inverts it with `invert`.
    public func draw(_ state: E.State, into frame: UnsafeMutableBufferPointer<UInt8>) {
        rasterizer.render(state, of: env, into: frame)
        if invert { InvertFrame.apply(to: frame) }
    }

    /// Draws the current state into `frame`.
    public func drawCurrent(into frame: UnsafeMutableBufferPointer<UInt8>) { draw(env.state, into: frame) }
}

/// Frame skip with max-pooling over a drawn scene: `frame` is what one agent step shows.
public final class SkipAndMaxFrames<E: Environment> {
    public let scene: DrawnScene<E>
    /// Env steps per agent step (1 = no skipping).
    public let skip: Int
    /// The frame of the last reset or agent step.
    public private(set) var frame: [UInt8]
    /// The frame drawn one env step before the last (used when `skip` > 1).
    private var previous: [UInt8]

    public init(scene: DrawnScene<E>, skip: Int) {
        precondition(skip >= 1, "SkipAndMaxFrames: skip must be at least 1, got \(skip)")
        self.scene = scene
        self.skip = skip
        frame = [UInt8](repeating: 0, count: scene.frameSize)
        previous = frame
    }

    /// Draws the state the scene's task is in now (after a reset, or a restore).
    public func drawStart() {
        frame.withUnsafeMutableBufferPointer { scene.drawCurrent(into: $0) }
    }

    /// Applies `action` for `skip` env steps (stopping early at the episode's end) and draws
    /// the result: the max of the last two frames when all `skip` steps were taken, otherwise
    /// the last frame. Returns the last env step with the rewards summed.
    public func step(_ action: Int) throws -> EnvironmentStep<E.State> {
        var total = 0.0
        var result = try scene.env.step(action)
        total += result.reward
        var taken = 1
        while taken < skip && !result.done {
            if taken == skip - 1 {
                // The frame after env step skip − 1, kept in `previous` for the max.
                drawStart()
                swap(&frame, &previous)
            }
            result = try scene.env.step(action)
            total += result.reward
            taken += 1
        }
        drawStart()
        if skip > 1 && taken == skip {
            for i in 0..<frame.count { frame[i] = max(frame[i], previous[i]) }
        }
        result.reward = total
        return result
    }

    /// Sets the frame (a checkpoint's newest frame of φ).
    /// - Precondition: `newest` holds one frame.
    public func restore(frame newest: ArraySlice<UInt8>) {
        precondition(newest.count == frame.count, "SkipAndMaxFrames.restore: \(newest.count) bytes, expected \(frame.count)")
        frame = Array(newest)
    }
}
