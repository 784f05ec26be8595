// A 64-bit FNV-1a hash (Fowler, Noll, Vo): what a checkpoint records of its own tensors and of
// the metrics rows it covers, so that a resumed run detects a file that was truncated, edited,
// damaged on disk or copied from another run. Not a cryptographic hash: it guards against
// accidents, not against someone forging a file.

/// FNV-1a over bytes (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
public struct Checksum: Sendable, Equatable {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
    public init() {}

    /// Adds bytes, one at a time: hash = (hash ^ byte) · prime.
    public mutating func add(_ bytes: some Sequence<UInt8>) {
        var h = value
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        value = h
    }

    /// Adds a buffer 8 bytes at a time (each little-endian word takes the place of a byte in
    /// FNV-1a, then the tail byte by byte): 8 times fewer multiplications for large tensors.
    public mutating func addWords(_ bytes: UnsafeRawBufferPointer) {
        var h = value
        let words = bytes.count / 8
        for i in 0..<words { h = (h ^ UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))) &* 0x100_0000_01b3 }
        for b in bytes[(8 * words)...] { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        value = h
    }

    /// The hash as 16 hexadecimal digits.
    public var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
