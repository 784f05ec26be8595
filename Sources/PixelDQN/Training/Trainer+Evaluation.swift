// The trainer's evaluation protocol: a periodic evaluation every --eval-every steps; when it
// reaches the task's threshold, a confirmation on the final evaluation's episodes (the solve);
// the final evaluation; and the best kept weights on the same episodes. Each is resumable: a stop
// leaves `loop.pending` set, and the resumed run does the work first (`Trainer.run`).
import Foundation

extension Trainer {
    enum EvaluationOutcome { case done, interrupted, solved(EvalStats) }

    /// The periodic evaluation at this step (`loop.pending` says which part is left): a
    /// confirmation on the final evaluation's episodes when it reaches the threshold, which is
    /// what first_solved_* and best.safetensors report. A stop leaves `loop.pending` set.
    func periodicEvaluation() throws -> EvaluationOutcome {
        if loop.pending == .evaluation {
            guard let stats = try evaluate(episodes: config.evalEpisodes) else { return .interrupted }
            loop.pending = stats.mean >= config.env.rewardThreshold && config.finalEvalEpisodes > 0 ? .confirmation : .none
        }
        if loop.pending == .confirmation {
            let outcome = try confirm()
            if case .interrupted = outcome { return .interrupted }
            loop.pending = .none
            if case .played(let confirmed) = outcome, config.stopWhenSolved && confirmed.mean >= config.env.rewardThreshold {
                return .solved(confirmed)
            }
        }
        return .done
    }

    /// Evaluation episodes with `network`, stopped (nil) by Ctrl-C between two steps.
    /// `kind` names the evaluation's crash point (`CrashPoint`), passed at every step.
    /// `cutShort` may end the episodes early (`Evaluator.evaluate`).
    func episodes(_ network: QNetwork, count: Int, stream: UInt64, kind: String,
                  cutShort: ([Double]) -> Bool = { _ in false }) throws -> EvalStats? {
        isEvaluating = true
        defer { isEvaluating = false }
        // Greedy episodes can run side by side (`Evaluator`): they are played by a copy of the
        // weights in a network that takes a batch of them.
        var player = network
        if config.evalEpsilon == 0 {
            if evalNetwork == nil { evalNetwork = QNetwork(copying: network, maxBatch: Self.evaluationLanes, threads: config.threads) }
            player = evalNetwork!
            player.copyParameters(from: network)
        }
        return try Evaluator.evaluate(network: player, source: evalSource, episodes: count, epsilon: config.evalEpsilon,
                                      seed: config.seed, stream: stream, shouldStop: { [unowned self] in
                                          CrashPoint.pass(kind)
                                          return stopRequested
                                      }, cutShort: cutShort)
    }

    /// Periodic evaluation: records the row, keeps best.safetensors (until a confirmation exists),
    /// notes the first evaluation at the threshold. Nil (nothing recorded) when stopped.
    func evaluate(episodes count: Int) throws -> EvalStats? {
        guard let stats = try episodes(agent.policy, count: count, stream: 1_000 + UInt64(loop.evaluations), kind: "eval-step") else { return nil }
        loop.evaluations += 1
        record(EvalRecord(step: loop.step, stats: stats))
        if stats.mean > loop.bestEval {
            loop.bestEval = stats.mean
            if loop.bestConfirmed == -.infinity {
                try saveBest(mean: stats.mean, episodes: count)
            }
        }
        if loop.firstReachedStep < 0 && stats.mean >= config.env.rewardThreshold {
            loop.firstReachedStep = loop.step
            loop.firstReachedSeconds = elapsedWall()
        }
        report(String(format: "eval at step %d: mean %.1f ± %.1f (min %.0f, max %.0f) over %d episodes",
                      loop.step, stats.mean, stats.std, stats.min, stats.max, count), false)
        return stats
    }

    /// An evaluation row for metrics.csv and TensorBoard.
    func record(_ evaluation: EvalRecord) {
        metrics.evaluations.append(evaluation)
        events?.log(evaluation: evaluation)
    }

    /// `network` on the final evaluation's episodes (stream 999): confirmations, the final
    /// evaluation and the best model's evaluation all see the same start states. On a task whose
    /// episodes follow from the generator alone, the same weights, bit for bit, give the same
    /// returns there: weights played last are not played again (a confirmation at the last step
    /// and the final evaluation; the final weights and best.safetensors holding them).
    ///
    /// The best confirmed weights are remembered too, so the best model's evaluation at the end is
    /// not played again when they were confirmed in this process. `cutShort` may end the episodes
    /// early; a cut-short result is not remembered.
    func evaluateOnFinalEpisodes(_ network: QNetwork, kind: String,
                                 cutShort: ([Double]) -> Bool = { _ in false }) throws -> EvalStats? {
        let reproducible = evalSource.episodesFollowFromGenerator
        if reproducible {
            for played in [lastFinalEpisodes, bestFinalEpisodes].compactMap({ $0 })
            where played.weights.withUnsafeBufferPointer({ Self.sameFloats($0, UnsafeBufferPointer(network.parameters)) }) {
                return played.stats
            }
        }
        guard let stats = try episodes(network, count: config.finalEvalEpisodes, stream: 999, kind: kind, cutShort: cutShort) else { return nil }
        if reproducible && stats.episodes == config.finalEvalEpisodes { lastFinalEpisodes = (stats, Array(network.parameters)) }
        return stats
    }

