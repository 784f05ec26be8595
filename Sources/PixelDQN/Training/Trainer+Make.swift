// The one place where a configuration becomes a trainer: it picks the observation the
// configuration names (an Atari game's preprocessing, φ over a drawn task's frames, or the task's
// state numbers) and builds the training and evaluation sources from the same settings.
import Foundation

/// What a command or a test asks of a trainer, whatever its observation.
public protocol TrainingRun: AnyObject {
    var config: TrainingConfig { get }
    /// Whether the run already finished (`run` would do nothing).
    var isFinished: Bool { get }
    var step: Int { get }
    var isEvaluating: Bool { get }
    var report: (_ line: String, _ live: Bool) -> Void { get set }
    var progressEvery: Double { get set }
    var stopAtStep: Int? { get set }
    var shouldStop: () -> Bool { get set }
    func run() throws -> TrainingResult
}

extension Trainer: TrainingRun {}

public enum Training {
    /// The trainer of `config` in `folder`: a new run, or with `resume` the run its checkpoint
    /// holds (see `Trainer.init`). An Atari game's ROM is loaded and checked first.
    /// - Precondition: `config` is valid (`TrainingConfig.validate`).
    public static func trainer(config: TrainingConfig, folder: RunFolder, resume: Bool,
                               lock: RunFolderLock? = nil) throws -> any TrainingRun {
        if let atari = config.env.atari {
            try AtariGame.load(atari)
            return try Trainer(config: config, folder: folder, source: AtariObservation(config: config, training: true),
                               evalSource: AtariObservation(config: config, training: false), resume: resume, lock: lock)
        }
        switch config.observation {
        case .pixels:
            func make() -> PixelObservation<AnyEnvironment> {
                PixelObservation(id: config.env, width: config.frameSize, height: config.frameSize,
                                 frameStack: config.frameStack, frameSkip: config.frameSkip, invert: config.invertFrames)
            }
            return try Trainer(config: config, folder: folder, source: make(), evalSource: make(), resume: resume, lock: lock)
        case .state:
            func make() -> StateObservation<AnyEnvironment> { StateObservation(id: config.env, frameStack: config.frameStack) }
            return try Trainer(config: config, folder: folder, source: make(), evalSource: make(), resume: resume, lock: lock)
        }
    }
}
