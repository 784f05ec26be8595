// Throughput of an Atari game on one thread: ALE's emulator alone (frames per second), and the
// whole training-side pixel path (no-op reset, 4 frames with the max of the last two, episodic
// life, fire reset, 84x84 area resize, φ push and copy) in agent steps and frames per second.

extension EnvironmentBenchmark {
    /// [emulator frames/s, preprocessed agent steps/s, the same in frames/s]: medians of
    /// `repeats` runs of `steps` random actions each.
    public static func atari(_ game: AtariGame, steps: Int, repeats: Int, k: Int = 4, seed: UInt64 = 0) throws -> [Result] {
        var raw: [Double] = [], agent: [Double] = [], frames: [Double] = []
        let emulator = try game.makeEmulator(seed: 0)
        let source = try AtariObservation(game: game, frameStack: k, lifeLoss: .endsEpisode, seed: 0)
        var phi = [UInt8](repeating: 0, count: source.observationSize)
        for r in 0..<repeats {
            var rng = Xoshiro256(seed: seed &+ UInt64(r))
            emulator.resetGame()
            var t0 = now()
            for _ in 0..<(steps * 4) {
                _ = emulator.act(game.actionCodes[rng.nextIndex(below: game.actionCodes.count)])
                if emulator.isGameOver || emulator.isTruncated { emulator.resetGame() }
            }
            raw.append(Double(steps * 4) / (now() - t0))

            source.reset(using: &rng)
            let frame0 = source.emulator.episodeFrameNumber
            var played = 0, lastFrame = frame0
            t0 = now()
            for _ in 0..<steps {
                let s = try source.step(rng.nextIndex(below: source.actionCount))
                phi.withUnsafeMutableBufferPointer { source.copyObservation(into: $0) }
                played += max(0, s.state.frame - lastFrame)
                lastFrame = s.state.frame
                if s.done {
                    source.reset(using: &rng)
                    lastFrame = source.emulator.episodeFrameNumber
                }
            }
            let seconds = now() - t0
            agent.append(Double(steps) / seconds)
            frames.append(Double(played) / seconds)
        }
        let name = game.id.gymnasiumID
        return [Result(name: "\(name): ALE alone, frames", stepsPerSecond: median(raw), steps: steps * 4),
                Result(name: "\(name): agent steps (4 frames + preprocessing + φ)", stepsPerSecond: median(agent), steps: steps),
                Result(name: "\(name): the same in frames", stepsPerSecond: median(frames), steps: steps)]
    }
}
