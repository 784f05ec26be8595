// The DQN training loop (Mnih et al. 2015, as CleanRL's dqn_atari.py arranges it): act ε-greedily
// on φ, store the transition, learn from replayed minibatches, refresh the target network,
// evaluate, and keep the run folder up to date. Checkpoints: Checkpoint.swift; plot: Plot/.
import Foundation

/// How a training run ended.
public struct TrainingResult: Sendable {
    public var steps: Int
    public var episodes: Int
    public var wallSeconds: Double
    public var interrupted: Bool
    public var finalEvaluation: EvalStats?
    /// The same final evaluation of best.safetensors (the best confirmed weights, or without a
    /// confirmation the best periodic evaluation's).
    public var bestModelEvaluation: EvalStats?
    /// The first periodic evaluation at the threshold (−1: none).
    public var firstReachedStep: Int
    public var firstReachedSeconds: Double
    /// The first confirmation evaluation at the threshold: the run solved the task (−1: none).
    public var firstSolvedStep: Int
    public var firstSolvedSeconds: Double
}

/// Numerical failure: training stops and the last good checkpoint is kept.
public struct TrainingError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

public final class Trainer<Source: ObservationSource> where Source.Element: TensorStorable {
    public let config: TrainingConfig
    public let folder: RunFolder
    let source: Source
    let evalSource: Source
    let agent: DQNAgent<Source.Element>
    let memory: ReplayMemory<Source.Element>
    let batch: ReplayBatch<Source.Element>
    /// DrQ's random shift of replayed stacks (--augment shift), nil without augmentation.
    let shift: RandomShift<Source.Element>?
    var rng: Xoshiro256
    var loop = LoopState()
    public internal(set) var metrics = MetricsLog()
    var needsReset = true
    /// Updates wait until this step (learning starts, or a refill after resuming without replay).
    var updatesResumeAt: Int
    private let startTime = EnvironmentBenchmark.now()
    private var lastMetricsWrite = 0.0
    /// Receives progress lines; `live` lines overwrite each other on a terminal.
    public var report: (_ line: String, _ live: Bool) -> Void = { line, _ in print(line) }
    /// Seconds between progress lines when not on a terminal... (0 = never).
    public var progressEvery = 10.0
    /// Stops as Ctrl-C would once this many steps are done (for tests and scripted interruptions).
    public var stopAtStep: Int?
    /// Asked at every training and evaluation step, beside Ctrl-C (`StopSignal`): true stops the
    /// run as Ctrl-C would (for tests, which must not raise the process-wide signal).
    public var shouldStop: () -> Bool = { false }
    /// The env steps taken so far, and whether an evaluation is running (for `shouldStop`).
    public var step: Int { loop.step }
    public private(set) var isEvaluating = false
    private var lastProgress = 0.0
    private var lastProgressStep = 0
    /// This process's TensorBoard event file (nil with --no-tensorboard); flushed with the metrics.
    private var events: TensorBoardWriter?
    /// The folder's lock, held while the trainer exists.
    private let lock: RunFolderLock

    /// Builds a new run (fresh networks) or, with `resume`, restores the checkpoint in `folder`.
    ///
    /// Takes the folder's lock (`RunFolder.lock`) unless the caller passes the one it holds. A
    /// resume reads checkpoint.safetensors, metrics.csv, timing.csv and best.safetensors and
    /// checks them against `config` and each other before anything is written; a failure is a
    /// `FileError` or `SafetensorsError` naming the file, and leaves the folder as it was.
    /// - Precondition: `config` is valid (`TrainingConfig.validate`), as `RunFolder.readConfig`
    ///   and the command line's options guarantee.
    public init(config: TrainingConfig, folder: RunFolder, source: Source, evalSource: Source, resume: Bool,
                lock: RunFolderLock? = nil) throws {
        if let problem = CrashPoint.environmentProblem { throw ConfigError(message: problem) }
        self.config = config
        self.folder = folder
        self.source = source
        self.evalSource = evalSource
        self.lock = try lock ?? folder.lock()
        rng = Xoshiro256(seed: config.seed)
        agent = DQNAgent(config: config, rng: &rng)
        memory = ReplayMemory(capacity: config.bufferSize, frameSize: source.frameSize, stackDepth: source.stackDepth)
        batch = ReplayBatch(size: config.batchSize, observationSize: source.observationSize)
        if config.prioritized { memory.enablePriorities() }
        shift = config.augment == .shift
            ? RandomShift(pad: config.augmentPad, width: config.frameSize, height: config.frameSize, stackDepth: config.frameStack)
            : nil
        precondition(shift == nil || source.frameSize == config.frameSize * config.frameSize,
                     "Trainer: --augment shift needs square frames of --frame-size")
        // The first n-step window is complete once n transitions are stored.
        updatesResumeAt = max(config.learningStarts, config.nStep - 1)
        if resume {
            let checkpoint = try restoreCheckpoint()
            try readRunFiles(checkpoint: checkpoint)
            // Everything read back is consistent: only now touch the folder.
            folder.removeStaleTemporaryFiles()
        }
        // A finished run that is only resumed to be reported is left as it was: no new event file.
        if config.tensorboard && !isFinished {
            let writer = try TensorBoardWriter(folder: folder.path)
            if resume { writer.log(resumeAfter: loop.step, kept: metrics) } else { try writer.log(hyperparameters: config) }
            try writer.flush()
            events = writer
        }
    }

