// The safetensors container (Hugging Face's format): an 8-byte little-endian header length N,
// N bytes of JSON {name: {dtype, shape, data_offsets}, "__metadata__": {string: string}}, then
// the raw little-endian tensor bytes. This file holds the in-memory model; see +Reader, +Writer.
import Foundation

/// Element types this project stores (network and optimizer state, RNG words, replay frames).
public enum SafetensorsDType: String, Sendable, CaseIterable {
    case F32, F64, I64, U8

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .F32: return 4
        case .F64, .I64: return 8
        case .U8: return 1
        }
    }
}

/// One tensor: dtype, shape and its raw little-endian bytes (count = ∏shape · byteSize). A
/// tensor read from a file refers to the file's mapped bytes and copies nothing until its values
/// are asked for, so a checkpoint's replay memory (7 GB for a million 84x84 frames) can be read
/// back into the ring in place (`withUnsafeBytes`) without a second copy in memory.
public struct SafetensorsTensor: Sendable, Equatable {
    public let dtype: SafetensorsDType
    public let shape: [Int]
    private let storage: Storage

    /// Where the bytes are: an array of the tensor's own, or a range of a file's bytes (`mapped`
    /// when they are the read-only mapping `SafetensorsFile(contentsOf:)` made, whose pages can be
    /// released and read again from the file; not bytes in memory).
    private enum Storage: Sendable {
        case owned([UInt8])
        case file(Data, Range<Int>, mapped: Bool)
    }

    /// The raw bytes (a copy when the tensor refers to a file).
    public var bytes: [UInt8] {
        switch storage {
        case .owned(let b): return b
        case .file: return withUnsafeBytes { Array($0) }
        }
    }

    /// The number of raw bytes, ∏shape · dtype size.
    public var byteCount: Int {
        switch storage {
        case .owned(let b): return b.count
        case .file(_, let range, _): return range.count
        }
    }

