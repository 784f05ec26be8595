// A task by its Gymnasium id. A drawn task's facts come from its registration (TaskRegistry and
// the `ClassicTask` beside its dynamics); every Atari game of ALE's ROM set is a task too, by
// Gymnasium's names `<Game>NoFrameskip-v4` and `ALE/<Game>-v5` (Atari/AtariGame.swift holds their
// facts). Nothing here names a particular drawn task.

/// A task pixel-dqn can play, named as Gymnasium registers it.
public struct EnvironmentID: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    /// The Atari game and protocol of an Atari id; nil for the drawn tasks.
    public let atari: AtariGameID?
    /// The facts of a drawn task (TaskRegistry); nil for an Atari game.
    public let task: ClassicTask?

    /// The drawn tasks (TaskRegistry.classic), as ids.
    public static let classic: [EnvironmentID] = TaskRegistry.classic.map { EnvironmentID(task: $0) }

    /// The id of a registered drawn task.
    public init(task: ClassicTask) { self.init(rawValue: task.id, atari: nil, task: task) }

    private init(rawValue: String, atari: AtariGameID?, task: ClassicTask?) {
        self.rawValue = rawValue; self.atari = atari; self.task = task
    }

    /// A drawn task by its id (TaskRegistry), or an Atari game by `<Game>NoFrameskip-v4` /
    /// `ALE/<Game>-v5` (whether that game's ROM exists is checked where the task is built:
    /// `AtariGame.load`).
    public init?(rawValue: String) {
        if let known = TaskRegistry.classicTask(rawValue) {
            self.init(task: known)
        } else if let game = AtariGameID(gymnasiumID: rawValue) {
            self.init(rawValue: rawValue, atari: game, task: nil)
        } else {
            return nil
        }
    }

    public static func == (a: EnvironmentID, b: EnvironmentID) -> Bool { a.rawValue == b.rawValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = EnvironmentID(rawValue: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "unknown task \"\(text)\", expected \(EnvironmentID.names)"))
        }
        self = id
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }

    public var description: String { rawValue }

    /// True for an Atari game (frames from the emulator, not drawn by the rasterizer).
    public var isAtari: Bool { atari != nil }

    /// Number of discrete actions (an Atari game's minimal action set, as ALE gives it).
    /// - Precondition: for an Atari id, the game was loaded (`AtariGame.load`, which the
    ///   configuration's validation does).
    public var actionCount: Int {
        if let atari { return AtariGame.loaded(atari).actionNames.count }
        return task!.actions.count
    }

    /// Numbers in Gymnasium's `env.unwrapped.state` (Atari games have none: their state is the
    /// emulator's).
    public var stateCount: Int { task?.stateNames.count ?? 0 }

    /// Numbers in Gymnasium's observation (the input of the `mlp` network).
    public var observationCount: Int { task?.observationCount ?? 0 }

    /// Gymnasium's `max_episode_steps`: steps after which an episode is truncated (for Atari,
    /// emulator frames: `max_num_frames_per_episode`).
    public var maxEpisodeSteps: Int { task?.maxEpisodeSteps ?? AtariGameID.maxFramesPerEpisode }

    /// Gymnasium's `reward_threshold`: the mean return at which the task counts as solved. Atari
    /// games have none in Gymnasium; pixel-dqn's targets are DQN's published goals (Pong 18,
    /// Breakout 100) and +∞ (never solved) for the other games.
    public var rewardThreshold: Double { task?.rewardThreshold ?? atari?.targetScore ?? .infinity }

    /// Gymnasium's `render_fps`: steps per second of real time (an Atari game's 60).
    public var framesPerSecond: Int { task?.framesPerSecond ?? 60 }

    /// The returns an episode of `steps` steps can have: `steps` times the task's reward range. An
    /// Atari game's score per emulator frame is bounded by the game; ±100,000 per frame is far
    /// beyond any.
    public func returnRange(steps: Int) -> ClosedRange<Double> {
        guard let task else { return -AtariGameID.maxRewardPerFrame * Double(steps)...AtariGameID.maxRewardPerFrame * Double(steps) }
        return task.rewardRange.lowerBound * Double(steps)...task.rewardRange.upperBound * Double(steps)
    }

    /// The returns of an episode `agentSteps` agent steps long when each repeats its action for
    /// `frameSkip` env steps (the last may take fewer; the time limit caps the env steps).
    public func returnRange(agentSteps: Int, frameSkip: Int) -> ClosedRange<Double> {
        returnRange(steps: min(agentSteps * frameSkip, maxEpisodeSteps))
    }

    /// The largest magnitude of each state number accepted from outside (`--state`, a checkpoint).
    public var stateLimits: [Double] { task?.stateLimits ?? [] }

    /// Why `values` cannot be a state of this task (count, finiteness, `stateLimits`), or nil.
    public func stateProblem(_ values: [Double]) -> String? {
        if isAtari { return "\(rawValue) has no state numbers: its state is the emulator's" }
        guard values.count == stateCount else {
            return "needs \(stateCount) numbers \(stateNames.uppercased()) for \(rawValue); got \(values.count)"
        }
        let names = stateNames.uppercased().split(separator: ",")
        for (i, (v, limit)) in zip(values, stateLimits).enumerated() where !(v.magnitude <= limit) {
            return limit == 1e6 ? "expected numbers from -1e6 to 1e6, got \(v)"
                                : "\(names[i]) of \(rawValue) must be from -\(Int(limit)) to \(Int(limit)), got \(v)"
        }
        return nil
    }

    /// What the state numbers are, for messages: "x,xDot,theta,thetaDot" and so on.
    public var stateNames: String { task?.stateNames.joined(separator: ",") ?? "" }

    /// What the actions do, for messages.
    public var actionNames: String {
        if let task { return task.actionHelp }
        guard let atari else { return "" }
        let names = AtariGame.loaded(atari).actionNames
        return names.enumerated().map { "\($0.offset) (\($0.element))" }.joined(separator: ", ")
    }

    /// The ids as one list for messages and help.
    public static var names: String {
        classic.map(\.rawValue).joined(separator: ", ") + ", or an Atari game as <Game>NoFrameskip-v4 or ALE/<Game>-v5 (e.g. PongNoFrameskip-v4)"
    }

    /// Each drawn task's state numbers, for help: "X,XDOT,THETA,THETADOT (CartPole-v0, CartPole-v1), …".
    public static var stateHelp: String {
        var groups: [(names: String, ids: [String])] = []
        for id in classic {
            let names = id.stateNames.uppercased()
            if let i = groups.firstIndex(where: { $0.names == names }) { groups[i].ids.append(id.rawValue) } else { groups.append((names, [id.rawValue])) }
        }
        return groups.map { "\($0.names) (\($0.ids.joined(separator: ", ")))" }.joined(separator: ", ")
    }

    /// Each drawn task's actions, for help: "0 or 1 (CartPole-v0, CartPole-v1), 0, 1 or 2 (…)".
    public static var actionHelp: String {
        var groups: [(count: Int, ids: [String])] = []
        for id in classic {
            if let i = groups.firstIndex(where: { $0.count == id.actionCount }) { groups[i].ids.append(id.rawValue) } else { groups.append((id.actionCount, [id.rawValue])) }
        }
        return groups.map { g in
            let n = (0..<g.count).map(String.init)
            return (n.count > 1 ? n.dropLast().joined(separator: ", ") + " or " + n.last! : n.joined()) + " for \(g.ids.joined(separator: ", "))"
        }.joined(separator: "; ")
    }
}
