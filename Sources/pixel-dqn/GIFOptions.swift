// The options of `play` and `dump-frames` that make an animated GIF (--gif, --fps), checked
// before any work is done.
import ArgumentParser
import Foundation
import PixelDQN

struct GIFOptions: ParsableArguments {
    @Option(help: "Write the play as an animated GIF: the scene in colour, φ beside it, the step, the action and (play) the Q-values.")
    var gif: String?
    // Read as text and parsed in validate(): a transform that throws inside an option group makes
    // ArgumentParser 1.8.2 leak the group's key path on the way out (found by LeakSanitizer).
    @Option(name: .customLong("fps"), parsing: .unconditional, help: "Frames per second of the GIF, 1 to 50 (default 50; at most the task's steps per second: \(EnvironmentID.classic.map { "\($0.rawValue) \($0.framesPerSecond)" }.joined(separator: ", ")); the episode plays in real time, so below that rate steps are skipped. Only with --gif.")
    var fpsText: String?

    /// The --fps text as a whole number, nil when it is not one (or not given).
    private var parsedFPS: Int? { fpsText.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    /// --fps as a number (the default when not given, 0 when not a number; `validate` refuses that first).
    var fps: Int { fpsText == nil ? EpisodeGIF.environmentFPS : parsedFPS ?? 0 }

    func validate() throws {
        if let fpsText {
            guard parsedFPS != nil else {
                throw ValidationError("--fps: expected a whole number of frames per second from 1 to \(EpisodeGIF.environmentFPS), got \(fpsText)")
            }
            guard gif != nil else {
                throw ValidationError("--fps \(fpsText): sets the frame rate of the GIF, and no --gif is given (e.g. --gif episode.gif)")
            }
        }
        if let p = EpisodeGIF.problem(fps: fps) { throw ValidationError(p) }
        guard let path = gif else { return }
        var isDir: ObjCBool = false
        if path.isEmpty || (FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue) {
            throw ValidationError("--gif \(path): expected a file path, e.g. episode.gif")
        }
        try checkExtension(path, option: "--gif", "gif")
        if let kind = AtomicFile.nonRegularKind(path) {
            throw ValidationError("--gif \(path): is \(kind), expected a regular file or a new path, e.g. episode.gif")
        }
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty && !(FileManager.default.fileExists(atPath: folder, isDirectory: &isDir) && isDir.boolValue) {
            throw ValidationError("--gif \(path): the folder \(folder) does not exist")
        }
        // The GIF is written after the whole play: check now that its folder takes a new file.
        let where_ = folder.isEmpty ? "." : folder
        let probe = where_ + "/.\((path as NSString).lastPathComponent).write-test-\(getpid())"
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw ValidationError("--gif \(path): cannot write in the folder \(where_) (\(String(cString: strerror(errno)))); expected a folder where a new file can be written")
        }
        close(fd)
        unlink(probe)
    }

    /// An EpisodeGIF for φ of k frames of `size` pixels, or nil without --gif.
    func makeGIF(frameStack k: Int, frameSize size: Int, title: String, env: EnvironmentID = .cartPoleV1, frameSkip: Int = 1) throws -> EpisodeGIF? {
        guard gif != nil else { return nil }
        if let p = EpisodeGIF.problem(frameStack: k, frameSize: size, fps: fps) ?? EpisodeGIF.problem(fps: fps, env: env) { throw ConfigError(message: p) }
        return try EpisodeGIF(frameStack: k, frameSize: size, fps: fps, title: title, env: env, frameSkip: frameSkip)
    }

    /// Writes the GIF and says where.
    func write(_ episode: EpisodeGIF?) throws {
        guard let episode, let path = gif else { return }
        try episode.write(to: path)
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        print("wrote \(path): \(episode.pictures) pictures at \(episode.fps) fps, \(size / 1024) KiB")
    }
}
