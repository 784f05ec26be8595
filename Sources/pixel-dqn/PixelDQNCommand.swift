// The pixel-dqn command: a thin layer that wires command-line options to the PixelDQN library.
import ArgumentParser
import Foundation
import PixelDQN

@main
struct PixelDQNCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pixel-dqn",
        abstract: "Deep Q-learning from pixels, in Swift: classic control tasks and Atari games.",
        version: pixelDQNVersion,
        subcommands: [TrainCommand.self, SweepCommand.self, EvaluateCommand.self, PlayCommand.self, RenderCommand.self, TraceCommand.self,
                      DumpFramesCommand.self, BenchCommand.self, BenchNetworkCommand.self, ExportReferenceCommand.self, FuzzCommand.self, PlotCommand.self],
    )

    /// ArgumentParser's entry point, with one rule added: a `ConfigError` about a command-line
    /// option (its message starts with the option, "--output DIR: …") is a usage error, exit 64
    /// with the usage line, wherever it was found; every other error exits 1 with its message.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let e as ConfigError where e.message.hasPrefix("--") {
            exit(withError: ValidationError(e.message))
        } catch {
            exit(withError: error)
        }
    }
}
