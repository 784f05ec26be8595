// A small reader of TensorBoard event files for the tests, written from the format's description
// (TFRecord framing, protobuf wire format) independently of the writer: it checks both CRCs of
// every record and decodes the Event fields pixel-dqn writes.
import Foundation
import PixelDQN

/// One protobuf field as read from the wire.
enum WireValue {
    case varint(UInt64)
    case fixed64(UInt64)
    case bytes([UInt8])
    case fixed32(UInt32)
}

struct ReaderError: Error, CustomStringConvertible {
    let description: String
}

/// Splits a protobuf message into (field number, value) pairs.
func protobufFields(_ data: [UInt8]) throws -> [(field: Int, value: WireValue)] {
    var i = 0
    func varint() throws -> UInt64 {
        var result: UInt64 = 0, shift: UInt64 = 0
        while true {
            guard i < data.count, shift < 64 else { throw ReaderError(description: "truncated varint at byte \(i)") }
            let b = data[i]; i += 1
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
        }
    }
    func little(_ n: Int) throws -> UInt64 {
        guard i + n <= data.count else { throw ReaderError(description: "truncated fixed\(8 * n) at byte \(i)") }
        var v: UInt64 = 0
        for k in 0..<n { v |= UInt64(data[i + k]) << (8 * UInt64(k)) }
        i += n
        return v
    }
    var out: [(Int, WireValue)] = []
    while i < data.count {
        let key = try varint()
        let field = Int(key >> 3)
        switch key & 7 {
        case 0: out.append((field, .varint(try varint())))
        case 1: out.append((field, .fixed64(try little(8))))
        case 2:
            let n = Int(try varint())
            guard n >= 0, i + n <= data.count else { throw ReaderError(description: "field \(field): length \(n) past the end") }
            out.append((field, .bytes(Array(data[i..<(i + n)]))))
            i += n
        case 5: out.append((field, .fixed32(UInt32(try little(4)))))
        default: throw ReaderError(description: "field \(field): unexpected wire type \(key & 7)")
        }
    }
    return out
}

/// The Event fields pixel-dqn writes.
struct DecodedEvent {
    var wallTime = 0.0
    var step = 0
    var fileVersion: String?
    var scalars: [(tag: String, value: Float)] = []
    /// Text summaries: tag, plugin name, dtype, shape, the strings.
    var texts: [(tag: String, plugin: String, dtype: Int, shape: [Int], strings: [String])] = []
    var sessionStatus: Int?
}

/// The records of an event file, after checking the framing and both masked CRC-32Cs of each.
func tfRecords(_ file: [UInt8]) throws -> [[UInt8]] {
    var records: [[UInt8]] = []
    var i = 0
    func u32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(file[at + $1]) << (8 * UInt32($1)) } }
    while i < file.count {
        guard i + 12 <= file.count else { throw ReaderError(description: "record \(records.count): truncated header") }
        let lengthBytes = Array(file[i..<(i + 8)])
        let length = Int((0..<8).reduce(UInt64(0)) { $0 | UInt64(lengthBytes[$1]) << (8 * UInt64($1)) })
        guard CRC32C.unmask(u32(i + 8)) == CRC32C.checksum(lengthBytes) else {
            throw ReaderError(description: "record \(records.count): length CRC mismatch")
        }
        guard i + 12 + length + 4 <= file.count else { throw ReaderError(description: "record \(records.count): truncated data") }
        let data = Array(file[(i + 12)..<(i + 12 + length)])
        guard CRC32C.unmask(u32(i + 12 + length)) == CRC32C.checksum(data) else {
            throw ReaderError(description: "record \(records.count): data CRC mismatch")
        }
        records.append(data)
        i += 12 + length + 4
    }
    return records
}

func decodeEvent(_ data: [UInt8]) throws -> DecodedEvent {
    var e = DecodedEvent()
    func string(_ v: WireValue) -> String? { if case .bytes(let b) = v { return String(decoding: b, as: UTF8.self) }; return nil }
    func message(_ v: WireValue) throws -> [(field: Int, value: WireValue)] {
        guard case .bytes(let b) = v else { throw ReaderError(description: "expected a message") }
        return try protobufFields(b)
    }
    for (field, value) in try protobufFields(data) {
        switch (field, value) {
        case (1, .fixed64(let bits)): e.wallTime = Double(bitPattern: bits)
        case (2, .varint(let v)): e.step = Int(Int64(bitPattern: v))
        case (3, _): e.fileVersion = string(value)
        case (5, _):
            for (f, v) in try message(value) where f == 1 {
                var tag = "", simple: Float?, plugin = "", dtype = -1, shape: [Int] = [], strings: [String] = []
                for (vf, vv) in try message(v) {
                    switch (vf, vv) {
                    case (1, _): tag = string(vv) ?? ""
                    case (2, .fixed32(let bits)): simple = Float(bitPattern: bits)
                    case (9, _):
                        for (mf, mv) in try message(vv) where mf == 1 {
                            for (pf, pv) in try message(mv) where pf == 1 { plugin = string(pv) ?? "" }
                        }
                    case (8, _):
                        for (tf, tv) in try message(vv) {
                            switch (tf, tv) {
                            case (1, .varint(let d)): dtype = Int(d)
                            case (2, _):
                                for (sf, sv) in try message(tv) where sf == 2 {
                                    for (df, dv) in try message(sv) where df == 1 { if case .varint(let n) = dv { shape.append(Int(n)) } }
                                }
                            case (8, _): strings.append(string(tv) ?? "")
                            default: break
                            }
                        }
                    default: break
                    }
                }
                if let simple { e.scalars.append((tag, simple)) } else { e.texts.append((tag, plugin, dtype, shape, strings)) }
            }
        case (7, _):
            for (f, v) in try message(value) where f == 1 { if case .varint(let s) = v { e.sessionStatus = Int(s) } }
        default: throw ReaderError(description: "unexpected Event field \(field)")
        }
    }
    return e
}

/// The decoded events of one file.
func readEventFile(_ path: String) throws -> [DecodedEvent] {
    try tfRecords(AtomicFile.read(path)).map(decodeEvent)
}

/// The event files of a run folder, in the order TensorBoard reads them (by name).
func eventFiles(in folder: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix("events.out.tfevents.") }.sorted()
        .map { folder + "/" + $0 }
}
