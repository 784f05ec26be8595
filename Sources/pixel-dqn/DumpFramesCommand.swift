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
            Writes DIR/frames/frame_NNNNN.png (the newest frame), DIR/stacks/phi_NNNNN.png (the k \
            frames of φ side by side, oldest left; zero padding shows black) and DIR/index.csv \
            (step, episode, action, reward, terminated, truncated). Step 0 is the reset. When an \
            episode ends the environment is reset and play goes on. With --gif F.gif the same play \
            as an animated GIF (the scene in colour beside φ), with or without --output.
            """)

    @Option(parsing: .unconditional, help: "Seed for the environment's resets and the random policy.", transform: Parse.seed)
    var seed: UInt64 = 0

    @Option(parsing: .unconditional, help: "Number of steps to play.", transform: Parse.integer)
    var steps = 20

    @Option(name: .customLong("frame-stack"), parsing: .unconditional, help: "k, the number of frames in φ.", transform: Parse.integer)
    var frameStack = 4

    @Option(parsing: .unconditional, help: "Frame width and height in pixels.", transform: Parse.integer)
    var size = 84

    @Option(help: "The task: \(EnvironmentID.names).")
    var env: EnvironmentID = .cartPoleV1

    @Flag(name: .customLong("invert-frames"), inversion: .prefixedNo, help: "Frames enter φ as 255 − gray, as `train` feeds them by default (--no-invert-frames: the frames as drawn) (default true).")
    var invertFrames: Bool?

    @Option(help: "Output folder (created; existing files with the same names are replaced, and an earlier call's frames beyond this call's are removed).")
    var output: String?

    @OptionGroup var animation: GIFOptions

    func validate() throws {
        guard frameStack >= 1, frameStack <= 64 else {
            throw ValidationError("--frame-stack must be between 1 and 64; got \(frameStack)")
        }
        if output?.isEmpty == true { throw ValidationError("--output: expected a folder path, got an empty one") }
        guard steps >= 0, steps <= 1_000_000 else { throw ValidationError("--steps must be between 0 and 1000000; got \(steps)") }
        guard size >= Rasterizer.minimumSide, size <= 1024 else {
            throw ValidationError("--size must be between \(Rasterizer.minimumSide) and 1024; got \(size)")
        }
        guard output != nil || animation.gif != nil else { throw ValidationError("--output DIR or --gif F.gif is needed") }
        if animation.gif != nil, let p = EpisodeGIF.problem(frameStack: frameStack, frameSize: size, fps: animation.fps) {
            throw ValidationError(p)
        }
    }

    func run() throws {
        if let output {
            try FrameFiles.checkOutput(output, own: ["index.csv"])
            try AtomicFile.makeFolder(output + "/frames")
            try AtomicFile.makeFolder(output + "/stacks")
        }
        let episodeGIF = try animation.makeGIF(frameStack: frameStack, frameSize: size,
                                               title: "pixel-dqn dump-frames, random actions, \(env.rawValue), seed \(seed)", env: env)
        var rng = Xoshiro256(seed: seed)
        // φ as the task's training defaults show it to the agent, unless told otherwise.
        let invert = invertFrames ?? TrainingConfig.defaults(for: .pixels, env: env).invertFrames
        let game = PixelObservation(id: env, width: size, height: size, frameStack: frameStack, invert: invert)
        game.reset(using: &rng)
        var index = "step,episode,action,reward,terminated,truncated\n"
        var episode = 0
        var stack = [UInt8](repeating: 0, count: game.observationSize)

        func save(_ step: Int) throws {
            stack.withUnsafeMutableBufferPointer { game.copyObservation(into: $0) }
            guard let output else { return }
            let name = String(format: "%05d", step)
            try PNGImage(width: size, height: size, pixels: game.frame).write(to: "\(output)/frames/frame_\(name).png")
            try PNGImage.sideBySide(stack, count: frameStack, width: size, height: size)
                .write(to: "\(output)/stacks/phi_\(name).png")
        }

        // The GIF shows each saved picture with the action taken next; the index row of a step
        // names the action that led to it, so the GIF's picture of a step is added one step late.
        var shown: (state: StateVector, phi: [UInt8], step: Int, episode: Int, total: Double)?
        var total = 0.0
        try save(0)
        shown = (game.env.state, stack, 0, 0, 0)
        index += "0,0,,0,false,false\n"
        for step in 1...max(1, steps) where step <= steps {
            let action = rng.nextIndex(below: env.actionCount)
            if let s = shown {
                try episodeGIF?.add(EpisodeStep(state: s.state, phi: s.phi, step: s.step, episode: s.episode, episodeReturn: s.total,
                                                action: action, qValues: nil, outcome: nil))
            }
            let r = try game.step(action)
            total += r.reward
            try save(step)
            shown = (game.env.state, stack, game.env.elapsedSteps, episode, total)
            index += "\(step),\(episode),\(action),\(r.reward),\(r.terminated),\(r.truncated)\n"
            if r.done {
                try episodeGIF?.add(EpisodeStep(state: game.env.state, phi: stack, step: game.env.elapsedSteps, episode: episode,
                                                episodeReturn: total, action: nil, qValues: nil,
                                                outcome: r.terminated ? "episode over: terminated" : "episode over: truncated"))
                episode += 1
                total = 0
                game.reset(using: &rng)
                stack.withUnsafeMutableBufferPointer { game.copyObservation(into: $0) }
                shown = (game.env.state, stack, 0, episode, 0)
            }
        }
        if let s = shown, s.step > 0 || steps == 0 {
            try episodeGIF?.add(EpisodeStep(state: s.state, phi: s.phi, step: s.step, episode: s.episode, episodeReturn: s.total,
                                            action: nil, qValues: nil, outcome: "stopped: --steps reached"))
        }
        if let output {
            try AtomicFile.write(index, to: output + "/index.csv")
            try FrameFiles.removeBeyond(steps + 1, in: output)
            print("wrote \(steps + 1) frames and φ stacks (k = \(frameStack)) to \(output)")
        }
        try animation.write(episodeGIF)
    }
}

