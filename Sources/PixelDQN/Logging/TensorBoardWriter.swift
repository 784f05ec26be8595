// One TensorBoard event file, written as training goes. Each process start creates a file of its
// own (events.out.tfevents.<unix time>.<host>), opened with O_EXCL: an existing event file is
// never opened, rewritten or appended to. Events are kept in memory and written by `flush`.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public final class TensorBoardWriter {
    /// The event file's path.
    public let path: String
    private var fd: Int32
    /// Framed records not yet written.
    private var pending: [UInt8] = []

    /// The seconds since 1970 that events carry as `wall_time`.
    public static func now() -> Double { Date().timeIntervalSince1970 }

    /// The host name as it goes into file names: letters, digits, '.', '-' and '_' only.
    static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let safe = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) ? $0 : "_" })
        return safe.isEmpty ? "localhost" : safe
    }

    /// Creates a new event file in `folder` and queues its first event (the file version).
    /// When a file of that name exists (a second start within the same second), ".2", ".3", ...
    /// is appended: names still sort in the order the files were created, which is the order
    /// TensorBoard reads a folder's files in.
    /// - Throws: `FileError` when no new file can be created in `folder`.
    public init(folder: String, wallTime: Double = TensorBoardWriter.now()) throws {
        let base = "\(folder)/events.out.tfevents.\(Int(wallTime)).\(TensorBoardWriter.hostName)"
        var candidate = base
        var n = 1
        while true {
            let fd = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_APPEND, 0o644)
            if fd >= 0 { self.fd = fd; path = candidate; break }
            let error = errno
            guard error == EEXIST, n < 1000 else {
                throw FileError(path: candidate, problem: "cannot create the TensorBoard event file (\(String(cString: strerror(error))))")
            }
            n += 1
            candidate = "\(base).\(n)"
        }
        append(TensorBoardEvent.fileVersion(wallTime: wallTime))
    }

    deinit {
        try? flush()
        close(fd)
    }

    /// Queues one encoded Event, framed as a TFRecord.
    public func append(_ event: [UInt8]) {
        pending += TFRecord.frame(event)
    }

    /// Writes the queued records at the end of the file and flushes them to disk.
    /// - Throws: `FileError` when the write fails (a full disk): the file then ends with part of a
    ///   record, which TensorBoard's readers treat as the end of the file.
    public func flush() throws {
        guard !pending.isEmpty else { return }
        var written = 0
        try pending.withUnsafeBytes { raw in
            while written < raw.count {
                let n = write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw FileError(path: path, problem: "write failed after \(written) of \(raw.count) bytes (\(String(cString: strerror(errno))))")
                }
                written += n
            }
        }
        pending.removeAll(keepingCapacity: true)
        if fsync(fd) != 0 {
            throw FileError(path: path, problem: "flush to disk failed (\(String(cString: strerror(errno))))")
        }
        CrashPoint.pass("flushed:events")
    }
}
