// Any drawn task behind one concrete type, chosen at run time by its id (the CLI and the
// trainer's config name the task). Each step runs the task's own arithmetic, so every task keeps
// its exact bits; states travel as a fixed-size vector (no allocation per step). Nothing here
// names a task: the simulator comes from the task's registration (TaskRegistry).

/// Up to eight state numbers in Gymnasium's order, without heap storage.
public struct StateVector: Equatable, Sendable {
    /// The most numbers a state can have.
    public static let capacity = 8
    public private(set) var count: Int
    private var lanes: SIMD8<Double>

    /// - Precondition: 1 to `capacity` values.
    public init(_ values: [Double]) {
        precondition((1...StateVector.capacity).contains(values.count), "StateVector: \(values.count) numbers, expected 1 to \(StateVector.capacity)")
        count = values.count
        lanes = .zero
        for (i, v) in values.enumerated() { lanes[i] = v }
    }

    /// A state of the given numbers (no array on the way).
    public init(_ a: Double, _ b: Double, _ c: Double, _ d: Double) {
        count = 4; lanes = SIMD8(a, b, c, d, 0, 0, 0, 0)
    }

    public init(_ a: Double, _ b: Double) {
        count = 2; lanes = SIMD8(a, b, 0, 0, 0, 0, 0, 0)
    }

    public subscript(i: Int) -> Double {
        precondition(i >= 0 && i < count, "StateVector: index \(i) outside 0..<\(count)")
        return lanes[i]
    }

    public var array: [Double] { (0..<count).map { lanes[$0] } }

    public static func == (a: StateVector, b: StateVector) -> Bool { a.count == b.count && a.lanes == b.lanes }
}

/// A drawn task's simulator with its state as a `StateVector`.
private protocol DrawnSimulator: Sendable {
    var state: StateVector { get }
    var elapsedSteps: Int { get }
    var isRunning: Bool { get }
    mutating func reset<G: RandomNumberGenerator>(using rng: inout G) -> StateVector
    mutating func reset(to start: StateVector)
    mutating func resume(at saved: StateVector, elapsedSteps steps: Int)
    mutating func step(_ action: Int) throws -> EnvironmentStep<StateVector>
    func terminates(_ s: StateVector) -> Bool
    func observe(_ s: StateVector, into output: UnsafeMutableBufferPointer<Float>)
    var sceneLayout: SceneLayout { get }
    func drawScene(_ s: StateVector, into shapes: inout SceneShapes)
}

/// A task's own simulator seen through `DrawnSimulator`.
private struct Simulator<E: ClassicEnvironment>: DrawnSimulator {
    var e: E
    var state: StateVector { e.state.vector }
    var elapsedSteps: Int { e.elapsedSteps }
    var isRunning: Bool { e.isRunning }
    mutating func reset<G: RandomNumberGenerator>(using rng: inout G) -> StateVector { e.reset(using: &rng).vector }
    mutating func reset(to start: StateVector) { e.reset(to: E.State(vector: start)) }
    mutating func resume(at saved: StateVector, elapsedSteps steps: Int) { e.resume(at: E.State(vector: saved), elapsedSteps: steps) }
    mutating func step(_ action: Int) throws -> EnvironmentStep<StateVector> {
        let r = try e.step(action)
        return EnvironmentStep(state: r.state.vector, reward: r.reward, terminated: r.terminated, truncated: r.truncated)
    }
    func terminates(_ s: StateVector) -> Bool { e.terminates(E.State(vector: s)) }
    func observe(_ s: StateVector, into output: UnsafeMutableBufferPointer<Float>) { e.observe(E.State(vector: s), into: output) }
    var sceneLayout: SceneLayout { e.sceneLayout }
    func drawScene(_ s: StateVector, into shapes: inout SceneShapes) { e.drawScene(E.State(vector: s), into: &shapes) }
}

extension ClassicTask {
    fileprivate func makeSimulator() -> any DrawnSimulator {
        func wrap<E: ClassicEnvironment>(_ e: E) -> any DrawnSimulator { Simulator(e: e) }
        return wrap(makeEnvironment())
    }
}

/// One of the drawn (classic control) tasks, picked by id.
/// - Precondition: the id is not an Atari game's.
public struct AnyEnvironment: Environment {
    private var task: any DrawnSimulator
    public let id: EnvironmentID

    public init(_ id: EnvironmentID) {
        guard let registered = id.task else {
            preconditionFailure("AnyEnvironment: \(id.rawValue) is not a drawn task (Atari games play through AtariObservation)")
        }
        self.id = id
        task = registered.makeSimulator()
    }

    public var state: StateVector { task.state }
    public var elapsedSteps: Int { task.elapsedSteps }
    public var isRunning: Bool { task.isRunning }

    @discardableResult
    public mutating func reset<G: RandomNumberGenerator>(using rng: inout G) -> StateVector { task.reset(using: &rng) }

    @discardableResult
    public mutating func reset(to start: StateVector) -> StateVector {
        precondition(start.count == id.stateCount, "\(id.rawValue).reset: \(start.count) state numbers, expected \(id.stateCount)")
        task.reset(to: start)
        return state
    }

    public mutating func resume(at saved: StateVector, elapsedSteps steps: Int) {
        precondition(saved.count == id.stateCount, "\(id.rawValue).resume: \(saved.count) state numbers, expected \(id.stateCount)")
        task.resume(at: saved, elapsedSteps: steps)
    }

    public mutating func step(_ action: Int) throws -> EnvironmentStep<StateVector> { try task.step(action) }

    public func values(of state: StateVector) -> [Double] { state.array }

    public func state(from values: [Double]) -> StateVector? {
        values.count == id.stateCount ? StateVector(values) : nil
    }

    public func terminates(_ s: StateVector) -> Bool { task.terminates(s) }
    public func observe(_ s: StateVector, into output: UnsafeMutableBufferPointer<Float>) { task.observe(s, into: output) }
    public var sceneLayout: SceneLayout { task.sceneLayout }
    public func drawScene(_ s: StateVector, into shapes: inout SceneShapes) { task.drawScene(s, into: &shapes) }
}
