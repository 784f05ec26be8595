// Smoke tests of the benchmark and reference-export APIs on the cheapest preset.
import Foundation
import Testing
import DQNNumerics

extension ThreadCountTests {
    @Test func layerBreakdownNamesEveryStage() {
        let rows = NetworkBenchmark.layerBreakdown(preset: .mlp, repeats: 2, threads: 1)
        #expect(rows.map(\.name) == ["scale input", "fc1", "fc2", "adam"])   // the ReLU is fused into fc1 and fc2
        // FLOPs at batch 256: fc1 has no dX (first layer), fc2 has dW and dX.
        let fc1 = 2.0 * 256 * 4 * 256, fc2 = 2.0 * 256 * 256 * 2
        #expect(rows[1].forwardFLOPs == fc1 && rows[1].backwardFLOPs == fc1)
        #expect(rows[2].forwardFLOPs == fc2 && rows[2].backwardFLOPs == 2 * fc2)
        #expect(rows.allSatisfy { $0.forwardMs >= 0 && $0.backwardMs >= 0 })
        #expect(rows[1].forwardMs > 0 && rows[3].backwardMs > 0)
    }

    @Test func layerBreakdownTimesTheMovingAverageWhenAsked() {
        let rows = NetworkBenchmark.layerBreakdown(preset: .mlp, average: true, repeats: 2, threads: 1)
        #expect(rows.map(\.name) == ["scale input", "fc1", "fc2", "adam", "moving average"])
        #expect(rows[4].backwardMs > 0 && rows[4].forwardMs == 0)
    }
}

@Suite struct ToolingTests {
    @Test func referenceExportIsLoadable() throws {
        let folder = temporaryFolder("export")
        let written = try ReferenceExport.write(to: folder, presets: [.mlp])
        #expect(written.map(\.lastPathComponent) == ["mlp.safetensors", "mlp_reference.safetensors"])
        let net = try QNetwork(contentsOf: written[0], maxBatch: ReferenceExport.batch)
        let reference = try SafetensorsFile(contentsOf: written[1])
        let features = try reference.tensor("features").floats()
        #expect(net.forward(floats: features, batch: ReferenceExport.batch) == (try reference.tensor("q").floats()))
        #expect(reference["after.fc2.bias"]?.shape == [ReferenceExport.actions])
    }
}
