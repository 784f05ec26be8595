// φ as the DQN pseudocode defines it: after reset k−1 zero frames and the start frame; each step
// appends the newest and drops the oldest. Checked against a plain array model for every k and
// every step count across wrap-around and episode boundaries, and against golden PNGs.
import Testing
import PixelDQN

@Suite struct FrameStackTests {
    /// A frame whose every byte is `tag` (distinct tags make any misordering visible).
    private func frame(_ tag: Int, size: Int) -> [UInt8] { [UInt8](repeating: UInt8(tag % 251 + 1), count: size) }

    @Test func matchesTheArrayModelForEveryKAndStepCount() {
        let size = 6
        for k in 1...6 {
            var stack = FrameStack(depth: k, frameSize: size)
            var tag = 0
            // Three episodes of different lengths cross the ring's wrap-around at every offset.
            for episodeLength in [0, 2 * k + 1, 3 * k] {
                tag += 1
                stack.reset(start: frame(tag, size: size))
                var model = [[UInt8]](repeating: [UInt8](repeating: 0, count: size), count: k - 1) + [frame(tag, size: size)]
                #expect(stack.stacked == model.flatMap { $0 }, "k \(k) after reset")
                for step in 1...max(1, episodeLength) where step <= episodeLength {
                    tag += 1
                    stack.push(frame(tag, size: size))
                    model.removeFirst()
                    model.append(frame(tag, size: size))
                    #expect(stack.stacked == model.flatMap { $0 }, "k \(k), step \(step)")
                    #expect(stack.frames.count == k)
                }
            }
        }
    }

    @Test func resetLeavesExactlyKMinusOneZeroFrames() {
        for k in 1...5 {
            var stack = FrameStack(depth: k, frameSize: 4)
            for t in 0..<(2 * k) { stack.push(frame(t + 7, size: 4)) }
            stack.reset(start: frame(99, size: 4))
            let s = stack.stacked
            #expect(s[0..<((k - 1) * 4)].allSatisfy { $0 == 0 })
            #expect(s[((k - 1) * 4)...].allSatisfy { $0 == UInt8(99 % 251 + 1) })
        }
    }

    /// Golden φ stacks for seed 2026: every k from 1 to 4, every step count 0...2k after a reset,
    /// as PNGs with the k frames side by side (oldest left). The zero padding shows as black.
    @Test(arguments: 1...4)
    func phiMatchesGoldenPNGs(k: Int) throws {
        var rng = Xoshiro256(seed: 2026)
        let game = PixelCartPole(version: .v1, width: 84, height: 84, frameStack: k)
        game.reset(using: &rng)
        var obs = [UInt8](repeating: 0, count: game.observationSize)
        for step in 0...(2 * k) {
            if step > 0 {
                let r = try game.step(rng.nextIndex(below: 2))
                #expect(!r.done, "the golden episode must not end within 2k steps")
            }
            obs.withUnsafeMutableBufferPointer { game.copyObservation(into: $0) }
            if step < k {
                // Before k steps, the oldest k−1−step frames are the zero padding.
                let zeros = (k - 1 - step) * game.frameSize
                #expect(obs[0..<zeros].allSatisfy { $0 == 0 }, "k \(k) step \(step): zero padding")
            }
            let image = PNGImage.sideBySide(obs, count: k, width: 84, height: 84)
            try Fixtures.checkGolden(image, "phi/seed2026_k\(k)_step\(step).png", frameWidth: 84)
        }
    }
}
