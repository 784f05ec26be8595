// What the agent observes: either φ over rendered frames (pixels) or the task's observation
// numbers. The trainer is generic over this protocol, so both paths share one loop.

/// An environment seen through an observation φ of `stackDepth` frames of `frameSize` elements.
public protocol ObservationSource: AnyObject {
    associatedtype Element: Numeric & Sendable
    /// What a step reports beside reward and ends (a drawn task's state; an Atari game's lives).
    associatedtype StepState: Equatable & Sendable
    var frameSize: Int { get }
    var stackDepth: Int { get }
    /// The newest frame of φ (what the replay memory stores once per step).
    var newestFrame: [Element] { get }
    func reset<G: RandomNumberGenerator>(using rng: inout G)
    func step(_ action: Int) throws -> EnvironmentStep<StepState>
    /// Copies φ (k × frameSize, oldest first) into `output`.
    func copyObservation(into output: UnsafeMutableBufferPointer<Element>)
    /// Whether an episode depends only on the generator its reset draws from and the actions
    /// taken, nothing carrying over from one episode to the next: the same weights on the same
    /// evaluation episodes then give the same returns, and the trainer does not play them twice.
    var episodesFollowFromGenerator: Bool { get }
    /// A new source with the same settings, so that evaluation episodes can run side by side
    /// (`Evaluator`); nil where none can be made (episodes then run one at a time).
    func twin() -> Self?
    /// Agent steps after which the task's time limit ends an episode, or nil when unknown.
    var longestEpisode: Int? { get }
    /// Writes the episode in progress into a checkpoint: metadata fields `env_*` (and tensors).
    func saveEpisode(into file: inout SafetensorsFile)
    /// Reads back the episode a checkpoint recorded and checks it against φ (`phi`, oldest first)
    /// and the loop's `episodeLength` agent steps of `frameSkip` env steps; nothing changes until
    /// the returned restorer's `commit` runs.
    func episodeRestorer(from file: SafetensorsFile, reader: MetadataReader, phi: [Element],
                         episodeLength: Int, frameSkip: Int) throws -> EpisodeRestorer
}

/// A checked episode from a checkpoint, restored by `commit`.
public struct EpisodeRestorer {
    /// Whether the checkpoint was taken inside an episode (otherwise the next step resets).
    public let running: Bool
    public let commit: () -> Void
    public init(running: Bool, commit: @escaping () -> Void) { self.running = running; self.commit = commit }
}

/// A source over a drawn task (`Environment`): its state numbers are the checkpoint's record.
public protocol EnvironmentObservationSource: ObservationSource where StepState == Env.State {
    associatedtype Env: Environment
    var env: Env { get }
    /// Restores a saved episode: env state, steps taken and the frames of φ (oldest first).
    func restore(state: Env.State, elapsedSteps: Int, frames: [Element])
    /// Why saved frames of φ (oldest first) cannot have been observed in `state`, or nil: their
    /// newest frame must be what the state shows. Checked before a running episode is restored.
    func newestFrameProblem(state: Env.State, frames: [Element]) -> String?
}

extension EnvironmentObservationSource {
    /// A drawn task's reset sets its whole state from the generator (and φ to that one frame).
    public var episodesFollowFromGenerator: Bool { true }

    public func saveEpisode(into file: inout SafetensorsFile) {
        file.metadata["env_state"] = env.stateValues.map { "\($0)" }.joined(separator: ",")
        file.metadata["env_elapsed"] = "\(env.elapsedSteps)"
        file.metadata["env_running"] = "\(env.isRunning)"
    }

    public func episodeRestorer(from file: SafetensorsFile, reader: MetadataReader, phi: [Element],
                                episodeLength: Int, frameSkip: Int) throws -> EpisodeRestorer {
        let m = file.metadata, fail = reader.fail
        let running = try reader.bool("env_running")
        let stateValues = try reader.value("env_state").split(separator: ",", omittingEmptySubsequences: false).map { Double($0) }
        let id = env.id
        let numbers = stateValues.compactMap { $0 }
        guard numbers.count == stateValues.count, id.stateProblem(numbers) == nil, let envState = env.state(from: numbers) else {
            throw fail("metadata field \"env_state\" is \"\(m["env_state"] ?? "")\", expected \(id.stateCount) finite numbers \(id.stateNames) (\(id.stateProblem(numbers) ?? "not numbers"))")
        }
        if running && env.terminates(envState) {
            throw fail("metadata field \"env_state\" \(env.values(of: envState)) is past \(id.rawValue)'s limits, but env_running is true")
        }
        let episodeSteps = id.maxEpisodeSteps
        let elapsed = try reader.int("env_elapsed", 0...(running ? episodeSteps - 1 : episodeSteps))
        // A running episode has taken --frame-skip env steps for each of its agent steps.
        if running && elapsed != episodeLength * frameSkip {
            throw fail("metadata field \"env_elapsed\" is \(elapsed), expected \(episodeLength * frameSkip): episode_length \(episodeLength) agent steps of \(frameSkip) env step\(frameSkip == 1 ? "" : "s") each")
        }
        if running, let problem = newestFrameProblem(state: envState, frames: phi) {
            throw fail("tensor phi does not match metadata field \"env_state\" \(env.values(of: envState)): \(problem)")
        }
        return EpisodeRestorer(running: running) { [self] in
            if running { restore(state: envState, elapsedSteps: elapsed, frames: phi) }
        }
    }
}

extension ObservationSource {
    public var observationSize: Int { stackDepth * frameSize }
    public func twin() -> Self? { nil }
    public var longestEpisode: Int? { nil }
}

extension PixelObservation: EnvironmentObservationSource {
    public var stackDepth: Int { stack.depth }
    public var newestFrame: [UInt8] { frame }

    public func twin() -> PixelObservation<E>? {
        PixelObservation(env: env, width: rasterizer.width, height: rasterizer.height, frameStack: stack.depth,
                         frameSkip: frameSkip, invert: invert)
    }

    public var longestEpisode: Int? { (env.id.maxEpisodeSteps + frameSkip - 1) / frameSkip }
}

extension StateObservation {
    public func twin() -> StateObservation<E>? { StateObservation(env: env, frameStack: stack.depth) }
    public var longestEpisode: Int? { env.id.maxEpisodeSteps }
}