    /// Calls `body` with the raw bytes, without copying them.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch storage {
        case .owned(let b): return try b.withUnsafeBytes(body)
        case .file(let data, let range, _):
            return try data.withUnsafeBytes { raw in try body(UnsafeRawBufferPointer(rebasing: raw[range])) }
        }
    }

    /// Calls `body` with the raw bytes in order, in slices of 64 MiB (a multiple of 8 bytes).
    /// From a mapped file, each slice's pages of the mapping are released once `body` returns
    /// (`MADV_DONTNEED`: they stay in the page cache, not in this process; read again, they come
    /// back from the file), so a pass over a checkpoint's replay memory holds one slice of it.
    public func forEachSlice(_ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        try withUnsafeBytes { source in
            guard let base = source.baseAddress else { return try body(source) }
            let page = Int(sysconf(Int32(_SC_PAGESIZE))), slice = 64 << 20
            var offset = 0
            repeat {
                let count = min(slice, source.count - offset)
                try body(UnsafeRawBufferPointer(start: base + offset, count: count))
                if case .file(_, _, mapped: true) = storage {
                    // The whole pages inside the slice just read.
                    let first = (Int(bitPattern: base + offset) + page - 1) / page * page
                    let end = Int(bitPattern: base + offset + count) / page * page
                    if end > first { _ = madvise(UnsafeMutableRawPointer(bitPattern: first), end - first, Int32(MADV_DONTNEED)) }
                }
                offset += count
            } while offset < source.count
        }
    }

    /// Copies the raw bytes into `destination` (of `byteCount` bytes), slice by slice
    /// (`forEachSlice`): reading a replay memory back holds the ring and one slice of the file.
    public func copyBytes(to destination: UnsafeMutableRawBufferPointer) {
        precondition(destination.count == byteCount, "SafetensorsTensor.copyBytes: \(destination.count) bytes for \(byteCount)")
        var offset = 0
        forEachSlice { slice in
            if slice.count > 0 { (destination.baseAddress! + offset).copyMemory(from: slice.baseAddress!, byteCount: slice.count) }
            offset += slice.count
        }
    }

    public static func == (a: SafetensorsTensor, b: SafetensorsTensor) -> Bool {
        a.dtype == b.dtype && a.shape == b.shape && a.withUnsafeBytes { x in b.withUnsafeBytes { y in x.elementsEqual(y) } }
    }

    /// Wraps raw bytes (the array itself, not a copy); their count must equal ∏shape · dtype size.
    public init(dtype: SafetensorsDType, shape: [Int], bytes: [UInt8]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "SafetensorsTensor: negative dimension in \(shape)")
        precondition(bytes.count == shape.reduce(1, *) * dtype.byteSize,
                     "SafetensorsTensor: \(bytes.count) bytes for \(dtype) \(shape)")
        self.dtype = dtype; self.shape = shape; self.storage = .owned(bytes)
    }

    /// Refers to `range` of `data` (a file's bytes, zero-based indices; `mapped`: a read-only
    /// mapping of the file), which the reader has checked against ∏shape · dtype size.
    init(dtype: SafetensorsDType, shape: [Int], data: Data, range: Range<Int>, mapped: Bool) {
        precondition(range.count == shape.reduce(1, *) * dtype.byteSize && range.upperBound <= data.count,
                     "SafetensorsTensor: \(range.count) bytes for \(dtype) \(shape)")
        self.dtype = dtype; self.shape = shape; self.storage = .file(data, range, mapped: mapped)
    }

    private init<T>(_ values: [T], dtype: SafetensorsDType, shape: [Int]?) {
        let shape = shape ?? [values.count]
        precondition(shape.reduce(1, *) == values.count, "SafetensorsTensor: \(values.count) values for shape \(shape)")
        self.init(dtype: dtype, shape: shape, bytes: values.withUnsafeBytes { Array($0) })
    }

    public init(floats: [Float], shape: [Int]? = nil) { self.init(floats, dtype: .F32, shape: shape) }
    public init(doubles: [Double], shape: [Int]? = nil) { self.init(doubles, dtype: .F64, shape: shape) }
    public init(int64s: [Int64], shape: [Int]? = nil) { self.init(int64s, dtype: .I64, shape: shape) }
    /// Bytes are stored as they are: the array is shared, not copied (a replay memory's frames).
    public init(uint8s: [UInt8], shape: [Int]? = nil) {
        let shape = shape ?? [uint8s.count]
        precondition(shape.reduce(1, *) == uint8s.count, "SafetensorsTensor: \(uint8s.count) values for shape \(shape)")
        self.init(dtype: .U8, shape: shape, bytes: uint8s)
    }

    /// Throws naming `name` and `file` unless the tensor's dtype is `expected`.
    public func require(_ expected: SafetensorsDType, name: String, file: String) throws {
        guard dtype == expected else {
            throw SafetensorsError(file: file, "tensor \(name) has dtype \(dtype.rawValue), expected \(expected.rawValue)")
        }
    }

    private func values<T>(_ expected: SafetensorsDType, _ name: String, _ file: String) throws -> [T] {
        try require(expected, name: name, file: file)
        return withUnsafeBytes { raw in
            (0..<elementCount).map { raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.stride, as: T.self) }
        }
    }

    /// Number of elements, ∏shape (1 for a scalar, shape []).
    public var elementCount: Int { shape.reduce(1, *) }

    /// The values as Float; throws naming `name` and `file` when the dtype is not F32.
    public func floats(name: String = "?", file: String = "?") throws -> [Float] { try values(.F32, name, file) }
    public func doubles(name: String = "?", file: String = "?") throws -> [Double] { try values(.F64, name, file) }
    public func int64s(name: String = "?", file: String = "?") throws -> [Int64] { try values(.I64, name, file) }
    public func uint8s(name: String = "?", file: String = "?") throws -> [UInt8] {
        try require(.U8, name: name, file: file)
        return bytes
    }
}

/// The contents of a safetensors file: named tensors (in insertion order) and string metadata.
public struct SafetensorsFile: Sendable {
    /// Tensors in the order they are written.
    public private(set) var tensors: [(name: String, tensor: SafetensorsTensor)] = []
    /// The `__metadata__` map (strings only, as the format requires).
    public var metadata: [String: String]

    public init(metadata: [String: String] = [:]) { self.metadata = metadata }

    /// Adds or replaces a tensor. Names must be non-empty and not `__metadata__`.
    public mutating func set(_ name: String, _ tensor: SafetensorsTensor) {
        precondition(!name.isEmpty && name != "__metadata__", "SafetensorsFile: invalid tensor name '\(name)'")
        if let i = tensors.firstIndex(where: { $0.name == name }) { tensors[i].tensor = tensor } else { tensors.append((name, tensor)) }
    }

    /// The tensor called `name`, or nil.
    public subscript(name: String) -> SafetensorsTensor? { tensors.first { $0.name == name }?.tensor }

    /// The tensor called `name`; throws naming it (and `file`) when it is missing.
    public func tensor(_ name: String, file: String = "?") throws -> SafetensorsTensor {
        guard let t = self[name] else { throw SafetensorsError(file: file, "tensor \(name) is missing") }
        return t
    }
}
