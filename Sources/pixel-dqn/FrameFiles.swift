// The numbered pictures `play` and `dump-frames` write into DIR/frames and DIR/stacks: a call
// that writes fewer than an earlier call into the same folder removes the earlier call's extra
// pictures, so that the folder shows this call's play only.
import ArgumentParser
import Foundation
import PixelDQN

enum FrameFiles {
    /// The pictures of one step: DIR/frames/frame_NNNNN.png and DIR/stacks/phi_NNNNN.png.
    static let kinds = [(folder: "frames", prefix: "frame_"), (folder: "stacks", prefix: "phi_")]

    /// Refuses (a usage error naming --output) an output folder that holds anything but what
    /// this command writes: frames/, stacks/ and `own` (index.csv, steps.jsonl). A new folder,
    /// or an earlier call's, is fine.
    static func checkOutput(_ output: String, own: Set<String>) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: output, isDirectory: &isDir) else { return }
        guard isDir.boolValue else { throw ValidationError("--output \(output): is a file, expected a folder") }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: output)) ?? []
        let foreign = names.filter { n in !(own.contains(n) || kinds.contains { $0.folder == n } || AtomicFile.isTemporaryName(n)) }.sorted()
        if !foreign.isEmpty {
            throw ValidationError("--output \(output): holds \(foreign.prefix(3).joined(separator: ", "))\(foreign.count > 3 ? " and \(foreign.count - 3) more" : ""), not this command's pictures; expected a new or empty folder, or one an earlier call wrote (frames/, stacks/, \(own.sorted().joined(separator: ", ")))")
        }
    }

    /// The step number of `name` when it is exactly `prefix` + at least five digits + ".png".
    static func number(of name: String, prefix: String) -> Int? {
        guard name.hasPrefix(prefix), name.hasSuffix(".png") else { return nil }
        let digits = name.dropFirst(prefix.count).dropLast(4)
        guard digits.count >= 5, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(digits)
    }

    /// Removes the pictures numbered `count` and above in `output` (this call wrote 0..<count),
    /// and nothing else: other files, and names of another form, stay.
    static func removeBeyond(_ count: Int, in output: String) throws {
        for kind in kinds {
            let folder = output + "/" + kind.folder
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { continue }
            for name in names {
                guard let n = number(of: name, prefix: kind.prefix), n >= count else { continue }
                var info = stat()
                // A picture this tool wrote is a regular file; a link or anything else is not ours.
                guard lstat(folder + "/" + name, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
                if unlink(folder + "/" + name) != 0 {
                    throw FileError(path: folder + "/" + name, problem: "an earlier call's picture, beyond this call's \(count), cannot be removed (\(String(cString: strerror(errno))))")
                }
            }
        }
    }
}
