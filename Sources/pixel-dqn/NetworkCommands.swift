// The numerics subcommands: `bench-network` (speed of the update train runs, and of a preset's
// layers) and `export-reference` (fixtures for Scripts/torch_compare.py). Thin wiring over
// UpdateBenchmark, NetworkBenchmark and ReferenceExport.
import ArgumentParser
import DQNNumerics
import PixelDQN
import Foundation

extension NetworkPreset: ExpressibleByArgument {}

/// `pixel-dqn bench-network`: acting latency and DQN update throughput of a preset.
struct BenchNetworkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-network",
        abstract: "Measure acting latency and the speed of the DQN update train runs (batch 32; mlp 256) for a Q-network preset or a task's defaults."
    )

    @Option(help: "Network preset: \(NetworkPreset.allCases.map(\.rawValue).joined(separator: ", ")).")
    var preset: NetworkPreset = .small

    @Option(parsing: .unconditional, help: "Timed repetitions (medians are reported).", transform: Parse.integer)
    var repeats: Int = 20

    @Option(parsing: .unconditional, help: "Threads for the numeric kernels (1 or 2).", transform: Parse.integer)
    var threads: Int = 2

    @Flag(help: "Print the result as JSON.")
    var json = false

    @Flag(help: "Also time each layer's forward and backward, the input scaling and Adam.")
    var layers = false

    @Flag(help: "Benchmark the preset with a dueling head (Q = V + A − mean A).")
    var dueling = false

    @Flag(help: "End each update with the weights' moving average pass, as training with its moving average of the weights does (the CartPole pixel defaults).")
    var average = false

    @Flag(help: "Time Double DQN's update, as train makes by default: the online and target passes on s′ side by side, then the online pass on s (three forwards; without it plain DQN's two).")
    var double = false

    @Flag(name: .customLong("as-trained"), help: "Time the update with the defaults of --env and --observation: every option of the run (network, dueling head, Double DQN, clipping, importance weights, the moving average) instead of --preset and its flags.")
    var asTrained = false

    @Option(help: "With --as-trained: the task whose defaults set the update (\(EnvironmentID.names)).")
    var env: EnvironmentID = .cartPoleV1

    @Option(help: "With --as-trained: pixels or state.")
    var observation: ObservationKind = .pixels

    func validate() throws {
        guard (1...10_000).contains(repeats) else { throw ValidationError("--repeats: expected 1 to 10000, got \(repeats)") }
        guard (1...2).contains(threads) else { throw ValidationError("--threads must be 1 or 2, got \(threads)") }
    }

    func run() throws {
        // One update, the trainer's (`DQNAgent.update`): the task's defaults with --as-trained,
        // else the preset with the flags.
        var config: TrainingConfig
        if asTrained {
            config = TrainingConfig.defaults(for: observation, env: env)
            config.threads = threads
        } else {
            config = UpdateBenchmark.presetConfig(preset, dueling: dueling, double: double, average: average, threads: threads)
        }
        do { try config.validate() } catch let e as ConfigError { throw ValidationError(e.message) }
        let r = UpdateBenchmark.run(config: config, repeats: repeats)
        func printJSON(_ value: some Encodable) throws {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(value), as: UTF8.self))
        }
        if json {
            try printJSON(r)
        } else {
            let options = [r.dueling ? "dueling" : nil, r.double ? "Double DQN" : nil, r.prioritized ? "importance weights" : nil,
                           r.gradientClipping ? "clipped" : nil, r.average ? "moving average" : nil].compactMap { $0 }
            print("""
            preset \(r.network) (\(asTrained ? "the defaults of \(r.env) from \(r.observation)" : "options")\(options.isEmpty ? "" : ": " + options.joined(separator: ", "))) input \(r.inputShape) actions \(r.actions) threads \(r.threads)
            act (batch 1):      \(String(format: "%.3f", r.actLatencyMs)) ms
            update (batch \(r.batch)): \(String(format: "%.3f", r.updateMs)) ms, \(String(format: "%.1f", r.updatesPerSecond)) updates/s (DQNAgent.update, median of \(r.repeats))
            compute:            \(String(format: "%.1f", r.achievedGFLOPS)) GFLOP/s = \(String(format: "%.1f", 100 * r.fractionOfPeak)) % of \(String(format: "%.1f", r.peakGFLOPS)) GFLOP/s, the FMA peak (\(WideKernels.enabled ? "AVX-512" : "AVX2")) measured just after on \(r.threads) thread\(r.threads == 1 ? "" : "s")
            """)
        }
        guard layers else { return }
        let rows = NetworkBenchmark.layerBreakdown(preset: config.network, dueling: config.dueling, average: config.emaTau > 0,
                                                   actions: r.actions, repeats: repeats, threads: threads)
        if json { try printJSON(rows); return }
        func rate(_ flops: Double, _ ms: Double) -> String {
            flops > 0 && ms > 0 ? String(format: "%7.1f", flops / (ms * 1e6)) : "      -"
        }
        print("stage (batch \(r.batch))     forward ms  GFLOP/s   backward ms  GFLOP/s")
        for row in rows {
            let name = row.name.padding(toLength: 20, withPad: " ", startingAt: 0)
            print("\(name) \(String(format: "%10.3f", row.forwardMs))  \(rate(row.forwardFLOPs, row.forwardMs))  "
                  + "\(String(format: "%12.3f", row.backwardMs))  \(rate(row.backwardFLOPs, row.backwardMs))")
        }
        let total = rows.reduce(0) { $0 + $1.forwardMs + $1.backwardMs }
        print("sum of stages (one forward): \(String(format: "%.3f", total)) ms")
    }
}

/// `pixel-dqn export-reference`: checkpoints, seeded inputs and expected outputs for PyTorch.
struct ExportReferenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-reference",
        abstract: "Write per-preset checkpoints, inputs, Q-values and one Adam step for Scripts/torch_compare.py."
    )

    @Option(help: "Folder to write the safetensors files into.")
    var output: String

    func validate() throws {
        if output.isEmpty { throw ValidationError("--output: expected a folder path, got an empty one") }
    }

    @Flag(help: "Export dueling networks (recorded in each checkpoint's metadata) under the same file names.")
    var dueling = false

    func run() throws {
        for url in try ReferenceExport.write(to: URL(fileURLWithPath: output), dueling: dueling) { print(url.path) }
    }
}
