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
        let bytes: Data
        do { bytes = try serialized() } catch {
            throw SafetensorsError(file: path, "could not encode the header: \(error)")
        }
        // POSIX calls, so that a failure reports the system's reason (strerror).
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else {
            throw SafetensorsError(file: path, "cannot create a file in \(folder.path) (\(String(cString: strerror(errno))))")
        }
        var written = 0
        let failure: String? = bytes.withUnsafeBytes { raw -> String? in
            while written < raw.count {
                let n = systemWrite(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return "write failed after \(written) of \(raw.count) bytes (\(String(cString: strerror(errno))))"
                }
                written += n
            }
            return fsync(fd) == 0 ? nil : "flush to disk failed (\(String(cString: strerror(errno))))"
        }
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
