// The project's one random number generator: xoshiro256** seeded through SplitMix64.
// Every random draw in pixel-dqn (weight init, resets, ε-greedy, replay sampling) goes through a
// value of this type passed `using:`, so one `--seed` reproduces a run bit for bit.
// Its whole state is four public words, so a checkpoint can save and restore it exactly.

/// SplitMix64 (Steele, Lea & Flood 2014): used to expand a 64-bit seed into xoshiro's state.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// xoshiro256** 1.0 (Blackman & Vigna 2018): fast, 256-bit state, passes BigCrush.
public struct Xoshiro256: RandomNumberGenerator, Sendable, Equatable {
    /// The full generator state; saving and restoring it resumes the stream exactly.
    public var state: (UInt64, UInt64, UInt64, UInt64)

    /// Seeds the generator from one 64-bit number (the `--seed` option).
    public init(seed: UInt64) {
        var mixer = SplitMix64(seed: seed)
        state = (mixer.next(), mixer.next(), mixer.next(), mixer.next())
    }

    /// Restores a saved state. The all-zero state is invalid for xoshiro and is refused.
    public init(state: (UInt64, UInt64, UInt64, UInt64)) {
        precondition(state != (0, 0, 0, 0), "Xoshiro256: the all-zero state is invalid")
        self.state = state
    }

    public static func == (a: Xoshiro256, b: Xoshiro256) -> Bool { a.state == b.state }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 &- k)) }

    public mutating func next() -> UInt64 {
        let result = Xoshiro256.rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = Xoshiro256.rotl(state.3, 45)
        return result
    }

    /// The state as an array of four words (for checkpoints and JSON).
    public var stateWords: [UInt64] { [state.0, state.1, state.2, state.3] }

    /// Restores from four words; returns nil when there are not exactly four or all are zero.
    public init?(stateWords w: [UInt64]) {
        guard w.count == 4, w != [0, 0, 0, 0] else { return nil }
        state = (w[0], w[1], w[2], w[3])
    }

    /// Derives an independent generator for a sub-stream (e.g. evaluation environments), so that
    /// adding draws to one part of the program does not shift the numbers another part sees.
    public static func derived(seed: UInt64, stream: UInt64) -> Xoshiro256 {
        var mixer = SplitMix64(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        return Xoshiro256(seed: mixer.next())
    }
}

extension RandomNumberGenerator {
    /// A Double uniform in [0, 1) with 53 random bits (the top bits of one draw).
    @inlinable
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A Float uniform in [0, 1) with 24 random bits.
    @inlinable
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * 0x1.0p-24
    }

    /// A Double uniform in [low, high).
    @inlinable
    public mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * nextUnitDouble()
    }

    /// A Float uniform in [low, high).
    @inlinable
    public mutating func uniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * nextUnitFloat()
    }

    /// An integer uniform in 0..<bound without modulo bias (Lemire's method).
    @inlinable
    public mutating func nextIndex(below bound: Int) -> Int {
        precondition(bound > 0, "nextIndex(below:) needs a positive bound, got \(bound)")
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }
}
