// What a training run returns, and how it fails when the optimization diverges.

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
    /// Where this process's time went, phase by phase (nil for a run that was already finished).
    public var phases: PhaseSeconds? = nil

    public init(steps: Int, episodes: Int, wallSeconds: Double, interrupted: Bool, finalEvaluation: EvalStats?,
                bestModelEvaluation: EvalStats?, firstReachedStep: Int, firstReachedSeconds: Double,
                firstSolvedStep: Int, firstSolvedSeconds: Double, phases: PhaseSeconds? = nil) {
        self.steps = steps; self.episodes = episodes; self.wallSeconds = wallSeconds; self.interrupted = interrupted
        self.finalEvaluation = finalEvaluation; self.bestModelEvaluation = bestModelEvaluation
        self.firstReachedStep = firstReachedStep; self.firstReachedSeconds = firstReachedSeconds
        self.firstSolvedStep = firstSolvedStep; self.firstSolvedSeconds = firstSolvedSeconds
        self.phases = phases
    }
}

/// Numerical failure: training stops and the last good checkpoint is kept.
public struct TrainingError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
