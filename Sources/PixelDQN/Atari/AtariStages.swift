// The Atari preprocessing, one small stage per concern, composed like Gymnasium's wrappers and
// SB3's `AtariWrapper` (each stage wraps the one below and changes one thing):
//
//   AtariGameStage   one emulator frame per step; an action index of the minimal set
//   NoopReset        a reset also plays 1…noop_max NOOP frames (random starts)
//   SkipAndMax       an action repeats for `skip` frames; the screen is the max of the last two
//   EpisodicLife     a lost life ends the learner's episode, not the game
//   FireReset        a reset presses FIRE (then action 2), for games that wait for it
//
// Then AtariObservation resizes the screen to 84x84 (AreaResize), and the trainer clips rewards
// to their sign and stacks φ. AtariObservation's checkpoint holds the state of the two stages
// that have any (SkipAndMax's screens, EpisodicLife's lives).

/// What one step of a stage returns: the game's reward summed over the frames it played.
public struct AtariStep: Equatable, Sendable {
    public var reward: Double
    public var terminated: Bool
    public var truncated: Bool
    public var lives: Int
    public var done: Bool { terminated || truncated }
}

/// One stage of the preprocessing; `emulator` is the game all stages share.
public protocol AtariStage: AnyObject {
    var emulator: ALEEmulator { get }
    /// Starts an episode; `noops` is the number of NOOP frames a NoopReset below plays.
    func reset(noops: Int)
    func step(_ action: Int) -> AtariStep
}

/// The game itself, as Gymnasium's `AtariEnv` with `frameskip=1`: action index → ALE code, the
/// reward of one frame, `terminated` at game over, `truncated` at the frame cap.
public final class AtariGameStage: AtariStage {
    public let emulator: ALEEmulator
    public let actionCodes: [Int32]

    public init(emulator: ALEEmulator, actionCodes: [Int32]) {
        self.emulator = emulator
        self.actionCodes = actionCodes
    }

    public func reset(noops: Int) { emulator.resetGame() }

    public func step(_ action: Int) -> AtariStep {
        precondition(actionCodes.indices.contains(action), "AtariGameStage.step: action \(action) outside 0..<\(actionCodes.count)")
        let reward = emulator.act(actionCodes[action])
        return AtariStep(reward: Double(reward), terminated: emulator.isGameOver, truncated: emulator.isTruncated, lives: emulator.lives)
    }
}

/// Random starts (Mnih et al. 2015; SB3's `NoopResetEnv`): after the inner reset, `noops` NOOP
/// frames (the caller draws 1…noop_max); a game that ends meanwhile is reset again.
public final class NoopReset: AtariStage {
    let inner: AtariStage
    public var emulator: ALEEmulator { inner.emulator }
    public init(_ inner: AtariStage) { self.inner = inner }

    public func reset(noops: Int) {
        inner.reset(noops: noops)
        for _ in 0..<noops where inner.step(0).done { inner.reset(noops: noops) }
    }

    public func step(_ action: Int) -> AtariStep { inner.step(action) }
}

/// Gymnasium's `AtariPreprocessing` frame skip: the action repeats for `skip` frames (rewards
/// summed, stopping at the episode's end), the gray screen is grabbed after the second-to-last
/// and the last frame into two buffers, and the observation is their pixelwise max, written
/// into the first buffer. A reset grabs the first buffer and zeroes the second. When an episode
/// ends before the last frame, the buffers keep what they held (Gymnasium does the same).
public final class SkipAndMax: AtariStage {
    let inner: AtariStage
    public let skip: Int
    public var emulator: ALEEmulator { inner.emulator }
    /// Screen buffers, height × width: `screens[0]` holds the pooled observation after a step.
    public private(set) var screens: [[UInt8]]

    public init(_ inner: AtariStage, skip: Int) {
        precondition(skip >= 1, "SkipAndMax: skip must be at least 1, got \(skip)")
        self.inner = inner
        self.skip = skip
        let size = inner.emulator.screenHeight * inner.emulator.screenWidth
        screens = [[UInt8](repeating: 0, count: size), [UInt8](repeating: 0, count: size)]
    }

    public func reset(noops: Int) {
        inner.reset(noops: noops)
        screens[0].withUnsafeMutableBufferPointer { emulator.grayScreen(into: $0) }
        for i in screens[1].indices { screens[1][i] = 0 }
        pool()
    }

    public func step(_ action: Int) -> AtariStep {
        var total = 0.0
        var last = AtariStep(reward: 0, terminated: false, truncated: false, lives: emulator.lives)
        for t in 0..<skip {
            last = inner.step(action)
            total += last.reward
            if last.done { break }
            if t == skip - 2 {
                screens[1].withUnsafeMutableBufferPointer { emulator.grayScreen(into: $0) }
            } else if t == skip - 1 {
                screens[0].withUnsafeMutableBufferPointer { emulator.grayScreen(into: $0) }
            }
        }
        pool()
        last.reward = total
        return last
    }

    /// The max of the two buffers into the first (with skip 1, the first buffer alone).
    private func pool() {
        guard skip > 1 else { return }
        for i in screens[0].indices where screens[1][i] > screens[0][i] { screens[0][i] = screens[1][i] }
    }

    /// Restores the two buffers from a checkpoint.
    /// - Precondition: each holds height × width gray levels.
    public func restore(screens first: [UInt8], _ second: [UInt8]) {
        precondition(first.count == screens[0].count && second.count == screens[1].count, "SkipAndMax.restore: screens of \(first.count) and \(second.count) bytes")
        screens = [first, second]
    }
}

/// A lost life ends the learner's episode (Mnih et al. 2015; SB3's `EpisodicLifeEnv`): `step`
/// reports `terminated` when the lives fall but some remain; the next `reset` then continues
/// the same game with one NOOP step instead of a new game. Only a real game over resets.
public final class EpisodicLife: AtariStage {
    let inner: AtariStage
    public var emulator: ALEEmulator { inner.emulator }
    public private(set) var lives = 0
    public private(set) var wasRealDone = true

    /// The step that starts the next life's episode: NOOP.
    public static let nextLifeAction = 0

    public init(_ inner: AtariStage) { self.inner = inner }

    public func reset(noops: Int) {
        if wasRealDone {
            inner.reset(noops: noops)
        } else if inner.step(Self.nextLifeAction).done {
            inner.reset(noops: noops)
        }
        lives = emulator.lives
        wasRealDone = false
    }

    public func step(_ action: Int) -> AtariStep {
        var result = inner.step(action)
        wasRealDone = result.done
        if result.lives < lives && result.lives > 0 { result.terminated = true }
        lives = result.lives
        return result
    }

    /// Restores the lives and whether the last step ended the game, from a checkpoint.
    public func restore(lives: Int, wasRealDone: Bool) {
        self.lives = lives
        self.wasRealDone = wasRealDone
    }
}

/// Presses FIRE after a reset (SB3's `FireResetEnv`): FIRE (action 1), then action 2, each a
/// step of the stage below; an episode that ends meanwhile is reset again.
public final class FireReset: AtariStage {
    let inner: AtariStage
    public var emulator: ALEEmulator { inner.emulator }
    /// The steps after a reset: FIRE, then action 2.
    public static let serveActions = [1, 2]

    public init(_ inner: AtariStage) { self.inner = inner }

    public func reset(noops: Int) {
        inner.reset(noops: noops)
        for action in Self.serveActions where inner.step(action).done { inner.reset(noops: noops) }
    }

    public func step(_ action: Int) -> AtariStep { inner.step(action) }
}
