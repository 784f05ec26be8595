// Any registered task behind one concrete type, chosen at run time by its id (the CLI and the
// trainer's config name the task). Steps dispatch with a switch to the task's own arithmetic, so
// every task keeps its exact bits; states travel as a fixed-size vector (no allocation per step).

/// Up to four state numbers in Gymnasium's order, without heap storage.
public struct StateVector: Equatable, Sendable {
    public private(set) var count: Int
    private var lanes: SIMD4<Double>

    /// - Precondition: 1 to 4 values.
    public init(_ values: [Double]) {
        precondition((1...4).contains(values.count), "StateVector: \(values.count) numbers, expected 1 to 4")
        count = values.count
        lanes = .zero
        for (i, v) in values.enumerated() { lanes[i] = v }
    }

    public subscript(i: Int) -> Double {
        precondition(i >= 0 && i < count, "StateVector: index \(i) outside 0..<\(count)")
        return lanes[i]
    }

    public var array: [Double] { (0..<count).map { lanes[$0] } }

    init(_ s: CartPoleState) { count = 4; lanes = SIMD4(s.x, s.xDot, s.theta, s.thetaDot) }
    init(_ s: AcrobotState) { count = 4; lanes = SIMD4(s.theta1, s.theta2, s.thetaDot1, s.thetaDot2) }
    init(_ s: MountainCarState) { count = 2; lanes = SIMD4(s.position, s.velocity, 0, 0) }
    var cartPole: CartPoleState { CartPoleState(x: lanes[0], xDot: lanes[1], theta: lanes[2], thetaDot: lanes[3]) }
    var acrobot: AcrobotState { AcrobotState(theta1: lanes[0], theta2: lanes[1], thetaDot1: lanes[2], thetaDot2: lanes[3]) }
    var mountainCar: MountainCarState { MountainCarState(position: lanes[0], velocity: lanes[1]) }
}

/// One of the drawn (classic control) tasks, picked by id.
/// - Precondition: the id is not an Atari game's.
public struct AnyEnvironment: Environment {
    private enum Task: Sendable {
        case cartPole(CartPole)
        case acrobot(Acrobot)
        case mountainCar(MountainCar)
    }
    private var task: Task
    public let id: EnvironmentID

    public init(_ id: EnvironmentID) {
        self.id = id
        switch id {
        case .cartPoleV0: task = .cartPole(CartPole(version: .v0))
        case .cartPoleV1: task = .cartPole(CartPole(version: .v1))
        case .acrobotV1: task = .acrobot(Acrobot())
        case .mountainCarV0: task = .mountainCar(MountainCar())
        default: preconditionFailure("AnyEnvironment: \(id.rawValue) is not a drawn task (Atari games play through AtariObservation)")
        }
    }

    public var state: StateVector {
        switch task {
        case .cartPole(let e): return StateVector(e.state)
        case .acrobot(let e): return StateVector(e.state)
        case .mountainCar(let e): return StateVector(e.state)
        }
    }

    public var elapsedSteps: Int {
        switch task {
        case .cartPole(let e): return e.elapsedSteps
        case .acrobot(let e): return e.elapsedSteps
        case .mountainCar(let e): return e.elapsedSteps
        }
    }

    public var isRunning: Bool {
        switch task {
        case .cartPole(let e): return e.isRunning
        case .acrobot(let e): return e.isRunning
        case .mountainCar(let e): return e.isRunning
        }
    }

    @discardableResult
    public mutating func reset<G: RandomNumberGenerator>(using rng: inout G) -> StateVector {
        switch task {
        case .cartPole(var e): let s = e.reset(using: &rng); task = .cartPole(e); return StateVector(s)
        case .acrobot(var e): let s = e.reset(using: &rng); task = .acrobot(e); return StateVector(s)
        case .mountainCar(var e): let s = e.reset(using: &rng); task = .mountainCar(e); return StateVector(s)
        }
    }

    @discardableResult
    public mutating func reset(to start: StateVector) -> StateVector {
        precondition(start.count == id.stateCount, "\(id.rawValue).reset: \(start.count) state numbers, expected \(id.stateCount)")
        switch task {
        case .cartPole(var e): e.reset(to: start.cartPole); task = .cartPole(e)
        case .acrobot(var e): e.reset(to: start.acrobot); task = .acrobot(e)
        case .mountainCar(var e): e.reset(to: start.mountainCar); task = .mountainCar(e)
        }
        return state
    }

    public mutating func resume(at saved: StateVector, elapsedSteps steps: Int) {
        precondition(saved.count == id.stateCount, "\(id.rawValue).resume: \(saved.count) state numbers, expected \(id.stateCount)")
        switch task {
        case .cartPole(var e): e.resume(at: saved.cartPole, elapsedSteps: steps); task = .cartPole(e)
        case .acrobot(var e): e.resume(at: saved.acrobot, elapsedSteps: steps); task = .acrobot(e)
        case .mountainCar(var e): e.resume(at: saved.mountainCar, elapsedSteps: steps); task = .mountainCar(e)
        }
    }

    public mutating func step(_ action: Int) throws -> EnvironmentStep<StateVector> {
        func wrap<S>(_ r: EnvironmentStep<S>, _ v: StateVector) -> EnvironmentStep<StateVector> {
            EnvironmentStep(state: v, reward: r.reward, terminated: r.terminated, truncated: r.truncated)
        }
        switch task {
        case .cartPole(var e):
            let r = try e.step(action); task = .cartPole(e); return wrap(r, StateVector(r.state))
        case .acrobot(var e):
            let r = try e.step(action); task = .acrobot(e); return wrap(r, StateVector(r.state))
        case .mountainCar(var e):
            let r = try e.step(action); task = .mountainCar(e); return wrap(r, StateVector(r.state))
        }
    }

    public func values(of state: StateVector) -> [Double] { state.array }

    public func state(from values: [Double]) -> StateVector? {
        values.count == id.stateCount ? StateVector(values) : nil
    }

    public func terminates(_ s: StateVector) -> Bool {
        switch task {
        case .cartPole: return CartPole.isTerminal(s.cartPole)
        case .acrobot: return Acrobot.isTerminal(s.acrobot)
        case .mountainCar: return MountainCar.isTerminal(s.mountainCar)
        }
    }

    public func observe(_ s: StateVector, into output: UnsafeMutableBufferPointer<Float>) {
        switch task {
        case .cartPole(let e): e.observe(s.cartPole, into: output)
        case .acrobot(let e): e.observe(s.acrobot, into: output)
        case .mountainCar(let e): e.observe(s.mountainCar, into: output)
        }
    }

    public var sceneLayout: SceneLayout {
        switch task {
        case .cartPole(let e): return e.sceneLayout
        case .acrobot(let e): return e.sceneLayout
        case .mountainCar(let e): return e.sceneLayout
        }
    }

    public func drawScene(_ s: StateVector, into shapes: inout SceneShapes) {
        switch task {
        case .cartPole(let e): e.drawScene(s.cartPole, into: &shapes)
        case .acrobot(let e): e.drawScene(s.acrobot, into: &shapes)
        case .mountainCar(let e): e.drawScene(s.mountainCar, into: &shapes)
        }
    }
}
