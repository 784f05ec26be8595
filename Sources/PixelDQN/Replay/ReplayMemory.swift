// Replay memory that stores every observed frame once, in a ring, and rebuilds the k-frame stacks
// of a sampled transition on demand, zero-padding before an episode's first frame exactly as φ
// does. Memory per transition is about one frame (plus one reset frame per episode).
// Sampling, batching and persistence live in ReplayMemory+Sampling.swift and +Persistence.swift.

/// A ring of frames, each tagged with its position in its episode and with the transition that
/// produced it. Slot `i` with `episodeStep[i] > 0` closes transition (φ_{i−1}, a, r, φ_i).
///
/// `Element` is `UInt8` for rendered frames and `Float` for state vectors.
public final class ReplayMemory<Element: Numeric & Sendable> {
    /// Frames the ring holds (≈ transitions; see `--buffer-size`).
    public let capacity: Int
    /// Elements per frame (H × W for pixels, 4 for the CartPole state).
    public let frameSize: Int
    /// k, the number of frames in a stacked observation.
    public let stackDepth: Int

    /// capacity × frameSize elements; slot i occupies [i·frameSize, (i+1)·frameSize).
    var frames: [Element]
    /// Position of the frame in its episode: 0 for the reset frame.
    var episodeStep: [Int32]
    var actions: [Int32]
    var rewards: [Float]
    var terminated: [Bool]
    var truncated: [Bool]
    /// Frames written since creation; the newest is at slot (written − 1) % capacity.
    public internal(set) var written: Int = 0
    /// Prioritized replay: each slot's priority p^α (0 for reset frames), nil for uniform sampling.
    public internal(set) var priorities: SumTree?
    /// The largest p^α given so far: what a new transition starts with (so it is replayed soon).
    public internal(set) var maxPriority = 1.0

    /// - Precondition: capacity > k, frameSize ≥ 1, k ≥ 1.
    public init(capacity: Int, frameSize: Int, stackDepth: Int) {
        precondition(stackDepth >= 1, "ReplayMemory: k must be at least 1, got \(stackDepth)")
        precondition(capacity > stackDepth, "ReplayMemory: capacity \(capacity) must exceed k = \(stackDepth)")
        precondition(frameSize >= 1, "ReplayMemory: frame size must be positive")
        precondition(_isPOD(Element.self), "ReplayMemory: elements must be plain values (copied as bytes)")
        self.capacity = capacity
        self.frameSize = frameSize
        self.stackDepth = stackDepth
        // Zero bytes are zero values for plain numeric types; one memset instead of a generic
        // element-by-element fill (which took about 1.5 s for a 700 MB pixel replay).
        frames = [Element](unsafeUninitializedCapacity: capacity * frameSize) { buffer, initialized in
            if let base = buffer.baseAddress {
                UnsafeMutableRawPointer(base).initializeMemory(as: UInt8.self, repeating: 0,
                                                               count: buffer.count * MemoryLayout<Element>.stride)
            }
            initialized = buffer.count
        }
        episodeStep = [Int32](repeating: 0, count: capacity)
        actions = [Int32](repeating: 0, count: capacity)
        rewards = [Float](repeating: 0, count: capacity)
        terminated = [Bool](repeating: false, count: capacity)
        truncated = [Bool](repeating: false, count: capacity)
    }

    /// Turns on proportional prioritized sampling (before anything is stored).
    public func enablePriorities() {
        precondition(written == 0, "ReplayMemory.enablePriorities: call before storing frames")
        priorities = SumTree(capacity: capacity)
    }

    /// Frames currently held (at most `capacity`).
    public var count: Int { min(written, capacity) }

    /// Bytes of storage, for reporting memory per transition.
    public var storageBytes: Int {
        capacity * (frameSize * MemoryLayout<Element>.stride + 4 + 4 + 4 + 1 + 1)
    }

