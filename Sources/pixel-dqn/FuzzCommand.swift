// `pixel-dqn fuzz`: the long version of the reader fuzz tests (PNG and safetensors).
import ArgumentParser
import PixelDQN

struct FuzzCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz",
        abstract: "Feed mutated and truncated PNG and safetensors files to the readers.",
        discussion: "Every input must load or be refused with a clear error; a crash or hang is a bug. Exits 1 if any input threw an unexpected error.")

    @Option(parsing: .unconditional, help: "Inputs per reader (1 to 10^9).", transform: Parse.integer)
    var iterations = 200_000
    @Option(parsing: .unconditional, help: "Seed of the mutations.", transform: Parse.seed)
    var seed: UInt64 = 1

    func validate() throws {
        guard (1...1_000_000_000).contains(iterations) else {
            throw ValidationError("--iterations: expected 1 to 1000000000, got \(iterations)")
        }
    }

    func run() throws {
        let reports = [try ReaderFuzzer.fuzzPNG(iterations: iterations, seed: seed),
                       try ReaderFuzzer.fuzzSafetensors(iterations: iterations, seed: seed)]
        for r in reports {
            print(r)
            for u in r.unexpected.prefix(10) { print("  unexpected: \(u)") }
        }
        if reports.contains(where: { !$0.unexpected.isEmpty }) { throw ExitCode(1) }
    }
}
