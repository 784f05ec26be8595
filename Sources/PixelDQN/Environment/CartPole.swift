// CartPole with Gymnasium 1.x's CartPole-v1 (and v0) dynamics, in Double as Gymnasium computes
// them: the same constants, explicit Euler integration, termination and time-limit truncation
// kept apart. Rendering lives in Rendering/; this file knows nothing of pixels.
import Foundation

/// The registered CartPole variants; they differ only in the time limit.
public enum CartPoleVersion: String, CaseIterable, Sendable, Codable {
    case v0 = "CartPole-v0"
    case v1 = "CartPole-v1"

    /// Steps after which an episode is truncated (Gymnasium's `max_episode_steps`).
    public var maxEpisodeSteps: Int { self == .v0 ? 200 : 500 }
    /// The return at which Gymnasium considers the task solved (`reward_threshold`).
    public var rewardThreshold: Double { self == .v0 ? 195 : 475 }
}

/// The four numbers of the CartPole state: cart position (m), cart velocity (m/s),
/// pole angle (rad, 0 = upright, positive = leaning right) and angular velocity (rad/s).
public struct CartPoleState: Equatable, Sendable, Codable {
    public var x: Double
    public var xDot: Double
    public var theta: Double
    public var thetaDot: Double

    public init(x: Double, xDot: Double, theta: Double, thetaDot: Double) {
        self.x = x; self.xDot = xDot; self.theta = theta; self.thetaDot = thetaDot
    }

    /// The state as `[x, xDot, theta, thetaDot]`.
    public var array: [Double] { [x, xDot, theta, thetaDot] }

    /// A state from exactly four numbers, or nil.
    public init?(_ values: [Double]) {
        guard values.count == 4 else { return nil }
        self.init(x: values[0], xDot: values[1], theta: values[2], thetaDot: values[3])
    }
}

/// What one CartPole `step` returns (see EnvironmentStep).
public typealias CartPoleStep = EnvironmentStep<CartPoleState>

/// Misuse of the environment that a caller can recover from.
public enum CartPoleError: Error, CustomStringConvertible, Equatable {
    case invalidAction(Int)
    case stepAfterEpisodeEnd(steps: Int)
    case stepBeforeReset

    public var description: String {
        switch self {
        case .invalidAction(let a):
            return "CartPole.step: invalid action \(a); expected 0 (push left) or 1 (push right)"
        case .stepAfterEpisodeEnd(let n):
            return "CartPole.step: the episode ended after \(n) steps; call reset() before stepping again"
        case .stepBeforeReset:
            return "CartPole.step: call reset() before the first step"
        }
    }
}

/// The cart-pole system of Barto, Sutton & Anderson (1983) as Gymnasium implements it.
public struct CartPole: Sendable {
    // Physical constants (Gymnasium classic_control/cartpole.py).
    public static let gravity = 9.8
    public static let massCart = 1.0
    public static let massPole = 0.1
    public static let totalMass = massCart + massPole
    /// Half the pole's length (m), as Gymnasium defines `length`.
    public static let length = 0.5
    public static let poleMassLength = massPole * length
    public static let forceMagnitude = 10.0
    /// Seconds between state updates.
    public static let tau = 0.02
    /// The episode terminates when |θ| exceeds 12 degrees ...
    public static let thetaThreshold = 12 * 2 * Double.pi / 360
    /// ... or when |x| exceeds 2.4 m.
    public static let xThreshold = 2.4
    /// Number of actions: 0 pushes the cart left, 1 pushes it right.
    public static let actionCount = 2

    public let version: CartPoleVersion
    /// The registered id of the version.
    public var id: EnvironmentID { EnvironmentID(version) }
    /// The current state (Double, exactly as Gymnasium's `env.unwrapped.state`).
    public private(set) var state = CartPoleState(x: 0, xDot: 0, theta: 0, thetaDot: 0)
    /// Steps taken since the last reset.
    public private(set) var elapsedSteps = 0
    /// True after a reset and until the episode terminates or is truncated.
    public private(set) var isRunning = false
    private var hasReset = false

    public init(version: CartPoleVersion = .v1) { self.version = version }

    /// Starts an episode from a state drawn uniformly from [-0.05, 0.05)⁴ with `rng`.
    @discardableResult
    public mutating func reset<G: RandomNumberGenerator>(using rng: inout G) -> CartPoleState {
        let s = CartPoleState(
            x: rng.uniform(-0.05, 0.05), xDot: rng.uniform(-0.05, 0.05),
            theta: rng.uniform(-0.05, 0.05), thetaDot: rng.uniform(-0.05, 0.05))
        return reset(to: s)
    }

    /// Starts an episode from a state drawn with a fresh generator seeded by `seed`.
    @discardableResult
    public mutating func reset(seed: UInt64) -> CartPoleState {
        var rng = Xoshiro256(seed: seed)
        return reset(using: &rng)
    }

    /// Starts an episode from a given state (reference trajectories, `trace --state`).
    @discardableResult
    public mutating func reset(to start: CartPoleState) -> CartPoleState {
        state = start
        elapsedSteps = 0
        isRunning = true
        hasReset = true
        return state
    }

    /// Continues an episode saved mid-way (resuming a training run): the state and the number of
    /// steps already taken, so truncation happens at the same step as without the interruption.
    public mutating func resume(at saved: CartPoleState, elapsedSteps steps: Int) {
        precondition(steps >= 0 && steps < version.maxEpisodeSteps, "CartPole.resume: \(steps) steps is outside the episode")
        state = saved
        elapsedSteps = steps
        isRunning = true
        hasReset = true
    }

