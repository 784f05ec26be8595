// An Atari game seen as DQN sees it: the stages of AtariStages.swift composed from the run's
// settings, the pooled 210×160 gray screen shrunk to 84×84 (AreaResize), and φ, the last k frames
// padded with zero frames at an episode's start. Training sees lives as episode ends and FIRE
// after resets; evaluation plays whole games whose lives start as the learner's episodes do
// (`LifeLoss`). The trainer clips training rewards to their sign
// (`TrainingConfig.learnerReward`); what this source reports is the game's score.
import Foundation

/// What an Atari step reports beside reward and ends.
public struct AtariStepState: Equatable, Sendable {
    public var lives: Int
    /// Emulator frames since the game began.
    public var frame: Int
}

/// What a lost life does to an Atari source's episode.
public enum LifeLoss: Sendable {
    /// Ends the learner's episode (training; SB3's `EpisodicLifeEnv`): the next reset goes on
    /// with the same game, one NOOP and FIRE (where the game waits for it) first.
    case endsEpisode
    /// Nothing: an episode is a whole game and the agent serves itself (Gymnasium's
    /// `AtariPreprocessing` with `terminal_on_life_loss=False`; `trace`).
    case ignored
    /// An episode is a whole game, and each new life starts as a training episode starts: a
    /// NOOP, FIRE then action 2 where the game waits for FIRE, φ padded with zero frames anew;
    /// every frame's reward counts (evaluation, `evaluate`, `play`: what the learner was trained
    /// on, and how CleanRL and SB3 evaluate, through their training wrappers).
    case restartsLife
}

/// The Atari pixel path: emulator → no-op reset → skip-and-max → (episodic life) → fire reset →
/// 84x84 → φ.
public final class AtariObservation: ObservationSource {
    public let game: AtariGame
    public let taskID: EnvironmentID
    public let emulator: ALEEmulator
    /// The outermost stage (what `reset` and `step` call).
    private let top: AtariStage
    private let skipStage: SkipAndMax
    private let lifeStage: EpisodicLife?
    public let lifeLoss: LifeLoss
    /// Whether resets press FIRE (FireReset is in the chain).
    private let firesOnReset: Bool
    private let resize: AreaResize
    public private(set) var stack: FrameStack
    /// The newest frame pushed onto φ.
    public private(set) var frame: [UInt8]
    /// Random starts: a reset plays 1…noopMax NOOP frames (0 = none).
    public let noopMax: Int
    public private(set) var isRunning = false
    /// Agent steps since the learner's episode began.
    public private(set) var elapsedSteps = 0

    /// - Parameters:
    ///   - lifeLoss: what a lost life does to the episode.
    ///   - fireReset: press FIRE after resets; nil: when the game needs it (`AtariGame.needsFire`).
    ///   - seed: ALE's `random_seed` (its sticky actions in v5).
    public init(game: AtariGame, size: Int = 84, frameStack: Int = 4, frameSkip: Int = 4, noopMax: Int = 30,
                lifeLoss: LifeLoss, fireReset: Bool? = nil, seed: Int32) throws {
        self.game = game
        guard let id = EnvironmentID(rawValue: game.id.gymnasiumID) else {
            preconditionFailure("AtariObservation: \(game.id.gymnasiumID) is not an id")
        }
        taskID = id
        emulator = try game.makeEmulator(seed: seed)
        var stage: AtariStage = AtariGameStage(emulator: emulator, actionCodes: game.actionCodes)
        if noopMax > 0 { stage = NoopReset(stage) }
        let skip = SkipAndMax(stage, skip: frameSkip)
        skipStage = skip
        stage = skip
        if lifeLoss == .ignored {
            lifeStage = nil
        } else {
            let life = EpisodicLife(stage)
            lifeStage = life
            stage = life
        }
        self.lifeLoss = lifeLoss
        firesOnReset = fireReset ?? game.needsFire
        if firesOnReset { stage = FireReset(stage) }
        top = stage
        self.noopMax = noopMax
        resize = AreaResize(sourceWidth: emulator.screenWidth, sourceHeight: emulator.screenHeight, width: size, height: size)
        stack = FrameStack(depth: frameStack, frameSize: size * size)
        frame = [UInt8](repeating: 0, count: size * size)
    }

