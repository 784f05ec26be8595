// The safetensors container (Hugging Face's format): an 8-byte little-endian header length N,
// N bytes of JSON {name: {dtype, shape, data_offsets}, "__metadata__": {string: string}}, then
// the raw little-endian tensor bytes. This file holds the in-memory model; see +Reader, +Writer.

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

/// One tensor: dtype, shape and its raw little-endian bytes (count = ∏shape · byteSize).
public struct SafetensorsTensor: Sendable, Equatable {
    public let dtype: SafetensorsDType
    public let shape: [Int]
    public let bytes: [UInt8]

    /// Number of elements, ∏shape (1 for a scalar, shape []).
    public var elementCount: Int { shape.reduce(1, *) }

    /// Wraps raw bytes; their count must equal ∏shape · dtype size.
    public init(dtype: SafetensorsDType, shape: [Int], bytes: [UInt8]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "SafetensorsTensor: negative dimension in \(shape)")
        precondition(bytes.count == shape.reduce(1, *) * dtype.byteSize,
                     "SafetensorsTensor: \(bytes.count) bytes for \(dtype) \(shape)")
        self.dtype = dtype; self.shape = shape; self.bytes = bytes
    }

    private init<T>(_ values: [T], dtype: SafetensorsDType, shape: [Int]?) {
        let shape = shape ?? [values.count]
        precondition(shape.reduce(1, *) == values.count, "SafetensorsTensor: \(values.count) values for shape \(shape)")
        self.init(dtype: dtype, shape: shape, bytes: values.withUnsafeBytes { Array($0) })
    }

    public init(floats: [Float], shape: [Int]? = nil) { self.init(floats, dtype: .F32, shape: shape) }
    public init(doubles: [Double], shape: [Int]? = nil) { self.init(doubles, dtype: .F64, shape: shape) }
    public init(int64s: [Int64], shape: [Int]? = nil) { self.init(int64s, dtype: .I64, shape: shape) }
    public init(uint8s: [UInt8], shape: [Int]? = nil) { self.init(uint8s, dtype: .U8, shape: shape) }

    private func values<T>(_ expected: SafetensorsDType, _ name: String, _ file: String) throws -> [T] {
        guard dtype == expected else {
            throw SafetensorsError(file: file, "tensor \(name) has dtype \(dtype.rawValue), expected \(expected.rawValue)")
        }
        return bytes.withUnsafeBytes { raw in
            (0..<elementCount).map { raw.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.stride, as: T.self) }
        }
    }

    /// The values as Float; throws naming `name` and `file` when the dtype is not F32.
    public func floats(name: String = "?", file: String = "?") throws -> [Float] { try values(.F32, name, file) }
    public func doubles(name: String = "?", file: String = "?") throws -> [Double] { try values(.F64, name, file) }
    public func int64s(name: String = "?", file: String = "?") throws -> [Int64] { try values(.I64, name, file) }
    public func uint8s(name: String = "?", file: String = "?") throws -> [UInt8] { try values(.U8, name, file) }
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
