// φ from the DQN pseudocode (Mnih et al. 2013/2015): the last k frames, oldest first. After a
// reset it holds k−1 all-zero frames and the start frame; each step appends the new frame and
// the oldest falls out. The k frames live in one buffer used as a ring (the newest frame
// overwrites the oldest's slot), so stepping allocates and moves nothing but the new frame.
// Frames move as raw bytes (memmove, memset), which is as fast in a debug build, where these
// generic methods run unspecialized when called from another file, as in release.

/// φ over byte frames (rendered pixels), the common case.
public typealias FrameStack = FrameStackOf<UInt8>

/// The stacked observation φ: the last `k` frames of `frameSize` elements each (`UInt8` pixels,
/// or `Float` state vectors).
public struct FrameStackOf<Element: Numeric & Sendable & BitwiseCopyable> {
    /// Number of frames in the stack (k ≥ 1).
    public let depth: Int
    /// Elements per frame (height × width, or the state's numbers).
    public let frameSize: Int
    /// k slots of `frameSize` elements; slot `oldest` holds the oldest frame, the next slots
    /// (wrapping around) the newer ones.
    private var slots: [Element]
    private var oldest = 0

    /// A stack of `depth` all-zero frames.
    /// - Precondition: depth ≥ 1, frameSize ≥ 1.
    public init(depth: Int, frameSize: Int) {
        precondition(depth >= 1, "FrameStack: k must be at least 1, got \(depth)")
        precondition(frameSize >= 1, "FrameStack: frame size must be positive, got \(frameSize)")
        self.depth = depth
        self.frameSize = frameSize
        slots = [Element](repeating: 0, count: depth * frameSize)
    }

    /// The elements of slot `s`.
    private func range(ofSlot s: Int) -> Range<Int> { (s * frameSize)..<((s + 1) * frameSize) }

    /// Starts an episode: k−1 zero frames, then `start`.
    /// - Complexity: O(k · frameSize), no allocation.
    public mutating func reset(start: UnsafeBufferPointer<Element>) {
        precondition(start.count == frameSize, "FrameStack.reset: frame has \(start.count) bytes, expected \(frameSize)")
        oldest = 0
        let newest = range(ofSlot: depth - 1)
        slots.withUnsafeMutableBufferPointer { all in
            UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: all[0..<newest.lowerBound])).initializeMemory(as: UInt8.self, repeating: 0)
            Self.copy(start, to: UnsafeMutableBufferPointer(rebasing: all[newest]))
        }
    }

    /// Appends `frame` as the newest; the oldest frame leaves the stack.
    /// - Complexity: O(frameSize): the new frame takes the departing frame's slot.
    public mutating func push(_ frame: UnsafeBufferPointer<Element>) {
        precondition(frame.count == frameSize, "FrameStack.push: frame has \(frame.count) bytes, expected \(frameSize)")
        let slot = range(ofSlot: oldest)
        slots.withUnsafeMutableBufferPointer { all in
            Self.copy(frame, to: UnsafeMutableBufferPointer(rebasing: all[slot]))
        }
        oldest = (oldest + 1) % depth
    }

    /// Refills φ from saved frames (k × frameSize, oldest first), as a checkpoint stores them.
    public mutating func restore(frames saved: [Element]) {
        precondition(saved.count == depth * frameSize, "FrameStack.restore: φ needs \(depth * frameSize) elements, got \(saved.count)")
        oldest = 0
        slots.withUnsafeMutableBufferPointer { all in
            saved.withUnsafeBufferPointer { Self.copy($0, to: all) }
        }
    }

    /// Array conveniences for `reset(start:)` and `push(_:)`.
    public mutating func reset(start: [Element]) { start.withUnsafeBufferPointer { reset(start: $0) } }
    public mutating func push(_ frame: [Element]) { frame.withUnsafeBufferPointer { push($0) } }

    /// Copies φ into `output` as k × H × W elements, oldest frame first.
    public func copyStack(into output: UnsafeMutableBufferPointer<Element>) {
        precondition(output.count == depth * frameSize, "FrameStack.copyStack: buffer holds \(output.count) bytes, expected \(depth * frameSize)")
        slots.withUnsafeBufferPointer { all in
            for i in 0..<depth {
                let slot = range(ofSlot: (oldest + i) % depth)
                Self.copy(UnsafeBufferPointer(rebasing: all[slot]),
                          to: UnsafeMutableBufferPointer(rebasing: output[(i * frameSize)..<((i + 1) * frameSize)]))
            }
        }
    }

    /// Copies `source` into `destination` (of the same count) as bytes.
    private static func copy(_ source: UnsafeBufferPointer<Element>, to destination: UnsafeMutableBufferPointer<Element>) {
        // The raw copy checks no bounds, where the typed copy it replaces trapped on an overrun.
        precondition(source.count == destination.count, "FrameStack: copying \(source.count) elements into \(destination.count)")
        guard let from = source.baseAddress, let to = destination.baseAddress else { return }
        UnsafeMutableRawPointer(to).copyMemory(from: from, byteCount: source.count * MemoryLayout<Element>.stride)
    }

    /// φ as a new k × H × W array, oldest frame first.
    public var stacked: [Element] {
        var out = [Element](repeating: 0, count: depth * frameSize)
        out.withUnsafeMutableBufferPointer { copyStack(into: $0) }
        return out
    }

    /// The frames, oldest first, as arrays (always exactly `depth` of them; allocates).
    public var frames: [[Element]] {
        let all = stacked
        return (0..<depth).map { Array(all[range(ofSlot: $0)]) }
    }
}
