// What a drawn (classic control) task is, declared once on the task's own type: Gymnasium's
// `register(id=…, max_episode_steps=…, reward_threshold=…)` line with the rest of what pixel-dqn
// needs to know (actions and their names, state numbers, rewards, render rate, defaults, the
// shipped model). TaskRegistry lists the tasks; EnvironmentID, AnyEnvironment, the trainer's
// defaults and the command line read every fact from here, so adding a task is its own file(s)
// and one line in TaskRegistry.swift.

/// One action of a task: the caption drawn in GIFs, its short name in the Q-values' line, and what
/// it does in words, for messages and help.
public struct TaskAction: Sendable, Equatable {
    public let caption: String
    public let short: String
    public let meaning: String

    public init(caption: String, short: String, meaning: String) {
        self.caption = caption; self.short = short; self.meaning = meaning
    }
}

/// A drawn task's simulator: an `Environment` whose state travels as a `StateVector`.
public protocol ClassicEnvironment: Environment where State: StateVectorConvertible {}

/// A task state that converts to and from `StateVector` without loss.
public protocol StateVectorConvertible: Equatable, Sendable {
    var vector: StateVector { get }
    init(vector: StateVector)
}

/// Every fact of a drawn task.
public final class ClassicTask: Sendable {
    /// Gymnasium's id ("CartPole-v1").
    public let id: String
    /// The actions, indexed by their number.
    public let actions: [TaskAction]
    /// Names of the state numbers in Gymnasium's order (`env.unwrapped.state`).
    public let stateNames: [String]
    /// The largest magnitude of each state number accepted from outside (`--state`, a checkpoint).
    public let stateLimits: [Double]
    /// Numbers in Gymnasium's observation (the `mlp` network's input).
    public let observationCount: Int
    /// Gymnasium's `max_episode_steps`.
    public let maxEpisodeSteps: Int
    /// Gymnasium's `reward_threshold`: the mean return at which the task is solved.
    public let rewardThreshold: Double
    /// The rewards one step can give (a return over n steps lies in n times this range).
    public let rewardRange: ClosedRange<Double>
    /// Gymnasium's `render_fps`.
    public let framesPerSecond: Int
    /// The scene's size in GIFs (nil: the rasterizer's 600x400).
    public let pictureSize: (width: Int, height: Int)?
    /// Whether GIFs take their colours from the scene's palette with ramps between every two
    /// colours (false: GIFPalette's own ramps for CartPole's pole and axle).
    public let pictureRampsFromScene: Bool
    /// The model shipped in Models/ for this task (file name), if any.
    public let shippedModel: String?
    /// The task's own tuning, applied to the observation kind's defaults (`TrainingConfig.defaults(for:env:)`).
    public let tuneDefaults: @Sendable (inout TrainingConfig) -> Void
    /// A new simulator of the task.
    let makeEnvironment: @Sendable () -> any ClassicEnvironment

    public init<E: ClassicEnvironment>(id: String, actions: [TaskAction], stateNames: [String], stateLimits: [Double]? = nil,
                                       observationCount: Int? = nil, maxEpisodeSteps: Int, rewardThreshold: Double,
                                       rewardRange: ClosedRange<Double>, framesPerSecond: Int,
                                       pictureSize: (width: Int, height: Int)? = nil, pictureRampsFromScene: Bool = true,
                                       shippedModel: String?,
                                       tuneDefaults: @escaping @Sendable (inout TrainingConfig) -> Void = { _ in },
                                       make: @escaping @Sendable () -> E) {
        precondition(!stateNames.isEmpty && stateNames.count <= StateVector.capacity,
                     "\(id): \(stateNames.count) state numbers; a StateVector holds 1 to \(StateVector.capacity)")
        self.id = id
        self.actions = actions
        self.stateNames = stateNames
        self.stateLimits = stateLimits ?? [Double](repeating: 1e6, count: stateNames.count)
        precondition(self.stateLimits.count == stateNames.count, "\(id): one state limit per state number")
        self.observationCount = observationCount ?? stateNames.count
        self.maxEpisodeSteps = maxEpisodeSteps
        self.rewardThreshold = rewardThreshold
        self.rewardRange = rewardRange
        self.framesPerSecond = framesPerSecond
        self.pictureSize = pictureSize
        self.pictureRampsFromScene = pictureRampsFromScene
        self.shippedModel = shippedModel
        self.tuneDefaults = tuneDefaults
        self.makeEnvironment = make
    }

    /// The actions in words: "0 (push left) or 1 (push right)".
    public var actionHelp: String {
        let items = actions.enumerated().map { "\($0.offset) (\($0.element.meaning))" }
        guard items.count > 1 else { return items.joined() }
        return items.dropLast().joined(separator: ", ") + " or " + items.last!
    }
}
