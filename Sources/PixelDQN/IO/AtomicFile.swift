// Writing files so that a crash, a kill or a full disk never leaves half a file under the real
// name: the bytes go to a temporary file in the same folder, are flushed to disk, and only then
// renamed over the destination (rename is atomic on POSIX file systems).
import Foundation
import DQNNumerics
#if canImport(Glibc)
import Glibc
#endif

/// An I/O failure at the edge of the pipeline, naming the file and what went wrong.
public struct FileError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let problem: String
    public init(path: String, problem: String) { self.path = path; self.problem = problem }
    public var description: String { "\(path): \(problem)" }
}

public enum AtomicFile {
    /// The name a write of `name` goes to before its rename: ".NAME.tmp-PID".
    static func temporaryName(for name: String) -> String { ".\(name).tmp-\(getpid())" }

    /// Whether `name` is such a temporary file (one a killed process can leave behind).
    public static func isTemporaryName(_ name: String) -> Bool { name.hasPrefix(".") && name.contains(".tmp-") }

    /// Writes `bytes` to `path` via a temporary file and rename.
    /// - Throws: `FileError` naming the path when the folder is missing or not writable, the
    ///   path is a folder, or the disk is full. On failure the temporary file is removed and
    ///   any previous file at `path` is left untouched.
    public static func write(_ bytes: UnsafeRawBufferPointer, to path: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            throw FileError(path: path, problem: "is a folder, expected a file path")
        }
        // The rename would replace a device or a pipe (or a link to one) with a regular file, and
        // a symbolic link with a file where the link was.
        var link = stat()
        if lstat(path, &link) == 0 && (link.st_mode & S_IFMT) == S_IFLNK {
            throw FileError(path: path, problem: "is a symbolic link, expected a regular file or a new path")
        }
        if let kind = nonRegularKind(path) {
            throw FileError(path: path, problem: "is \(kind), expected a regular file or a new path")
        }
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let temp = (folder.isEmpty ? "" : folder + "/") + temporaryName(for: name)
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else {
            throw FileError(path: path, problem: "cannot create a file here (\(String(cString: strerror(errno))))")
        }
        var written = 0
        while written < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + written, bytes.count - written)
            if n < 0 {
                if errno == EINTR { continue }
                let message = String(cString: strerror(errno))
                close(fd); unlink(temp)
                throw FileError(path: path, problem: "write failed after \(written) of \(bytes.count) bytes (\(message))")
            }
            written += n
        }
        if fsync(fd) != 0 {
            let message = String(cString: strerror(errno))
            close(fd); unlink(temp)
            throw FileError(path: path, problem: "flush to disk failed (\(message))")
        }
        close(fd)
        CrashPoint.pass("written:\(name)")
        if rename(temp, path) != 0 {
            let message = String(cString: strerror(errno))
            unlink(temp)
            throw FileError(path: path, problem: "cannot replace the file (\(message))")
        }
        CrashPoint.pass("renamed:\(name)")
    }

    public static func write(_ bytes: [UInt8], to path: String) throws {
        try bytes.withUnsafeBytes { try write($0, to: path) }
    }

    public static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }

    /// The largest file `read` accepts by default: far above any run file, PNG or JSON this
    /// project writes, and a bound on what a hostile file can make it allocate.
    public static let defaultReadLimit = 256 << 20

    /// Reads a whole regular file of at most `limit` bytes, with an error naming the path when
    /// it is missing, unreadable, not a regular file (a pipe would block, a device never ends)
    /// or larger than `limit`.
    public static func read(_ path: String, limit: Int = defaultReadLimit) throws -> [UInt8] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw FileError(path: path, problem: "no such file")
        }
        if isDir.boolValue { throw FileError(path: path, problem: "is a folder, expected a file") }
        // POSIX reads rather than FileManager.contents(atPath:), whose reader leaks a 4 KB buffer
        // on every empty file (swift-corelibs-foundation 6.3, found by LeakSanitizer); the
        // errors are the system's reason.
        // O_NONBLOCK: opening a pipe with no writer would otherwise wait forever.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw FileError(path: path, problem: "cannot be read (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileError(path: path, problem: "cannot be read (\(String(cString: strerror(errno))))") }
        if let kind = kind(of: info.st_mode) { throw FileError(path: path, problem: "is \(kind), expected a regular file") }
        guard info.st_size <= limit else {
            throw FileError(path: path, problem: "is \(info.st_size) bytes, expected at most \(limit) bytes")
        }
        var bytes: [UInt8] = []
        if info.st_size > 0 { bytes.reserveCapacity(Int(info.st_size)) }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { readChunk(fd, $0.baseAddress, $0.count) }
            if n == 0 { return bytes }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, problem: "cannot be read (\(String(cString: strerror(errno))))")
            }
            bytes.append(contentsOf: chunk[0..<n])
            // A file that grows while it is read is held to the same bound.
            if bytes.count > limit { throw FileError(path: path, problem: "grew beyond \(limit) bytes while read, expected at most \(limit) bytes") }
        }
    }

    /// What a path is when it exists and is neither a regular file nor a folder ("a pipe", "a
    /// device", "a socket"), following links; nil otherwise.
    public static func nonRegularKind(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFDIR else { return nil }
        return kind(of: info.st_mode)
    }

    /// nil for a regular file, else the name of the file type of `mode`.
    private static func kind(of mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a folder"
        case S_IFIFO: return "a pipe (FIFO)"
        case S_IFCHR, S_IFBLK: return "a device"
        case S_IFSOCK: return "a socket"
        default: return "not a regular file"
        }
    }

    /// Creates `path` and its parents as folders; an existing file there is an error.
    public static func makeFolder(_ path: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            if !isDir.boolValue { throw FileError(path: path, problem: "is a file, expected a folder") }
            return
        }
        // Each missing parent in turn, so that the error is the system's reason (strerror), not
        // Foundation's "NSCocoaErrorDomain error".
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != path && !FileManager.default.fileExists(atPath: parent) { try makeFolder(parent) }
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw FileError(path: path, problem: "cannot create the folder (\(String(cString: strerror(errno))))")
        }
    }
}

/// read(2), named apart from `AtomicFile.read`.
private func readChunk(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}
