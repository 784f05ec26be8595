// The registered tasks by their Gymnasium ids, and what differs between them: actions, state and
// observation sizes, time limit and the return at which a task counts as solved.

/// A task pixel-dqn can play, named as Gymnasium registers it.
public enum EnvironmentID: String, CaseIterable, Sendable, Codable {
    case cartPoleV0 = "CartPole-v0"
    case cartPoleV1 = "CartPole-v1"
    case acrobotV1 = "Acrobot-v1"
    case mountainCarV0 = "MountainCar-v0"

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

    /// Number of discrete actions.
    public var actionCount: Int { cartPoleVersion == nil ? 3 : 2 }

    /// Numbers in Gymnasium's `env.unwrapped.state`.
    public var stateCount: Int { self == .mountainCarV0 ? 2 : 4 }

    /// Numbers in Gymnasium's observation (the input of the `mlp` network): Acrobot-v1 observes
    /// (cos θ1, sin θ1, cos θ2, sin θ2, θ̇1, θ̇2), the others their state.
    public var observationCount: Int { self == .acrobotV1 ? 6 : stateCount }

    /// Gymnasium's `max_episode_steps`: steps after which an episode is truncated.
    public var maxEpisodeSteps: Int {
        switch self {
        case .cartPoleV0, .mountainCarV0: return 200
        case .cartPoleV1, .acrobotV1: return 500
        }
    }

    /// Gymnasium's `reward_threshold`: the mean return at which the task counts as solved.
    public var rewardThreshold: Double {
        switch self {
        case .cartPoleV0: return 195
        case .cartPoleV1: return 475
        case .acrobotV1: return -100
        case .mountainCarV0: return -110
        }
    }

    /// Gymnasium's `render_fps`: steps per second of real time.
    public var framesPerSecond: Int {
        switch self {
        case .cartPoleV0, .cartPoleV1: return 50
        case .acrobotV1: return 15
        case .mountainCarV0: return 30
        }
    }

    /// The returns an episode of `steps` steps can have: CartPole earns +1 per step, Acrobot −1
    /// (0 on the terminating step) and MountainCar −1.
    public func returnRange(steps: Int) -> ClosedRange<Double> {
        cartPoleVersion != nil ? 0...Double(steps) : -Double(steps)...0
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
        }
    }

    /// What the actions do, for messages.
    public var actionNames: String {
        switch self {
        case .cartPoleV0, .cartPoleV1: return "0 (push left) or 1 (push right)"
        case .acrobotV1: return "0 (torque −1), 1 (no torque) or 2 (torque +1)"
        case .mountainCarV0: return "0 (push left), 1 (no push) or 2 (push right)"
        }
    }

    /// The ids as one list for messages and help.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
