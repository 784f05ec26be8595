// What the trainer writes into its run folder: metrics.csv and timing.csv, TensorBoard events,
// returns.png, model.safetensors and best.safetensors, summary.json, and the checkpoint
// (Checkpoint.swift), in the order that makes the checkpoint the commit point.
import Foundation

extension Trainer {
    /// The episode just ended, in metrics.csv, timing.csv and TensorBoard (kept in memory, written
    /// with the next `writeMetrics`).
    func recordEpisode(epsilon: Double) {
        let record = EpisodeRecord(
            step: loop.step, episode: loop.episode, episodeReturn: loop.episodeReturn, length: loop.episodeLength,
            epsilon: epsilon, meanLoss: loop.lossCount > 0 ? loop.lossSum / Double(loop.lossCount) : 0,
            meanMaxQ: loop.lossCount > 0 ? loop.qSum / Double(loop.lossCount) : 0)
        let rate = progress.recentRate(step: loop.step)
        metrics.episodes.append(record)
        metrics.timing.append((loop.step, loop.episode, rate, elapsedWall()))
        events?.log(episode: record, stepsPerSecond: rate)
    }

    /// best.safetensors for the evaluation just recorded. It records metrics.csv's row count with
    /// that row, so that a resume tells a best saved after its checkpoint (by an evaluation the
    /// run replays and saves again) from one the checkpoint committed (`checkBestModel`).
    func saveBest(mean: Double, episodes: Int) throws {
        try saveModel(to: folder.best, extra: ["eval_mean": "\(mean)", "eval_episodes": "\(episodes)", "step": "\(loop.step)",
                                               CheckpointKeys.metricsRows: "\(metrics.episodes.count + metrics.evaluations.count)"])
    }

    func saveModel(to path: String, extra: [String: String]) throws {
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

    func writeSummary(_ r: TrainingResult) throws {
        let stalled = metrics.stalledSince(threshold: config.env.rewardThreshold, totalTimesteps: config.totalTimesteps)
        try AtomicFile.write(try RunSummary(r, stalledSinceStep: stalled, phases: r.phases).json(), to: folder.summary)
    }
}