    /// Applies `action` for one time step of `tau` seconds.
    ///
    /// Reward is 1 for every step, the terminating one included (Gymnasium 1.x default).
    /// `truncated` becomes true when the step count reaches the version's limit, exactly as
    /// Gymnasium's TimeLimit wrapper reports it, even when the same step also terminated; a
    /// learner must then treat `terminated` as authoritative (no bootstrap).
    public mutating func step(_ action: Int) throws -> CartPoleStep {
        guard action == 0 || action == 1 else { throw CartPoleError.invalidAction(action) }
        guard hasReset else { throw CartPoleError.stepBeforeReset }
        guard isRunning else { throw CartPoleError.stepAfterEpisodeEnd(steps: elapsedSteps) }
        state = CartPole.integrate(state, action: action)
        elapsedSteps += 1
        let terminated = CartPole.isTerminal(state)
        let truncated = elapsedSteps >= version.maxEpisodeSteps
        if terminated || truncated { isRunning = false }
        return CartPoleStep(state: state, reward: 1.0, terminated: terminated, truncated: truncated)
    }

    /// True when the cart is off the track or the pole leans past the threshold (strict >).
    @inlinable
    public static func isTerminal(_ s: CartPoleState) -> Bool {
        s.x < -xThreshold || s.x > xThreshold || s.theta < -thetaThreshold || s.theta > thetaThreshold
    }

    /// One explicit-Euler step of the equations of motion (Florian 2007's correction of Barto et
    /// al.), in the same order of operations as Gymnasium so results agree to the last bits:
    ///   temp = (F + m_p·l·θ̇²·sin θ) / M
    ///   θ̈   = (g·sin θ − cos θ·temp) / (l·(4/3 − m_p·cos²θ / M))
    ///   ẍ   = temp − m_p·l·θ̈·cos θ / M
    /// then x += τ·ẋ, ẋ += τ·ẍ, θ += τ·θ̇, θ̇ += τ·θ̈ (positions use the old velocities).
    @inlinable
    public static func integrate(_ s: CartPoleState, action: Int) -> CartPoleState {
        let force = action == 1 ? forceMagnitude : -forceMagnitude
        let cosTheta = cos(s.theta)
        let sinTheta = sin(s.theta)
        let temp = (force + poleMassLength * (s.thetaDot * s.thetaDot) * sinTheta) / totalMass
        let thetaAcc = (gravity * sinTheta - cosTheta * temp)
            / (length * (4.0 / 3.0 - massPole * (cosTheta * cosTheta) / totalMass))
        let xAcc = temp - poleMassLength * thetaAcc * cosTheta / totalMass
        return CartPoleState(
            x: s.x + tau * s.xDot,
            xDot: s.xDot + tau * xAcc,
            theta: s.theta + tau * s.thetaDot,
            thetaDot: s.thetaDot + tau * thetaAcc)
    }
}

extension CartPole: ClassicEnvironment {
    public func values(of state: CartPoleState) -> [Double] { state.array }
    public func state(from values: [Double]) -> CartPoleState? { CartPoleState(values) }
    public func terminates(_ state: CartPoleState) -> Bool { CartPole.isTerminal(state) }

    /// The state numbers as Float (Gymnasium's float32 observation).
    public func observe(_ s: CartPoleState, into output: UnsafeMutableBufferPointer<Float>) {
        precondition(output.count == 4, "CartPole.observe: the observation has 4 numbers, the buffer \(output.count)")
        output[0] = Float(s.x); output[1] = Float(s.xDot); output[2] = Float(s.theta); output[3] = Float(s.thetaDot)
    }

    public var sceneLayout: SceneLayout { CartPoleScene.layout }
    public func drawScene(_ state: CartPoleState, into shapes: inout SceneShapes) { CartPoleScene.draw(state, into: &shapes) }
}

extension CartPoleState: StateVectorConvertible {
    public var vector: StateVector { StateVector(x, xDot, theta, thetaDot) }
    public init(vector v: StateVector) { self.init(x: v[0], xDot: v[1], theta: v[2], thetaDot: v[3]) }
}

extension CartPole {
    /// CartPole's registration, one per version: the pixel defaults of `TrainingConfig` are
    /// CartPole-v1's own, and the state defaults CartPole-v0's, so neither changes them.
    static func task(_ version: CartPoleVersion) -> ClassicTask {
        ClassicTask(id: version.rawValue,
                    actions: [TaskAction(caption: "PUSH LEFT", short: "LEFT", meaning: "push left"),
                              TaskAction(caption: "PUSH RIGHT", short: "RIGHT", meaning: "push right")],
                    stateNames: ["x", "xDot", "theta", "thetaDot"], maxEpisodeSteps: version.maxEpisodeSteps,
                    rewardThreshold: version.rewardThreshold, rewardRange: 0...1, framesPerSecond: 50,
                    pictureRampsFromScene: false, shippedModel: "cartpole-v1-pixels.safetensors") { CartPole(version: version) }
    }
    static let taskV0 = task(.v0)
    static let taskV1 = task(.v1)
}

extension EnvironmentID {
    public static let cartPoleV0 = EnvironmentID(task: CartPole.taskV0)
    public static let cartPoleV1 = EnvironmentID(task: CartPole.taskV1)

    /// The CartPole id of a CartPole version.
    public init(_ version: CartPoleVersion) { self = version == .v0 ? .cartPoleV0 : .cartPoleV1 }

    /// The CartPole version of a CartPole id, nil for the other tasks.
    public var cartPoleVersion: CartPoleVersion? { CartPoleVersion(rawValue: rawValue) }
}
