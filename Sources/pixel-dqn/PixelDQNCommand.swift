// The pixel-dqn command: a thin layer that wires command-line options to the PixelDQN library.
import ArgumentParser
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
}
