// Resuming a run: checkpoint.safetensors, metrics.csv, timing.csv and best.safetensors are read
// back and checked against each other and against config.json before anything is written: every
// metadata value in its range, the checkpoint's own checksum, its run identity, the metrics rows
// it covers. A failure names the file and what is wrong, and leaves every file as it was.
import Foundation

extension Trainer {
    /// Restores the loop from checkpoint.safetensors (see `writeCheckpoint`); returns its metadata.
    @discardableResult
    func restoreCheckpoint() throws -> [String: String] {
        let path = folder.checkpoint
        return try restoreCheckpoint(from: SafetensorsFile(contentsOf: URL(fileURLWithPath: path)), path: path)
    }

    /// Restores the loop from a checkpoint's contents (`path` names it in messages): every
    /// check first, then the commit. Returns its metadata.
    @discardableResult
    func restoreCheckpoint(from file: SafetensorsFile, path: String) throws -> [String: String] {
        let m = file.metadata
        func fail(_ problem: String) -> FileError { FileError(path: path, problem: problem) }
        guard m[CheckpointKeys.format] == "1" else {
            throw fail("not a pixel-dqn checkpoint (metadata \(CheckpointKeys.format) is \(m[CheckpointKeys.format].map { "\"\($0)\"" } ?? "missing"), expected \"1\")")
        }
        // Checkpoints since the checksums were introduced record them, with the fields written
        // since then; older ones are read without. A checksum deleted from a newer checkpoint
        // would let a damaged file through unchecked: it is refused.
        if let newer = ["pending", "finished_total_timesteps", CheckpointKeys.runConfig].first(where: { m[$0] != nil }),
           let missing = [CheckpointKeys.tensorsChecksum, CheckpointKeys.metricsRows, CheckpointKeys.metricsChecksum].first(where: { m[$0] == nil }) {
            throw fail("metadata field \"\(missing)\" is missing, but the checkpoint records \"\(newer)\", which every checkpoint with checksums records: expected its checksums (\(CheckpointKeys.tensorsChecksum), \(CheckpointKeys.metricsRows), \(CheckpointKeys.metricsChecksum)); the file was edited")
        }
        if let recorded = m[CheckpointKeys.tensorsChecksum], recorded != file.tensorsChecksum.hex {
            throw fail("its tensors do not match the checksum written with them (\(recorded)): the file is damaged")
        }
        try checkIdentity(m, fail)
        let reader = MetadataReader(metadata: m, fail: fail)
        let steps = TrainingConfig.maximumSteps, episodeSteps = config.env.maxEpisodeSteps
        var l = LoopState()
        l.step = try reader.int("step", 0...steps)
        guard l.step <= config.totalTimesteps else {
            throw fail("the run is at step \(l.step), beyond its --total-timesteps \(config.totalTimesteps) (config.json totalTimesteps); expected --total-timesteps of at least \(l.step)")
        }
        try agent.online.loadParameters(from: file, fileName: path, prefix: "online.")
        try agent.target.loadParameters(from: file, fileName: path, prefix: "target.")
        try agent.average?.loadParameters(from: file, fileName: path, prefix: "average.")
        // The optimizer has taken at most --gradient-steps updates per step so far.
        let updates = l.step * config.gradientSteps
        try agent.adam?.restoreState(from: file, fileName: path, maxStep: updates)
        try agent.rmsprop?.restoreState(from: file, fileName: path, maxStep: updates)
        let words = try file.tensor("rng", file: path).int64s(name: "rng", file: path).map { UInt64(bitPattern: $0) }
        guard let restored = Xoshiro256(stateWords: words) else { throw fail("tensor rng: expected 4 words, not all zero") }

        l.episode = try reader.int("episode", 0...l.step)
        l.episodeLength = try reader.int("episode_length", 0...min(l.step, episodeSteps))
        l.episodeReturn = try reader.double("episode_return", config.env.returnRange(agentSteps: l.episodeLength, frameSkip: config.frameSkip))
        // The sums of this episode's updates: each loss finite (a Float), each mean max-Q within
        // the bound beyond which training stops as diverged.
        l.lossCount = try reader.int("loss_count", 0...(l.episodeLength * config.gradientSteps))
        let count = Double(l.lossCount)
        l.lossSum = try reader.double("loss_sum", 0...(count * Double(Float.greatestFiniteMagnitude)))
        l.qSum = try reader.double("q_sum", (-count * qBound)...(count * qBound))
        l.evaluations = try reader.int("evaluations", 0...l.step)
        l.bestEval = try reader.score("best_eval", config.env.returnRange(steps: episodeSteps))
        l.bestConfirmed = try reader.score("best_confirmed", config.env.returnRange(steps: episodeSteps))
        l.wallSeconds = try reader.double("wall_seconds", 0...1e12)
        l.firstReachedStep = try reader.int("first_reached_step", -1...l.step)
        l.firstReachedSeconds = try reader.seconds("first_reached_seconds", step: l.firstReachedStep, wall: l.wallSeconds)
        l.firstSolvedStep = try reader.int("first_solved_step", -1...l.step)
        l.firstSolvedSeconds = try reader.seconds("first_solved_seconds", step: l.firstSolvedStep, wall: l.wallSeconds)
        // Written since run folders survive misuse; older checkpoints had neither (nothing pending).
        l.pending = try m["pending"].map { text in
            guard let p = PendingWork(rawValue: text) else {
                throw fail("metadata field \"pending\" is \"\(text)\", expected one of \(PendingWork.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return p
        } ?? .none
        l.finishedTotal = m["finished_total_timesteps"] == nil ? try finishedTotalOfAnOlderCheckpoint(step: l.step)
                                                                : try reader.int("finished_total_timesteps", -1...steps)
        // A run finishes at its --total-timesteps, or before it only when a solve stopped it.
        if l.finishedTotal >= 0 && (l.finishedTotal < l.step || (l.finishedTotal > l.step && l.firstSolvedStep < 0)) {
            throw fail("metadata field \"finished_total_timesteps\" is \(l.finishedTotal) at step \(l.step), expected -1 (not finished), \(l.step) (finished at its end), or more only when a solve stopped the run (first_solved_step is \(l.firstSolvedStep))")
        }
        let phi = try Source.Element.values(try file.tensor("phi", file: path), name: "phi", file: path)
        guard phi.count == source.observationSize else {
            throw fail("tensor phi: expected \(source.observationSize) elements, found \(phi.count)")
        }
        guard phi.allSatisfy({ Source.Element.isValidObservation($0) }) else { throw fail("tensor phi holds a value that is not finite") }
        let episode = try source.episodeRestorer(from: file, reader: reader, phi: phi, episodeLength: l.episodeLength,
                                                 frameSkip: config.frameSkip)
        let running = episode.running
        let replaySaved = try reader.bool("replay_saved")
        // Updates wait for learning starts, or after a resume without the replay for its refill.
        let refill = max(config.learningStarts, config.batchSize + config.frameStack)
        let pausedUntil = try reader.int("updates_paused_until", 0...(max(l.step, config.learningStarts, config.nStep - 1) + refill))

        // Every check passed: commit.
        rng = restored
        loop = l
        episode.commit()
        if running {
            needsReset = false
        } else {
            needsReset = true
        }
        // A stored reward is the task's per agent step (CartPole +1, the others −1 or 0, over
        // --frame-skip env steps), times --reward-scale.
        let perStep = config.env.returnRange(agentSteps: 1, frameSkip: config.frameSkip)
        let scaled = [perStep.lowerBound * config.rewardScale, perStep.upperBound * config.rewardScale]
        let rewardRange = Float(scaled.min()!)...Float(scaled.max()!)
        if replaySaved && config.saveReplay {
            try memory.load(from: file, path: path, maxEpisodeSteps: episodeSteps,
                            maxWritten: l.step + l.episode + 1, actionCount: config.env.actionCount, rewards: rewardRange)
            updatesResumeAt = pausedUntil
        } else {
            // Without the replay memory, refill it before updating again.
            updatesResumeAt = loop.step + max(config.learningStarts, config.batchSize + config.frameStack)
            needsReset = true
        }
        return m
    }

    /// The checkpoint must belong to the run config.json describes: its recorded identity (every
    /// field a resume may not change) equal to config.json's, and the network it holds the one
    /// config.json builds.
    private func checkIdentity(_ m: [String: String], _ fail: (String) -> FileError) throws {
        if let recorded = m[CheckpointKeys.runConfig] {
            guard let data = recorded.data(using: .utf8),
                  let theirs = try? JSONDecoder().decode(TrainingConfig.self, from: data) else {
                throw fail("metadata field \"\(CheckpointKeys.runConfig)\" is not a pixel-dqn configuration")
            }
            let differences = theirs.identity.fieldsDiffering(from: config.identity)
            if !differences.isEmpty {
                throw fail("written by another run than \(folder.config) describes: they differ in \(differences.joined(separator: ", ")); put back this run's config.json, or resume the run this checkpoint belongs to")
            }
        }
        let architecture = try NetworkArchitecture(metadata: m, file: folder.checkpoint)
        if architecture != agent.online.architecture {
            throw fail("holds a \(architecture.preset.rawValue) network for input \(architecture.inputShape)\(architecture.dueling ? " with a dueling head" : ""), but \(folder.config) describes a \(config.network.rawValue) network for input \(config.inputShape)\(config.dueling ? " with a dueling head" : ""): it belongs to another run")
        }
    }

    /// Whether a checkpoint written before checkpoints recorded it was of a finished run: its
    /// summary.json says so (same step, not interrupted). Returns the finished total or −1.
    private func finishedTotalOfAnOlderCheckpoint(step: Int) throws -> Int {
        guard FileManager.default.fileExists(atPath: folder.summary) else { return -1 }
        let summary = try RunSummary.stepsAndInterrupted(json: try AtomicFile.read(folder.summary), path: folder.summary)
        return summary.steps == step && !summary.interrupted ? step : -1
    }

    /// Reads metrics.csv and timing.csv back for a resumed run and checks them against the
    /// checkpoint, the commit point of a run folder: metrics.csv must begin with exactly the rows
    /// the checkpoint recorded (their count and checksum; for older checkpoints, one episode row
    /// per episode counted up to its step), and the rows after them (written between this
    /// checkpoint and a kill, at its own step too) are the next, uncommitted stretch, dropped
    /// here and written again as the run replays it. best.safetensors must be the network the
    /// checkpoint's best evaluation saved, unless an uncommitted evaluation saved it.
    func readRunFiles(checkpoint: [String: String]) throws {
        let text = String(decoding: try AtomicFile.read(folder.metrics), as: UTF8.self)
        // Every row is checked, the uncommitted ones too: a run never writes a damaged row.
        var log = try MetricsLog.parse(text, path: folder.metrics, env: config.env, frameSkip: config.frameSkip)
        if let rowsText = checkpoint[CheckpointKeys.metricsRows], let hash = checkpoint[CheckpointKeys.metricsChecksum] {
            guard let rows = Int(rowsText), rows >= 0 else {
                throw FileError(path: folder.checkpoint, problem: "metadata field \"\(CheckpointKeys.metricsRows)\" is \"\(rowsText)\", expected a row count of 0 or more")
            }
            let committed = MetricsLog.digest(text: text, firstRows: rows)
            guard committed.rows == rows, String(committed.hash, radix: 16) == hash else {
                throw FileError(path: folder.metrics, problem: "its first \(committed.rows) rows are not the \(rows) rows checkpoint.safetensors recorded (checksum \(hash)): metrics.csv was truncated, edited or belongs to another run")
            }
            log = try MetricsLog.parse(committed.text, path: folder.metrics, env: config.env, frameSkip: config.frameSkip)
            if let late = (log.episodes.map(\.step) + log.evaluations.map(\.step)).first(where: { $0 > loop.step }) {
                throw FileError(path: folder.metrics, problem: "a row at step \(late) is among the \(rows) rows checkpoint.safetensors recorded at step \(loop.step): metrics.csv and the checkpoint belong to different runs")
            }
        } else {
            // An older checkpoint recorded no rows: those after its step are the uncommitted ones.
            log.episodes.removeAll { $0.step > loop.step }
            log.evaluations.removeAll { $0.step > loop.step }
        }
        try checkEvaluations(log)
        if log.episodes.count != loop.episode {
            throw FileError(path: folder.metrics, problem: "\(log.episodes.count) episode rows up to step \(loop.step), but checkpoint.safetensors counts \(loop.episode) episodes (metadata field \"episode\"): one of them was edited, truncated or belongs to another run")
        }
        var timing: [(step: Int, episode: Int, stepsPerSecond: Double, wallSeconds: Double)] = []
        if FileManager.default.fileExists(atPath: folder.timing) {
            timing = try MetricsLog.parseTiming(String(decoding: try AtomicFile.read(folder.timing), as: UTF8.self), path: folder.timing)
        }
        try checkBestModel(committedRows: log.episodes.count + log.evaluations.count)
        metrics = log
        metrics.timing = timing.filter { $0.step <= loop.step }
    }

    /// The checkpoint's evaluation record against metrics.csv's rows up to its step: the
    /// periodic evaluations are among the "eval" rows (which also hold final evaluations), the
    /// best of them is one of those rows, the best confirmation is the largest "confirm" row,
    /// and a first solve is a confirmation at the threshold at that step. (Rows hold 6 decimals.)
    private func checkEvaluations(_ log: MetricsLog) throws {
        let evals = log.evaluations.filter { !$0.confirmation }, confirms = log.evaluations.filter(\.confirmation)
        func near(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-5 * max(1, abs(b)) }
        func fail(_ what: String) -> FileError {
            FileError(path: folder.metrics, problem: "\(what): checkpoint.safetensors and metrics.csv disagree (one of them was edited or belongs to another run)")
        }
        guard loop.evaluations <= evals.count, (loop.evaluations == 0) == (loop.bestEval == -.infinity),
              loop.bestEval == -.infinity || evals.contains(where: { near($0.stats.mean, loop.bestEval) }) else {
            throw fail("\(evals.count) evaluation rows up to step \(loop.step), but the checkpoint records \(loop.evaluations) periodic evaluations with the best mean \(loop.bestEval) (metadata fields \"evaluations\", \"best_eval\")")
        }
        let bestConfirmation = confirms.map(\.stats.mean).max() ?? -.infinity
        guard bestConfirmation == -.infinity ? loop.bestConfirmed == -.infinity : near(bestConfirmation, loop.bestConfirmed) else {
            throw fail("the best confirmation row has mean \(bestConfirmation), the checkpoint records \(loop.bestConfirmed) (metadata field \"best_confirmed\")")
        }
        if loop.firstSolvedStep >= 0, !confirms.contains(where: { $0.step == loop.firstSolvedStep && $0.stats.mean >= config.env.rewardThreshold - 1e-5 }) {
            throw fail("no confirmation row at the threshold at step \(loop.firstSolvedStep), the checkpoint's first solve (metadata field \"first_solved_step\")")
        }
    }

    /// best.safetensors, which the end of the run evaluates: present when the checkpoint records
    /// a best evaluation, of this run's network, and (when the checkpoint committed the
    /// evaluation that saved it) holding that evaluation's mean. A best saved by an uncommitted
    /// evaluation (its recorded row count beyond the checkpoint's `committedRows`; for a file
    /// that records none, its step beyond the checkpoint's) is saved again as the run replays it.
    private func checkBestModel(committedRows: Int) throws {
        let best = folder.best
        let recorded = loop.bestConfirmed > -.infinity ? loop.bestConfirmed : loop.bestEval
        guard FileManager.default.fileExists(atPath: best) else {
            if recorded > -.infinity {
                throw FileError(path: best, problem: "missing, but checkpoint.safetensors records a best evaluation (mean \(recorded)) that saved it")
            }
            return
        }
        let file = try SafetensorsFile(contentsOf: URL(fileURLWithPath: best))
        let architecture = try NetworkArchitecture(metadata: file.metadata, file: best)
        guard architecture == agent.online.architecture else {
            throw FileError(path: best, problem: "holds a \(architecture.preset.rawValue) network for input \(architecture.inputShape), not this run's \(config.network.rawValue) network for input \(config.inputShape): it belongs to another run")
        }
        _ = try QNetwork(file: file, fileName: best, maxBatch: 1, threads: 1)   // its tensors' names, shapes, finite values
        let committed: Bool
        if let rowsText = file.metadata[CheckpointKeys.metricsRows] {
            guard let rows = Int(rowsText), rows >= 1 else {
                throw FileError(path: best, problem: "metadata field \"\(CheckpointKeys.metricsRows)\" is \"\(rowsText)\", expected the row count of metrics.csv with the evaluation that saved it (1 or more)")
            }
            committed = rows <= committedRows
        } else {
            committed = Int(file.metadata["step"] ?? "").map { $0 <= loop.step } ?? false
        }
        if committed, file.metadata["eval_mean"] != "\(recorded)" {
            throw FileError(path: best, problem: "saved at step \(file.metadata["step"] ?? "?") with evaluation mean \(file.metadata["eval_mean"] ?? "none"), but checkpoint.safetensors records the best mean \(recorded): it belongs to another run")
        }
    }
}

