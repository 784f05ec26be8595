// MountainCar-v0 as Gymnasium 1.x's mountain_car.py computes it, in Double with the same
// operations in the same order: an underpowered car in a valley, the velocity and position
// clipped, and a dead stop at the left wall. Knows nothing of pixels.
import Foundation

/// Gymnasium's `env.unwrapped.state`: the car's position on the x-axis and its velocity.
public struct MountainCarState: Equatable, Sendable {
    public var position: Double
    public var velocity: Double

    public init(position: Double, velocity: Double) { self.position = position; self.velocity = velocity }

    /// The state as `[position, velocity]`.
    public var array: [Double] { [position, velocity] }

    /// A state from exactly two numbers, or nil.
    public init?(_ values: [Double]) {
        guard values.count == 2 else { return nil }
        self.init(position: values[0], velocity: values[1])
    }
}

/// The mountain car of Moore (1990) as Gymnasium implements it.
public struct MountainCar: Sendable {
    public static let minPosition = -1.2
    public static let maxPosition = 0.6
    public static let maxSpeed = 0.07
    public static let goalPosition = 0.5
    public static let goalVelocity = 0.0
    public static let force = 0.001
    public static let gravity = 0.0025
    /// Reset draws the position from U(−0.6, −0.4); the velocity starts at 0.
    public static let resetLow = -0.6
    public static let resetHigh = -0.4

    public var id: EnvironmentID { .mountainCarV0 }
    /// Gymnasium's `max_episode_steps`.
    public static let maxEpisodeSteps = 200
    public private(set) var state = MountainCarState(position: -0.5, velocity: 0)
    public private(set) var elapsedSteps = 0
    public private(set) var isRunning = false
    private var hasReset = false

    public init() {}

    @discardableResult
    public mutating func reset<G: RandomNumberGenerator>(using rng: inout G) -> MountainCarState {
        reset(to: MountainCarState(position: rng.uniform(MountainCar.resetLow, MountainCar.resetHigh), velocity: 0))
    }

    @discardableResult
    public mutating func reset(to start: MountainCarState) -> MountainCarState {
        state = start
        elapsedSteps = 0
        isRunning = true
        hasReset = true
        return state
    }

    public mutating func resume(at saved: MountainCarState, elapsedSteps steps: Int) {
        precondition(steps >= 0 && steps < MountainCar.maxEpisodeSteps, "MountainCar.resume: \(steps) steps is outside the episode")
        state = saved
        elapsedSteps = steps
        isRunning = true
        hasReset = true
    }

    /// Pushes left (0), not at all (1) or right (2) for one step. Reward −1 on every step;
    /// truncated at 200 steps as Gymnasium's TimeLimit reports it.
    public mutating func step(_ action: Int) throws -> EnvironmentStep<MountainCarState> {
        guard (0..<3).contains(action) else { throw EnvironmentError.invalidAction(id, action) }
        guard hasReset else { throw EnvironmentError.stepBeforeReset(id) }
        guard isRunning else { throw EnvironmentError.stepAfterEpisodeEnd(id, steps: elapsedSteps) }
        state = MountainCar.integrate(state, action: action)
        elapsedSteps += 1
        let terminated = MountainCar.isTerminal(state)
        let truncated = elapsedSteps >= MountainCar.maxEpisodeSteps
        if terminated || truncated { isRunning = false }
        return EnvironmentStep(state: state, reward: -1, terminated: terminated, truncated: truncated)
    }

    /// At the flag and not rolling back: position ≥ 0.5 and velocity ≥ 0.
    @inlinable
    public static func isTerminal(_ s: MountainCarState) -> Bool {
        s.position >= goalPosition && s.velocity >= goalVelocity
    }

    /// mountain_car.py's step:
    ///   v += (a − 1)·force + cos(3·p)·(−gravity);  v = clip(v, −0.07, 0.07)
    ///   p += v;  p = clip(p, −1.2, 0.6);  if p == −1.2 and v < 0 { v = 0 }
    @inlinable
    public static func integrate(_ s: MountainCarState, action: Int) -> MountainCarState {
        var velocity = s.velocity
        velocity += Double(action - 1) * force + cos(3 * s.position) * (-gravity)
        velocity = min(max(velocity, -maxSpeed), maxSpeed)
        var position = s.position
        position += velocity
        position = min(max(position, minPosition), maxPosition)
        if position == minPosition && velocity < 0 { velocity = 0 }
        return MountainCarState(position: position, velocity: velocity)
    }

    /// The height of the hill at `x` (mountain_car.py's `_height`): sin(3x)·0.45 + 0.55.
    @inlinable
    public static func height(_ x: Double) -> Double { sin(3 * x) * 0.45 + 0.55 }
}

extension MountainCar: ClassicEnvironment {
    public func values(of state: MountainCarState) -> [Double] { state.array }
    public func state(from values: [Double]) -> MountainCarState? { MountainCarState(values) }
    public func terminates(_ state: MountainCarState) -> Bool { MountainCar.isTerminal(state) }

    /// Gymnasium's observation: (position, velocity) as float32.
    public func observe(_ s: MountainCarState, into output: UnsafeMutableBufferPointer<Float>) {
        precondition(output.count == 2, "MountainCar.observe: the observation has 2 numbers, the buffer \(output.count)")
        output[0] = Float(s.position); output[1] = Float(s.velocity)
    }
}

extension MountainCarState: StateVectorConvertible {
    public var vector: StateVector { StateVector(position, velocity) }
    public init(vector v: StateVector) { self.init(position: v[0], velocity: v[1]) }
}

extension MountainCar {
    /// MountainCar-v0's registration. From pixels it acts every 10 env steps, explores over the
    /// first 30 % of a 50,000-step budget and evaluates every 2,500 steps; from the state it gets
    /// its sweep's budget (docs/tasks.md).
    static let task = ClassicTask(
        id: "MountainCar-v0",
        actions: [TaskAction(caption: "PUSH LEFT", short: "LEFT", meaning: "push left"),
                  TaskAction(caption: "NO PUSH", short: "NONE", meaning: "no push"),
                  TaskAction(caption: "PUSH RIGHT", short: "RIGHT", meaning: "push right")],
        stateNames: ["position", "velocity"], maxEpisodeSteps: maxEpisodeSteps, rewardThreshold: -110,
        rewardRange: -1...0, framesPerSecond: 30, shippedModel: "mountaincar-v0-pixels.safetensors",
        tuneDefaults: { c in
            if c.observation == .pixels {
                c.useUntunedPixelDefaults()
                c.frameSkip = 10
                c.totalTimesteps = 50_000
                c.explorationFraction = 0.3
                c.evalEvery = 2_500
            } else {
                c.totalTimesteps = 200_000
            }
        }, make: { MountainCar() })
}

extension EnvironmentID {
    public static let mountainCarV0 = EnvironmentID(task: MountainCar.task)
}
