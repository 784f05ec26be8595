// `pixel-dqn evaluate` and `pixel-dqn play`: load a saved model (the shipped one by default) and
// run greedy episodes; `play` also writes what the agent saw, frame by frame.
import ArgumentParser
import Foundation
import PixelDQN

/// The model that ships in Models/ for a task (found relative to the working directory or the
/// executable).
func shippedModelPath(_ env: EnvironmentID = .cartPoleV1) -> String? {
    let name = env.shippedModelName
    var candidates = ["Models/" + name]
    let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var dir = exe.deletingLastPathComponent()
    for _ in 0..<5 {
        candidates.append(dir.appendingPathComponent("Models/" + name).path)
        dir = dir.deletingLastPathComponent()
    }
    return candidates.first { FileManager.default.fileExists(atPath: $0) }
}

/// A model file, or without one the shipped model of `env` (CartPole-v1 by default), taking
/// `maxBatch` observations per forward pass.
func loadModel(path given: String?, env override: EnvironmentID?, maxBatch: Int = 1) throws -> SavedModel {
    let env = override ?? .cartPoleV1
    guard let path = given ?? shippedModelPath(env) else {
        throw ValidationError("--model: none given, and no shipped model for \(env.rawValue) in Models/ (expected Models/\(env.shippedModelName))")
    }
    return try SavedModel(path: path, env: override, maxBatch: maxBatch)
}

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Run greedy episodes with a saved model and report mean, std, min and max.")

    @Option(help: "A model.safetensors (default: the shipped model in Models/).")
    var model: String?
    @Option(parsing: .unconditional, help: "Number of episodes (1 to 100000).", transform: Parse.integer)
    var episodes = 10
    @Option(parsing: .unconditional, help: "Seed of the evaluation episodes.", transform: Parse.seed)
    var seed: UInt64 = 0
    @Option(parsing: .unconditional, help: "ε for evaluation (default 0, greedy; 0.01 for an Atari game, as training evaluates).", transform: Parse.number)
    var epsilon: Double?
    @Option(help: "The task (\(EnvironmentID.names)); picks its shipped model when no --model is given (default: the one the model was trained on).")
    var env: EnvironmentID?
    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        try checkPath(model, option: "--model", expected: "a model.safetensors file")
        guard (1...TrainingConfig.maximumEpisodes).contains(episodes) else {
            throw ValidationError("--episodes: expected 1 to \(TrainingConfig.maximumEpisodes), got \(episodes)")
        }
        if let epsilon, !(epsilon >= 0 && epsilon <= 1) { throw ValidationError("--epsilon must be in [0, 1]; got \(epsilon)") }
    }

    func run() throws {
        // Greedy episodes run side by side, up to 32 at a time (`Evaluator`).
        let loaded = try loadModel(path: model, env: env, maxBatch: 32)
        let start = EnvironmentBenchmark.now()
        let epsilon = self.epsilon ?? (loaded.config.env.isAtari ? TrainingConfig.defaults(for: .pixels, env: loaded.config.env).evalEpsilon : 0)
        let stats = try loaded.evaluate(episodes: episodes, epsilon: epsilon, seed: seed)
        let seconds = EnvironmentBenchmark.now() - start
        if json {
            let r = stats.returns.map { "\($0)" }.joined(separator: ",")
            print("{\"model\":\(JSONValue.quote(loaded.path)),\"env\":\"\(loaded.config.env.rawValue)\",\"episodes\":\(stats.episodes),\"mean\":\(stats.mean),\"std\":\(stats.std),\"min\":\(stats.min),\"max\":\(stats.max),\"returns\":[\(r)]}")
        } else {
            print("model     \(loaded.path)")
            print("env       \(loaded.config.env.rawValue) (\(loaded.config.observation.rawValue), ε = \(epsilon), seed \(seed))")
            print(String(format: "episodes  %d\nmean      %.2f\nstd       %.2f\nmin       %.0f\nmax       %.0f\ntime      %.1f s", stats.episodes, stats.mean, stats.std, stats.min, stats.max, seconds))
        }
    }
}

