// The run folder: where a training run leaves config.json, metrics.csv, timing.csv,
// returns.png, model.safetensors, best.safetensors, checkpoint.safetensors and summary.json.
// A folder that holds a different run is never overwritten without --resume.
import Foundation

public struct RunFolder: Sendable {
    public let path: String
    public init(path: String) { self.path = path }

    public var config: String { path + "/config.json" }
    public var metrics: String { path + "/metrics.csv" }
    public var timing: String { path + "/timing.csv" }
    public var returnsPlot: String { path + "/returns.png" }
    public var model: String { path + "/model.safetensors" }
    public var best: String { path + "/best.safetensors" }
    public var checkpoint: String { path + "/checkpoint.safetensors" }
    public var summary: String { path + "/summary.json" }

    /// True when the folder already holds a run (its config.json exists).
    public var holdsRun: Bool { FileManager.default.fileExists(atPath: config) }

    /// Prepares the folder for a new run and takes its lock: the folder may not exist yet or be
    /// empty of runs; a folder holding a run is refused (use `--resume` or another `--output`); a
    /// file is refused; so is a folder another `train` holds. The check for a run comes after the
    /// lock, so of two processes started together on one folder exactly one gets it.
    @discardableResult
    public func prepareNew() throws -> RunFolderLock {
        var isDir: ObjCBool = false
        if path.isEmpty { throw ConfigError(message: "--output: expected a folder path, got an empty one") }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            if !isDir.boolValue { throw ConfigError(message: "--output \(path): is a file, expected a folder") }
            // A folder is only ever written by the run that made it: one holding anything but a
            // run (refused below, after the lock) or a run's lock and temporary files is someone
            // else's, and nothing in it is touched.
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            if !names.contains("config.json") {
                // (train.log: the log `sweep` opens for the run it starts in this folder.)
                let foreign = names.filter { !($0 == ".lock" || $0 == ".write-test" || $0 == "train.log" || AtomicFile.isTemporaryName($0)) }.sorted()
                if !foreign.isEmpty {
                    let shown = foreign.prefix(3).joined(separator: ", ") + (foreign.count > 3 ? ", …" : "")
                    throw ConfigError(message: "--output \(path): holds \(foreign.count) file\(foreign.count == 1 ? "" : "s") that are not a pixel-dqn run's (\(shown)); expected a new or empty folder, so that nothing in it is overwritten")
                }
            }
        }
        do { try AtomicFile.makeFolder(path) } catch let e as FileError { throw ConfigError(message: "--output \(e)") }
        let lock = try self.lock()
        if holdsRun {
            throw ConfigError(message: "--output \(path): already holds a run (config.json); pass --resume \(path) to continue it, or choose another --output")
        }
        // Check now that the folder is writable, rather than after the first hour of training.
        let probe = path + "/.write-test"
        do { try AtomicFile.write("ok\n", to: probe) } catch let e as FileError {
            throw ConfigError(message: "--output \(path): cannot write here (\(e.problem))")
        }
        unlink(probe)
        return lock
    }

    /// Removes temporary files left by a process killed while writing (".name.tmp-PID"); the
    /// files under their real names are always complete.
    public func removeStaleTemporaryFiles() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return }
        for name in names where AtomicFile.isTemporaryName(name) {
            unlink(path + "/" + name)
        }
    }

    /// Writes the configuration as pretty, sorted JSON.
    public func writeConfig(_ config: TrainingConfig) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(config)
        try AtomicFile.write([UInt8](data) + [10], to: self.config)
    }

    /// Reads and validates config.json (`TrainingConfig.decode`): a missing, unreadable,
    /// malformed or out-of-range file is a `ConfigError` naming the file, the field and the value.
    public func readConfig() throws -> TrainingConfig {
        let bytes: [UInt8]
        do { bytes = try AtomicFile.read(config) } catch let e as FileError { throw ConfigError(message: e.description) }
        return try TrainingConfig.decode(json: bytes, path: config)
    }

    /// The default folder for a new run: runs/<env>-<observation>-seed<seed>[-N].
    public static func defaultPath(for config: TrainingConfig) -> String {
        let base = "runs/\(config.env.rawValue)-\(config.observation.rawValue)-seed\(config.seed)"
        var candidate = base
        var n = 2
        while RunFolder(path: candidate).holdsRun { candidate = "\(base)-\(n)"; n += 1 }
        return candidate
    }
}
