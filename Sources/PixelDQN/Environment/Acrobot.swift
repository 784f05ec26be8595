// Acrobot-v1 with Gymnasium 1.x's "book" dynamics (acrobot.py): two links hanging from a pivot,
// torque on the middle joint, an RK4 step of 0.2 s computed in Double with the same operations in
// the same order as Gymnasium, so states agree to the last bits. Knows nothing of pixels.
import Foundation

/// The four numbers of the Acrobot state, Gymnasium's `env.unwrapped.state`: the angle of the
/// first link from hanging straight down, the second link's angle relative to the first (rad,
/// wrapped to [−π, π]) and their angular velocities (rad/s).
public struct AcrobotState: Equatable, Sendable {
    public var theta1: Double
    public var theta2: Double
    public var thetaDot1: Double
    public var thetaDot2: Double

    public init(theta1: Double, theta2: Double, thetaDot1: Double, thetaDot2: Double) {
        self.theta1 = theta1; self.theta2 = theta2; self.thetaDot1 = thetaDot1; self.thetaDot2 = thetaDot2
    }

    /// The state as `[theta1, theta2, thetaDot1, thetaDot2]`.
    public var array: [Double] { [theta1, theta2, thetaDot1, thetaDot2] }

    /// A state from exactly four numbers, or nil.
    public init?(_ values: [Double]) {
        guard values.count == 4 else { return nil }
        self.init(theta1: values[0], theta2: values[1], thetaDot1: values[2], thetaDot2: values[3])
    }
}

/// The acrobot of Sutton (1996) and Sutton & Barto (2018) as Gymnasium implements it.
public struct Acrobot: Sendable {
    // Constants of acrobot.py; the derived ones are computed with the same operations as there.
    public static let dt = 0.2
    public static let linkLength1 = 1.0
    public static let linkLength2 = 1.0
    public static let linkMass1 = 1.0
    public static let linkMass2 = 1.0
    public static let linkCentreOfMass1 = 0.5
    public static let linkCentreOfMass2 = 0.5
    public static let linkMomentOfInertia = 1.0
    public static let gravity = 9.8
    public static let maxVelocity1 = 4 * Double.pi
    public static let maxVelocity2 = 9 * Double.pi
    /// Torque of each action: 0 → −1, 1 → 0, 2 → +1.
    public static let torques: (Double, Double, Double) = (-1, 0, 1)
    /// Reset draws each state number from U(−0.1, 0.1) (then rounds it to Float, as Gymnasium's
    /// `.astype(np.float32)` does).
    public static let resetRange = 0.1

    public var id: EnvironmentID { .acrobotV1 }
    /// Gymnasium's `max_episode_steps`.
    public static let maxEpisodeSteps = 500
    public private(set) var state = AcrobotState(theta1: 0, theta2: 0, thetaDot1: 0, thetaDot2: 0)
    public private(set) var elapsedSteps = 0
    public private(set) var isRunning = false
    private var hasReset = false

    public init() {}

    /// Starts an episode from U(−0.1, 0.1)⁴ drawn with `rng`, each number rounded to Float.
    @discardableResult
    public mutating func reset<G: RandomNumberGenerator>(using rng: inout G) -> AcrobotState {
        let r = Acrobot.resetRange
        func draw() -> Double { Double(Float(rng.uniform(-r, r))) }
        let t1 = draw(), t2 = draw(), d1 = draw(), d2 = draw()
        return reset(to: AcrobotState(theta1: t1, theta2: t2, thetaDot1: d1, thetaDot2: d2))
    }

    @discardableResult
    public mutating func reset(to start: AcrobotState) -> AcrobotState {
        state = start
        elapsedSteps = 0
        isRunning = true
        hasReset = true
        return state
    }

    public mutating func resume(at saved: AcrobotState, elapsedSteps steps: Int) {
        precondition(steps >= 0 && steps < Acrobot.maxEpisodeSteps, "Acrobot.resume: \(steps) steps is outside the episode")
        state = saved
        elapsedSteps = steps
        isRunning = true
        hasReset = true
    }

    /// Applies the torque of `action` for 0.2 s. Reward −1 per step, 0 on the terminating step;
    /// truncated at 500 steps as Gymnasium's TimeLimit reports it.
    public mutating func step(_ action: Int) throws -> EnvironmentStep<AcrobotState> {
        guard (0..<3).contains(action) else { throw EnvironmentError.invalidAction(id, action) }
        guard hasReset else { throw EnvironmentError.stepBeforeReset(id) }
        guard isRunning else { throw EnvironmentError.stepAfterEpisodeEnd(id, steps: elapsedSteps) }
        state = Acrobot.integrate(state, action: action)
        elapsedSteps += 1
        let terminated = Acrobot.isTerminal(state)
        let truncated = elapsedSteps >= Acrobot.maxEpisodeSteps
        if terminated || truncated { isRunning = false }
        return EnvironmentStep(state: state, reward: terminated ? 0 : -1, terminated: terminated, truncated: truncated)
    }

