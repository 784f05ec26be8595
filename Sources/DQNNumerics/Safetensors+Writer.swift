// Writing safetensors files atomically: the bytes go to a temporary file in the same folder,
// which is fsynced and then renamed over the destination, so a crash never leaves half a file.
import Foundation

extension SafetensorsFile {
    /// The serialized file: length, JSON header padded with spaces to a multiple of 8, data.
    public func serialized() throws -> Data {
        var header: [String: Any] = [:]
        var offset = 0
        for (name, t) in tensors {
            header[name] = ["dtype": t.dtype.rawValue, "shape": t.shape, "data_offsets": [offset, offset + t.bytes.count]] as [String: Any]
            offset += t.bytes.count
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        var out = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        for (_, t) in tensors { out.append(contentsOf: t.bytes) }
        return out
    }

    /// Writes the file atomically: a temporary file in the same folder is written and fsynced, then
    /// renamed over `url` (and the folder fsynced), so readers see the old or the new file, never half.
    public func write(to url: URL) throws {
        let path = url.path
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        let bytes: Data
        do { bytes = try serialized() } catch {
            throw SafetensorsError(file: path, "could not encode the header: \(error)")
        }
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw SafetensorsError(file: path, "cannot create temporary file \(temporary.path)")
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            try handle.write(contentsOf: bytes)
            try handle.synchronize()
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw SafetensorsError(file: path, "write failed: \(error)")
        }
        guard rename(temporary.path, path) == 0 else {
            let code = errno
            try? FileManager.default.removeItem(at: temporary)
            throw SafetensorsError(file: path, "rename from \(temporary.lastPathComponent) failed (errno \(code))")
        }
        // Make the rename itself durable (best effort: some file systems refuse fsync on folders).
        let folderDescriptor = open(folder.path, O_RDONLY)
        if folderDescriptor >= 0 { _ = fsync(folderDescriptor); _ = close(folderDescriptor) }
    }
}
