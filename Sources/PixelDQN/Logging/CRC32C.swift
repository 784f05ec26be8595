// CRC-32C (Castagnoli), the checksum of TFRecord framing, and the "masked" form TFRecord stores.
// Table-driven, one byte at a time: event files are small, so speed does not matter here.

public enum CRC32C {
    /// The reflected Castagnoli polynomial 0x1EDC6F41 (bit-reversed: 0x82F63B78).
    static let polynomial: UInt32 = 0x82F6_3B78

    /// table[b] is the CRC register after shifting byte b through eight rounds of the polynomial.
    static let table: [UInt32] = (0..<256).map { byte in
        var crc = UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ polynomial : crc >> 1 }
        return crc
    }

    /// CRC-32C of `bytes`: initial value and final XOR 0xFFFFFFFF, reflected input and output
    /// (RFC 3720, appendix B.4). checksum("123456789") = 0xE3069283.
    public static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes { crc = table[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    /// TFRecord's masked CRC: rotate right by 15 bits, then add a constant, so that a CRC stored
    /// inside checksummed data does not make the outer checksum degenerate
    /// (TensorFlow's `crc32c::Mask`): ((crc >> 15) | (crc << 17)) + 0xA282EAD8, mod 2³².
    public static func mask(_ crc: UInt32) -> UInt32 {
        ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }

    /// The inverse of `mask`.
    public static func unmask(_ masked: UInt32) -> UInt32 {
        let rotated = masked &- 0xA282_EAD8
        return (rotated >> 17) | (rotated << 15)
    }
}
