// What every task offers the pipeline (trainer, φ, replay, evaluation, play, trace, render):
// reset from the one RNG, step → (reward, terminated, truncated), the state as numbers, and the
// scene to draw. Each task keeps Gymnasium's arithmetic in its own file; this file has none.

/// What one `step` returns. `terminated` is a true end (no bootstrapping); `truncated` means the
/// time limit cut the episode (bootstrap). Both can be true on the same step.
public struct EnvironmentStep<State: Equatable & Sendable>: Equatable, Sendable {
    public var state: State
    public var reward: Double
    public var terminated: Bool
    public var truncated: Bool
    public var done: Bool { terminated || truncated }

    public init(state: State, reward: Double, terminated: Bool, truncated: Bool) {
        self.state = state; self.reward = reward; self.terminated = terminated; self.truncated = truncated
    }
}

/// Misuse of an environment other than CartPole (which keeps CartPoleError).
public enum EnvironmentError: Error, CustomStringConvertible, Equatable {
    case invalidAction(EnvironmentID, Int)
    case stepAfterEpisodeEnd(EnvironmentID, steps: Int)
    case stepBeforeReset(EnvironmentID)

    public var description: String {
        switch self {
        case .invalidAction(let id, let a):
            return "\(id.rawValue).step: invalid action \(a); expected \(id.actionNames)"
        case .stepAfterEpisodeEnd(let id, let n):
            return "\(id.rawValue).step: the episode ended after \(n) steps; call reset() before stepping again"
        case .stepBeforeReset(let id):
            return "\(id.rawValue).step: call reset() before the first step"
        }
    }
}

/// A Gymnasium task with its exact dynamics and its picture.
public protocol Environment: Sendable {
    associatedtype State: Equatable & Sendable
    /// The registered task this instance plays.
    var id: EnvironmentID { get }
    /// The current state, exactly as Gymnasium's `env.unwrapped.state`.
    var state: State { get }
    /// Steps taken since the last reset.
    var elapsedSteps: Int { get }
    /// True after a reset and until the episode terminates or is truncated.
    var isRunning: Bool { get }

    /// Starts an episode from a state drawn with `rng` (Gymnasium's reset distribution).
    @discardableResult mutating func reset<G: RandomNumberGenerator>(using rng: inout G) -> State
    /// Starts an episode from a given state (reference trajectories, `trace --state`).
    @discardableResult mutating func reset(to start: State) -> State
    /// Continues an episode saved mid-way: the state and the steps already taken.
    mutating func resume(at saved: State, elapsedSteps: Int)
    /// Applies `action` for one step.
    mutating func step(_ action: Int) throws -> EnvironmentStep<State>

    /// The numbers of `state` in Gymnasium's order (`id.stateCount` of them).
    func values(of state: State) -> [Double]
    /// A state from exactly `id.stateCount` numbers, or nil.
    func state(from values: [Double]) -> State?
    /// True when `state` ends an episode (what `step` reports as terminated).
    func terminates(_ state: State) -> Bool
    /// Writes Gymnasium's observation of `state` (`id.observationCount` numbers) as Float.
    func observe(_ state: State, into output: UnsafeMutableBufferPointer<Float>)

    /// The frame's size, colours and static shapes.
    var sceneLayout: SceneLayout { get }
    /// Appends the moving shapes of `state`, in painter's order, to `shapes`.
    func drawScene(_ state: State, into shapes: inout SceneShapes)
}

extension Environment {
    /// The current state as numbers.
    public var stateValues: [Double] { values(of: state) }
}
