// `bench-network` times the trainer's own update (`DQNAgent.update`), for a task's defaults
// (--as-trained) or a preset with its options: the result describes that configuration, and its
// work is the update's FLOPs, counted here from the layers' sizes.
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
        #expect(r.updateMs > 0 && r.actLatencyMs > 0 && r.peakGFLOPS > 0)
        #expect(abs(r.updatesPerSecond * r.updateMs - 1000) < 1e-6)
        #expect(abs(r.fractionOfPeak * r.peakGFLOPS - r.achievedGFLOPS) <= 1e-9 * r.achievedGFLOPS)

        var state = TrainingConfig.defaults(for: .state)
        state.threads = 1
        let s = UpdateBenchmark.run(config: state, repeats: 1)
        #expect(s.observation == "state" && s.network == "mlp" && !s.prioritized && !s.average)
    }

    @Test func aPresetsUpdateCountsItsForwardsAndBackward() {
        // mlp 4 → 256 → 2 at batch 256: forward 2·(4·256 + 256·2) per sample; the backward is dW of
        // both layers and dX of fc2 (fc1 is the first layer: no dX).
        let forward = 2.0 * (4 * 256 + 256 * 2), backward = forward + 2 * 256 * 2
        let plain = UpdateBenchmark.run(config: UpdateBenchmark.presetConfig(.mlp, dueling: false, double: false, average: false, threads: 1),
                                        repeats: 2)
        #expect(plain.batch == 256 && plain.inputShape == [4] && plain.actions == 2 && !plain.double && !plain.average)
        #expect(plain.flopsPerUpdate == 256 * (2 * forward + backward))
        // Double DQN adds the online pass on s′.
        let double = UpdateBenchmark.run(config: UpdateBenchmark.presetConfig(.mlp, dueling: false, double: true, average: true, threads: 1),
                                         repeats: 2)
        #expect(double.double && double.average && double.flopsPerUpdate == 256 * (3 * forward + backward))
        // The small network on 4×84×84: conv 16@8×8/4 → 20×20, conv 32@4×4/2 → 9×9, fc 2592 → 256 → 2.
        let small = UpdateBenchmark.run(config: UpdateBenchmark.presetConfig(.small, dueling: false, double: false, average: false, threads: 1),
                                        repeats: 1)
        let conv1 = 2.0 * 400 * 16 * 256, conv2 = 2.0 * 81 * 32 * 256, fc1 = 2.0 * 2592 * 256, fc2 = 2.0 * 256 * 2
        let smallForward = conv1 + conv2 + fc1 + fc2
        #expect(small.batch == 32 && small.inputShape == [4, 84, 84])
        #expect(small.flopsPerUpdate == 32 * (2 * smallForward + (conv1 + 2 * (conv2 + fc1 + fc2))))
    }
}
