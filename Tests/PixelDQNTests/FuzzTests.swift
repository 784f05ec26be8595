// Short versions of the reader fuzzers (the long ones: `pixel-dqn fuzz`). Every mutated input
// must load or throw the reader's own error; a crash would end the test process.
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
}
