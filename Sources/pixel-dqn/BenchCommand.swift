// `pixel-dqn bench`: prints throughput figures of the environment side (one thread) and of the
// Q-network. Speed is measured here, never in tests.
import ArgumentParser
import Foundation
import DQNNumerics
import PixelDQN

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure a task's dynamics, its pixel path (one thread) and each Q-network preset.",
        discussion: """
            Environment: median of --repeats runs of --steps steps. Network: for each preset, acting \
            latency (batch 1), one DQN update (batch 32; mlp 256: online forward, target forward on \
            the next states, Huber loss, backward, Adam), GFLOP/s and its share of the FMA peak \
            (AVX2, or AVX-512 where the CPU has it), measured on 2 threads right after each preset \
            (the machine's speed drifts). Check that the machine is idle first (top).
            """)

    @Option(parsing: .unconditional, help: "Steps per repetition.", transform: Parse.integer)
    var steps = 200_000

    @Option(parsing: .unconditional, help: "Repetitions; the median is reported.", transform: Parse.integer)
    var repeats = 5

    @Option(help: "The task whose dynamics and pixel path are measured: \(EnvironmentID.names).")
    var env: EnvironmentID = .cartPoleV1

    @Option(name: .customLong("frame-stack"), parsing: .unconditional, help: "k for the pixel path (1 to 32).", transform: Parse.integer)
    var frameStack = 4

    @Flag(inversion: .prefixedNo, help: "Also benchmark the Q-network presets.")
    var network = true

    @Option(name: .customLong("network-repeats"), parsing: .unconditional, help: "Timed repetitions per network preset.",
            transform: Parse.integer)
    var networkRepeats = 20

    func validate() throws {
        guard (1...1_000_000_000).contains(steps) else { throw ValidationError("--steps: expected 1 to 1000000000, got \(steps)") }
        guard (1...1000).contains(repeats) else { throw ValidationError("--repeats: expected 1 to 1000, got \(repeats)") }
        guard (1...32).contains(frameStack) else { throw ValidationError("--frame-stack: expected 1 to 32, got \(frameStack)") }
        guard (1...10_000).contains(networkRepeats) else {
            throw ValidationError("--network-repeats: expected 1 to 10000, got \(networkRepeats)")
        }
    }

    func run() throws {
        func measure<E: Environment>(_ e: E) -> [EnvironmentBenchmark.Result] {
            [EnvironmentBenchmark.dynamics(e, steps: steps, repeats: repeats),
             EnvironmentBenchmark.pixelPath(e, steps: steps, repeats: repeats, k: frameStack)]
        }
        let results: [EnvironmentBenchmark.Result]
        if let atari = env.atari {
            let game: AtariGame
            do { game = try AtariGame.load(atari) } catch let e as ALEError { throw ValidationError("--env \(env.rawValue): \(e)") }
            results = try EnvironmentBenchmark.atari(game, steps: steps, repeats: repeats, k: frameStack)
        } else {
            // The task as training runs it (AnyEnvironment, which dispatches to the task's own type).
            results = measure(AnyEnvironment(env))
        }
        for r in results {
            print(r.name.padding(toLength: 58, withPad: " ", startingAt: 0)
                  + String(format: "%12.0f steps/s  (%d steps, median of %d)", r.stepsPerSecond, r.steps, repeats))
        }
        guard network else { return }
        print("")
        print("preset   act (batch 1)   update (batch)          updates/s   GFLOP/s   share of the FMA peak measured just after")
        for preset in NetworkPreset.allCases {
            let r = UpdateBenchmark.run(config: UpdateBenchmark.presetConfig(preset, dueling: false, double: false, average: false, threads: 2),
                                        repeats: networkRepeats)
            print(preset.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
                  + String(format: " %9.3f ms   %9.3f ms (%3d)   %9.1f   %7.1f   %5.1f %% of %.1f", r.actLatencyMs, r.updateMs, r.batch,
                         r.updatesPerSecond, r.achievedGFLOPS, 100 * r.fractionOfPeak, r.peakGFLOPS))
        }
    }
}
