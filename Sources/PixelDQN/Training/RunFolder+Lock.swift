// One `train` per run folder: an exclusive flock(2) on the folder's `.lock` file, held for the
// process's life (the kernel drops it when the process exits, however it exits), so a second
// process on the same folder is refused instead of interleaving its writes with the first's.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on a folder (a run folder's `RunFolder.lock`, a sweep folder's
/// `SweepFolder.lock`), held until this object is released (or the process ends).
public final class RunFolderLock: @unchecked Sendable {
    /// The folder locked.
    public let folder: String
    private let descriptor: Int32

    /// Takes over `descriptor`, an open file that holds the flock, and closes it on release.
    init(folder: String, descriptor: Int32) { self.folder = folder; self.descriptor = descriptor }

    deinit { close(descriptor) }
}

extension RunFolder {
    /// The lock file (`.lock`: an empty name for the user, holding the owner's process id).
    public var lockFile: String { path + "/.lock" }

    /// Takes the folder's exclusive lock, waiting at most 2 s for a holder to let it go. The folder
    /// must exist.
    /// - Throws: `ConfigError` naming the folder when another process (or another object in this
    ///   one) holds the lock, with that process's id, or when the lock file cannot be created.
    public func lock() throws -> RunFolderLock {
        // O_CLOEXEC: a child process (a test's pixel-dqn, a shell) must not inherit the lock.
        // O_NOFOLLOW: a .lock that is a symbolic link is refused, never followed (its target
        // would be truncated below).
        let fd = open(lockFile, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else {
            if errno == ELOOP {
                throw ConfigError(message: "\(path): its lock file .lock is a symbolic link; expected a regular file written by pixel-dqn (remove the link)")
            }
            throw ConfigError(message: "\(path): cannot create the run folder's lock file .lock (\(String(cString: strerror(errno))))")
        }
        // A holder that lets go is waited for, up to a short grace: a process spawned by this one
        // holds a copy of every descriptor between its fork and its exec (O_CLOEXEC acts at the
        // exec), so a lock just released here can stay taken for that moment.
        let grace = Date().addingTimeInterval(2)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK && Date() < grace { usleep(10_000) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let reason = errno
            var buffer = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buffer, buffer.count, 0)
            close(fd)
            guard reason == EWOULDBLOCK else {
                throw ConfigError(message: "\(path): cannot lock the run folder (\(String(cString: strerror(reason))))")
            }
            let owner = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
            throw ConfigError(message: "\(path): another pixel-dqn train\(Int(owner).map { " (process \($0))" } ?? "") is using this run folder; wait for it to finish or stop it, or choose another folder")
        }
        // The owner's process id, for the message above; the lock is the flock, not the contents.
        let id = Array("\(getpid())\n".utf8)
        if ftruncate(fd, 0) == 0 { _ = id.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) } }
        return RunFolderLock(folder: path, descriptor: fd)
    }
}