    /// The free end is above the target line: −cos θ1 − cos(θ2 + θ1) > 1 (strict).
    @inlinable
    public static func isTerminal(_ s: AcrobotState) -> Bool {
        -cos(s.theta1) - cos(s.theta2 + s.theta1) > 1.0
    }

    /// One step: RK4 over [0, dt], then the angles wrapped to [−π, π] and the velocities bounded.
    public static func integrate(_ s: AcrobotState, action: Int) -> AcrobotState {
        let torque = action == 0 ? torques.0 : action == 1 ? torques.1 : torques.2
        let y = SIMD4(s.theta1, s.theta2, s.thetaDot1, s.thetaDot2)
        var n = rk4(y, torque: torque)
        n[0] = wrap(n[0], -Double.pi, Double.pi)
        n[1] = wrap(n[1], -Double.pi, Double.pi)
        n[2] = bound(n[2], -maxVelocity1, maxVelocity1)
        n[3] = bound(n[3], -maxVelocity2, maxVelocity2)
        return AcrobotState(theta1: n[0], theta2: n[1], thetaDot1: n[2], thetaDot2: n[3])
    }

    /// Gymnasium's `rk4(derivs, y0, [0, dt])`: k1 at y0, k2 at y0 + dt/2·k1, k3 at y0 + dt/2·k2,
    /// k4 at y0 + dt·k3, then y0 + dt/6·(((k1 + 2k2) + 2k3) + k4). The torque rides along as a
    /// fifth component whose derivative is 0, so it stays exactly the torque. SIMD4 lanes are
    /// separate IEEE operations, as NumPy's elementwise ones.
    @inlinable
    static func rk4(_ y0: SIMD4<Double>, torque: Double) -> SIMD4<Double> {
        let dt = Acrobot.dt - 0.0
        let dt2 = dt / 2.0
        let k1 = derivatives(y0, torque)
        let k2 = derivatives(y0 + dt2 * k1, torque)
        let k3 = derivatives(y0 + dt2 * k2, torque)
        let k4 = derivatives(y0 + dt * k3, torque)
        let sum = ((k1 + 2 * k2) + 2 * k3) + k4
        return y0 + (dt / 6.0) * sum
    }

    /// `_dsdt` of acrobot.py ("book"), term by term in Gymnasium's order:
    ///   d1 = m1·lc1² + m2·(l1² + lc2² + 2·l1·lc2·cos θ2) + I1 + I2
    ///   d2 = m2·(lc2² + l1·lc2·cos θ2) + I2
    ///   φ2 = m2·lc2·g·cos(θ1 + θ2 − π/2)
    ///   φ1 = −m2·l1·lc2·θ̇2²·sin θ2 − 2·m2·l1·lc2·θ̇2·θ̇1·sin θ2 + (m1·lc1 + m2·l1)·g·cos(θ1 − π/2) + φ2
    ///   θ̈2 = (a + d2/d1·φ1 − m2·l1·lc2·θ̇1²·sin θ2 − φ2) / (m2·lc2² + I2 − d2²/d1)
    ///   θ̈1 = −(d2·θ̈2 + φ1) / d1
    /// The squares of variables are glibc's `pow(x, 2)`, as NumPy's `x**2` computes them.
    @inlinable
    static func derivatives(_ s: SIMD4<Double>, _ a: Double) -> SIMD4<Double> {
        let m1 = linkMass1, m2 = linkMass2, l1 = linkLength1
        let lc1 = linkCentreOfMass1, lc2 = linkCentreOfMass2
        let i1 = linkMomentOfInertia, i2 = linkMomentOfInertia, g = gravity
        let theta1 = s[0], theta2 = s[1], dtheta1 = s[2], dtheta2 = s[3]
        let cos2 = cos(theta2), sin2 = sin(theta2)
        let d1 = m1 * (lc1 * lc1) + m2 * ((l1 * l1 + lc2 * lc2) + 2 * l1 * lc2 * cos2) + i1 + i2
        let d2 = m2 * (lc2 * lc2 + l1 * lc2 * cos2) + i2
        let phi2 = m2 * lc2 * g * cos(theta1 + theta2 - Double.pi / 2.0)
        let phi1a = -m2 * l1 * lc2 * numpySquare(dtheta2) * sin2
        let phi1b = 2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * sin2
        let phi1c = (m1 * lc1 + m2 * l1) * g * cos(theta1 - Double.pi / 2)
        let phi1 = phi1a - phi1b + phi1c + phi2
        let numerator = a + d2 / d1 * phi1 - m2 * l1 * lc2 * numpySquare(dtheta1) * sin2 - phi2
        let ddtheta2 = numerator / (m2 * (lc2 * lc2) + i2 - numpySquare(d2) / d1)
        let ddtheta1 = -(d2 * ddtheta2 + phi1) / d1
        return SIMD4(dtheta1, dtheta2, ddtheta1, ddtheta2)
    }

