// Reading safetensors files defensively: every size in the header is checked against the real
// file size before anything is allocated, so a hostile or truncated file throws, never crashes.
import Foundation

extension SafetensorsFile {
    /// The largest header accepted (the format's own reader uses 100 MB).
    static let maximumHeaderLength = 100_000_000

    /// Reads and validates a file. Throws `SafetensorsError` for a missing or truncated file,
    /// an absurd header length, a header that is not a safetensors JSON object, an unknown
    /// dtype, a bad shape, or data_offsets that leave the data area, overlap, or do not match
    /// ∏shape · dtype size.
    public init(contentsOf url: URL) throws {
        let path = url.path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { throw SafetensorsError(file: path, "file does not exist") }
        if isFolder.boolValue { throw SafetensorsError(file: path, "is a folder, expected a safetensors file") }
        // The system's reason (strerror), not Foundation's "NSCocoaErrorDomain error".
        if access(path, R_OK) != 0 { throw SafetensorsError(file: path, "cannot read: \(String(cString: strerror(errno)))") }
        // A special file or one shorter than the header's length is refused before it is opened
        // (opening a pipe waits for a writer, opening a device may act on it), and again by the
        // descriptor that is mapped, in case the path was replaced in between.
        var info = stat()
        if stat(path, &info) == 0, let problem = Self.unmappable(info) { throw SafetensorsError(file: path, problem) }
        try self.init(data: try Self.mapped(path), file: path, mapped: true)
    }

    /// Why a file of this status cannot be mapped as a safetensors file, or nil.
    private static func unmappable(_ info: stat) -> String? {
        if (info.st_mode & S_IFMT) != S_IFREG { return "is not a regular file (a device, a pipe or a socket), expected a safetensors file" }
        if info.st_size < 8 { return "truncated: \(info.st_size) bytes, expected at least the 8-byte header length" }
        return nil
    }

    /// The file's bytes, mapped read-only (private: a later write to the file does not reach
    /// them); unmapped when the last tensor that refers to them is gone. Checkpoint files are
    /// replaced by a rename, never rewritten in place, so a mapping keeps the file it was made of.
    private static func mapped(_ path: String) throws -> Data {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw SafetensorsError(file: path, "cannot read: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw SafetensorsError(file: path, "cannot read: \(String(cString: strerror(errno)))") }
        if let problem = unmappable(info) { throw SafetensorsError(file: path, problem) }
        let size = Int(info.st_size)
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw SafetensorsError(file: path, "cannot read: \(String(cString: strerror(errno)))")
        }
        return Data(bytesNoCopy: base, count: size, deallocator: .custom { pointer, count in munmap(pointer, count) })
    }

    /// Parses serialized bytes; `file` names the source in error messages. Tensors refer to
    /// `data`'s bytes (nothing is copied).
    public init(data: Data, file: String) throws {
        try self.init(data: data, file: file, mapped: false)
    }

    /// `init(data:file:)`; `mapped` when `data` is `mapped(_:)`'s read-only mapping of the file.
    private init(data: Data, file: String, mapped: Bool) throws {
        let data = data.startIndex == 0 ? data : Data(data)
        func fail(_ message: String) -> SafetensorsError { SafetensorsError(file: file, message) }
        guard data.count >= 8 else {
            throw fail("truncated: \(data.count) bytes, expected at least the 8-byte header length")
        }
        let n = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard n <= UInt64(Self.maximumHeaderLength) else {
            throw fail("header length \(n) is absurd (limit \(Self.maximumHeaderLength)): not a safetensors file")
        }
        guard n <= UInt64(data.count - 8) else {
            throw fail("header length \(n) points outside the file (\(data.count) bytes): truncated or not safetensors")
        }
        let headerEnd = 8 + Int(n)
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<headerEnd)) } catch {
            throw fail("header is not JSON: not a safetensors file")
        }
        guard let header = object as? [String: Any] else { throw fail("header is not a JSON object: not a safetensors file") }
        let dataSize = data.count - headerEnd
        var entries: [(name: String, dtype: SafetensorsDType, shape: [Int], begin: Int, end: Int)] = []
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                guard let m = value as? [String: Any] else { throw fail("__metadata__ is not an object") }
                for (k, v) in m {
                    guard let s = v as? String else { throw fail("__metadata__ field \(k) is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard !name.isEmpty else { throw fail("a tensor has an empty name, expected a non-empty name") }
            guard let info = value as? [String: Any] else { throw fail("tensor \(name): entry is not an object") }
            guard let dtypeName = info["dtype"] as? String else { throw fail("tensor \(name): dtype missing") }
            guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
                throw fail("tensor \(name): unknown dtype \(dtypeName), expected one of F32, F64, I64, U8")
            }
            guard let shape = Self.integers(info["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
                throw fail("tensor \(name): shape is not a list of non-negative integers")
            }
            guard let offsets = Self.integers(info["data_offsets"]), offsets.count == 2 else {
                throw fail("tensor \(name): data_offsets is not [begin, end]")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, begin <= end, end <= dataSize else {
                throw fail("tensor \(name): data_offsets [\(begin), \(end)] outside the data area (\(dataSize) bytes): truncated file?")
            }
            var elements = 1
            for d in shape {
                let (p, overflow) = elements.multipliedReportingOverflow(by: d)
                guard !overflow, p <= dataSize else { throw fail("tensor \(name): shape \(shape) larger than the file") }
                elements = p
            }
            guard elements * dtype.byteSize == end - begin else {
                throw fail("tensor \(name): shape \(shape) × \(dtype.rawValue) needs \(elements * dtype.byteSize) bytes, data_offsets give \(end - begin)")
            }
            entries.append((name, dtype, shape, begin, end))
        }
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        for (previous, next) in zip(entries, entries.dropFirst()) where next.begin < previous.end {
            throw fail("tensors \(previous.name) [\(previous.begin), \(previous.end)] and \(next.name) [\(next.begin), \(next.end)] overlap")
        }
        self.init(metadata: metadata)
        for e in entries {
            set(e.name, SafetensorsTensor(dtype: e.dtype, shape: e.shape, data: data, range: (headerEnd + e.begin)..<(headerEnd + e.end), mapped: mapped))
        }
    }

    /// A JSON array of integers (NSNumber-bridged) as [Int], or nil.
    private static func integers(_ value: Any?) -> [Int]? {
        guard let list = value as? [Any] else { return nil }
        var result: [Int] = []
        for item in list {
            guard let number = item as? NSNumber, number.doubleValue == number.doubleValue.rounded(),
                  abs(number.doubleValue) < 9.0e15 else { return nil }
            result.append(number.intValue)
        }
        return result
    }
}