    /// A run's training source (lost lives end episodes) or its evaluation source (whole games,
    /// each life started as training starts it), as `config` describes them; ALE's seed (sticky
    /// actions in v5) comes from the run's seed.
    /// - Precondition: `config.env` is an Atari game that `AtariGame.load` checked.
    public convenience init(config: TrainingConfig, training: Bool) throws {
        guard let atari = config.env.atari else { preconditionFailure("AtariObservation: \(config.env.rawValue) is not an Atari game") }
        try self.init(game: AtariGame.loaded(atari), config: config, lifeLoss: training ? .endsEpisode : .restartsLife,
                      seed: Int32(truncatingIfNeeded: config.seed &+ (training ? 0 : 1)))
    }

    /// The source a model trained with `config` plays whole games on (`evaluate`, `play`), ALE
    /// seeded with `seed`.
    public static func wholeGames(_ game: AtariGame, config: TrainingConfig, seed: Int32) throws -> AtariObservation {
        try AtariObservation(game: game, config: config, lifeLoss: .restartsLife, seed: seed)
    }

    private convenience init(game: AtariGame, config: TrainingConfig, lifeLoss: LifeLoss, seed: Int32) throws {
        try self.init(game: game, size: config.frameSize, frameStack: config.frameStack, frameSkip: config.frameSkip,
                      lifeLoss: lifeLoss, seed: seed)
    }

    /// The emulator carries its own state from game to game (its random generator, which v5's
    /// sticky actions draw from), so two evaluations of the same weights are played out.
    public var episodesFollowFromGenerator: Bool { false }

    public var frameSize: Int { frame.count }
    public var stackDepth: Int { stack.depth }
    public var newestFrame: [UInt8] { frame }
    public var actionCount: Int { game.actionCodes.count }

    /// Starts an episode: the number of no-ops is drawn from `rng` (always, so the generator
    /// advances alike whether or not the game really resets).
    public func reset<G: RandomNumberGenerator>(using rng: inout G) {
        let noops = noopMax > 0 ? Int.random(in: 1...noopMax, using: &rng) : 0
        top.reset(noops: noops)
        shrink()
        stack.reset(start: frame)
        isRunning = true
        elapsedSteps = 0
    }

    public func step(_ action: Int) throws -> EnvironmentStep<AtariStepState> {
        guard game.actionCodes.indices.contains(action) else { throw EnvironmentError.invalidAction(taskID, action) }
        guard isRunning else { throw EnvironmentError.stepAfterEpisodeEnd(taskID, steps: elapsedSteps) }
        var r = top.step(action)
        if lifeLoss == .restartsLife && r.terminated && lifeStage?.wasRealDone == false {
            r = startNextLife(after: r)
        } else {
            shrink()
            stack.push(frame)
        }
        elapsedSteps += 1
        isRunning = !r.done
        return EnvironmentStep(state: AtariStepState(lives: r.lives, frame: emulator.episodeFrameNumber), reward: r.reward,
                               terminated: r.terminated, truncated: r.truncated)
    }

    /// A life was lost and the game goes on (`LifeLoss.restartsLife`): the steps a training reset
    /// plays after a lost life (EpisodicLife's NOOP, then FireReset's FIRE and action 2), their
    /// rewards added to the step's, and φ started anew; the game's end during them ends the
    /// episode.
    private func startNextLife(after lost: AtariStep) -> AtariStep {
        guard let lifeStage else { preconditionFailure("AtariObservation: lives restart without EpisodicLife") }
        var result = lost
        result.terminated = false
        for action in [EpisodicLife.nextLifeAction] + (firesOnReset ? FireReset.serveActions : []) {
            let s = skipStage.step(action)
            result.reward += s.reward
            result.lives = s.lives
            if s.done {
                result.terminated = s.terminated
                result.truncated = s.truncated
                break
            }
        }
        lifeStage.restore(lives: result.lives, wasRealDone: result.done)
        shrink()
        if result.done { stack.push(frame) } else { stack.reset(start: frame) }
        return result
    }

