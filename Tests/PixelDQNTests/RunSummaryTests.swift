// summary.json: one Codable type written by the trainer and read by sweeps and resumes, with the
// run's time phase by phase.
import Foundation
import Testing
import PixelDQN

@Suite struct RunSummaryTests {
    @Test func aRunsSummaryReadsBackWithItsTimeByPhase() throws {
        let dir = try temporaryFolder() + "/run"
        // From pixels: each timed part then takes milliseconds (the state's mlp can update, act
        // and evaluate 600 steps in less than the 1 ms summary.json resolves).
        var c = tinyConfig(.pixels, steps: 600)
        c.emaTau = 0.01
        let result = try runTraining(c, folder: dir)
        let summary = try RunSummary.read(dir + "/summary.json")
        #expect(summary.steps == 600 && summary.episodes == result.episodes && !summary.interrupted)
        #expect(summary.finalEval == result.finalEvaluation.map(EvaluationSummary.init))
        let phases = try #require(summary.secondsByPhase)
        // The phases add up to the process's time in the trainer, which is within its wall time.
        let parts = [phases.act, phases.environment, phases.replayStore, phases.replaySample, phases.updateTargets,
                     phases.updateForwardLoss, phases.updateBackward, phases.updateOptimizer, phases.updateAverage,
                     phases.targetRefresh, phases.evaluation, phases.writing, phases.other]
        #expect(parts.allSatisfy { $0 >= 0 })
        #expect(abs(parts.reduce(0, +) - phases.total) <= 0.001 * Double(parts.count))
        #expect(phases.total <= summary.wallSeconds + 0.1)
        // Updates ran (steps 101–600, every 2), each with its parts, and the evaluations took time
        // (the environment's own steps and the average can round to 0 ms).
        for part in [phases.updateTargets, phases.updateForwardLoss, phases.updateBackward, phases.updateOptimizer,
                     phases.evaluation, phases.act] {
            #expect(part > 0, "\(phases)")
        }
        #expect(phases.shares.contains("update ") && phases.shares.contains("evaluation "))
        // What is written reads back as the same summary.
        #expect(try RunSummary.decode(json: Array(try summary.json().utf8), path: "summary.json") == summary)
    }

    @Test func aSummaryWithImpossibleValuesIsRefusedNamingTheField() throws {
        let result = TrainingResult(steps: 1000, episodes: 20, wallSeconds: 12.34, interrupted: false, finalEvaluation: nil,
                                    bestModelEvaluation: nil, firstReachedStep: -1, firstReachedSeconds: -1,
                                    firstSolvedStep: -1, firstSolvedSeconds: -1, phases: PhaseSeconds())
        let good = try RunSummary(result, stalledSinceStep: nil, phases: PhaseSeconds()).json()
        #expect(good.contains("\"stalled_since_step\" : null"))
        #expect(try RunSummary.decode(json: Array(good.utf8), path: "s.json").wallSeconds == 12.3)
        for (from, to, needle) in [("\"update_backward\" : 0", "\"update_backward\" : -1", "seconds_by_phase.update_backward"),
                                   ("\"episodes\" : 20", "\"episodes\" : 2000", "\"episodes\""),
                                   ("\"stalled_since_step\" : null", "\"stalled_since_step\" : 5000", "stalled_since_step"),
                                   ("\"first_reached_seconds\" : -1", "\"first_reached_seconds\" : 3", "first_reached_seconds")] {
            #expect(good.contains(from), "\(from)")
            let bad = good.replacingOccurrences(of: from, with: to)
            #expect { _ = try RunSummary.decode(json: Array(bad.utf8), path: "s.json") } throws: { error in
                "\(error)".contains("s.json") && "\(error)".contains(needle)
            }
        }
    }
}
