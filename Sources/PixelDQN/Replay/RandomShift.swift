// DrQ's random-shift augmentation (Kostrikov, Yarats & Fergus 2020) for replayed pixel stacks:
// each stack is padded by `pad` pixels on every side, the border pixels repeated outward, and
// cropped back to its size at an offset drawn uniformly from 0...2·pad in each direction. All k
// frames of a stack move together, so the motion φ shows between them is kept.

/// Shifts stacks of k frames of `height` × `width` elements in place, reusing one scratch frame.
public final class RandomShift<Element: Numeric & Sendable> {
    public let pad: Int
    public let width: Int
    public let height: Int
    public let stackDepth: Int
    private var scratch: [Element]

    /// - Precondition: pad ≥ 0 and a positive frame (validated by the configuration).
    public init(pad: Int, width: Int, height: Int, stackDepth: Int) {
        precondition(pad >= 0 && width > 0 && height > 0 && stackDepth > 0, "RandomShift: invalid geometry")
        self.pad = pad; self.width = width; self.height = height; self.stackDepth = stackDepth
        scratch = [Element](repeating: 0, count: width * height)
    }

    /// Shifts stack `index` of `stacks` (laid out N × k × height × width) by (dy, dx) ∈ 0...2·pad:
    /// output pixel (y, x) is input pixel (clamp(y + dy − pad), clamp(x + dx − pad)).
    public func shift(_ stacks: UnsafeMutableBufferPointer<Element>, index: Int, dy: Int, dx: Int) {
        let frame = width * height
        precondition(stacks.count >= (index + 1) * stackDepth * frame, "RandomShift.shift: stack \(index) outside the buffer")
        precondition((0...(2 * pad)).contains(dy) && (0...(2 * pad)).contains(dx), "RandomShift.shift: offset outside 0...2·pad")
        guard let base = stacks.baseAddress else { return }
        scratch.withUnsafeMutableBufferPointer { tmp in
            guard let t = tmp.baseAddress else { return }
            for m in 0..<stackDepth {
                let f = base + (index * stackDepth + m) * frame
                t.update(from: f, count: frame)
                for y in 0..<height {
                    let sy = min(max(y + dy - pad, 0), height - 1)
                    let row = t + sy * width, out = f + y * width
                    for x in 0..<width {
                        out[x] = row[min(max(x + dx - pad, 0), width - 1)]
                    }
                }
            }
        }
    }

    /// Shifts each of the `count` stacks by its own random offset (two draws from `rng` per stack:
    /// dy, then dx).
    public func apply<G: RandomNumberGenerator>(to stacks: UnsafeMutableBufferPointer<Element>, count: Int, using rng: inout G) {
        for b in 0..<count {
            let dy = rng.nextIndex(below: 2 * pad + 1)
            let dx = rng.nextIndex(below: 2 * pad + 1)
            shift(stacks, index: b, dy: dy, dx: dx)
        }
    }
}
