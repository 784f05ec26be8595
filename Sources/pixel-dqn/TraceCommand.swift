// `pixel-dqn trace`: steps CartPole from a given state through a given action sequence and prints
// one JSON object per step, so trajectories can be compared with Gymnasium's line by line.
import ArgumentParser
import PixelDQN

struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Print one JSON line per CartPole step from a state and an action sequence.",
        discussion: """
            Stops after the episode ends (terminated or truncated), even if actions remain.
            Example: pixel-dqn trace --state -0.1,0,0.05,0 --actions 0,1,1,0 --env CartPole-v0
            """)

    @Option(name: .long, parsing: .unconditional, help: "The start state X,XDOT,THETA,THETADOT.")
    var state: NumberList

    @Option(help: "Comma-separated actions, each 0 (push left) or 1 (push right).")
    var actions: ActionList

    @Option(help: "CartPole-v1 (500-step limit) or CartPole-v0 (200).")
    var env: CartPoleVersion = .v1

    func validate() throws {
        _ = try parseState(state)
        if let bad = actions.values.first(where: { $0 != 0 && $0 != 1 }) {
            throw ValidationError("--actions may hold only 0 and 1; got \(bad)")
        }
    }

    func run() throws {
        var cartpole = CartPole(version: env)
        cartpole.reset(to: try parseState(state))
        for (i, action) in actions.values.enumerated() {
            let r = try cartpole.step(action)
            let s = r.state.array.map { "\($0)" }.joined(separator: ",")
            print("{\"step\":\(i + 1),\"action\":\(action),\"state\":[\(s)],\"reward\":\(r.reward),\"terminated\":\(r.terminated),\"truncated\":\(r.truncated)}")
            if r.done { break }
        }
    }
}