    /// Whether the run already finished (final evaluation done) at its --total-timesteps, or
    /// stopped at a confirmed solve with --stop-when-solved: `run` then does nothing. A larger
    /// --total-timesteps extends a finished run.
    public var isFinished: Bool {
        loop.finishedTotal >= 0 && config.totalTimesteps <= loop.finishedTotal
    }

    /// A return can never exceed maxReward/(1 − γ) (maxReward ≤ rewardScale × frameSkip here);
    /// a mean max-Q far beyond this bound, or a non-finite loss, means the optimization diverged.
    var qBound: Double { 100 * max(1, config.rewardScale * Double(config.frameSkip)) * max(1, 1 / max(1 - config.gamma, 1e-6)) }

    func elapsedWall() -> Double { loop.wallSeconds + EnvironmentBenchmark.now() - startTime }

    /// Whether Ctrl-C (or `shouldStop`, or `stopAtStep`) asks the run to stop now.
    private var stopRequested: Bool { StopSignal.requested || shouldStop() || loop.step == stopAtStep }

    /// Runs until `totalTimesteps`, a stop (Ctrl-C, also during an evaluation), or (with
    /// stopWhenSolved) a confirmed solve; then the final evaluation and the best model's. A run
    /// that `isFinished` returns at once and writes nothing.
    public func run() throws -> TrainingResult {
        if isFinished {
            return TrainingResult(steps: loop.step, episodes: loop.episode, wallSeconds: loop.wallSeconds, interrupted: false,
                                  finalEvaluation: nil, bestModelEvaluation: nil,
                                  firstReachedStep: loop.firstReachedStep, firstReachedSeconds: loop.firstReachedSeconds,
                                  firstSolvedStep: loop.firstSolvedStep, firstSolvedSeconds: loop.firstSolvedSeconds)
        }
        lastProgress = startTime; lastProgressStep = loop.step
        CrashPoint.enter(step: loop.step)
        var interrupted = false
        var finalEval: EvalStats?
        // An extended finished run goes on training; its earlier final evaluation stays a row. So
        // does a run stopped in its final evaluation and then extended (unless a solve ended it).
        loop.finishedTotal = -1
        let endedBySolve = config.stopWhenSolved && loop.firstSolvedStep >= 0
        if (loop.pending == .finalEvaluation || loop.pending == .bestModelEvaluation) && loop.step < config.totalTimesteps && !endedBySolve {
            loop.pending = .none
        }
        // Phase 0: the evaluation a stop cut short at this step (a resumed run does it first).
        if loop.pending == .evaluation || loop.pending == .confirmation {
            switch try periodicEvaluation() {
            case .interrupted: interrupted = true
            case .solved(let confirmed): finalEval = confirmed
            case .done: break
            }
        }
        if !interrupted && finalEval == nil && loop.pending == .none {
            (interrupted, finalEval) = try trainingLoop()
        }
        var bestEval: EvalStats?
        // The final save writes summary.json before its checkpoint (`saveAll`), which needs an
        // earlier checkpoint: a run that ends before its first one commits one here.
        if !interrupted && !FileManager.default.fileExists(atPath: folder.checkpoint) { try saveAll() }
        if !interrupted && config.finalEvalEpisodes > 0 {
            // Phase 6: the final evaluation (unless a confirmed solve stopped the run), then the same
            // episodes with the best weights kept.
            if finalEval == nil && (loop.pending == .none || loop.pending == .finalEvaluation) {
                loop.pending = .finalEvaluation
                finalEval = try finalEvaluation()
                interrupted = finalEval == nil
            }
            if !interrupted && FileManager.default.fileExists(atPath: folder.best) {
                loop.pending = .bestModelEvaluation
                bestEval = try evaluateBestModel()
                interrupted = bestEval == nil
            }
        }
        if !interrupted {
            loop.pending = .none
            // A solve stops a --stop-when-solved run for good: a plain resume finds it finished.
            loop.finishedTotal = config.totalTimesteps
        }
        let result = TrainingResult(steps: loop.step, episodes: loop.episode, wallSeconds: elapsedWall(), interrupted: interrupted,
                                    finalEvaluation: finalEval, bestModelEvaluation: bestEval,
                                    firstReachedStep: loop.firstReachedStep, firstReachedSeconds: loop.firstReachedSeconds,
                                    firstSolvedStep: loop.firstSolvedStep, firstSolvedSeconds: loop.firstSolvedSeconds)
        try saveAll(summary: result)
        return result
    }

