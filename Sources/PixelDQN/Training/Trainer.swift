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
    public private(set) var metrics = MetricsLog()
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
    private var lastProgress = 0.0
    private var lastProgressStep = 0
    /// This process's TensorBoard event file (nil with --no-tensorboard); flushed with the metrics.
    private var events: TensorBoardWriter?

    /// Builds a new run (fresh networks) or, with `resume`, restores the checkpoint in `folder`.
    public init(config: TrainingConfig, folder: RunFolder, source: Source, evalSource: Source, resume: Bool) throws {
        self.config = config
        self.folder = folder
        self.source = source
        self.evalSource = evalSource
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
            folder.removeStaleTemporaryFiles()
            try restoreCheckpoint()
            let text = String(decoding: try AtomicFile.read(folder.metrics), as: UTF8.self)
            var log = try MetricsLog.parse(text, path: folder.metrics)
            // Rows written after the checkpoint belong to steps that will be replayed.
            log.episodes.removeAll { $0.step > loop.step }
            log.evaluations.removeAll { $0.step > loop.step }
            metrics = log
            if let t = try? AtomicFile.read(folder.timing) {
                for line in String(decoding: t, as: UTF8.self).split(separator: "\n").dropFirst() {
                    let c = line.split(separator: ",")
                    if c.count == 4, let s = Int(c[0]), let e = Int(c[1]), let r = Double(c[2]), let w = Double(c[3]), s <= loop.step {
                        metrics.timing.append((s, e, r, w))
                    }
                }
            }
        }
        if config.tensorboard {
            let writer = try TensorBoardWriter(folder: folder.path)
            if resume { writer.log(resumeAfter: loop.step, kept: metrics) } else { try writer.log(hyperparameters: config) }
            try writer.flush()
            events = writer
        }
    }

    func elapsedWall() -> Double { loop.wallSeconds + EnvironmentBenchmark.now() - startTime }

    /// Runs until `totalTimesteps`, a stop signal, or (with stopWhenSolved) a confirmed solve.
    public func run() throws -> TrainingResult {
        var observation = [Source.Element](repeating: 0, count: source.observationSize)
        var interrupted = false
        var finalEval: EvalStats?
        while loop.step < config.totalTimesteps {
            if StopSignal.requested || loop.step == stopAtStep { interrupted = true; break }
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
                memory.append(action: action, reward: Float(result.reward), terminated: result.terminated,
                              truncated: result.truncated, nextFrame: $0)
            }
            loop.step += 1
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
                let stats = try evaluate(episodes: config.evalEpisodes)
                // A periodic evaluation at the threshold is confirmed on the final evaluation's
                // episodes; a confirmed solve is what first_solved_* and best.safetensors report.
                if stats.mean >= config.env.rewardThreshold && config.finalEvalEpisodes > 0 {
                    let confirmed = try confirm()
                    if config.stopWhenSolved && confirmed.mean >= config.env.rewardThreshold { finalEval = confirmed; break }
                }
            }
            if loop.step % config.checkpointEvery == 0 { try saveAll() }
            progress(epsilon: epsilon)
            if EnvironmentBenchmark.now() - lastMetricsWrite > 5 { try writeMetrics() }
        }
        if !interrupted && finalEval == nil && config.finalEvalEpisodes > 0 {
            finalEval = try finalEvaluation()
        }
        try saveAll()
        var bestEval: EvalStats?
        if !interrupted && config.finalEvalEpisodes > 0 && FileManager.default.fileExists(atPath: folder.best) {
            bestEval = try evaluateBestModel()
        }
        let result = TrainingResult(steps: loop.step, episodes: loop.episode, wallSeconds: elapsedWall(), interrupted: interrupted,
                                    finalEvaluation: finalEval, bestModelEvaluation: bestEval,
                                    firstReachedStep: loop.firstReachedStep, firstReachedSeconds: loop.firstReachedSeconds,
                                    firstSolvedStep: loop.firstSolvedStep, firstSolvedSeconds: loop.firstSolvedSeconds)
        try writeSummary(result)
        return result
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
        // A return can never exceed maxReward/(1 − γ) (≤ 1/(1 − γ) here); Q-values far beyond
        // that bound, or a non-finite loss, mean the optimization diverged.
        let qBound = 100 * max(1, 1 / max(1 - config.gamma, 1e-6))
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

    /// Periodic evaluation: records the row, keeps best.safetensors (until a confirmation exists),
    /// notes the first evaluation at the threshold.
    private func evaluate(episodes: Int) throws -> EvalStats {
        let stats = try Evaluator.evaluate(network: agent.online, source: evalSource, episodes: episodes, epsilon: config.evalEpsilon,
                                           seed: config.seed, stream: 1_000 + UInt64(loop.evaluations))
        loop.evaluations += 1
        record(EvalRecord(step: loop.step, stats: stats))
        if stats.mean > loop.bestEval {
            loop.bestEval = stats.mean
            if loop.bestConfirmed == -.infinity {
                try saveModel(to: folder.best, extra: ["eval_mean": "\(stats.mean)", "eval_episodes": "\(episodes)", "step": "\(loop.step)"])
            }
        }
        if loop.firstReachedStep < 0 && stats.mean >= config.env.rewardThreshold {
            loop.firstReachedStep = loop.step
            loop.firstReachedSeconds = elapsedWall()
        }
        report(String(format: "eval at step %d: mean %.1f ± %.1f (min %.0f, max %.0f) over %d episodes",
                      loop.step, stats.mean, stats.std, stats.min, stats.max, episodes), false)
        return stats
    }

    /// An evaluation row for metrics.csv and TensorBoard.
    private func record(_ evaluation: EvalRecord) {
        metrics.evaluations.append(evaluation)
        events?.log(evaluation: evaluation)
    }

    /// `network` on the final evaluation's episodes (stream 999): confirmations, the final
    /// evaluation and the best model's evaluation all see the same start states.
    private func evaluateOnFinalEpisodes(_ network: QNetwork) throws -> EvalStats {
        try Evaluator.evaluate(network: network, source: evalSource, episodes: config.finalEvalEpisodes,
                               epsilon: config.evalEpsilon, seed: config.seed, stream: 999)
    }

    /// Confirmation: the current weights on the final evaluation's episodes. The best confirmed
    /// weights become best.safetensors; the first confirmed solve is noted.
    private func confirm() throws -> EvalStats {
        let stats = try evaluateOnFinalEpisodes(agent.online)
        record(EvalRecord(step: loop.step, stats: stats, confirmation: true))
        if stats.mean > loop.bestConfirmed {
            loop.bestConfirmed = stats.mean
            try saveModel(to: folder.best, extra: ["eval_mean": "\(stats.mean)", "eval_episodes": "\(stats.episodes)", "step": "\(loop.step)"])
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

    private func finalEvaluation() throws -> EvalStats {
        let stats = try evaluateOnFinalEpisodes(agent.online)
        record(EvalRecord(step: loop.step, stats: stats))
        report(String(format: "final evaluation (%d episodes): mean %.1f ± %.1f, min %.0f, max %.0f",
                      stats.episodes, stats.mean, stats.std, stats.min, stats.max), false)
        return stats
    }

    /// 10-episode evaluations are noisy, so the kept best model is re-evaluated on the final
    /// evaluation's episodes: an unbiased figure for the weights a user would pick.
    private func evaluateBestModel() throws -> EvalStats {
        let best = try QNetwork(contentsOf: URL(fileURLWithPath: folder.best), maxBatch: 1, threads: config.threads)
        let stats = try evaluateOnFinalEpisodes(best)
        report(String(format: "best model (best.safetensors) on the same %d episodes: mean %.1f ± %.1f, min %.0f, max %.0f",
                      stats.episodes, stats.mean, stats.std, stats.min, stats.max), false)
        return stats
    }

    private func saveModel(to path: String, extra: [String: String]) throws {
        var meta = extra
        meta["observation"] = config.observation.rawValue
        meta["env"] = config.env.rawValue
        meta["frame_size"] = "\(config.frameSize)"
        meta["frame_stack"] = "\(config.frameStack)"
        meta["frame_skip"] = "\(config.frameSkip)"
        meta["pixel_dqn_version"] = pixelDQNVersion
        try agent.online.save(to: URL(fileURLWithPath: path), metadata: meta)
    }

    /// The checkpoint, the last model, the metrics and the plot, each written atomically.
    public func saveAll() throws {
        try writeCheckpoint()
        try saveModel(to: folder.model, extra: ["step": "\(loop.step)"])
        try writeMetrics()
        try ReturnsPlot.draw(metrics, threshold: config.env.rewardThreshold, totalSteps: config.totalTimesteps,
                             title: "\(config.env.rawValue) from \(config.observation.rawValue), seed \(config.seed)")
            .write(to: folder.returnsPlot)
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
        let eta = Double(config.totalTimesteps - loop.step) / max(rate, 1e-9)
        report(String(format: "step %d/%d  ε %.3f  return(20) %.1f  eval %@  %.0f steps/s  ETA %@",
                      loop.step, config.totalTimesteps, epsilon, meanReturn, lastEval, rate, formatDuration(eta)), true)
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
