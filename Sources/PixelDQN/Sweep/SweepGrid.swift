// A grid of settings: `--grid NAME=V1,V2` once per train option, their cartesian product, each
// setting's folder name and train options, and grid.json (what a grid folder holds, so that a
// second call continues the same grid and refuses another). Pure values and checks; running the
// settings is the command line's job.
import Foundation

/// One `--grid NAME=V1,V2`: a train option (its name without the dashes) and the values it takes.
public struct GridDimension: Codable, Equatable, Sendable {
    public var name: String
    public var values: [String]
    public init(name: String, values: [String]) { self.name = name; self.values = values }

    /// The train option this dimension sets.
    public var option: TrainingOption { TrainingConfig.options.first { $0.name == "--" + name }! }
}

/// One value of each dimension.
public struct GridSetting: Equatable, Sendable {
    /// (option name without dashes, value), in the grid's order.
    public var values: [GridDimension]

    /// The folder of this setting inside the grid folder: "name=value" joined by ",", e.g.
    /// "env=CartPole-v1,n-step=3"; characters other than letters, digits and . _ + - = are written
    /// %XX (UTF-8 bytes), so every value gives a distinct, filesystem-safe name ("ALE/Pong-v5" →
    /// "ALE%2FPong-v5").
    public var folderName: String {
        values.map { "\($0.name)=\(SweepGrid.escape($0.values[0]))" }.joined(separator: ",")
    }

    /// The task this setting trains on, when the grid sets it.
    public var env: String? { values.first { $0.name == "env" }?.values[0] }

    /// The setting as a comparison names it: its values other than the task (the task is what a
    /// comparison compares across), or "setting" when the grid varies only the task.
    public var label: String {
        let rest = values.filter { $0.name != "env" }
        return rest.isEmpty ? SweepGrid.taskOnlyLabel : rest.map { "\($0.name)=\($0.values[0])" }.joined(separator: ",")
    }

    /// The train options that give this setting, added to the sweep's own train options. A flag
    /// is `--name` for true and `--no-name` (or nothing, when the flag has no negation) for false.
    public var trainOptions: [String] {
        values.flatMap { d -> [String] in
            let value = d.values[0]
            if case .flag(let invertible) = d.option.kind {
                return value == "true" ? ["--" + d.name] : (invertible ? ["--no-" + d.name] : [])
            }
            return ["--\(d.name)=\(value)"]
        }
    }
}

/// What a grid folder records of its first call (grid.json): the grid, the train options every
/// setting shares, and every seed asked for.
public struct GridArguments: Codable, Equatable, Sendable {
    public var version: String
    public var grid: [GridDimension]
    public var trainOptions: [String]
    public var seeds: [UInt64]

    public init(grid: [GridDimension], trainOptions: [String], seeds: [UInt64]) {
        version = pixelDQNVersion; self.grid = grid; self.trainOptions = trainOptions; self.seeds = seeds
    }

    enum CodingKeys: String, CodingKey { case version, grid, seeds, trainOptions = "train_options" }
}

public enum SweepGrid {
    /// The file of a grid folder that makes it one.
    public static let fileName = "grid.json"
    /// The most settings one grid accepts (a typo should not queue thousands of sweeps).
    public static let maximumSettings = 1000
    /// The comparison label of the one setting of a grid that varies only the task.
    public static let taskOnlyLabel = "setting"
    /// Options a grid may not vary, and why.
    static let fixed: [String: String] = [
        "seed": "the seeds come from --seeds",
        "threads": "threads change the speed, not the results; give --threads once",
    ]

    /// Parses the `--grid` values, or throws a `ConfigError` naming `--grid`, the value and what
    /// was expected: NAME a train option (as `pixel-dqn train --help` lists it, without or with
    /// its dashes) named once, each value one that option accepts (true or false for a flag),
    /// none twice.
    public static func parse(_ texts: [String]) throws -> [GridDimension] {
        var dimensions: [GridDimension] = []
        for text in texts {
            func fail(_ problem: String) -> ConfigError {
                ConfigError(message: "--grid \(text): \(problem)")
            }
            guard let equals = text.firstIndex(of: "=") else {
                throw fail("expected NAME=V1,V2,… (a train option and its values), e.g. n-step=1,3,10")
            }
            var name = String(text[..<equals]).trimmingCharacters(in: .whitespaces)
            if name.hasPrefix("--") { name.removeFirst(2) }
            if let reason = fixed[name] { throw fail("--\(name) cannot vary in a grid (\(reason))") }
            guard let option = TrainingConfig.options.first(where: { $0.name == "--" + name }) else {
                throw fail("\"\(name)\" is not a train option; expected one of \(TrainingConfig.options.map { String($0.name.dropFirst(2)) }.filter { fixed[$0] == nil }.joined(separator: ", "))")
            }
            if dimensions.contains(where: { $0.name == name }) { throw fail("--grid \(name) is given twice; give all its values in one --grid") }
            let values = text[text.index(after: equals)...].split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            for v in values {
                if v.isEmpty { throw fail("an empty value; expected values separated by commas") }
                if case .flag = option.kind {
                    guard v == "true" || v == "false" else { throw fail("--\(name) is on or off: expected true or false, got \(v)") }
                } else {
                    var probe = TrainingConfig()
                    do { try option.apply(v, to: &probe) } catch let e as OptionValueError {
                        throw fail("--\(name): expected \(e.expected), got \(v)")
                    }
                    if let (_, expected) = option.check(probe) { throw fail("--\(name): expected \(expected), got \(v)") }
                }
            }
            if let twice = values.first(where: { v in values.filter { $0 == v }.count > 1 }) {
                throw fail("the value \(twice) appears twice")
            }
            dimensions.append(GridDimension(name: name, values: values))
        }
        let count = dimensions.reduce(1) { $0 * $1.values.count }
        if count > maximumSettings {
            throw ConfigError(message: "--grid: \(count) settings, more than \(maximumSettings); expected a smaller grid")
        }
        return dimensions
    }

