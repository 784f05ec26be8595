// The task registry: every registered drawn task's facts agree with its simulator, ids round-trip,
// and the defaults and help texts come from the registration.
import Foundation
import Testing
import PixelDQN

@Suite struct TaskRegistryTests {
    @Test(arguments: TaskRegistry.classic.map(\.id))
    func aRegisteredTasksFactsAgreeWithItsSimulator(name: String) throws {
        let id = try #require(EnvironmentID(rawValue: name))
        let task = try #require(id.task)
        #expect(id.rawValue == task.id && !id.isAtari)
        #expect(try JSONDecoder().decode(EnvironmentID.self, from: JSONEncoder().encode(id)) == id)
        var env = AnyEnvironment(id)
        var rng = Xoshiro256(seed: 7)
        let start = env.reset(using: &rng)
        #expect(start.count == id.stateCount && id.stateLimits.count == id.stateCount)
        // Every listed action steps; the next number is refused.
        for action in 0..<id.actionCount {
            env.reset(to: start)
            let step = try env.step(action)
            #expect(task.rewardRange.contains(step.reward), "\(name): reward \(step.reward) outside \(task.rewardRange)")
        }
        env.reset(to: start)
        #expect(throws: (any Error).self) { try env.step(id.actionCount) }
        // The observation fills exactly observationCount numbers.
        var buffer = [Float](repeating: .nan, count: id.observationCount)
        buffer.withUnsafeMutableBufferPointer { env.observe(start, into: $0) }
        #expect(buffer.allSatisfy { $0.isFinite })
        // Episodes end at the registered time limit at the latest.
        env.reset(using: &rng)
        var steps = 0
        while env.isRunning { _ = try env.step(steps % id.actionCount); steps += 1 }
        #expect(steps <= id.maxEpisodeSteps)
        #expect(id.returnRange(steps: steps).contains(Double(steps) * task.rewardRange.lowerBound))
    }

    @Test func helpTextsAndDefaultsComeFromTheRegistry() {
        for id in EnvironmentID.classic {
            #expect(EnvironmentID.names.contains(id.rawValue))
            #expect(EnvironmentID.actionHelp.contains(id.rawValue))
            #expect(EnvironmentID.stateHelp.contains(id.rawValue))
            #expect(TrainingConfig.defaults(for: .pixels, env: id).env == id)
            #expect(TrainingConfig.defaults(for: .state, env: id).env == id)
        }
        // A task's own tuning: MountainCar from pixels acts every 10 steps; CartPole keeps the base.
        #expect(TrainingConfig.defaults(for: .pixels, env: .mountainCarV0).frameSkip == 10)
        #expect(TrainingConfig.defaults(for: .pixels, env: .cartPoleV1) == TrainingConfig.defaults(for: .pixels))
        #expect(EnvironmentID.acrobotV1.actionNames == "0 (torque −1), 1 (no torque) or 2 (torque +1)")
    }

    @Test func aStateVectorHoldsUpToItsCapacity() {
        let values = (0..<StateVector.capacity).map(Double.init)
        #expect(StateVector(values).array == values)
        #expect(StateVector(1, 2) == StateVector([1, 2]))
        #expect(StateVector(1, 2) != StateVector([1, 2, 0]))
    }
}
