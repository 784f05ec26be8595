// CartPole against Gymnasium's own trajectories (Fixtures/gym/trajectories.json, written by
// Scripts/gym_reference.py), plus the rules of the episode: rewards, termination, truncation,
// seeded resets and refused misuse.
import Foundation
import Testing
import PixelDQN

private struct Trajectories: Decodable {
    struct Step: Decodable { var state: [Double]; var reward: Double; var terminated: Bool; var truncated: Bool }
    struct Case: Decodable { var name: String; var env: String; var initial_state: [Double]; var actions: [Int]; var steps: [Step] }
    var cases: [Case]
}

@Suite struct CartPoleTests {
    /// Gymnasium computes in float64 with NumPy's sin/cos; libm may differ in the last ulp.
    static let stateTolerance = 1e-9

    @Test func replaysGymnasiumTrajectoriesToOneNanoPerState() throws {
        let bytes = try AtomicFile.read(Fixtures.path("gym/trajectories.json"))
        let reference = try JSONDecoder().decode(Trajectories.self, from: Data(bytes))
        #expect(reference.cases.count >= 8)
        var sawTerminated = false, sawTruncated = [String: Bool]()
        for c in reference.cases {
            let version = try #require(CartPoleVersion(rawValue: c.env), "unknown env \(c.env)")
            var env = CartPole(version: version)
            env.reset(to: try #require(CartPoleState(c.initial_state)))
            #expect(c.steps.count <= c.actions.count)
            for (i, expected) in c.steps.enumerated() {
                let r = try env.step(c.actions[i])
                for (k, (a, b)) in zip(r.state.array, expected.state).enumerated() {
                    #expect(isClose(a, b, tolerance: Self.stateTolerance),
                            "\(c.name) step \(i + 1) component \(k): expected \(b), got \(a), tolerance \(Self.stateTolerance)")
                }
                #expect(r.reward == expected.reward, "\(c.name) step \(i + 1) reward")
                #expect(r.terminated == expected.terminated, "\(c.name) step \(i + 1) terminated")
                #expect(r.truncated == expected.truncated, "\(c.name) step \(i + 1) truncated")
                sawTerminated = sawTerminated || expected.terminated
                if expected.truncated { sawTruncated[c.env] = true }
            }
            if let last = c.steps.last, last.terminated || last.truncated {
                #expect(!env.isRunning, "\(c.name): episode should be over")
            }
        }
        #expect(sawTerminated)
        #expect(sawTruncated["CartPole-v1"] == true && sawTruncated["CartPole-v0"] == true,
                "fixtures must include truncation for both versions")
    }

    @Test(arguments: CartPoleVersion.allCases)
    func truncatesAtTheTimeLimitWithRewardEveryStep(version: CartPoleVersion) throws {
        var env = CartPole(version: version)
        env.reset(to: CartPoleState(x: 0, xDot: 0, theta: 0, thetaDot: 0))
        var total = 0.0
        var last: CartPoleStep?
        while env.isRunning {
            // A simple balancing controller keeps the pole up until the time limit.
            let s = env.state
            let r = try env.step(s.theta + 0.5 * s.thetaDot + 0.01 * s.x + 0.1 * s.xDot > 0 ? 1 : 0)
            total += r.reward
            last = r
        }
        #expect(env.elapsedSteps == version.maxEpisodeSteps)
        #expect(total == Double(version.maxEpisodeSteps))
        #expect(last?.truncated == true && last?.terminated == false)
    }

    @Test func terminatesStrictlyBeyondTheThresholds() {
        let t = CartPole.thetaThreshold
        #expect(!CartPole.isTerminal(CartPoleState(x: 2.4, xDot: 0, theta: 0, thetaDot: 0)))
        #expect(CartPole.isTerminal(CartPoleState(x: 2.4.nextUp, xDot: 0, theta: 0, thetaDot: 0)))
        #expect(CartPole.isTerminal(CartPoleState(x: (-2.4).nextDown, xDot: 0, theta: 0, thetaDot: 0)))
        #expect(!CartPole.isTerminal(CartPoleState(x: 0, xDot: 0, theta: -t, thetaDot: 0)))
        #expect(CartPole.isTerminal(CartPoleState(x: 0, xDot: 0, theta: t.nextUp, thetaDot: 0)))
        #expect(CartPole.isTerminal(CartPoleState(x: 0, xDot: 0, theta: (-t).nextDown, thetaDot: 0)))
    }

    @Test func refusesInvalidActionsAndStepsAfterTheEnd() throws {
        var env = CartPole()
        #expect(throws: CartPoleError.stepBeforeReset) { try env.step(0) }
        env.reset(to: CartPoleState(x: 2.39, xDot: 5, theta: 0, thetaDot: 0))
        #expect(throws: CartPoleError.invalidAction(2)) { try env.step(2) }
        #expect(throws: CartPoleError.invalidAction(-1)) { try env.step(-1) }
        let r = try env.step(1)
        #expect(r.terminated && r.reward == 1)
        #expect(throws: CartPoleError.stepAfterEpisodeEnd(steps: 1)) { try env.step(0) }
        #expect("\(CartPoleError.invalidAction(2))".contains("expected 0 (push left) or 1 (push right)"))
    }

    @Test func seededResetsRepeatAndStayInRange() {
        var a = CartPole(), b = CartPole(), c = CartPole()
        let sa = a.reset(seed: 123), sb = b.reset(seed: 123), sc = c.reset(seed: 124)
        #expect(sa == sb)
        #expect(sa != sc)
        var rng = Xoshiro256(seed: 9)
        for _ in 0..<1000 {
            let s = a.reset(using: &rng)
            #expect(s.array.allSatisfy { $0 >= -0.05 && $0 < 0.05 })
        }
    }
}