    /// Phases 1–5 until `totalTimesteps`, a stop, or a confirmed solve with --stop-when-solved.
    private func trainingLoop() throws -> (interrupted: Bool, solved: EvalStats?) {
        var observation = [Source.Element](repeating: 0, count: source.observationSize)
        while loop.step < config.totalTimesteps {
            if stopRequested { return (true, nil) }
            // Phase 1: start an episode if needed.
            if needsReset {
                source.reset(using: &rng)
                source.newestFrame.withUnsafeBufferPointer { memory.startEpisode(frame: $0) }
                loop.episodeReturn = 0; loop.episodeLength = 0; loop.lossSum = 0; loop.lossCount = 0; loop.qSum = 0
                needsReset = false
            }
            // Phase 2: act ε-greedily on φ and store the transition.
            let epsilon = config.epsilon(atStep: loop.step)
            let action = observation.withUnsafeMutableBufferPointer { obs in
                source.copyObservation(into: obs)
                return agent.act(UnsafeBufferPointer(obs), epsilon: epsilon, using: &rng)
            }
            let result = try source.step(action)
            source.newestFrame.withUnsafeBufferPointer {
                memory.append(action: action, reward: Float(config.learnerReward(result.reward)), terminated: result.terminated,
                              truncated: result.truncated, nextFrame: $0)
            }
            loop.step += 1
            CrashPoint.enter(step: loop.step)
            CrashPoint.pass("train-step")
            loop.episodeReturn += result.reward
            loop.episodeLength += 1
            if result.done {
                let record = EpisodeRecord(
                    step: loop.step, episode: loop.episode, episodeReturn: loop.episodeReturn, length: loop.episodeLength,
                    epsilon: epsilon, meanLoss: loop.lossCount > 0 ? loop.lossSum / Double(loop.lossCount) : 0,
                    meanMaxQ: loop.lossCount > 0 ? loop.qSum / Double(loop.lossCount) : 0)
                let rate = recentRate()
                metrics.episodes.append(record)
                metrics.timing.append((loop.step, loop.episode, rate, elapsedWall()))
                events?.log(episode: record, stepsPerSecond: rate)
                loop.episode += 1
                needsReset = true
            }
            // Phase 3: learn from replayed minibatches: `gradientSteps` updates every `trainFrequency` steps.
            if loop.step > updatesResumeAt && loop.step % config.trainFrequency == 0 {
                if config.learningRateSchedule != .constant { agent.setLearningRate(config.learningRate(atStep: loop.step)) }
                for _ in 0..<config.gradientSteps { try learn() }
            }
            // Phase 4: refresh the target network.
            if loop.step > updatesResumeAt && loop.step % config.targetNetworkFrequency == 0 { agent.updateTarget() }
            // Phase 5: evaluate, checkpoint, report.
            if config.evalEvery > 0 && loop.step % config.evalEvery == 0 {
                loop.pending = .evaluation
                switch try periodicEvaluation() {
                case .interrupted: return (true, nil)
                case .solved(let confirmed): return (false, confirmed)
                case .done: break
                }
            }
            if loop.step % config.checkpointEvery == 0 { try saveAll() }
            progress(epsilon: epsilon)
            if EnvironmentBenchmark.now() - lastMetricsWrite > 5 { try writeMetrics() }
        }
        return (false, nil)
    }

