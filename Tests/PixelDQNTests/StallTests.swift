// A run whose evaluations stop improving says so (the progress line, summary.json).
import Foundation
import Testing
import PixelDQN

@Suite struct StallTests {
    private func log(_ means: [Double], every: Int = 5_000) -> MetricsLog {
        var m = MetricsLog()
        for (i, mean) in means.enumerated() {
            m.evaluations.append(EvalRecord(step: (i + 1) * every, stats: EvalStats(episodes: 10, mean: mean, std: 0, min: mean, max: mean)))
        }
        return m
    }

    @Test func aCreepingRunIsStalledAClimbingOneIsNot() {
        // CartPole-v1 (475), 75,000 steps: the window is 15,000 steps.
        let creeping = log([100, 150, 170, 175, 180, 185, 190, 195])
        #expect(creeping.stalledSince(threshold: 475, totalTimesteps: 75_000) == 15_000)
        let climbing = log([100, 150, 170, 220, 260, 300, 340, 380])
        #expect(climbing.stalledSince(threshold: 475, totalTimesteps: 75_000) == nil)
        // Too short a stretch, a solve, or no threshold: not stalled.
        #expect(log([100, 101]).stalledSince(threshold: 475, totalTimesteps: 75_000) == nil)
        #expect(log([100, 480, 100, 100, 100, 100]).stalledSince(threshold: 475, totalTimesteps: 75_000) == nil)
        #expect(creeping.stalledSince(threshold: .infinity, totalTimesteps: 75_000) == nil)
        // Tasks paying −1 a step: Acrobot's threshold −100.
        let acrobot = log([-500, -300, -290, -288, -287, -286, -285], every: 20_000)
        #expect(acrobot.stalledSince(threshold: -100, totalTimesteps: 300_000) == 40_000)
    }

    @Test func summaryJSONRecordsTheStall() throws {
        let dir = NSTemporaryDirectory() + "pixel-dqn-tests/stall-\(UUID().uuidString)"
        let r = try runTool(["train", "--observation", "state", "--total-timesteps", "600", "--learning-starts", "200",
                             "--eval-every", "200", "--eval-episodes", "2", "--final-eval-episodes", "2", "--quiet", "--output", dir])
        #expect(r.status == 0, "\(r.err)")
        let summary = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/summary.json"))) as? [String: Any])
        #expect(summary.keys.contains("stalled_since_step"))
        try? FileManager.default.removeItem(atPath: dir)
    }
}
