// `bench-network --as-trained` times the trainer's own update: its result describes the run's
// configuration, and its work is the same FLOPs as the preset benchmark of the same networks.
import DQNNumerics
import Testing
import PixelDQN

@Suite struct UpdateBenchmarkTests {
    @Test func theUpdateAsTrainedDescribesTheRunAndCountsItsWork() {
        var pixels = TrainingConfig.defaults(for: .pixels, env: .cartPoleV1)
        pixels.threads = 1
        let r = UpdateBenchmark.run(config: pixels, repeats: 1)
        #expect(r.env == "CartPole-v1" && r.network == "small" && r.batch == pixels.batchSize)
        #expect(r.dueling == pixels.dueling && r.double == pixels.double && r.prioritized == pixels.prioritized)
        #expect(r.average == (pixels.emaTau > 0) && r.gradientClipping)
        #expect(r.updateMs > 0 && r.peakGFLOPS > 0)
        let preset = NetworkBenchmark.run(preset: .small, dueling: pixels.dueling, average: true, double: pixels.double,
                                          inputShape: pixels.inputShape, actions: 2, repeats: 1, threads: 1)
        #expect(r.flopsPerUpdate == preset.flopsPerUpdate)

        var state = TrainingConfig.defaults(for: .state)
        state.threads = 1
        let s = UpdateBenchmark.run(config: state, repeats: 1)
        #expect(s.observation == "state" && s.network == "mlp" && !s.prioritized && !s.average)
    }
}
