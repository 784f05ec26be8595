// Confirmations that can no longer change anything stop early (`Trainer.confirm`): what they
// would have decided is checked by playing the weights they cut short in full.
import Foundation
import Testing
import PixelDQN

@Suite struct ConfirmationTests {
    /// The lines a run reports, kept for the test to read.
    final class Lines: @unchecked Sendable { var all: [String] = [] }

    func train(_ c: TrainingConfig, folder: String, resume: Bool = false, stopAt: Int? = nil) throws -> (TrainingResult, [String]) {
        let run = RunFolder(path: folder)
        if !resume {
            try run.prepareNew()
            try run.writeConfig(c)
        }
        let t = try Training.trainer(config: c, folder: run, resume: resume)
        let lines = Lines()
        t.progressEvery = 0
        t.report = { line, _ in lines.all.append(line) }
        t.stopAtStep = stopAt
        return (try t.run(), lines.all)
    }

    /// The steps of the reported confirmations whose line contains `phrase`.
    func steps(_ lines: [String], _ phrase: String) -> [Int] {
        lines.filter { $0.hasPrefix("confirmation at step ") && $0.contains(phrase) }
            .compactMap { Int($0.dropFirst("confirmation at step ".count).prefix { $0.isNumber }) }
    }

    /// Seed 1 of the state defaults on CartPole-v0 (20 final episodes) confirms a 199.8 at step
    /// 2,500, the first solve; later evaluations at the threshold are confirmed only as far as
    /// they could still beat it, and once a confirmation scores 200 (the most 20 episodes of
    /// CartPole-v0 can) none is played. Every periodic evaluation at the threshold is either a
    /// full "confirm" row or a reported cut; the weights of the first cut, played in full on the
    /// same episodes, do no better than the best confirmation before them; and a run stopped at
    /// that step and resumed writes the same metrics.csv and model.
    @Test func aConfirmationThatCanNoLongerBeatTheBestStopsWithoutARow() throws {
        var c = TrainingConfig.defaults(for: .state)
        c.env = .cartPoleV0
        c.seed = 1
        c.finalEvalEpisodes = 20
        c.saveReplay = true   // an exact resume
        let whole = try temporaryFolder() + "/whole"
        let (result, lines) = try train(c, folder: whole)
        let log = try MetricsLog.parse(String(decoding: fileBytes(whole + "/metrics.csv"), as: UTF8.self), path: whole, env: .cartPoleV0)
        // The last "eval" row is the final evaluation.
        let periodic = log.evaluations.filter { !$0.confirmation }.dropLast(), confirms = log.evaluations.filter(\.confirmation)
        let cut = steps(lines, "cut short after"), skipped = steps(lines, "skipped")
        try #require(!cut.isEmpty && !skipped.isEmpty, "expected cut and skipped confirmations: \(lines.filter { $0.hasPrefix("confirmation") })")
        let atThreshold = periodic.filter { $0.stats.mean >= c.env.rewardThreshold }.map(\.step)
        #expect((confirms.map(\.step) + cut + skipped).sorted() == atThreshold)
        // Skipped only once nothing can beat the best: a confirmation of 200.0 came first.
        let firstPerfect = try #require(confirms.first { $0.stats.mean == 200 }?.step)
        #expect(skipped.allSatisfy { $0 > firstPerfect })
        #expect(result.firstSolvedStep == confirms.first { $0.stats.mean >= c.env.rewardThreshold }?.step)
        #expect(result.bestModelEvaluation?.mean == confirms.map(\.stats.mean).max())

        // The first cut confirmation's weights (model.safetensors of a run stopped there, before
        // its evaluation), played in full on the final evaluation's episodes.
        let step = cut[0], parts = try temporaryFolder() + "/parts"
        let (stopped, _) = try train(c, folder: parts, stopAt: step)
        try #require(stopped.interrupted && stopped.steps == step)
        let model = try SavedModel(path: parts + "/model.safetensors")
        let full = try Evaluator.evaluate(network: model.network, source: StateObservation(id: c.env, frameStack: c.frameStack),
                                          episodes: 20, epsilon: c.evalEpsilon, seed: c.seed, stream: 999)
        let bestBefore = try #require(confirms.filter { $0.step < step }.map(\.stats.mean).max())
        #expect(full.mean <= bestBefore, "played in full, the cut confirmation at \(step) gives \(full.mean) > \(bestBefore)")
        #expect(full.mean < 200)

        _ = try train(c, folder: parts, resume: true)
        #expect(try fileBytes(parts + "/metrics.csv") == fileBytes(whole + "/metrics.csv"))
        #expect(try fileBytes(parts + "/model.safetensors") == fileBytes(whole + "/model.safetensors"))
    }
}
