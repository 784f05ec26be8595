// Acrobot-v1 and MountainCar-v0 against Gymnasium's own trajectories (Fixtures/gym/tasks/
// trajectories.json, written by Scripts/gym_reference_tasks.py): termination, truncation, the
// velocity bounds and angle wraps, the left wall. Plus the rules of the episode and seeded resets.
import Foundation
import Testing
import PixelDQN

private struct TaskTrajectories: Decodable {
    struct Step: Decodable { var state: [Double]; var reward: Double; var terminated: Bool; var truncated: Bool }
    struct Case: Decodable { var name: String; var env: String; var initial_state: [Double]; var actions: [Int]; var steps: [Step] }
    var cases: [Case]
}

@Suite struct TaskDynamicsTests {
    /// With glibc's sin and cos the same operations in the same order give Gymnasium's bits;
    /// the tolerance the issue sets is 1e-9 per state number.
    static let stateTolerance = 1e-9

    fileprivate static func reference() throws -> [TaskTrajectories.Case] {
        let bytes = try AtomicFile.read(Fixtures.path("gym/tasks/trajectories.json"))
        return try JSONDecoder().decode(TaskTrajectories.self, from: Data(bytes)).cases
    }

    @Test func replaysGymnasiumTrajectoriesToOneNanoPerState() throws {
        let cases = try Self.reference()
        #expect(cases.count >= 16)
        var endings = Set<String>()
        var worst = 0.0, steps = 0
        for c in cases {
            let id = try #require(EnvironmentID(rawValue: c.env), "unknown env \(c.env)")
            var env = AnyEnvironment(id)
            env.reset(to: try #require(env.state(from: c.initial_state)))
            for (i, expected) in c.steps.enumerated() {
                let r = try env.step(c.actions[i])
                for (k, (a, b)) in zip(r.state.array, expected.state).enumerated() {
                    worst = max(worst, abs(a - b))
                    #expect(isClose(a, b, tolerance: Self.stateTolerance),
                            "\(c.name) step \(i + 1) component \(k): expected \(b), got \(a), tolerance \(Self.stateTolerance)")
                }
                #expect(r.state.count == expected.state.count)
                #expect(r.reward == expected.reward, "\(c.name) step \(i + 1) reward")
                #expect(r.terminated == expected.terminated, "\(c.name) step \(i + 1) terminated")
                #expect(r.truncated == expected.truncated, "\(c.name) step \(i + 1) truncated")
                if expected.terminated { endings.insert("\(c.env) terminated") }
                if expected.truncated { endings.insert("\(c.env) truncated") }
                steps += 1
            }
            if let last = c.steps.last, last.terminated || last.truncated { #expect(!env.isRunning, "\(c.name): episode should be over") }
        }
        #expect(endings == ["Acrobot-v1 terminated", "Acrobot-v1 truncated", "MountainCar-v0 terminated", "MountainCar-v0 truncated"])
        print("Acrobot-v1 and MountainCar-v0 vs Gymnasium: \(steps) steps, largest state difference \(worst)")
    }

    @Test func fixturesCoverBoundsWrapsAndTheLeftWall() throws {
        let cases = try Self.reference()
        let acrobot = cases.filter { $0.env == "Acrobot-v1" }.flatMap { $0.steps.map(\.state) }
        let car = cases.filter { $0.env == "MountainCar-v0" }.flatMap { $0.steps.map(\.state) }
        #expect(acrobot.contains { abs($0[2]) == Acrobot.maxVelocity1 }, "a step at |θ̇1| = 4π")
        #expect(acrobot.contains { abs($0[3]) == Acrobot.maxVelocity2 }, "a step at |θ̇2| = 9π")
        #expect(acrobot.allSatisfy { abs($0[0]) <= Double.pi && abs($0[1]) <= Double.pi })
        #expect(car.contains { $0[0] == MountainCar.minPosition && $0[1] == 0 }, "a stop at the left wall")
        #expect(car.contains { abs($0[1]) == MountainCar.maxSpeed }, "a clipped velocity")
        #expect(car.contains { $0[0] >= MountainCar.goalPosition && $0[1] < 0 }, "at the goal but rolling back")
    }

    @Test func rewardsAndTimeLimits() throws {
        var acrobot = Acrobot()
        acrobot.reset(to: AcrobotState(theta1: 0, theta2: 0, thetaDot1: 0, thetaDot2: 0))
        var total = 0.0
        while acrobot.isRunning { total += try acrobot.step(1).reward }
        #expect(acrobot.elapsedSteps == 500 && total == -500)

        var car = MountainCar()
        car.reset(to: MountainCarState(position: -0.5, velocity: 0))
        total = 0
        var last: EnvironmentStep<MountainCarState>?
        while car.isRunning { last = try car.step(1); total += last!.reward }
        #expect(car.elapsedSteps == 200 && total == -200)
        #expect(last?.truncated == true && last?.terminated == false)

        // Acrobot's terminating step is worth 0.
        acrobot.reset(to: AcrobotState(theta1: 3.0, theta2: 0, thetaDot1: 0, thetaDot2: 0))
        let r = try acrobot.step(1)
        #expect(r.terminated && r.reward == 0)
    }

    @Test func refusesInvalidActionsAndStepsAfterTheEnd() throws {
        var car = MountainCar()
        #expect(throws: EnvironmentError.stepBeforeReset(.mountainCarV0)) { try car.step(0) }
        car.reset(to: MountainCarState(position: 0.59, velocity: 0.07))
        #expect(throws: EnvironmentError.invalidAction(.mountainCarV0, 3)) { try car.step(3) }
        #expect(try car.step(2).terminated)
        #expect(throws: EnvironmentError.stepAfterEpisodeEnd(.mountainCarV0, steps: 1)) { try car.step(0) }
        var acrobot = Acrobot()
        acrobot.reset(to: AcrobotState(theta1: 0, theta2: 0, thetaDot1: 0, thetaDot2: 0))
        #expect(throws: EnvironmentError.invalidAction(.acrobotV1, -1)) { try acrobot.step(-1) }
        #expect("\(EnvironmentError.invalidAction(.acrobotV1, 5))".contains("expected 0 (torque −1), 1 (no torque) or 2 (torque +1)"))
    }

    @Test func seededResetsRepeatAndStayInGymnasiumsRanges() {
        var rng = Xoshiro256(seed: 11), again = Xoshiro256(seed: 11), carRNG = Xoshiro256(seed: 12)
        var a = Acrobot(), b = Acrobot(), car = MountainCar()
        for _ in 0..<1000 {
            let s = a.reset(using: &rng)
            #expect(s == b.reset(using: &again))
            #expect(s.array.allSatisfy { $0 >= -0.1 && $0 <= 0.1 && Double(Float($0)) == $0 }, "U(−0.1, 0.1) rounded to Float")
            let c = car.reset(using: &carRNG)
            #expect(c.position >= -0.6 && c.position < -0.4 && c.velocity == 0)
        }
    }

    @Test func anyEnvironmentGivesEachTasksOwnSteps() throws {
        var rng = Xoshiro256(seed: 5), twin = Xoshiro256(seed: 5)
        var any = AnyEnvironment(.acrobotV1), plain = Acrobot()
        #expect(any.reset(using: &rng).array == plain.reset(using: &twin).array)
        for i in 0..<50 {
            let r = try any.step(i % 3), p = try plain.step(i % 3)
            #expect(r.state.array == p.state.array && r.reward == p.reward && r.terminated == p.terminated)
        }
        #expect(AnyEnvironment(.mountainCarV0).state(from: [0, 0, 0]) == nil)
    }
}
