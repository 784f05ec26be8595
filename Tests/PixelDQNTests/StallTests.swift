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
        // The recorded step is the one metrics.csv's evaluations give.
        let config = try RunFolder(path: dir).readConfig()
        let log = try MetricsLog.parse(String(decoding: try AtomicFile.read(dir + "/metrics.csv"), as: UTF8.self),
                                       path: dir + "/metrics.csv", env: config.env, frameSkip: config.frameSkip)
        let expected = log.stalledSince(threshold: config.env.rewardThreshold, totalTimesteps: config.totalTimesteps)
        #expect(try RunSummary.read(dir + "/summary.json").stalledSinceStep == expected)
        // A sweep over the run says which unsolved seeds stalled, and sweep.json records it.
        let sweep = try runTool(["sweep", "--aggregate", dir, "--output", dir + "-sweep"])
        #expect(sweep.status == 0, "\(sweep.err)")
        #expect(sweep.out.contains("stalled (unsolved") == (expected != nil), "\(sweep.out)")
        let written = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "-sweep/sweep.json"))) as? [String: Any])
        let run = try #require((written["runs"] as? [[String: Any]])?.first)
        #expect((run["stalled_since_step"] as? Int) == expected)
        try? FileManager.default.removeItem(atPath: dir)
        try? FileManager.default.removeItem(atPath: dir + "-sweep")
    }
}
