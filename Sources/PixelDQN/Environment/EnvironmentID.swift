// The registered tasks by their Gymnasium ids, and what differs between them: actions, state and
// observation sizes, time limit and the return at which a task counts as solved. The classic
// control tasks are listed here; every Atari game of ALE's ROM set is a task too, by Gymnasium's
// names `<Game>NoFrameskip-v4` and `ALE/<Game>-v5` (Atari/AtariGame.swift holds their facts).

/// A task pixel-dqn can play, named as Gymnasium registers it.
public struct EnvironmentID: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    /// The Atari game and protocol of an Atari id; nil for the classic control tasks.
    public let atari: AtariGameID?

    public static let cartPoleV0 = EnvironmentID(classic: "CartPole-v0")
    public static let cartPoleV1 = EnvironmentID(classic: "CartPole-v1")
    public static let acrobotV1 = EnvironmentID(classic: "Acrobot-v1")
    public static let mountainCarV0 = EnvironmentID(classic: "MountainCar-v0")

    /// The classic control tasks (drawn by the rasterizer, state as numbers).
    public static let classic: [EnvironmentID] = [.cartPoleV0, .cartPoleV1, .acrobotV1, .mountainCarV0]

    private init(classic name: String) { rawValue = name; atari = nil }

    /// A classic task by its id, or an Atari game by `<Game>NoFrameskip-v4` / `ALE/<Game>-v5`
    /// (whether that game's ROM exists is checked where the task is built: `AtariGame.load`).
    public init?(rawValue: String) {
        if let known = EnvironmentID.classic.first(where: { $0.rawValue == rawValue }) {
            self = known
        } else if let game = AtariGameID(gymnasiumID: rawValue) {
            self.rawValue = rawValue
            atari = game
        } else {
            return nil
        }
    }

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

    /// The CartPole id of a CartPole version.
    public init(_ version: CartPoleVersion) { self = version == .v0 ? .cartPoleV0 : .cartPoleV1 }

    /// The CartPole version of a CartPole id, nil for the other tasks.
    public var cartPoleVersion: CartPoleVersion? {
        switch self {
        case .cartPoleV0: return .v0
        case .cartPoleV1: return .v1
        default: return nil
        }
    }

    /// True for an Atari game (frames from the emulator, not drawn by the rasterizer).
    public var isAtari: Bool { atari != nil }

    /// Number of discrete actions (an Atari game's minimal action set, as ALE gives it).
    /// - Precondition: for an Atari id, the game was loaded (`AtariGame.load`, which the
    ///   configuration's validation does).
    public var actionCount: Int {
        if let atari { return AtariGame.loaded(atari).actionNames.count }
        return cartPoleVersion == nil ? 3 : 2
    }

    /// Numbers in Gymnasium's `env.unwrapped.state` (Atari games have none: their state is the
    /// emulator's).
    public var stateCount: Int {
        switch self {
        case .mountainCarV0: return 2
        case .cartPoleV0, .cartPoleV1, .acrobotV1: return 4
        default: return 0
        }
    }

    /// Numbers in Gymnasium's observation (the input of the `mlp` network): Acrobot-v1 observes
    /// (cos θ1, sin θ1, cos θ2, sin θ2, θ̇1, θ̇2), the others their state.
    public var observationCount: Int { self == .acrobotV1 ? 6 : stateCount }

    /// Gymnasium's `max_episode_steps`: steps after which an episode is truncated (for Atari,
    /// emulator frames: `max_num_frames_per_episode`).
    public var maxEpisodeSteps: Int {
        switch self {
        case .cartPoleV0, .mountainCarV0: return 200
        case .cartPoleV1, .acrobotV1: return 500
        default: return AtariGameID.maxFramesPerEpisode
        }
    }

    /// Gymnasium's `reward_threshold`: the mean return at which the task counts as solved. Atari
    /// games have none in Gymnasium; pixel-dqn's targets are DQN's published goals (Pong 18,
    /// Breakout 100) and +∞ (never solved) for the other games.
    public var rewardThreshold: Double {
        switch self {
        case .cartPoleV0: return 195
        case .cartPoleV1: return 475
        case .acrobotV1: return -100
        case .mountainCarV0: return -110
        default: return atari?.targetScore ?? .infinity
        }
    }

    /// Gymnasium's `render_fps`: steps per second of real time.
    public var framesPerSecond: Int {
        switch self {
        case .cartPoleV0, .cartPoleV1: return 50
        case .acrobotV1: return 15
        case .mountainCarV0: return 30
        default: return 60
        }
    }

    /// The returns an episode of `steps` steps can have: CartPole earns +1 per step, Acrobot −1
    /// (0 on the terminating step) and MountainCar −1. An Atari game's score per emulator frame is
    /// bounded by the game; ±100,000 per frame is far beyond any.
    public func returnRange(steps: Int) -> ClosedRange<Double> {
        if isAtari { return -AtariGameID.maxRewardPerFrame * Double(steps)...AtariGameID.maxRewardPerFrame * Double(steps) }
        return cartPoleVersion != nil ? 0...Double(steps) : -Double(steps)...0
    }

    /// The returns of an episode `agentSteps` agent steps long when each repeats its action for
    /// `frameSkip` env steps (the last may take fewer; the time limit caps the env steps).
    public func returnRange(agentSteps: Int, frameSkip: Int) -> ClosedRange<Double> {
        returnRange(steps: min(agentSteps * frameSkip, maxEpisodeSteps))
    }

    /// The largest magnitude of each state number accepted from outside (`--state`, a checkpoint):
    /// far beyond what an episode reaches, small enough that a step stays finite and quick.
    /// Acrobot's velocities are held to ±100 rad/s (its bounds are 4π and 9π): from much faster
    /// ones one RK4 step throws the angles so far that wrapping them back takes minutes.
    public var stateLimits: [Double] {
        self == .acrobotV1 ? [1e6, 1e6, 100, 100] : [Double](repeating: 1e6, count: stateCount)
    }

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
    public var stateNames: String {
        switch self {
        case .cartPoleV0, .cartPoleV1: return "x,xDot,theta,thetaDot"
        case .acrobotV1: return "theta1,theta2,thetaDot1,thetaDot2"
        case .mountainCarV0: return "position,velocity"
        default: return ""
        }
    }

    /// What the actions do, for messages.
    public var actionNames: String {
        switch self {
        case .cartPoleV0, .cartPoleV1: return "0 (push left) or 1 (push right)"
        case .acrobotV1: return "0 (torque −1), 1 (no torque) or 2 (torque +1)"
        case .mountainCarV0: return "0 (push left), 1 (no push) or 2 (push right)"
        default:
            guard let atari else { return "" }
            let names = AtariGame.loaded(atari).actionNames
            return names.enumerated().map { "\($0.offset) (\($0.element))" }.joined(separator: ", ")
        }
    }

    /// The ids as one list for messages and help.
    public static var names: String {
        classic.map(\.rawValue).joined(separator: ", ") + ", or an Atari game as <Game>NoFrameskip-v4 or ALE/<Game>-v5 (e.g. PongNoFrameskip-v4)"
    }
}