    private enum EvaluationOutcome { case done, interrupted, solved(EvalStats) }

    /// The periodic evaluation at this step (`loop.pending` says which part is left): a
    /// confirmation on the final evaluation's episodes when it reaches the threshold, which is
    /// what first_solved_* and best.safetensors report. A stop leaves `loop.pending` set.
    private func periodicEvaluation() throws -> EvaluationOutcome {
        if loop.pending == .evaluation {
            guard let stats = try evaluate(episodes: config.evalEpisodes) else { return .interrupted }
            loop.pending = stats.mean >= config.env.rewardThreshold && config.finalEvalEpisodes > 0 ? .confirmation : .none
        }
        if loop.pending == .confirmation {
            guard let confirmed = try confirm() else { return .interrupted }
            loop.pending = .none
            if config.stopWhenSolved && confirmed.mean >= config.env.rewardThreshold { return .solved(confirmed) }
        }
        return .done
    }

    /// One gradient update on a replayed minibatch (n-step targets, priorities, augmentation).
    private func learn() throws {
        memory.sample(into: batch, nStep: config.nStep, gamma: Float(config.gamma),
                      beta: config.priorityBeta(atStep: loop.step), using: &rng)
        if let shift {
            batch.states.withUnsafeMutableBufferPointer { shift.apply(to: $0, count: batch.size, using: &rng) }
            batch.nextStates.withUnsafeMutableBufferPointer { shift.apply(to: $0, count: batch.size, using: &rng) }
        }
        let stats = agent.update(batch)
        guard stats.loss.isFinite, stats.gradientNorm.isFinite, abs(stats.meanMaxQ) <= Float(qBound) else {
            try writeMetrics()
            throw TrainingError(message: "training stopped at step \(loop.step): the optimization diverged (loss \(stats.loss), gradient norm \(stats.gradientNorm), mean max-Q \(stats.meanMaxQ), bound \(qBound)); try a smaller --learning-rate. The last good checkpoint is kept: \(FileManager.default.fileExists(atPath: folder.checkpoint) ? folder.checkpoint : "none was written yet").")
        }
        if config.prioritized {
            memory.updatePriorities(indices: batch.indices[0..<batch.size], tdErrors: agent.tdErrors[0..<batch.size],
                                    alpha: config.priorityAlpha, epsilon: config.priorityEpsilon)
        }
        loop.lossSum += Double(stats.loss); loop.qSum += Double(stats.meanMaxQ); loop.lossCount += 1
    }

    /// Evaluation episodes with `network`, stopped (nil) by Ctrl-C between two steps.
    /// `kind` names the evaluation's crash point (`CrashPoint`), passed at every step.
    private func episodes(_ network: QNetwork, count: Int, stream: UInt64, kind: String) throws -> EvalStats? {
        isEvaluating = true
        defer { isEvaluating = false }
        return try Evaluator.evaluate(network: network, source: evalSource, episodes: count, epsilon: config.evalEpsilon,
                                      seed: config.seed, stream: stream, shouldStop: { [unowned self] in
                                          CrashPoint.pass(kind)
                                          return stopRequested
                                      })
    }

