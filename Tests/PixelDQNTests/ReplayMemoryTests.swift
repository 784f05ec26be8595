// Replay memory stores each frame once and rebuilds stacks on demand: every sampled
// (s, a, r, s', terminated) must equal what φ showed the agent while playing, for every
// capacity and wrap-around layout on small sizes, across episode boundaries.
import Testing
import PixelDQN

@Suite struct ReplayMemoryTests {
    struct Played: Equatable { var s: [UInt8]; var a: Int32; var r: Float; var s2: [UInt8]; var term: Float }

    /// Plays episodes of the given lengths (ending terminated or truncated alternately), feeding
    /// both a reference φ and the replay memory, and returns what was played by absolute index.
    func play(capacity: Int, k: Int, episodes: [Int], rng: inout Xoshiro256) -> (ReplayMemory<UInt8>, [Int: Played]) {
        let size = 3
        let memory = ReplayMemory<UInt8>(capacity: capacity, frameSize: size, stackDepth: k)
        var phi = FrameStack(depth: k, frameSize: size)
        var played = [Int: Played]()
        var tag: UInt8 = 0
        func nextFrame() -> [UInt8] { tag = tag == 250 ? 1 : tag + 1; return [tag, tag &+ 1, tag &+ 2] }
        for (e, length) in episodes.enumerated() {
            let start = nextFrame()
            phi.reset(start: start)
            start.withUnsafeBufferPointer { memory.startEpisode(frame: $0) }
            for t in 1...length {
                let s = phi.stacked
                let a = rng.nextIndex(below: 2)
                let r = Float(rng.nextIndex(below: 5))
                let end = t == length
                let term = end && e % 2 == 0
                let trunc = end && e % 2 == 1
                let f = nextFrame()
                phi.push(f)
                f.withUnsafeBufferPointer { memory.append(action: a, reward: r, terminated: term, truncated: trunc, nextFrame: $0) }
                played[memory.written - 1] = Played(s: s, a: Int32(a), r: r, s2: phi.stacked, term: term ? 1 : 0)
            }
        }
        return (memory, played)
    }

    @Test func sampledTransitionsEqualWhatWasPlayed() {
        var rng = Xoshiro256(seed: 11)
        for k in 1...4 {
            for capacity in (k + 1)...(k + 9) {
                // Episode lengths from 1 (shorter than k) to longer than the ring.
                let episodes = [1, 2, k, k + 1, 3, capacity + 2, 1, 5]
                let (memory, played) = play(capacity: capacity, k: k, episodes: episodes, rng: &rng)
                let batch = ReplayBatch<UInt8>(size: 16, observationSize: memory.observationSize)
                var seen = Set<Int>()
                for _ in 0..<20 {
                    memory.sample(into: batch, using: &rng)
                    for b in 0..<batch.size {
                        let i = batch.indices[b]
                        seen.insert(i)
                        #expect(i >= memory.written - memory.capacity, "k \(k) cap \(capacity): sampled an overwritten frame \(i)")
                        guard let p = played[i] else {
                            Issue.record("k \(k) cap \(capacity): index \(i) is a reset frame, not a transition"); continue
                        }
                        let n = memory.observationSize
                        let got = Played(s: Array(batch.states[(b * n)..<((b + 1) * n)]), a: batch.actions[b], r: batch.rewards[b],
                                         s2: Array(batch.nextStates[(b * n)..<((b + 1) * n)]), term: batch.terminated[b])
                        #expect(got == p, "k \(k) capacity \(capacity) index \(i): expected \(p), got \(got)")
                    }
                }
                // Every transition whose stacks are still whole was sampled at least once.
                let whole = played.keys.filter { i in
                    let oldest = i - 1 - min(k - 1, Self.episodeStep(i, played: played))
                    return oldest >= memory.written - memory.capacity
                }
                #expect(Set(whole).isSubset(of: seen) || whole.count > 300, "k \(k) cap \(capacity): unsampled \(Set(whole).subtracting(seen).sorted())")
            }
        }
    }

    /// Position in the episode of the frame closing transition `i` minus one (0 = right after reset).
    static func episodeStep(_ i: Int, played: [Int: Played]) -> Int {
        var n = 0
        while played[i - 1 - n] != nil { n += 1 }
        return n
    }

    @Test func storesEachFrameOnce() {
        let memory = ReplayMemory<UInt8>(capacity: 1000, frameSize: 84 * 84, stackDepth: 4)
        let perTransition = Double(memory.storageBytes) / Double(memory.capacity)
        #expect(perTransition < Double(84 * 84 + 32), "bytes per transition: \(perTransition)")
    }

    @Test func pixelEpisodesReplayExactly() throws {
        var rng = Xoshiro256(seed: 3)
        let game = PixelCartPole(version: .v1, width: 16, height: 16, frameStack: 4)
        let memory = ReplayMemory<UInt8>(capacity: 50, frameSize: game.frameSize, stackDepth: 4)
        var played = [Int: (s: [UInt8], s2: [UInt8], a: Int32, term: Float)]()
        var obs = [UInt8](repeating: 0, count: game.observationSize)
        for _ in 0..<6 {
            game.reset(using: &rng)
            game.frame.withUnsafeBufferPointer { memory.startEpisode(frame: $0) }
            var done = false
            while !done {
                obs.withUnsafeMutableBufferPointer { game.copyObservation(into: $0) }
                let s = obs
                let a = rng.nextIndex(below: 2)
                let r = try game.step(a)
                game.frame.withUnsafeBufferPointer {
                    memory.append(action: a, reward: Float(r.reward), terminated: r.terminated, truncated: r.truncated, nextFrame: $0)
                }
                obs.withUnsafeMutableBufferPointer { game.copyObservation(into: $0) }
                played[memory.written - 1] = (s, obs, Int32(a), r.terminated ? 1 : 0)
                done = r.done
            }
        }
        #expect(memory.written > memory.capacity, "the ring must have wrapped")
        let batch = ReplayBatch<UInt8>(size: 32, observationSize: memory.observationSize)
        memory.sample(into: batch, using: &rng)
        let n = memory.observationSize
        for b in 0..<32 {
            let p = try #require(played[batch.indices[b]])
            #expect(Array(batch.states[(b * n)..<((b + 1) * n)]) == p.s)
            #expect(Array(batch.nextStates[(b * n)..<((b + 1) * n)]) == p.s2)
            #expect(batch.actions[b] == p.a && batch.terminated[b] == p.term)
        }
    }
}
