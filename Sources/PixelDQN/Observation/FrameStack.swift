// φ from the DQN pseudocode (Mnih et al. 2013/2015): the last k frames, oldest first. After a
// reset it holds k−1 all-zero frames and the start frame; each step appends the new frame and
// the oldest falls out. Frames are recycled, so stepping allocates nothing.
import DequeModule

/// φ over byte frames (rendered pixels), the common case.
public typealias FrameStack = FrameStackOf<UInt8>

/// The stacked observation φ: a deque of the last `k` frames of `frameSize` elements each
/// (`UInt8` pixels, or `Float` state vectors).
public struct FrameStackOf<Element: Numeric & Sendable> {
    /// Number of frames in the stack (k ≥ 1).
    public let depth: Int
    /// Bytes per frame (height × width).
    public let frameSize: Int
    /// The frames, oldest first; always exactly `depth` of them.
    public private(set) var frames: Deque<[Element]>

    /// A stack of `depth` all-zero frames.
    /// - Precondition: depth ≥ 1, frameSize ≥ 1.
    public init(depth: Int, frameSize: Int) {
        precondition(depth >= 1, "FrameStack: k must be at least 1, got \(depth)")
        precondition(frameSize >= 1, "FrameStack: frame size must be positive, got \(frameSize)")
        self.depth = depth
        self.frameSize = frameSize
        frames = Deque(minimumCapacity: depth)
        for _ in 0..<depth { frames.append([Element](repeating: 0, count: frameSize)) }
    }

    /// Starts an episode: k−1 zero frames, then `start`.
    /// - Complexity: O(k · frameSize), no allocation.
    public mutating func reset(start: UnsafeBufferPointer<Element>) {
        precondition(start.count == frameSize, "FrameStack.reset: frame has \(start.count) bytes, expected \(frameSize)")
        for i in 0..<(depth - 1) {
            frames[i].withUnsafeMutableBufferPointer { f in
                f.update(repeating: 0)
            }
        }
        frames[depth - 1].withUnsafeMutableBufferPointer { f in
            _ = f.update(fromContentsOf: start)
        }
    }

    /// Appends `frame` as the newest; the oldest frame leaves the stack.
    /// - Complexity: O(frameSize): the departing frame's storage is reused for the new one.
    public mutating func push(_ frame: UnsafeBufferPointer<Element>) {
        precondition(frame.count == frameSize, "FrameStack.push: frame has \(frame.count) bytes, expected \(frameSize)")
        var recycled = frames.removeFirst()
        recycled.withUnsafeMutableBufferPointer { f in _ = f.update(fromContentsOf: frame) }
        frames.append(recycled)
    }

    /// Refills φ from saved frames (k × frameSize, oldest first), as a checkpoint stores them.
    public mutating func restore(frames saved: [Element]) {
        precondition(saved.count == depth * frameSize, "FrameStack.restore: φ needs \(depth * frameSize) elements, got \(saved.count)")
        saved.withUnsafeBufferPointer { f in
            for i in 0..<depth {
                frames[i].withUnsafeMutableBufferPointer { dst in
                    _ = dst.update(fromContentsOf: UnsafeBufferPointer(rebasing: f[(i * frameSize)..<((i + 1) * frameSize)]))
                }
            }
        }
    }

    /// Array conveniences for `reset(start:)` and `push(_:)`.
    public mutating func reset(start: [Element]) { start.withUnsafeBufferPointer { reset(start: $0) } }
    public mutating func push(_ frame: [Element]) { frame.withUnsafeBufferPointer { push($0) } }

    /// Copies φ into `output` as k × H × W bytes, oldest frame first.
    public func copyStack(into output: UnsafeMutableBufferPointer<Element>) {
        precondition(output.count == depth * frameSize, "FrameStack.copyStack: buffer holds \(output.count) bytes, expected \(depth * frameSize)")
        var offset = 0
        for frame in frames {
            frame.withUnsafeBufferPointer { f in
                _ = UnsafeMutableBufferPointer(rebasing: output[offset..<(offset + frameSize)]).update(fromContentsOf: f)
            }
            offset += frameSize
        }
    }

    /// φ as a new k × H × W array, oldest frame first.
    public var stacked: [Element] {
        var out = [Element](repeating: 0, count: depth * frameSize)
        out.withUnsafeMutableBufferPointer { copyStack(into: $0) }
        return out
    }
}