struct PlayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "play",
        abstract: "Play one greedy episode with a saved model; write its frames, φ stacks and Q-values, or a GIF.",
        discussion: "Writes DIR/frames/frame_NNNNN.png, DIR/stacks/phi_NNNNN.png and DIR/steps.jsonl (step, action, Q-values, reward, terminated, truncated); with --gif F.gif the animation instead (and the folder too when --output is given).")

    @Option(help: "A model.safetensors (default: the shipped model in Models/).")
    var model: String?
    @Option(help: "The task (\(EnvironmentID.names)); picks its shipped model when no --model is given (default: the one the model was trained on).")
    var env: EnvironmentID?
    @Option(parsing: .unconditional, help: "Seed of the episode's start state.", transform: Parse.seed)
    var seed: UInt64 = 0
    @Option(help: "Output folder (default play, or none with --gif).")
    var output: String?
    @Option(parsing: .unconditional, help: "Write at most this many steps' pictures (the episode still plays to its end).",
            transform: Parse.integer)
    var maxFrames = 500
    @Option(name: .customLong("max-steps"), parsing: .unconditional, help: "Stop the episode after this many steps (default: play it to its end).",
            transform: Parse.integer)
    var maxSteps: Int?
    @OptionGroup var animation: GIFOptions

    func validate() throws {
        try checkPath(model, option: "--model", expected: "a model.safetensors file")
        guard maxFrames >= 0 else { throw ValidationError("--max-frames: expected 0 or more, got \(maxFrames)") }
        if let maxSteps, maxSteps < 1 { throw ValidationError("--max-steps: expected 1 or more, got \(maxSteps)") }
        if output?.isEmpty == true { throw ValidationError("--output: expected a folder path, got an empty one") }
    }

    func run() throws {
        let m = try loadModel(path: model, env: env)
        guard m.config.observation == .pixels else { throw ConfigError(message: "\(m.path): a state model; play draws pixels, so it needs a pixel model") }
        let c = m.config
        let output = self.output ?? (animation.gif == nil ? "play" : nil)
        if let output {
            try FrameFiles.checkOutput(output, own: ["steps.jsonl"])
            try AtomicFile.makeFolder(output + "/frames")
            try AtomicFile.makeFolder(output + "/stacks")
        }
        let title = "pixel-dqn play, model \((m.path as NSString).lastPathComponent), \(c.env.rawValue), seed \(seed)"
        if let atari = c.env.atari {
            try playAtari(m, game: try AtariGame.load(atari), output: output, title: title)
            return
        }
        let episode = try animation.makeGIF(frameStack: c.frameStack, frameSize: c.frameSize, title: title, env: c.env, frameSkip: c.frameSkip)
        let game = PixelObservation(id: c.env, width: c.frameSize, height: c.frameSize, frameStack: c.frameStack, frameSkip: c.frameSkip, invert: c.invertFrames)
        var lines: [String] = []
        var end = "stopped at --max-steps"
        let played = try EpisodePlayer.play(network: m.network, source: game, seed: seed, epsilon: 0, maxSteps: maxSteps, observe: { s in
            try episode?.add(EpisodeStep(state: game.env.state, phi: s.observation, step: s.step, episode: 0, episodeReturn: s.episodeReturn,
                                         action: s.action, qValues: s.qValues, outcome: s.action == nil ? end : nil))
            if let output, s.action != nil, s.step < maxFrames {
                let name = String(format: "%05d", s.step)
                try PNGImage(width: c.frameSize, height: c.frameSize, pixels: game.frame).write(to: "\(output)/frames/frame_\(name).png")
                try PNGImage.sideBySide(s.observation, count: c.frameStack, width: c.frameSize, height: c.frameSize).write(to: "\(output)/stacks/phi_\(name).png")
            }
        }, stepped: { step, action, q, r in
            let state = r.state.array.map { "\($0)" }.joined(separator: ",")
            lines.append("{\"step\":\(step),\"action\":\(action),\"q\":[\(q.map { "\($0)" }.joined(separator: ","))],\"state\":[\(state)],\"reward\":\(r.reward),\"terminated\":\(r.terminated),\"truncated\":\(r.truncated)}")
            if r.terminated { end = "episode over: terminated" } else if r.truncated { end = "episode over: truncated" }
        })
        let step = played.steps, total = played.episodeReturn
        if let output {
            try AtomicFile.write(lines.joined(separator: "\n") + "\n", to: output + "/steps.jsonl")
            try FrameFiles.removeBeyond(min(step, maxFrames), in: output)
        }
        print("episode return \(total) in \(step) steps" + (output.map { "; wrote \(min(step, maxFrames)) frames to \($0)" } ?? ""))
        try animation.write(episode)
    }
}

