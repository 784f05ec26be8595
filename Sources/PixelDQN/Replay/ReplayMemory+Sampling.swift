// Sampling minibatches from the replay memory: uniform over the transitions whose stacks are
// complete, each rebuilt into preallocated batch buffers (no allocation per sample).

/// A minibatch of transitions (s, a, r, s', terminated) with stacks laid out N × k × frameSize.
public final class ReplayBatch<Element: Numeric & Sendable> {
    public let size: Int
    public var states: [Element]
    public var nextStates: [Element]
    public var actions: [Int32]
    public var rewards: [Float]
    /// 1 where the transition ended the episode for real (no bootstrap), else 0. A truncated
    /// transition (time limit) has 0 here: its target bootstraps from s'.
    public var terminated: [Float]
    /// Absolute frame index of each sampled transition (for tests and debugging).
    public var indices: [Int]

    public init(size: Int, observationSize: Int) {
        self.size = size
        states = [Element](repeating: 0, count: size * observationSize)
        nextStates = states
        actions = [Int32](repeating: 0, count: size)
        rewards = [Float](repeating: 0, count: size)
        terminated = [Float](repeating: 0, count: size)
        indices = [Int](repeating: 0, count: size)
    }
}

extension ReplayMemory {
    /// Elements in one stacked observation (k × frameSize).
    public var observationSize: Int { stackDepth * frameSize }

    /// Fills `batch` with transitions drawn uniformly (with replacement) from the sampleable ones.
    /// - Precondition: some transition is sampleable (the loop guarantees it by learning starts).
    public func sample<G: RandomNumberGenerator>(into batch: ReplayBatch<Element>, using rng: inout G) {
        precondition(batch.states.count == batch.size * observationSize, "ReplayMemory.sample: batch laid out for another observation size")
        precondition(written > 1, "ReplayMemory.sample: nothing to sample yet")
        let n = observationSize
        for b in 0..<batch.size {
            var i: Int
            var tries = 0
            repeat {
                i = written - count + rng.nextIndex(below: count)
                tries += 1
                precondition(tries < 1_000_000, "ReplayMemory.sample: no sampleable transition")
            } while !isSampleable(absolute: i)
            batch.indices[b] = i
            let slot = self.slot(ofAbsolute: i)
            batch.actions[b] = actions[slot]
            batch.rewards[b] = rewards[slot]
            batch.terminated[b] = terminated[slot] ? 1 : 0
            batch.states.withUnsafeMutableBufferPointer { s in
                writeStack(endingAt: i - 1, into: UnsafeMutableBufferPointer(rebasing: s[(b * n)..<((b + 1) * n)]))
            }
            batch.nextStates.withUnsafeMutableBufferPointer { s in
                writeStack(endingAt: i, into: UnsafeMutableBufferPointer(rebasing: s[(b * n)..<((b + 1) * n)]))
            }
        }
    }
}
