// The DQN training loop (Mnih et al. 2015, as CleanRL's dqn_atari.py arranges it): act ε-greedily
// on φ, store the transition, learn from replayed minibatches, refresh the target network,
// evaluate, and keep the run folder up to date. Around the loop, each in its own file: the
// evaluation protocol (Trainer+Evaluation.swift), the run folder's files (Trainer+Output.swift,
// Checkpoint.swift, RunSummary.swift), the resume (Trainer+Resume.swift), the progress line
// (ProgressReporter.swift), the time of each phase (PhaseClock.swift), and what a run returns
// (TrainingResult.swift).
import Foundation

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
    let startTime = EnvironmentBenchmark.now()
    var lastMetricsWrite = 0.0
    /// The progress line and the recent rate.
    let progress: ProgressReporter
    /// Where this process's time goes, phase by phase (summary.json's seconds_by_phase).
    var clock = PhaseClock()
    /// Receives progress lines and the evaluations' reports; `live` lines overwrite each other on a terminal.
    public var report: (_ line: String, _ live: Bool) -> Void {
        get { progress.report }
        set { progress.report = newValue }
    }
    /// Seconds between progress lines (0 = never).
    public var progressEvery: Double {
        get { progress.every }
        set { progress.every = newValue }
    }
    /// Stops as Ctrl-C would once this many steps are done (for tests and scripted interruptions).
    public var stopAtStep: Int?
    /// Asked at every training and evaluation step, beside Ctrl-C (`StopSignal`): true stops the
    /// run as Ctrl-C would (for tests, which must not raise the process-wide signal).
    public var shouldStop: () -> Bool = { false }
    /// The env steps taken so far, and whether an evaluation is running (for `shouldStop`).
    public var step: Int { loop.step }
    public internal(set) var isEvaluating = false
    /// This process's TensorBoard event file (nil with --no-tensorboard); flushed with the metrics.
    var events: TensorBoardWriter?
    /// The weights this process last played on the final evaluation's episodes (a copy) and their
    /// result (`evaluateOnFinalEpisodes`).
    var lastFinalEpisodes: (stats: EvalStats, weights: [Float])?
    /// The network greedy evaluation episodes are played by, side by side (`episodes`).
    var evalNetwork: QNetwork?
    /// The most evaluation episodes played side by side.
    static var evaluationLanes: Int { 32 }
    /// The best confirmed weights of this process (a copy) and their confirmation.
    var bestFinalEpisodes: (stats: EvalStats, weights: [Float])?
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
        // The sources must observe what the configuration describes (`Training.trainer` builds them so).
        for (name, s) in [("source", source), ("evalSource", evalSource)]
        where s.observationSize != config.inputShape.reduce(1, *) || s.stackDepth != config.frameStack {
            throw ConfigError(message: "Trainer: the \(name) observes \(s.stackDepth) frames of \(s.frameSize) values, but the configuration's input is \(config.inputShape) with --frame-stack \(config.frameStack)")
        }
        self.config = config
        self.folder = folder
        self.source = source
        self.evalSource = evalSource
        self.lock = try lock ?? folder.lock()
        rng = Xoshiro256(seed: config.seed)
        progress = ProgressReporter(step: 0, startTime: startTime)
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
            progress.restart(step: loop.step, startTime: startTime)
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
    var stopRequested: Bool { StopSignal.requested || shouldStop() || loop.step == stopAtStep }

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
        clock = PhaseClock()
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
            clock.lap(\.evaluation)
        }
        if !interrupted && finalEval == nil && loop.pending == .none {
            (interrupted, finalEval) = try trainingLoop()
        }
        var bestEval: EvalStats?
        // The final save writes summary.json before its checkpoint (`saveAll`), which needs an
        // earlier checkpoint: a run that ends before its first one commits one here.
        clock.lap(\.other)
        if !interrupted && !FileManager.default.fileExists(atPath: folder.checkpoint) {
            try saveAll()
            clock.lap(\.writing)
        }
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
            clock.lap(\.evaluation)
        }
        if !interrupted {
            loop.pending = .none
            // A solve stops a --stop-when-solved run for good: a plain resume finds it finished.
            loop.finishedTotal = config.totalTimesteps
        }
        let result = TrainingResult(steps: loop.step, episodes: loop.episode, wallSeconds: elapsedWall(), interrupted: interrupted,
                                    finalEvaluation: finalEval, bestModelEvaluation: bestEval,
                                    firstReachedStep: loop.firstReachedStep, firstReachedSeconds: loop.firstReachedSeconds,
                                    firstSolvedStep: loop.firstSolvedStep, firstSolvedSeconds: loop.firstSolvedSeconds,
                                    phases: clock.finish())
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
                clock.lap(\.environment)
                source.newestFrame.withUnsafeBufferPointer { memory.startEpisode(frame: $0) }
                loop.episodeReturn = 0; loop.episodeLength = 0; loop.lossSum = 0; loop.lossCount = 0; loop.qSum = 0
                needsReset = false
                clock.lap(\.replayStore)
            }
            // Phase 2: act ε-greedily on φ and store the transition.
            let epsilon = config.epsilon(atStep: loop.step)
            let action = observation.withUnsafeMutableBufferPointer { obs in
                source.copyObservation(into: obs)
                return agent.act(UnsafeBufferPointer(obs), epsilon: epsilon, using: &rng)
            }
            clock.lap(\.act)
            let result = try source.step(action)
            clock.lap(\.environment)
            source.newestFrame.withUnsafeBufferPointer {
                memory.append(action: action, reward: Float(config.learnerReward(result.reward)), terminated: result.terminated,
                              truncated: result.truncated, nextFrame: $0)
            }
            clock.lap(\.replayStore)
            loop.step += 1
            CrashPoint.enter(step: loop.step)
            CrashPoint.pass("train-step")
            loop.episodeReturn += result.reward
            loop.episodeLength += 1
            if result.done {
                recordEpisode(epsilon: epsilon)
                loop.episode += 1
                needsReset = true
            }
            // Phase 3: learn from replayed minibatches: `gradientSteps` updates every `trainFrequency` steps.
            if loop.step > updatesResumeAt && loop.step % config.trainFrequency == 0 {
                if config.learningRateSchedule != .constant { agent.setLearningRate(config.learningRate(atStep: loop.step)) }
                for _ in 0..<config.gradientSteps { try learn() }
            }
            // Phase 4: refresh the target network.
            if loop.step > updatesResumeAt && loop.step % config.targetNetworkFrequency == 0 {
                clock.lap(\.other)
                agent.updateTarget()
                clock.lap(\.targetRefresh)
            }
            // Phase 5: evaluate, checkpoint, report.
            if config.evalEvery > 0 && loop.step % config.evalEvery == 0 {
                clock.lap(\.other)
                loop.pending = .evaluation
                let outcome = try periodicEvaluation()
                clock.lap(\.evaluation)
                switch outcome {
                case .interrupted: return (true, nil)
                case .solved(let confirmed): return (false, confirmed)
                case .done: break
                }
            }
            if loop.step % config.checkpointEvery == 0 {
                clock.lap(\.other)
                try saveAll()
                clock.lap(\.writing)
            }
            progress.progress(step: loop.step, of: config.totalTimesteps, epsilon: epsilon, metrics: metrics,
                              threshold: config.env.rewardThreshold)
            if EnvironmentBenchmark.now() - lastMetricsWrite > 5 {
                clock.lap(\.other)
                try writeMetrics()
                clock.lap(\.writing)
            }
        }
        return (false, nil)
    }

    /// One gradient update on a replayed minibatch (n-step targets, priorities, augmentation).
    private func learn() throws {
        clock.lap(\.other)
        memory.sample(into: batch, nStep: config.nStep, gamma: Float(config.gamma),
                      beta: config.priorityBeta(atStep: loop.step), using: &rng)
        if let shift {
            batch.states.withUnsafeMutableBufferPointer { shift.apply(to: $0, count: batch.size, using: &rng) }
            batch.nextStates.withUnsafeMutableBufferPointer { shift.apply(to: $0, count: batch.size, using: &rng) }
        }
        clock.lap(\.replaySample)
        let stats = agent.update(batch, clock: &clock)
        guard stats.loss.isFinite, stats.gradientNorm.isFinite, abs(stats.meanMaxQ) <= Float(qBound) else {
            try writeMetrics()
            throw TrainingError(message: "training stopped at step \(loop.step): the optimization diverged (loss \(stats.loss), gradient norm \(stats.gradientNorm), mean max-Q \(stats.meanMaxQ), bound \(qBound)); try a smaller --learning-rate. The last good checkpoint is kept: \(FileManager.default.fileExists(atPath: folder.checkpoint) ? folder.checkpoint : "none was written yet").")
        }
        if config.prioritized {
            memory.updatePriorities(indices: batch.indices[0..<batch.size], tdErrors: agent.tdErrors[0..<batch.size],
                                    alpha: config.priorityAlpha, epsilon: config.priorityEpsilon)
            clock.lap(\.replaySample)
        }
        loop.lossSum += Double(stats.loss); loop.qSum += Double(stats.meanMaxQ); loop.lossCount += 1
    }

}
