// Short versions of the reader fuzzers (the long ones: `pixel-dqn fuzz`, and libFuzzer through
// Scripts/fuzz.sh), the replay of every input kept under Fixtures/fuzz/<target>/ (each once made
// a reader fail), and the seed corpora libFuzzer starts from. Every input must load or throw the
// reader's own error; a crash would end the test process.
import Foundation
import Testing
import PixelDQN

@Suite struct FuzzTests {
    @Test func pngReaderSurvivesTenThousandMutations() throws {
        let r = try ReaderFuzzer.fuzzPNG(iterations: 10_000, seed: 42)
        #expect(r.tried == 10_000)
        #expect(r.unexpected.isEmpty, "\(r.unexpected.prefix(5))")
        #expect(r.rejected > 1_000, "the mutations must actually break files: \(r)")
    }

    @Test func safetensorsReaderSurvivesTenThousandMutations() throws {
        let r = try ReaderFuzzer.fuzzSafetensors(iterations: 10_000, seed: 42)
        #expect(r.tried >= 10_000)
        #expect(r.unexpected.isEmpty, "\(r.unexpected.prefix(5))")
        #expect(r.rejected > 1_000, "the mutations must actually break files: \(r)")
    }

    /// Every input a fuzzer ever found failing is kept under Fixtures/fuzz/<target>/ and replayed
    /// through the same entry point as libFuzzer's.
    /// (Only targets with kept inputs: a folder under Fixtures/fuzz/, which must name a target
    /// and hold at least one input, so the replay can never run over nothing.)
    @Test(arguments: FuzzTarget.allCases.filter { FileManager.default.fileExists(atPath: Fixtures.path("fuzz/" + $0.rawValue)) })
    func everyKeptInputIsLoadedOrRefusedCleanly(_ target: FuzzTarget) throws {
        let folder = Fixtures.path("fuzz/" + target.rawValue)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        try #require(!names.isEmpty, "Fixtures/fuzz/\(target.rawValue) holds no input")
        for name in names {
            let outcome = target.feed(try AtomicFile.read(folder + "/" + name))
            if case .unexpected(let message) = outcome { Issue.record("Fixtures/fuzz/\(target.rawValue)/\(name): \(message)") }
        }
    }

    /// Every folder of kept inputs belongs to a target (a misnamed one would never be replayed).
    @Test func everyKeptInputFolderNamesATarget() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Fixtures.path("fuzz"))
        #expect(!folders.isEmpty)
        for folder in folders {
            #expect(FuzzTarget(rawValue: folder) != nil, "Fixtures/fuzz/\(folder) is not a fuzz target (\(FuzzTarget.allCases.map(\.rawValue)))")
        }
    }

    /// The seeds are valid inputs: libFuzzer mutates from inputs that load.
    @Test(arguments: FuzzTarget.allCases)
    func seedCorporaLoad(_ target: FuzzTarget) throws {
        let repository = (Fixtures.root as NSString).deletingLastPathComponent
        let seeds = try target.seeds(repository: repository, workFolder: try temporaryFolder())
        #expect(seeds.count >= 3)
        for seed in seeds {
            let outcome = target.feed(seed.bytes)
            if case .unexpected(let message) = outcome { Issue.record("seed \(seed.name): \(message)") }
            // The shipped model's header holds tensors cut to one value: refused by the network load.
            if seed.name != "shipped-model-header" { #expect(outcome == .loaded, "seed \(seed.name)") }
        }
    }
}