    /// The pooled screen (SkipAndMax's first buffer) shrunk into `frame`.
    private func shrink() {
        skipStage.screens[0].withUnsafeBufferPointer { src in
            frame.withUnsafeMutableBufferPointer { resize.apply(src, into: $0) }
        }
    }

    public func copyObservation(into output: UnsafeMutableBufferPointer<UInt8>) { stack.copyStack(into: output) }

    /// The pooled gray screen at full size (height × width), as the agent's 84x84 frame was made from.
    public var pooledScreen: [UInt8] { skipStage.screens[0] }

    /// The current screen in colour (height × width × 3), for pictures of an episode.
    public func rgbScreen() -> [UInt8] {
        var rgb = [UInt8](repeating: 0, count: emulator.screenHeight * emulator.screenWidth * 3)
        rgb.withUnsafeMutableBufferPointer { emulator.rgbScreen(into: $0) }
        return rgb
    }

    // MARK: Checkpoints

    public func saveEpisode(into file: inout SafetensorsFile) {
        file.metadata["env_running"] = "\(isRunning)"
        file.metadata["env_elapsed"] = "\(elapsedSteps)"
        file.set("env_ale_state", SafetensorsTensor(uint8s: emulator.saveState()))
        file.set("env_screens", SafetensorsTensor(uint8s: skipStage.screens[0] + skipStage.screens[1]))
        if let lifeStage {
            file.metadata["env_lives"] = "\(lifeStage.lives)"
            file.metadata["env_real_done"] = "\(lifeStage.wasRealDone)"
        }
    }

    public func episodeRestorer(from file: SafetensorsFile, reader: MetadataReader, phi: [UInt8],
                                episodeLength: Int, frameSkip: Int) throws -> EpisodeRestorer {
        let fail = reader.fail
        func bytes(_ name: String) throws -> [UInt8] {
            do { return try file.tensor(name).uint8s(name: name) } catch { throw fail("tensor \(name): expected the bytes written with the checkpoint (\(error))") }
        }
        let running = try reader.bool("env_running")
        let elapsed = try reader.int("env_elapsed", 0...AtariGameID.maxFramesPerEpisode)
        if running && elapsed != episodeLength {
            throw fail("metadata field \"env_elapsed\" is \(elapsed), expected \(episodeLength) (the episode's agent steps, episode_length)")
        }
        let state = try bytes("env_ale_state")
        let screens = try bytes("env_screens")
        let screenSize = emulator.screenHeight * emulator.screenWidth
        guard screens.count == 2 * screenSize else {
            throw fail("tensor env_screens: expected \(2 * screenSize) bytes (two \(emulator.screenHeight)x\(emulator.screenWidth) screens), found \(screens.count)")
        }
        var lives = 0, realDone = true
        if lifeStage != nil {
            lives = try reader.int("env_lives", 0...255)
            realDone = try reader.bool("env_real_done")
        }
        // The emulator state must load: tried on a scratch emulator of the same game first.
        let scratch = try game.makeEmulator(seed: 0)
        do { try scratch.restoreState(state) } catch { throw fail("tensor env_ale_state: \(error)") }
        // φ's newest frame is the pooled screen shrunk.
        var shrunk = [UInt8](repeating: 0, count: frameSize)
        screens.withUnsafeBufferPointer { s in
            shrunk.withUnsafeMutableBufferPointer { resize.apply(UnsafeBufferPointer(rebasing: s[0..<screenSize]), into: $0) }
        }
        if running && Array(phi.suffix(frameSize)) != shrunk {
            throw fail("tensor phi does not match tensor env_screens: φ's newest frame is not the saved screen shrunk to \(resize.width)x\(resize.height)")
        }
        return EpisodeRestorer(running: running) { [self] in
            do { try emulator.restoreState(state) } catch { preconditionFailure("AtariObservation: a state that loaded once failed: \(error)") }
            skipStage.restore(screens: Array(screens[0..<screenSize]), Array(screens[screenSize...]))
            lifeStage?.restore(lives: lives, wasRealDone: realDone)
            stack.restore(frames: phi)
            frame = shrunk
            isRunning = running
            elapsedSteps = elapsed
        }
    }
}
