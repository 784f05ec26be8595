// `pixel-dqn dump-frames`: plays CartPole with a seeded random policy and writes every frame and
// every φ stack as PNG, with an index, so a person can look at exactly what the agent would see.
import ArgumentParser
import Foundation
import PixelDQN

struct DumpFramesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump-frames",
        abstract: "Play N steps with a random policy; write each frame and each φ stack as PNG.",
        discussion: """
            Writes DIR/frames/frame_NNNNN.png (the newest frame), DIR/stacks/phi_NNNNN.png (the k
            frames of φ side by side, oldest left; zero padding shows black) and DIR/index.csv
            (step, episode, action, reward, terminated, truncated). Step 0 is the reset. When an
            episode ends the environment is reset and play goes on.
            """)

    @Option(parsing: .unconditional, help: "Seed for the environment's resets and the random policy.", transform: Parse.seed)
    var seed: UInt64 = 0

    @Option(parsing: .unconditional, help: "Number of steps to play.", transform: Parse.integer)
    var steps = 20

    @Option(name: .customLong("frame-stack"), parsing: .unconditional, help: "k, the number of frames in φ.", transform: Parse.integer)
    var frameStack = 4

    @Option(parsing: .unconditional, help: "Frame width and height in pixels.", transform: Parse.integer)
    var size = 84

    @Option(help: "CartPole-v1 or CartPole-v0.")
    var env: CartPoleVersion = .v1

    @Option(help: "Output folder (created; existing files with the same names are replaced).")
    var output: String

    func validate() throws {
        guard frameStack >= 1, frameStack <= 64 else {
            throw ValidationError("--frame-stack must be between 1 and 64; got \(frameStack)")
        }
        if output.isEmpty { throw ValidationError("--output: expected a folder path, got an empty one") }
        guard steps >= 0, steps <= 1_000_000 else { throw ValidationError("--steps must be between 0 and 1000000; got \(steps)") }
        guard size >= Rasterizer.minimumSide, size <= 1024 else {
            throw ValidationError("--size must be between \(Rasterizer.minimumSide) and 1024; got \(size)")
        }
    }

    func run() throws {
        try AtomicFile.makeFolder(output + "/frames")
        try AtomicFile.makeFolder(output + "/stacks")
        var rng = Xoshiro256(seed: seed)
        let game = PixelCartPole(version: env, width: size, height: size, frameStack: frameStack)
        game.reset(using: &rng)
        var index = "step,episode,action,reward,terminated,truncated\n"
        var episode = 0
        var stack = [UInt8](repeating: 0, count: game.observationSize)

        func save(_ step: Int) throws {
            let name = String(format: "%05d", step)
            try PNGImage(width: size, height: size, pixels: game.frame).write(to: "\(output)/frames/frame_\(name).png")
            stack.withUnsafeMutableBufferPointer { game.copyObservation(into: $0) }
            try PNGImage.sideBySide(stack, count: frameStack, width: size, height: size)
                .write(to: "\(output)/stacks/phi_\(name).png")
        }

        try save(0)
        index += "0,0,,0,false,false\n"
        for step in 1...max(1, steps) where step <= steps {
            let action = rng.nextIndex(below: CartPole.actionCount)
            let r = try game.step(action)
            try save(step)
            index += "\(step),\(episode),\(action),\(r.reward),\(r.terminated),\(r.truncated)\n"
            if r.done {
                episode += 1
                game.reset(using: &rng)
            }
        }
        try AtomicFile.write(index, to: output + "/index.csv")
        print("wrote \(steps + 1) frames and φ stacks (k = \(frameStack)) to \(output)")
    }
}