    /// Records the first frame of a new episode (what φ's newest frame is after reset).
    public func startEpisode(frame: UnsafeBufferPointer<Element>) {
        store(frame, step: 0, action: 0, reward: 0, terminated: false, truncated: false)
    }

    /// Records one transition by the frame it led to: the newest frame of φ after the step.
    /// - Precondition: an episode was started and has not ended.
    public func append(action: Int, reward: Float, terminated isTerminal: Bool, truncated isTruncated: Bool,
                       nextFrame: UnsafeBufferPointer<Element>) {
        precondition(written > 0, "ReplayMemory.append: call startEpisode first")
        let last = (written - 1) % capacity
        precondition(!terminated[last] && !(truncated[last] && episodeStep[last] > 0),
                     "ReplayMemory.append: the episode already ended; call startEpisode")
        store(nextFrame, step: episodeStep[last] + 1, action: action, reward: reward,
              terminated: isTerminal, truncated: isTruncated)
    }

    private func store(_ frame: UnsafeBufferPointer<Element>, step: Int32, action: Int, reward: Float,
                       terminated isTerminal: Bool, truncated isTruncated: Bool) {
        precondition(frame.count == frameSize, "ReplayMemory: frame has \(frame.count) elements, expected \(frameSize)")
        let slot = written % capacity
        frames.withUnsafeMutableBufferPointer { f in
            if let dst = f.baseAddress, let src = frame.baseAddress {
                Self.copyFrame(from: src, to: dst + slot * frameSize, count: frameSize)
            }
        }
        episodeStep[slot] = step
        priorities?.set(slot, priority: step > 0 ? maxPriority : 0)
        actions[slot] = Int32(action)
        rewards[slot] = reward
        terminated[slot] = isTerminal
        truncated[slot] = isTruncated
        written += 1
    }

    /// The ring slot holding absolute frame index `index` (frames are numbered from 0 as written).
    @inline(__always)
    func slot(ofAbsolute index: Int) -> Int { index % capacity }

    /// True when the transition closed by absolute frame index `i` can be sampled: its frame is
    /// not a reset frame, and every frame its two stacks need is still in the ring.
    func isSampleable(absolute i: Int) -> Bool {
        guard i < written, i >= written - count else { return false }
        let step = Int(episodeStep[slot(ofAbsolute: i)])
        guard step > 0 else { return false }
        // s needs frames back to i − 1 − min(k − 1, step − 1) (earlier ones are zero padding).
        let oldest = i - 1 - min(stackDepth - 1, step - 1)
        return oldest >= written - count
    }

    /// Writes the k-frame stack ending at absolute frame `i` into `output` (k × frameSize,
    /// oldest first), with zero frames in place of frames before the episode's start.
    func writeStack(endingAt i: Int, into output: UnsafeMutableBufferPointer<Element>) {
        let k = stackDepth
        let step = Int(episodeStep[slot(ofAbsolute: i)])
        precondition(output.count == k * frameSize, "ReplayMemory.writeStack: output holds \(output.count) elements, expected \(k * frameSize)")
        guard let out = output.baseAddress else { return }
        frames.withUnsafeBufferPointer { f in
            guard let base = f.baseAddress else { return }
            for m in 0..<k {
                let back = k - 1 - m  // frames back from i
                let dst = out + m * frameSize
                if back > step {
                    UnsafeMutableRawPointer(dst).initializeMemory(as: UInt8.self, repeating: 0,
                                                                  count: frameSize * MemoryLayout<Element>.stride)
                } else {
                    Self.copyFrame(from: base + slot(ofAbsolute: i - back) * frameSize, to: dst, count: frameSize)
                }
            }
        }
    }

    /// A frame copy as one memcpy (elements are plain values, checked at init): the generic
    /// element-wise copy is not specialised here and costs a call per element.
    @inline(__always)
    static func copyFrame(from src: UnsafePointer<Element>, to dst: UnsafeMutablePointer<Element>, count: Int) {
        UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: count * MemoryLayout<Element>.stride)
    }
}
