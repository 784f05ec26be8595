// `pixel-dqn trace`: steps a task from a given state through a given action sequence and prints
// one JSON object per step, so trajectories can be compared with Gymnasium's line by line.
import ArgumentParser
import Foundation
import PixelDQN

struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Print one JSON line per step from a state and an action sequence.",
        discussion: """
            Stops after the episode ends (terminated or truncated), even if actions remain. "state" \
            is Gymnasium's env.unwrapped.state.

            For an Atari game (<Game>NoFrameskip-v4) there is no --state: the game starts from its \
            reset, and each step applies Gymnasium's AtariPreprocessing(noop_max=0, frame_skip=4, \
            screen_size=84, terminal_on_life_loss=False, grayscale_obs=True); each line has "step", \
            "action", "reward" (the game's), "terminated", "truncated" and "lives"; --frames DIR \
            writes DIR/obs_00000.png (the reset's 84x84 observation) and DIR/obs_NNNNN.png after \
            step N.

            Examples:
              pixel-dqn trace --state -0.1,0,0.05,0 --actions 0,1,1,0 --env CartPole-v0
              pixel-dqn trace --env Acrobot-v1 --state 0.05,-0.02,0,0.01 --actions 2,2,0,1
              pixel-dqn trace --env PongNoFrameskip-v4 --actions 0,2,2,3 --frames pong
            """)

    @Option(name: .long, parsing: .unconditional,
            help: "The start state: \(EnvironmentID.stateHelp).", transform: NumberList.parse)
    var state: NumberList?

    @Option(help: "Atari only: a folder (new, or empty) for the 84x84 observations as obs_NNNNN.png.")
    var frames: String?

    @Option(parsing: .unconditional, help: "Comma-separated actions: \(EnvironmentID.actionHelp).",
            transform: ActionList.parse)
    var actions: ActionList

    @Option(help: "The task: \(EnvironmentID.names).")
    var env: EnvironmentID = .cartPoleV1

    func validate() throws {
        if let atari = env.atari {
            if atari.v5 { throw ValidationError("--env \(env.rawValue): trace follows Gymnasium's AtariPreprocessing over <Game>NoFrameskip-v4; expected \(atari.game)NoFrameskip-v4") }
            if state != nil { throw ValidationError("--state: an Atari game starts from its reset; expected no --state with --env \(env.rawValue)") }
            do { try AtariGame.load(atari) } catch let e as ALEError { throw ValidationError("--env \(env.rawValue): \(e)") }
            try checkActions(actions, env: env)
            try checkPath(frames, option: "--frames", expected: "a folder for the observations")
            if let frames { try checkFramesFolder(frames) }
            return
        }
        if frames != nil { throw ValidationError("--frames is for Atari games; --env \(env.rawValue) has no emulator frames (see render and dump-frames)") }
        guard let state else { throw ValidationError("--state is needed for \(env.rawValue): \(env.stateNames.uppercased())") }
        _ = try parseState(state, env: env)
        if env.cartPoleVersion != nil, let bad = actions.values.first(where: { $0 != 0 && $0 != 1 }) {
            throw ValidationError("--actions may hold only 0 and 1; got \(bad)")
        }
        try checkActions(actions, env: env)
    }

    func run() throws {
        if let atari = env.atari {
            if let frames { try FileManager.default.createDirectory(atPath: frames, withIntermediateDirectories: true) }
            try AtariTrace.run(game: try AtariGame.load(atari), actions: actions.values, framesFolder: frames) { print($0) }
            return
        }
        guard let state else { return }
        var task = AnyEnvironment(env)
        task.reset(to: try parseState(state, env: env))
        for (i, action) in actions.values.enumerated() {
            let r = try task.step(action)
            let s = r.state.array.map { "\($0)" }.joined(separator: ",")
            print("{\"step\":\(i + 1),\"action\":\(action),\"state\":[\(s)],\"reward\":\(r.reward),\"terminated\":\(r.terminated),\"truncated\":\(r.truncated)}")
            if r.done { break }
        }
    }
}

/// A folder for `--frames`: new, or one that holds nothing but obs_NNNNN.png files of an earlier
/// trace (never a folder of someone else's files).
func checkFramesFolder(_ path: String) throws {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return }
    guard isDirectory.boolValue else { throw ValidationError("--frames: \(path) is a file; expected a folder for the observations") }
    let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    if let foreign = names.first(where: { !($0.hasPrefix("obs_") && $0.hasSuffix(".png")) }) {
        throw ValidationError("--frames: \(path) holds \(foreign), which trace did not write; expected a new or empty folder")
    }
    if !names.isEmpty { throw ValidationError("--frames: \(path) holds \(names.count) observations of an earlier trace; expected a new or empty folder") }
}
