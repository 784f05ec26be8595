// `pixel-dqn render`: one CartPole state drawn by the rasterizer into a grayscale PNG.
import ArgumentParser
import PixelDQN

struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render one CartPole state into a grayscale PNG.",
        discussion: "Example: pixel-dqn render --state -0.1,0,0.05,0 --width 84 --height 84 --output frame.png")

    @Option(name: .long, parsing: .unconditional,
            help: "The state X,XDOT,THETA,THETADOT (metres, m/s, radians, rad/s).")
    var state: NumberList

    @Option(parsing: .unconditional, help: "Frame width in pixels (at least \(Rasterizer.minimumSide)).", transform: Parse.integer)
    var width = 84

    @Option(parsing: .unconditional, help: "Frame height in pixels (at least \(Rasterizer.minimumSide)).", transform: Parse.integer)
    var height = 84

    @Option(help: "The PNG file to write.")
    var output: String

    func validate() throws {
        _ = try parseState(state)
        guard width >= Rasterizer.minimumSide, height >= Rasterizer.minimumSide,
              width <= 8192, height <= 8192 else {
            throw ValidationError("--width/--height must be between \(Rasterizer.minimumSide) and 8192; got \(width)x\(height)")
        }
    }

    func run() throws {
        let s = try parseState(state)
        let pixels = Rasterizer(width: width, height: height).render(s)
        try PNGImage(width: width, height: height, pixels: pixels).write(to: output)
        print("wrote \(output) (\(width)x\(height), state \(s.array))")
    }
}
