// `pixel-dqn render`: one state of a task drawn by the rasterizer into a grayscale PNG, as the
// agent sees it at that size.
import ArgumentParser
import PixelDQN

struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render one state of a task into a grayscale PNG.",
        discussion: """
            Examples:
              pixel-dqn render --state -0.1,0,0.05,0 --width 84 --height 84 --output f.png
              pixel-dqn render --env Acrobot-v1 --state 1,0.5,0,0 --output acrobot.png
            """)

    @Option(name: .long, parsing: .unconditional,
            help: "The state: \(EnvironmentID.stateHelp).", transform: NumberList.parse)
    var state: NumberList

    @Option(help: "The task: \(EnvironmentID.names).")
    var env: EnvironmentID = .cartPoleV1

    @Option(parsing: .unconditional, help: "Frame width in pixels (at least \(Rasterizer.minimumSide)).", transform: Parse.integer)
    var width = 84

    @Option(parsing: .unconditional, help: "Frame height in pixels (at least \(Rasterizer.minimumSide)).", transform: Parse.integer)
    var height = 84

    @Option(help: "The PNG file to write.")
    var output: String

    func validate() throws {
        _ = try parseState(state, env: env)
        try checkPath(output, option: "--output", expected: "the PNG file to write, e.g. frame.png")
        try checkExtension(output, option: "--output", "png")
        guard width >= Rasterizer.minimumSide, height >= Rasterizer.minimumSide,
              width <= 8192, height <= 8192 else {
            throw ValidationError("--width/--height must be between \(Rasterizer.minimumSide) and 8192; got \(width)x\(height)")
        }
    }

    func run() throws {
        let s = try parseState(state, env: env)
        let task = AnyEnvironment(env)
        let pixels = Rasterizer(width: width, height: height, layout: task.sceneLayout).render(s, of: task)
        try PNGImage(width: width, height: height, pixels: pixels).write(to: output)
        print("wrote \(output) (\(width)x\(height), \(env.rawValue) state \(s.array))")
    }
}
