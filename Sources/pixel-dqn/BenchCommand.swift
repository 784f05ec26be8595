// `pixel-dqn bench`: prints throughput figures of the environment side (one thread) and of the
// Q-network. Speed is measured here, never in tests.
import ArgumentParser
import Foundation
import PixelDQN

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure environment and pixel-path throughput (one thread).",
        discussion: "Reports the median of --repeats runs. Check that the machine is idle first (top).")

    @Option(help: "Steps per repetition.")
    var steps = 200_000

    @Option(help: "Repetitions; the median is reported.")
    var repeats = 5

    @Option(name: .customLong("frame-stack"), help: "k for the pixel path.")
    var frameStack = 4

    func validate() throws {
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1; got \(steps)") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1; got \(repeats)") }
        guard frameStack >= 1 else { throw ValidationError("--frame-stack must be at least 1; got \(frameStack)") }
    }

    func run() throws {
        let results = [
            EnvironmentBenchmark.cartPole(steps: steps, repeats: repeats),
            EnvironmentBenchmark.pixelPath(steps: steps, repeats: repeats, k: frameStack),
        ]
        for r in results {
            print(String(format: "%-48@ %12.0f steps/s  (%d steps, median of %d)",
                         r.name as NSString, r.stepsPerSecond, r.steps, repeats))
        }
    }
}