extension PlayCommand {
    /// One game of an Atari model as evaluations play it: a whole game with up to 30 no-ops, each
    /// life started as training starts it, ε 0.01. The game's colours are gathered in a first
    /// play of the same episode, so the GIF's palette holds them as they are.
    func playAtari(_ m: SavedModel, game: AtariGame, output: String?, title: String) throws {
        let c = m.config
        let epsilon = TrainingConfig.defaults(for: .pixels, env: c.env).evalEpsilon
        func source() throws -> AtariObservation {
            try AtariObservation.wholeGames(game, config: c, seed: Int32(truncatingIfNeeded: seed))
        }
        func play(_ source: AtariObservation, _ observe: (PlayedStep) throws -> Void) throws -> PlayedEpisode {
            try EpisodePlayer.play(network: m.network, source: source, seed: seed, epsilon: epsilon, maxSteps: maxSteps, observe: observe)
        }
        var episode: EpisodeGIF?
        if animation.gif != nil {
            var seen = Set<UInt32>(), colours: [RGB] = []
            let first = try source()
            _ = try play(first) { _ in
                let rgb = first.rgbScreen()
                for p in stride(from: 0, to: rgb.count, by: 3) {
                    let key = UInt32(rgb[p]) << 16 | UInt32(rgb[p + 1]) << 8 | UInt32(rgb[p + 2])
                    if seen.insert(key).inserted { colours.append(RGB(rgb[p], rgb[p + 1], rgb[p + 2])) }
                }
            }
            if let p = EpisodeGIF.problem(frameStack: c.frameStack, frameSize: c.frameSize, fps: animation.fps) { throw ConfigError(message: p) }
            episode = try EpisodeGIF(frameStack: c.frameStack, frameSize: c.frameSize, fps: animation.fps, title: title, env: c.env,
                                     frameSkip: c.frameSkip, colours: colours)
        }
        let w = EpisodeGIF.atariScreenWidth, h = EpisodeGIF.atariScreenHeight
        var lines: [String] = []
        let shown = try source()
        let result = try play(shown) { s in
            let rgb = shown.rgbScreen()
            try episode?.add(EpisodeStep(state: StateVector([0]), phi: s.observation, step: s.step, episode: 0, episodeReturn: s.episodeReturn,
                                         action: s.action, qValues: s.qValues, outcome: s.action == nil ? "game over" : nil,
                                         picture: EpisodeGIF.atariPicture(rgb)))
            if let output, s.step < maxFrames {
                let name = String(format: "%05d", s.step)
                try PNGImage(width: w, height: h, channels: 3, pixels: rgb).write(to: "\(output)/frames/frame_\(name).png")
                try PNGImage.sideBySide(s.observation, count: c.frameStack, width: c.frameSize, height: c.frameSize).write(to: "\(output)/stacks/phi_\(name).png")
            }
            if let action = s.action, let q = s.qValues {
                lines.append("{\"step\":\(s.step + 1),\"action\":\(action),\"q\":[\(q.map { "\($0)" }.joined(separator: ","))],\"return\":\(s.episodeReturn)}")
            }
        }
        let end = result.terminated ? "game over" : result.truncated ? "episode over: truncated" : "stopped at --max-steps"
        if let output {
            try AtomicFile.write(lines.joined(separator: "\n") + "\n", to: output + "/steps.jsonl")
            try FrameFiles.removeBeyond(min(result.steps + 1, maxFrames), in: output)
        }
        print("game score \(result.episodeReturn) in \(result.steps) steps (\(end))" + (output.map { "; wrote \(min(result.steps, maxFrames)) frames to \($0)" } ?? ""))
        try animation.write(episode)
    }
}
