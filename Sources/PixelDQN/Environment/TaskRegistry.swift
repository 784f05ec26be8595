// The drawn tasks pixel-dqn plays, one line each. A task's facts live on its own type (the
// `ClassicTask` beside its dynamics); everything that lists or describes tasks (EnvironmentID, the
// command line's choices, help texts and error messages) is built from this list. Atari games
// are not listed: every game of ALE's ROM set is a task by its Gymnasium name (AtariGame.swift).

public enum TaskRegistry {
    /// The drawn tasks, in the order help texts list them.
    public static let classic: [ClassicTask] = [
        CartPole.taskV0,
        CartPole.taskV1,
        Acrobot.task,
        MountainCar.task,
    ]

    /// The drawn task registered as `id`, or nil.
    public static func classicTask(_ id: String) -> ClassicTask? { classic.first { $0.id == id } }
}