    enum ConfirmationOutcome { case played(EvalStats), cutShort, interrupted }

    /// Whether a confirmation whose first episodes returned `returns` can no longer change what
    /// confirmations decide: even if each episode left scored the most an episode of the task can
    /// (`returnRange`), its mean, summed as `EvalStats` sums, would neither beat the best
    /// confirmation (best.safetensors) nor, before the first solve, reach the threshold. Rounding
    /// is monotone, so no outcome of the episodes left could do better than that bound.
    func confirmationCannotMatter(_ returns: [Double]) -> Bool {
        let count = config.finalEvalEpisodes
        let most = config.env.returnRange(steps: config.env.maxEpisodeSteps).upperBound
        let bound = (returns + Array(repeating: most, count: max(0, count - returns.count))).reduce(0, +) / Double(count)
        let couldSolve = loop.firstSolvedStep < 0 && bound >= config.env.rewardThreshold
        return !(bound > loop.bestConfirmed) && !couldSolve
    }

    /// Confirmation: the current weights on the final evaluation's episodes. The best confirmed
    /// weights become best.safetensors; the first confirmed solve is noted. A confirmation that
    /// can no longer change either (`confirmationCannotMatter`) stops there, before its first
    /// episode or after any other, and writes no row: a "confirm" row is always a full one.
    func confirm() throws -> ConfirmationOutcome {
        if confirmationCannotMatter([]) {
            report(String(format: "confirmation at step %d skipped: no %d episodes can beat the best confirmed mean %.1f",
                          loop.step, config.finalEvalEpisodes, loop.bestConfirmed), false)
            return .cutShort
        }
        guard let stats = try evaluateOnFinalEpisodes(agent.policy, kind: "confirm-step", cutShort: confirmationCannotMatter) else {
            return .interrupted
        }
        if stats.episodes < config.finalEvalEpisodes {
            report(String(format: "confirmation at step %d cut short after %d of %d episodes (mean %.1f): it can no longer beat the best confirmed mean %.1f",
                          loop.step, stats.episodes, config.finalEvalEpisodes, stats.mean, loop.bestConfirmed), false)
            return .cutShort
        }
        record(EvalRecord(step: loop.step, stats: stats, confirmation: true))
        if stats.mean > loop.bestConfirmed {
            loop.bestConfirmed = stats.mean
            try saveBest(mean: stats.mean, episodes: stats.episodes)
            if evalSource.episodesFollowFromGenerator { bestFinalEpisodes = (stats, Array(agent.policy.parameters)) }
        }
        if loop.firstSolvedStep < 0 && stats.mean >= config.env.rewardThreshold {
            loop.firstSolvedStep = loop.step
            loop.firstSolvedSeconds = elapsedWall()
        }
        report(String(format: "confirmation at step %d (%d episodes): mean %.1f ± %.1f, min %.0f, max %.0f",
                      loop.step, stats.episodes, stats.mean, stats.std, stats.min, stats.max)
               + (stats.mean >= config.env.rewardThreshold ? " (solved)" : ""), false)
        return .played(stats)
    }

    func finalEvaluation() throws -> EvalStats? {
        guard let stats = try evaluateOnFinalEpisodes(agent.policy, kind: "final-eval-step") else { return nil }
        record(EvalRecord(step: loop.step, stats: stats))
        report(String(format: "final evaluation (%d episodes): mean %.1f ± %.1f, min %.0f, max %.0f",
                      stats.episodes, stats.mean, stats.std, stats.min, stats.max), false)
        return stats
    }

    /// 10-episode evaluations are noisy, so the kept best model is re-evaluated on the final
    /// evaluation's episodes: an unbiased figure for the weights a user would pick.
    func evaluateBestModel() throws -> EvalStats? {
        let best = try QNetwork(contentsOf: URL(fileURLWithPath: folder.best), maxBatch: 1, threads: config.threads)
        guard best.architecture == agent.online.architecture else {
            throw FileError(path: folder.best, problem: "holds a \(best.preset.rawValue) network for input \(best.inputShape), not this run's: it belongs to another run")
        }
        guard let stats = try evaluateOnFinalEpisodes(best, kind: "best-eval-step") else { return nil }
        report(String(format: "best model (best.safetensors) on the same %d episodes: mean %.1f ± %.1f, min %.0f, max %.0f",
                      stats.episodes, stats.mean, stats.std, stats.min, stats.max), false)
        return stats
    }

    /// Whether two buffers hold the same floats, bit for bit.
    static func sameFloats(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>) -> Bool {
        guard a.count == b.count, let pa = a.baseAddress, let pb = b.baseAddress else { return false }
        return memcmp(pa, pb, a.count * MemoryLayout<Float>.stride) == 0
    }
}
