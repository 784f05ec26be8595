// `pixel-dqn fuzz`: the long version of the reader fuzz tests (PNG and safetensors).
import ArgumentParser
import PixelDQN

struct FuzzCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz",
        abstract: "Feed mutated and truncated PNG and safetensors files to the readers.",
        discussion: "Every input must load or be refused with a clear error; a crash or hang is a bug. Exits 1 if any input threw an unexpected error.")

    @Option(help: "Inputs per reader.")
    var iterations = 200_000
    @Option(help: "Seed of the mutations.")
    var seed: UInt64 = 1

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
