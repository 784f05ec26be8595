// Writing safetensors files atomically: the bytes go to a temporary file in the same folder,
// which is fsynced and then renamed over the destination, so a crash never leaves half a file.
import Foundation
#if canImport(Glibc)
import Glibc
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let systemWrite = Darwin.write
#endif

extension SafetensorsFile {
    /// The serialized file: length, JSON header padded with spaces to a multiple of 8, data.
    public func serialized() throws -> Data {
        var out = Data()
        _ = forEachPart(header: try headerBytes()) { out.append(contentsOf: $0); return nil }
        return out
    }

    /// Hands `body` the file's parts in order, `header` and then each tensor's bytes where they
    /// are, and stops at the first failure `body` returns.
    private func forEachPart(header: Data, _ body: (UnsafeRawBufferPointer) -> String?) -> String? {
        if let failure = header.withUnsafeBytes(body) { return failure }
        for (_, t) in tensors { if let failure = t.withUnsafeBytes(body) { return failure } }
        return nil
    }

    /// The 8-byte header length and the JSON header, padded with spaces so that the data starts
    /// at a multiple of 8.
    func headerBytes() throws -> Data {
        var header: [String: Any] = [:]
        var offset = 0
        for (name, t) in tensors {
            header[name] = ["dtype": t.dtype.rawValue, "shape": t.shape, "data_offsets": [offset, offset + t.byteCount]] as [String: Any]
            offset += t.byteCount
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        var out = Data(capacity: 8 + json.count)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        return out
    }

    /// Writes the file atomically: a temporary file in the same folder is written and fsynced, then
    /// renamed over `url` (and the folder fsynced), so readers see the old or the new file, never half.
    public func write(to url: URL) throws {
        let path = url.path
        let folder = url.deletingLastPathComponent()
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw SafetensorsError(file: path, "is a folder, expected a file path")
        }
        // The rename would replace a device or a pipe (or a link to one) with a regular file, and
        // a symbolic link with a file where the link was.
        var info = stat()
        if lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK {
            throw SafetensorsError(file: path, "is a symbolic link, expected a regular file or a new path")
        }
        if stat(path, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG {
            throw SafetensorsError(file: path, "is not a regular file (a device, a pipe or a socket), expected a regular file or a new path")
        }
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        let header: Data
        do { header = try headerBytes() } catch {
            throw SafetensorsError(file: path, "could not encode the header: \(error)")
        }
        // POSIX calls, so that a failure reports the system's reason (strerror). The header, then
        // each tensor's bytes where they are (no copy of the whole file in memory).
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else {
            throw SafetensorsError(file: path, "cannot create a file in \(folder.path) (\(String(cString: strerror(errno))))")
        }
        let total = header.count + tensors.reduce(0) { $0 + $1.tensor.byteCount }
        var written = 0
        func writeAll(_ raw: UnsafeRawBufferPointer) -> String? {
            var done = 0
            while done < raw.count {
                let n = systemWrite(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    return "write failed after \(written + done) of \(total) bytes (\(String(cString: strerror(errno))))"
                }
                done += n
            }
            written += done
            return nil
        }
        var failure = forEachPart(header: header, writeAll)
        if failure == nil && fsync(fd) != 0 { failure = "flush to disk failed (\(String(cString: strerror(errno))))" }
        close(fd)
        if let failure {
            unlink(temporary.path)
            throw SafetensorsError(file: path, failure)
        }
        CrashPoint.pass("written:\(url.lastPathComponent)")
        guard rename(temporary.path, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw SafetensorsError(file: path, "cannot replace the file (\(reason))")
        }
        CrashPoint.pass("renamed:\(url.lastPathComponent)")
        // Make the rename itself durable (best effort: some file systems refuse fsync on folders).
        let folderDescriptor = open(folder.path, O_RDONLY)
        if folderDescriptor >= 0 { _ = fsync(folderDescriptor); _ = close(folderDescriptor) }
    }
}