    /// x² as NumPy's `x**2` computes it: glibc's `pow(x, 2.0)`, which is not always the correctly
    /// rounded x·x (about 1 value in 1,000 differs in the last bit; with x·x, 2 of the 3,184
    /// reference steps differ from Gymnasium by one ulp). Optimization is off here because LLVM
    /// rewrites pow(x, 2) as x·x.
    @usableFromInline @_optimize(none)
    static func numpySquare(_ x: Double) -> Double { pow(x, 2) }

    /// acrobot.py's `wrap`: adds or subtracts the range until m ≤ x ≤ M.
    @inlinable
    static func wrap(_ x: Double, _ m: Double, _ M: Double) -> Double {
        let diff = M - m
        var x = x
        while x > M { x = x - diff }
        while x < m { x = x + diff }
        return x
    }

    /// acrobot.py's `bound`: min(max(x, m), M).
    @inlinable
    static func bound(_ x: Double, _ m: Double, _ M: Double) -> Double { min(max(x, m), M) }
}

extension Acrobot: ClassicEnvironment {
    public func values(of state: AcrobotState) -> [Double] { state.array }
    public func state(from values: [Double]) -> AcrobotState? { AcrobotState(values) }
    public func terminates(_ state: AcrobotState) -> Bool { Acrobot.isTerminal(state) }

    /// Gymnasium's observation: (cos θ1, sin θ1, cos θ2, sin θ2, θ̇1, θ̇2) as float32.
    public func observe(_ s: AcrobotState, into output: UnsafeMutableBufferPointer<Float>) {
        precondition(output.count == 6, "Acrobot.observe: the observation has 6 numbers, the buffer \(output.count)")
        output[0] = Float(cos(s.theta1)); output[1] = Float(sin(s.theta1))
        output[2] = Float(cos(s.theta2)); output[3] = Float(sin(s.theta2))
        output[4] = Float(s.thetaDot1); output[5] = Float(s.thetaDot2)
    }
}

extension AcrobotState: StateVectorConvertible {
    public var vector: StateVector { StateVector(theta1, theta2, thetaDot1, thetaDot2) }
    public init(vector v: StateVector) { self.init(theta1: v[0], theta2: v[1], thetaDot1: v[2], thetaDot2: v[3]) }
}

extension Acrobot {
    /// Acrobot-v1's registration. Its velocities are held to ±100 rad/s from outside (its bounds
    /// are 4π and 9π): from much faster ones one RK4 step throws the angles so far that wrapping
    /// them back takes minutes. From pixels it is pictured 300x300 and trains for the budget its
    /// sweep had (docs/tasks.md); from the state, its sweep's budget too.
    static let task = ClassicTask(
        id: "Acrobot-v1",
        actions: [TaskAction(caption: "TORQUE -1", short: "-1", meaning: "torque −1"),
                  TaskAction(caption: "NO TORQUE", short: "0", meaning: "no torque"),
                  TaskAction(caption: "TORQUE +1", short: "+1", meaning: "torque +1")],
        stateNames: ["theta1", "theta2", "thetaDot1", "thetaDot2"], stateLimits: [1e6, 1e6, 100, 100],
        observationCount: 6, maxEpisodeSteps: maxEpisodeSteps, rewardThreshold: -100, rewardRange: -1...0,
        framesPerSecond: 15, pictureSize: (300, 300), shippedModel: "acrobot-v1-pixels.safetensors",
        tuneDefaults: { c in
            if c.observation == .pixels {
                c.useUntunedPixelDefaults()
                c.totalTimesteps = 300_000
            } else {
                c.totalTimesteps = 100_000
            }
        }, make: { Acrobot() })
}

extension EnvironmentID {
    public static let acrobotV1 = EnvironmentID(task: Acrobot.task)
}
