// `pixel-dqn trace`: steps a task from a given state through a given action sequence and prints
// one JSON object per step, so trajectories can be compared with Gymnasium's line by line.
import ArgumentParser
import PixelDQN

struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Print one JSON line per step from a state and an action sequence.",
        discussion: """
            Stops after the episode ends (terminated or truncated), even if actions remain. "state"
            is Gymnasium's env.unwrapped.state.
            Examples: pixel-dqn trace --state -0.1,0,0.05,0 --actions 0,1,1,0 --env CartPole-v0
                      pixel-dqn trace --env Acrobot-v1 --state 0.05,-0.02,0,0.01 --actions 2,2,0,1
                      pixel-dqn trace --env MountainCar-v0 --state -0.5,0 --actions 2,2,2,0
            """)

    @Option(name: .long, parsing: .unconditional,
            help: "The start state: X,XDOT,THETA,THETADOT (CartPole), THETA1,THETA2,THETADOT1,THETADOT2 (Acrobot-v1) or POSITION,VELOCITY (MountainCar-v0).", transform: NumberList.parse)
    var state: NumberList

    @Option(parsing: .unconditional, help: "Comma-separated actions: 0 or 1 for CartPole, 0, 1 or 2 for Acrobot-v1 and MountainCar-v0.",
            transform: ActionList.parse)
    var actions: ActionList

    @Option(help: "The task: \(EnvironmentID.names).")
    var env: EnvironmentID = .cartPoleV1

    func validate() throws {
        _ = try parseState(state, env: env)
        if env.cartPoleVersion != nil, let bad = actions.values.first(where: { $0 != 0 && $0 != 1 }) {
            throw ValidationError("--actions may hold only 0 and 1; got \(bad)")
        }
        try checkActions(actions, env: env)
    }

    func run() throws {
        var task = AnyEnvironment(env)
        task.reset(to: try parseState(state, env: env))
        for (i, action) in actions.values.enumerated() {
            let r = try task.step(action)
            let s = r.state.array.map { "\($0)" }.joined(separator: ",")
            print("{\"step\":\(i + 1),\"action\":\(action),\"state\":[\(s)],\"reward\":\(r.reward),\"terminated\":\(r.terminated),\"truncated\":\(r.truncated)}")
            if r.done { break }
        }
    }
}
