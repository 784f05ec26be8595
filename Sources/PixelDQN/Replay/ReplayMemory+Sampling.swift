// Sampling minibatches from the replay memory: uniform over the transitions whose stacks are
// complete, or proportional to their priorities (Schaul et al. 2016); each transition's n-step
// return is summed from the stored rewards and its two stacks are rebuilt into preallocated batch
// buffers (no allocation per sample). Frames are still stored once each: s_{t+n} is just the
// stack ending n frames later.
import Foundation

/// A minibatch of n-step transitions (s_t, a_t, R_t, s_{t+m}) with stacks laid out N × k × frameSize,
/// where m ≤ n is cut short by the episode's end.
public final class ReplayBatch<Element: Numeric & Sendable> {
    public let size: Int
    public var states: [Element]
    public var nextStates: [Element]
    public var actions: [Int32]
    /// R_t = Σ_{i<m} γ^i r_{t+i} (with n = 1, the reward).
    public var rewards: [Float]
    /// 1 where the window ended the episode for real (no bootstrap), else 0. A truncated
    /// window (time limit) has 0 here: its target bootstraps from its last state.
    public var terminated: [Float]
    /// γ^m · (1 − terminated): what multiplies the value of s_{t+m} in the target.
    public var discounts: [Float]
    /// Importance-sampling weights of prioritized replay, normalised to a largest of 1 (all 1
    /// when sampling uniformly).
    public var weights: [Float]
    /// Absolute frame index of each sampled transition (the frame that closes it).
    public var indices: [Int]

    public init(size: Int, observationSize: Int) {
        self.size = size
        states = [Element](repeating: 0, count: size * observationSize)
        nextStates = states
        actions = [Int32](repeating: 0, count: size)
        rewards = [Float](repeating: 0, count: size)
        terminated = [Float](repeating: 0, count: size)
        discounts = [Float](repeating: 0, count: size)
        weights = [Float](repeating: 1, count: size)
        indices = [Int](repeating: 0, count: size)
    }

    /// The fields an update reads, as buffers (stacks: size × observationSize elements; the rest
    /// one per transition).
    public struct Buffers {
        public let states: UnsafeBufferPointer<Element>
        public let nextStates: UnsafeBufferPointer<Element>
        public let rewards: UnsafeBufferPointer<Float>
        public let discounts: UnsafeBufferPointer<Float>
        public let weights: UnsafeBufferPointer<Float>
    }

    /// Calls `body` with the batch's fields as buffers, valid for the call only.
    public func withBuffers<R>(_ body: (Buffers) throws -> R) rethrows -> R {
        try states.withUnsafeBufferPointer { s in
            try nextStates.withUnsafeBufferPointer { next in
                try rewards.withUnsafeBufferPointer { r in
                    try discounts.withUnsafeBufferPointer { d in
                        try weights.withUnsafeBufferPointer { w in
                            try body(Buffers(states: s, nextStates: next, rewards: r, discounts: d, weights: w))
                        }
                    }
                }
            }
        }
    }
}

extension ReplayMemory {
    /// Elements in one stacked observation (k × frameSize).
    public var observationSize: Int { stackDepth * frameSize }

    /// The n-step window that starts with the transition closed by absolute frame `i`: the last
    /// transition it covers and whether that one terminated the episode. The window stops at a
    /// termination or a truncation; nil while the episode goes on and fewer than n transitions
    /// of it are stored.
    func window(from i: Int, nStep: Int) -> (last: Int, terminated: Bool)? {
        var j = i
        while true {
            let s = slot(ofAbsolute: j)
            if terminated[s] { return (j, true) }
            if truncated[s] || j - i + 1 >= nStep { return (j, false) }
            guard j + 1 < written else { return nil }
            // An episode left without an end (none is, by the trainer): bootstrap from its last frame.
            if episodeStep[slot(ofAbsolute: j + 1)] == 0 { return (j, false) }
            j += 1
        }
    }

    /// The absolute frame index stored in ring slot `slot` (among the frames held).
    func absolute(ofSlot slot: Int) -> Int {
        let oldest = written - count
        return oldest + (slot - oldest % capacity + capacity) % capacity
    }

