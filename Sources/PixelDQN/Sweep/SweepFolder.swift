// The folder of a sweep: one run folder per seed (seed-<S>/, each with its train.log), the
// sweep's own arguments (sweep-args.json), runs set aside before a restart (restarted/), and
// sweep.json / sweep.png. What state each seed's folder is in decides what the sweep does with it.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a sweep does with a seed, from what its folder holds.
public enum SeedState: Equatable, Sendable {
    /// No run yet (no folder, or no config.json in it): start one.
    case new
    /// summary.json says the run finished: skip it.
    case finished
    /// config.json and checkpoint.safetensors without a finished summary: `train --resume`.
    case resume
    /// config.json but no checkpoint (stopped before its first one): set aside and start again.
    case restart
}

/// The sweep's own arguments, kept so that a later call on the same folder runs the same setting.
public struct SweepArguments: Codable, Equatable, Sendable {
    public var version: String
    /// The train options passed through to every run, as given.
    public var trainOptions: [String]
    /// Every seed any call on this folder asked for, in order.
    public var seeds: [UInt64]

    public init(trainOptions: [String], seeds: [UInt64]) {
        version = pixelDQNVersion; self.trainOptions = trainOptions; self.seeds = seeds
    }

    enum CodingKeys: String, CodingKey { case version, seeds, trainOptions = "train_options" }
}

public struct SweepFolder: Sendable {
    public let path: String
    public init(path: String) { self.path = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path }

    public func run(_ seed: UInt64) -> RunFolder { RunFolder(path: path + "/seed-\(seed)") }
    public func log(_ seed: UInt64) -> String { run(seed).path + "/train.log" }
    public var arguments: String { path + "/sweep-args.json" }
    public var restarted: String { path + "/restarted" }
    var lockFile: String { path + "/.sweep.lock" }

    /// Creates the folder (a file there is refused, naming --output). A folder that is not
    /// already a sweep's (sweep-args.json) or a grid's (grid.json) must be empty: nothing of
    /// someone else's is ever written beside.
    public func prepare() throws {
        let foreign = Self.foreignEntries(path)
        if !foreign.isEmpty {
            throw ConfigError(message: "--output \(path): holds \(foreign.count) file\(foreign.count == 1 ? "" : "s") that are not a pixel-dqn sweep's (\(foreign.prefix(3).joined(separator: ", "))\(foreign.count > 3 ? ", …" : "")); expected a new or empty folder, or a sweep folder (sweep-args.json) to continue")
        }
        do { try AtomicFile.makeFolder(path) } catch let e as FileError { throw ConfigError(message: "--output \(e)") }
    }

    /// The entries of `path` that no sweep wrote, when it is not a sweep's or a grid's folder:
    /// everything but its lock, temporary files and the names in `alsoAllowed` (none when the
    /// folder does not exist, or is a sweep's or a grid's).
    /// A sweep's own entries are those `SweepGrid.foreignEntries(inSweep:)` allows (seed-<S>
    /// folders, the sweep's files), and one level down a grid's setting folders of them.
    public static func foreignEntries(_ path: String, alsoAllowed: Set<String> = []) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return [] }
        if names.contains("sweep-args.json") || names.contains(SweepGrid.fileName) { return [] }
        return SweepGrid.foreignEntries(inSweep: path).compactMap { entry in
            let name = (entry as NSString).lastPathComponent
            var isDir: ObjCBool = false
            let setting = FileManager.default.fileExists(atPath: entry, isDirectory: &isDir) && isDir.boolValue
                && SweepGrid.foreignEntries(inSweep: entry).isEmpty
            return alsoAllowed.contains(name) || setting ? nil : name
        }
    }

    /// Takes the folder's lock until the returned object is released, and for the life of the
    /// runs started meanwhile (they inherit the descriptor), so that two sweeps never train the
    /// same seed at once.
    public func lock() throws -> RunFolderLock {
        let fd = open(lockFile, O_RDWR | O_CREAT, 0o644)
        guard fd >= 0 else {
            throw ConfigError(message: "--output \(path): cannot create \(lockFile) (\(String(cString: strerror(errno))))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            close(fd)
            throw ConfigError(message: "--output \(path): another sweep, or a training run it started, is still working in this folder; wait for it or stop it first")
        }
        return RunFolderLock(folder: path, descriptor: fd)
    }

    /// sweep-args.json, or nil when this folder has none yet.
    public func readArguments() throws -> SweepArguments? {
        try readJSONFile(SweepArguments.self, path: arguments, name: "sweep-args.json")
    }

    public func writeArguments(_ a: SweepArguments) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write([UInt8](try encoder.encode(a)) + [10], to: arguments)
    }

    /// What to do with `seed`. A folder holding a run of another seed or another setting than
    /// `expected` (compared by `TrainingConfig.differences`) is refused, naming its config.json.
    public func state(of seed: UInt64, expected: TrainingConfig) throws -> SeedState {
        let run = run(seed)
        guard run.holdsRun else { return .new }
        let config = try run.readConfig()
        if config.seed != seed {
            throw ConfigError(message: "\(run.config): holds seed \(config.seed), expected \(seed); move \(run.path) out of the sweep folder")
        }
        var mine = expected
        mine.seed = seed
        let differences = config.differences(from: mine)
        if !differences.isEmpty {
            throw ConfigError(message: "\(run.config): a run of another setting than this sweep's (\(differences.joined(separator: "; "))); move \(run.path) out of the sweep folder or use another --output")
        }
        if FileManager.default.fileExists(atPath: run.summary), try !RunSummary.read(run.summary).interrupted { return .finished }
        return FileManager.default.fileExists(atPath: run.checkpoint) ? .resume : .restart
    }

    /// Moves seed-<S>/ to restarted/seed-<S>-<n>/ (the first free n), keeping its log; returns the new path.
    public func setAside(_ seed: UInt64) throws -> String {
        try AtomicFile.makeFolder(restarted)
        var n = 1
        while FileManager.default.fileExists(atPath: "\(restarted)/seed-\(seed)-\(n)") { n += 1 }
        let target = "\(restarted)/seed-\(seed)-\(n)"
        guard rename(run(seed).path, target) == 0 else {
            throw FileError(path: run(seed).path, problem: "cannot move it to \(target) (\(String(cString: strerror(errno))))")
        }
        return target
    }
}