    /// The cartesian product, the first dimension varying slowest. Each setting's folder name is
    /// checked: a name longer than a file name may be is refused.
    public static func settings(_ dimensions: [GridDimension]) throws -> [GridSetting] {
        var settings: [GridSetting] = [GridSetting(values: [])]
        for d in dimensions {
            settings = settings.flatMap { s in d.values.map { v in GridSetting(values: s.values + [GridDimension(name: d.name, values: [v])]) } }
        }
        if let long = settings.first(where: { $0.folderName.utf8.count > 255 }) {
            throw ConfigError(message: "--grid: the setting folder name \(long.folderName) is \(long.folderName.utf8.count) bytes, more than the 255 a file name may have; expected shorter values or fewer --grid options")
        }
        return settings
    }

    /// `value` with every character other than letters, digits and . _ + - = written as %XX.
    static func escape(_ value: String) -> String {
        var out = ""
        for byte in value.utf8 {
            let c = Character(Unicode.Scalar(byte))
            if byte < 128 && (c.isLetter || c.isNumber || "._+-=".contains(c)) {
                out.append(c)
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// Reads and checks a grid folder's grid.json: every dimension as `parse` accepts it, the
    /// seeds a non-empty list without repeats. Problems name the file.
    public static func readArguments(folder: String) throws -> GridArguments? {
        let path = folder + "/" + fileName
        guard let a = try readJSONFile(GridArguments.self, path: path, name: "grid.json") else { return nil }
        do {
            let parsed = try parse(a.grid.map { "\($0.name)=\($0.values.joined(separator: ","))" })
            guard parsed == a.grid, !a.grid.isEmpty else { throw ConfigError(message: "an empty grid") }
        } catch let e as ConfigError {
            throw FileError(path: path, problem: "its \"grid\" is not a grid this sweep accepts (\(e.message))")
        }
        guard !a.seeds.isEmpty, Set(a.seeds).count == a.seeds.count else {
            throw FileError(path: path, problem: "its \"seeds\" are \(a.seeds), expected a non-empty list without repeats")
        }
        return a
    }

    /// Writes grid.json into `folder`, atomically.
    public static func writeArguments(_ a: GridArguments, folder: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write([UInt8](try encoder.encode(a)) + [10], to: folder + "/" + fileName)
    }

    /// The entries a grid folder may hold besides its settings' folders.
    public static let ownFiles: Set<String> = [fileName, "compare.json", "compare.png", ".sweep.lock", "slurm.json", "slurm-job.sh", "slurm"]
    /// The entries a setting's (or any sweep's) folder may hold besides its seed-<S> run folders.
    public static let sweepFiles: Set<String> = ["sweep-args.json", "sweep.json", "sweep.png", ".sweep.lock", "restarted"]

    /// The entries of `folder` that a grid of `settings` did not write (nothing when the folder
    /// does not exist): files of the folder other than `ownFiles` and the settings' folders, and,
    /// inside each setting's folder, anything but seed-<S> folders and `sweepFiles`. Temporary
    /// files that an interrupted atomic write left (".NAME.tmp-PID") are the sweep's own.
    public static func foreignEntries(in folder: String, settings: [GridSetting]) -> [String] {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: folder) else { return [] }
        let settingNames = Set(settings.map(\.folderName))
        var foreign: [String] = []
        for name in names.sorted() where !AtomicFile.isTemporaryName(name) {
            let path = folder + "/" + name
            if ownFiles.contains(name) { continue }
            guard settingNames.contains(name) else { foreign.append(path); continue }
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else { foreign.append(path); continue }
            foreign += foreignEntries(inSweep: path)
        }
        return foreign
    }

    /// The entries of a sweep folder that are neither seed-<S> folders nor `sweepFiles`.
    public static func foreignEntries(inSweep folder: String) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        return names.sorted().filter { name in
            if sweepFiles.contains(name) || AtomicFile.isTemporaryName(name) { return false }
            var isDir: ObjCBool = false
            if name.hasPrefix("seed-"), UInt64(name.dropFirst(5)) != nil,
               FileManager.default.fileExists(atPath: folder + "/" + name, isDirectory: &isDir), isDir.boolValue { return false }
            return true
        }.map { folder + "/" + $0 }
    }

}