    /// Periodic evaluation: records the row, keeps best.safetensors (until a confirmation exists),
    /// notes the first evaluation at the threshold. Nil (nothing recorded) when stopped.
    private func evaluate(episodes count: Int) throws -> EvalStats? {
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
    private func record(_ evaluation: EvalRecord) {
        metrics.evaluations.append(evaluation)
        events?.log(evaluation: evaluation)
    }

    /// `network` on the final evaluation's episodes (stream 999): confirmations, the final
    /// evaluation and the best model's evaluation all see the same start states.
    private func evaluateOnFinalEpisodes(_ network: QNetwork, kind: String) throws -> EvalStats? {
        try episodes(network, count: config.finalEvalEpisodes, stream: 999, kind: kind)
    }

    /// Confirmation: the current weights on the final evaluation's episodes. The best confirmed
    /// weights become best.safetensors; the first confirmed solve is noted.
    private func confirm() throws -> EvalStats? {
        guard let stats = try evaluateOnFinalEpisodes(agent.policy, kind: "confirm-step") else { return nil }
        record(EvalRecord(step: loop.step, stats: stats, confirmation: true))
        if stats.mean > loop.bestConfirmed {
            loop.bestConfirmed = stats.mean
            try saveBest(mean: stats.mean, episodes: stats.episodes)
        }
        if loop.firstSolvedStep < 0 && stats.mean >= config.env.rewardThreshold {
            loop.firstSolvedStep = loop.step
            loop.firstSolvedSeconds = elapsedWall()
        }
        report(String(format: "confirmation at step %d (%d episodes): mean %.1f ± %.1f, min %.0f, max %.0f",
                      loop.step, stats.episodes, stats.mean, stats.std, stats.min, stats.max)
               + (stats.mean >= config.env.rewardThreshold ? " (solved)" : ""), false)
        return stats
    }

    private func finalEvaluation() throws -> EvalStats? {
        guard let stats = try evaluateOnFinalEpisodes(agent.policy, kind: "final-eval-step") else { return nil }
        record(EvalRecord(step: loop.step, stats: stats))
        report(String(format: "final evaluation (%d episodes): mean %.1f ± %.1f, min %.0f, max %.0f",
                      stats.episodes, stats.mean, stats.std, stats.min, stats.max), false)
        return stats
    }

    /// 10-episode evaluations are noisy, so the kept best model is re-evaluated on the final
    /// evaluation's episodes: an unbiased figure for the weights a user would pick.
    private func evaluateBestModel() throws -> EvalStats? {
        let best = try QNetwork(contentsOf: URL(fileURLWithPath: folder.best), maxBatch: 1, threads: config.threads)
        guard best.architecture == agent.online.architecture else {
            throw FileError(path: folder.best, problem: "holds a \(best.preset.rawValue) network for input \(best.inputShape), not this run's: it belongs to another run")
        }
        guard let stats = try evaluateOnFinalEpisodes(best, kind: "best-eval-step") else { return nil }
        report(String(format: "best model (best.safetensors) on the same %d episodes: mean %.1f ± %.1f, min %.0f, max %.0f",
                      stats.episodes, stats.mean, stats.std, stats.min, stats.max), false)
        return stats
    }

    /// best.safetensors for the evaluation just recorded. It records metrics.csv's row count with
    /// that row, so that a resume tells a best saved after its checkpoint (by an evaluation the
    /// run replays and saves again) from one the checkpoint committed (`checkBestModel`).
    private func saveBest(mean: Double, episodes: Int) throws {
        try saveModel(to: folder.best, extra: ["eval_mean": "\(mean)", "eval_episodes": "\(episodes)", "step": "\(loop.step)",
                                               CheckpointKeys.metricsRows: "\(metrics.episodes.count + metrics.evaluations.count)"])
    }

    private func saveModel(to path: String, extra: [String: String]) throws {
        var meta = extra
        meta["observation"] = config.observation.rawValue
        meta["env"] = config.env.rawValue
        meta["frame_size"] = "\(config.frameSize)"
        meta["frame_stack"] = "\(config.frameStack)"
        meta["frame_skip"] = "\(config.frameSkip)"
        if config.invertFrames { meta["invert_frames"] = "true" }
        meta["pixel_dqn_version"] = pixelDQNVersion
        try agent.policy.save(to: URL(fileURLWithPath: path), metadata: meta)
    }

    /// The run folder's commit. The checkpoint is the commit point: every other file (metrics,
    /// timing, TensorBoard events, the plot, the last model, and at the end of a run
    /// summary.json) is written before it, each atomically, so that whatever a kill leaves of
    /// them beyond the last checkpoint belongs to the next, uncommitted stretch, which a resume
    /// drops (`readRunFiles`) or writes again as it replays the stretch. model.safetensors and
    /// summary.json show that a run reached a checkpoint (a folder holding either without one is
    /// refused), so before the first checkpoint they come after it; `run` commits one before
    /// the final evaluation when there is none, so the final save writes them before.
    public func saveAll(summary: TrainingResult? = nil) throws {
        let hadCheckpoint = FileManager.default.fileExists(atPath: folder.checkpoint)
        func writeWitnesses() throws {
            try saveModel(to: folder.model, extra: ["step": "\(loop.step)"])
            if let summary { try writeSummary(summary) }
        }
        try writeMetrics()
        try ReturnsPlot.draw(metrics, threshold: config.env.rewardThreshold, totalSteps: config.totalTimesteps, frameSkip: config.frameSkip,
                             title: "\(config.env.rawValue) from \(config.observation.rawValue), seed \(config.seed)")
            .write(to: folder.returnsPlot)
        if hadCheckpoint { try writeWitnesses() }
        try writeCheckpoint()
        CrashPoint.committed()
        if !hadCheckpoint { try writeWitnesses() }
    }

    func writeMetrics() throws {
        try AtomicFile.write(metrics.csv, to: folder.metrics)
        try AtomicFile.write(metrics.timingCSV, to: folder.timing)
        try events?.flush()
        lastMetricsWrite = EnvironmentBenchmark.now()
    }

    private func writeSummary(_ r: TrainingResult) throws {
        var fields: [String] = [
            "\"steps\": \(r.steps)", "\"episodes\": \(r.episodes)",
            "\"wall_seconds\": \(String(format: "%.1f", r.wallSeconds))", "\"interrupted\": \(r.interrupted)",
            "\"first_reached_step\": \(r.firstReachedStep)",
            "\"first_reached_seconds\": \(String(format: "%.1f", r.firstReachedSeconds))",
            "\"first_solved_step\": \(r.firstSolvedStep)",
            "\"first_solved_seconds\": \(String(format: "%.1f", r.firstSolvedSeconds))",
            "\"steps_per_second\": \(String(format: "%.1f", Double(r.steps) / max(r.wallSeconds, 1e-9)))",
            // The step since which periodic evaluations stopped improving (MetricsLog.stalledSince), or null.
            "\"stalled_since_step\": \(metrics.stalledSince(threshold: config.env.rewardThreshold, totalTimesteps: config.totalTimesteps).map(String.init) ?? "null")",
        ]
        if let e = r.finalEvaluation {
            fields.append("\"final_eval\": {\"episodes\": \(e.episodes), \"mean\": \(e.mean), \"std\": \(e.std), \"min\": \(e.min), \"max\": \(e.max)}")
        }
        if let e = r.bestModelEvaluation {
            fields.append("\"best_model_eval\": {\"episodes\": \(e.episodes), \"mean\": \(e.mean), \"std\": \(e.std), \"min\": \(e.min), \"max\": \(e.max)}")
        }
        try AtomicFile.write("{\n  " + fields.joined(separator: ",\n  ") + "\n}\n", to: folder.summary)
    }

    private var rateWindow: (step: Int, time: Double) = (0, 0)
    private func recentRate() -> Double {
        let now = EnvironmentBenchmark.now()
        if rateWindow.time == 0 { rateWindow = (loop.step, startTime) }
        let rate = Double(loop.step - rateWindow.step) / max(now - rateWindow.time, 1e-9)
        if now - rateWindow.time > 5 { rateWindow = (loop.step, now) }
        return rate
    }

    private func progress(epsilon: Double) {
        let now = EnvironmentBenchmark.now()
        guard progressEvery > 0, now - lastProgress >= progressEvery else { return }
        let rate = Double(loop.step - lastProgressStep) / max(now - lastProgress, 1e-9)
        lastProgress = now; lastProgressStep = loop.step
        let recent = metrics.episodes.suffix(20)
        let meanReturn = recent.isEmpty ? 0 : recent.map(\.episodeReturn).reduce(0, +) / Double(recent.count)
        let lastEval = metrics.evaluations.last.map { String(format: "%.1f", $0.stats.mean) } ?? "-"
        // The rate since the last line (the first line: since this process started the run).
        let eta = rate > 0 ? Double(config.totalTimesteps - loop.step) / rate : .infinity
        let stalled = metrics.stalledSince(threshold: config.env.rewardThreshold, totalTimesteps: config.totalTimesteps)
            .map { "  stalled since step \($0)" } ?? ""
        report(String(format: "step %d/%d  ε %.3f  return(20) %.1f  eval %@  %.0f steps/s  ETA %@%@",
                      loop.step, config.totalTimesteps, epsilon, meanReturn, lastEval, rate, formatDuration(eta), stalled), true)
    }
}

/// "1h02m", "3m05s", "42s".
public func formatDuration(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "?" }
    let s = Int(seconds.rounded())
    if s >= 3600 { return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) }
    if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
    return "\(s)s"
}