/// Reads a checkpoint's metadata values with their ranges; errors name the field and the value.
public struct MetadataReader {
    public let metadata: [String: String]
    public let fail: (String) -> FileError

    public func value(_ key: String) throws -> String {
        guard let v = metadata[key] else { throw fail("metadata field \"\(key)\" is missing") }
        return v
    }

    public func int(_ key: String, _ range: ClosedRange<Int>) throws -> Int {
        let text = try value(key)
        guard let v = Int(text), range.contains(v) else {
            throw fail("metadata field \"\(key)\" is \"\(text)\", expected an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return v
    }

    public func double(_ key: String, _ range: ClosedRange<Double>) throws -> Double {
        let text = try value(key)
        guard let v = Double(text), v.isFinite, range.contains(v) else {
            throw fail("metadata field \"\(key)\" is \"\(text)\", expected a finite number in [\(range.lowerBound), \(range.upperBound)]")
        }
        return v
    }

    /// An evaluation mean: −inf (none yet) or a return from 0 to the episode limit.
    public func score(_ key: String, _ range: ClosedRange<Double>) throws -> Double {
        let text = try value(key)
        guard let v = Double(text), v == -.infinity || range.contains(v) else {
            throw fail("metadata field \"\(key)\" is \"\(text)\", expected -inf (none yet) or a mean return from \(Int(range.lowerBound)) to \(Int(range.upperBound))")
        }
        return v
    }

    /// Seconds of a first solve or first reach at `step`: −1 when there is none (step −1), else
    /// a time from 0 to the run's wall seconds `wall`.
    public func seconds(_ key: String, step: Int, wall: Double) throws -> Double {
        let text = try value(key)
        let expected = step < 0 ? "-1, as no step is recorded" : "seconds from 0 to the run's wall_seconds \(wall), as step \(step) is recorded"
        guard let v = Double(text), step < 0 ? v == -1 : (v >= 0 && v <= wall) else {
            throw fail("metadata field \"\(key)\" is \"\(text)\", expected \(expected)")
        }
        return v
    }

    public func bool(_ key: String) throws -> Bool {
        let text = try value(key)
        guard text == "true" || text == "false" else { throw fail("metadata field \"\(key)\" is \"\(text)\", expected true or false") }
        return text == "true"
    }
}