    /// Fills `batch` with transitions drawn with replacement: uniformly from the sampleable ones,
    /// or, when priorities are on, proportionally to them (one draw per equal slice of the total
    /// priority, as Schaul et al. do), with importance weights (N·P(i))^−β divided by the batch's
    /// largest. Targets use n-step returns with discount `gamma`.
    /// - Precondition: some transition is sampleable (the loop guarantees it by learning starts).
    public func sample<G: RandomNumberGenerator>(into batch: ReplayBatch<Element>, nStep: Int = 1, gamma: Float = 0.99,
                                                 beta: Double = 1, using rng: inout G) {
        precondition(batch.states.count == batch.size * observationSize, "ReplayMemory.sample: batch laid out for another observation size")
        precondition(written > 1, "ReplayMemory.sample: nothing to sample yet")
        precondition(nStep >= 1, "ReplayMemory.sample: n must be at least 1")
        let n = observationSize
        let total = priorities?.total ?? 0
        var largestWeight: Double = 0
        for b in 0..<batch.size {
            var i: Int
            var found: (last: Int, terminated: Bool)?
            var tries = 0
            repeat {
                if let tree = priorities, total > 0 {
                    // The first draw is stratified; a redraw (a transition whose stacks or n-step
                    // window are not complete yet) comes from the whole distribution.
                    let u = rng.nextUnitDouble()
                    let mass = tries == 0 ? (Double(b) + u) * total / Double(batch.size) : u * total
                    i = absolute(ofSlot: tree.find(mass: mass))
                } else {
                    i = written - count + rng.nextIndex(below: count)
                }
                tries += 1
                precondition(tries < 1_000_000, "ReplayMemory.sample: no sampleable transition")
                found = isSampleable(absolute: i) ? window(from: i, nStep: nStep) : nil
            } while found == nil
            guard let (last, isTerminal) = found else { continue }
            batch.indices[b] = i
            let slot = self.slot(ofAbsolute: i)
            batch.actions[b] = actions[slot]
            var sum: Float = 0, discount: Float = 1
            for j in i...last {
                sum += discount * rewards[self.slot(ofAbsolute: j)]
                discount *= gamma
            }
            batch.rewards[b] = sum
            batch.terminated[b] = isTerminal ? 1 : 0
            batch.discounts[b] = discount * (1 - batch.terminated[b])
            if let tree = priorities, total > 0 {
                let probability = tree[slot] / total
                let w = (Double(count) * probability).pow(-beta)
                batch.weights[b] = Float(w)
                largestWeight = max(largestWeight, w)
            } else {
                batch.weights[b] = 1
            }
            batch.states.withUnsafeMutableBufferPointer { s in
                writeStack(endingAt: i - 1, into: UnsafeMutableBufferPointer(rebasing: s[(b * n)..<((b + 1) * n)]))
            }
            batch.nextStates.withUnsafeMutableBufferPointer { s in
                writeStack(endingAt: last, into: UnsafeMutableBufferPointer(rebasing: s[(b * n)..<((b + 1) * n)]))
            }
        }
        if largestWeight > 0 {
            for b in 0..<batch.size { batch.weights[b] = Float(Double(batch.weights[b]) / largestWeight) }
        }
    }

    /// Prioritized replay: gives each sampled transition the priority (|δ| + ε)^α from its TD
    /// error δ (a transition drawn twice keeps the later one).
    public func updatePriorities(indices: ArraySlice<Int>, tdErrors: ArraySlice<Float>, alpha: Double, epsilon: Double) {
        guard priorities != nil else { return }
        precondition(indices.count == tdErrors.count, "ReplayMemory.updatePriorities: \(indices.count) indices, \(tdErrors.count) errors")
        for (i, delta) in zip(indices, tdErrors) {
            // A non-finite error (the trainer stops on those) must not poison the tree.
            let magnitude = delta.isFinite ? Double(abs(delta)) : 0
            let p = (magnitude + epsilon).pow(alpha)
            // Frames overwritten since the draw keep their fresh priority.
            guard i >= written - count else { continue }
            priorities?.set(slot(ofAbsolute: i), priority: p)
            maxPriority = max(maxPriority, p)
        }
    }
}

extension Double {
    @inline(__always) func pow(_ e: Double) -> Double { Foundation.pow(self, e) }
}
