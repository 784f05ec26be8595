// The few protocol-buffer encodings TensorBoard's event files need: varints, fixed 32/64-bit
// numbers and length-delimited fields (strings, bytes, nested messages). Writing only.
//
// Why by hand and not with apple/swift-protobuf: an event file uses a dozen fields of six
// messages (Event, Summary, Summary.Value, SummaryMetadata, TensorProto, SessionLog), all written
// and none read at run time; the wire format of those fields is four rules, tested here against
// TensorBoard's own reader (Scripts/tensorboard_check.py) and a reader in the tests. A dependency
// plus generated code for several thousand lines of message types would outweigh them.

/// Appends protobuf fields to a byte buffer. Field numbers are those of TensorBoard's .proto files.
public struct ProtobufWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    /// Wire types: 0 varint, 1 fixed 64-bit, 2 length-delimited, 5 fixed 32-bit.
    enum WireType: UInt64 { case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5 }

    mutating func appendVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func appendKey(_ field: Int, _ wire: WireType) {
        precondition(field > 0, "ProtobufWriter: field numbers start at 1")
        appendVarint(UInt64(field) << 3 | wire.rawValue)
    }

    /// An int64 or enum field (negative values take ten bytes, as protobuf's two's complement).
    public mutating func int(_ field: Int, _ value: Int64) {
        appendKey(field, .varint)
        appendVarint(UInt64(bitPattern: value))
    }

    /// A double field, little-endian IEEE 754.
    public mutating func double(_ field: Int, _ value: Double) {
        appendKey(field, .fixed64)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// A float field, little-endian IEEE 754.
    public mutating func float(_ field: Int, _ value: Float) {
        appendKey(field, .fixed32)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// A bytes field (also a nested message's encoding).
    public mutating func bytes(_ field: Int, _ value: [UInt8]) {
        appendKey(field, .lengthDelimited)
        appendVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// A string field, UTF-8.
    public mutating func string(_ field: Int, _ value: String) { bytes(field, Array(value.utf8)) }

    /// A nested message, built by `body` in a writer of its own.
    public mutating func message(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
        var inner = ProtobufWriter()
        body(&inner)
        bytes(field, inner.bytes)
    }
}
