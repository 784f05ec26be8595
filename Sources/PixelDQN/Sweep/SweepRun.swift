// One training run as a sweep reads it from its folder: config.json, summary.json (RunSummary)
// and the periodic evaluations of metrics.csv, each checked where it is read; and finding run folders.
// Nothing here starts or stops a run.
import Foundation

/// A periodic evaluation: its env step and mean return.
public struct EvaluationPoint: Equatable, Sendable {
    public var step: Int
    public var mean: Double
    public init(step: Int, mean: Double) { self.step = step; self.mean = mean }
}

/// A run folder's configuration, its summary when it has one, and (for finished runs) its
/// periodic evaluation curve.
public struct SweepRun: Sendable {
    public var folder: String
    public var config: TrainingConfig
    /// nil: no summary.json yet (the run was stopped before it wrote one, or is running).
    public var summary: RunSummary?
    /// The periodic evaluations in step order; empty for unfinished runs.
    public var evaluations: [EvaluationPoint]

    /// A finished run: summary.json says it was not interrupted.
    public var isFinished: Bool { summary?.interrupted == false }

    /// Reads the run in `folder` (which must hold config.json).
    public init(folder path: String) throws {
        let run = RunFolder(path: path)
        folder = path
        config = try run.readConfig()
        summary = FileManager.default.fileExists(atPath: run.summary) ? try RunSummary.read(run.summary) : nil
        try summary?.check(against: config, path: run.summary)
        evaluations = []
        if summary?.interrupted == false {
            let text = String(decoding: try AtomicFile.read(run.metrics), as: UTF8.self)
            evaluations = SweepRun.periodicEvaluations(try MetricsLog.parse(text, path: run.metrics, env: config.env, frameSkip: config.frameSkip), evalEvery: config.evalEvery)
        }
    }

    /// The periodic evaluation rows of a metrics log. metrics.csv gives them the kind "eval", as
    /// it does the final evaluation; the trainer evaluates periodically at multiples of
    /// `evalEvery` and the final row comes after the periodic one of the same step, so the
    /// periodic rows are the first "eval" row at each multiple of `evalEvery`. Confirmations
    /// ("confirm") are left out.
    public static func periodicEvaluations(_ log: MetricsLog, evalEvery: Int) -> [EvaluationPoint] {
        guard evalEvery > 0 else { return [] }
        var points: [EvaluationPoint] = []
        for v in log.evaluations where !v.confirmation && v.step % evalEvery == 0 {
            if let last = points.last, last.step >= v.step { continue }
            points.append(EvaluationPoint(step: v.step, mean: v.stats.mean))
        }
        return points
    }

    /// The run folders in `path`: `path` itself when it holds a run (config.json), else its
    /// subfolders that do, in name order. Anything else is refused, naming the path.
    public static func folders(in path: String) throws -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else {
            throw ConfigError(message: "\(path): no such folder")
        }
        if RunFolder(path: path).holdsRun { return [path] }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
            throw ConfigError(message: "\(path): cannot list the folder (\(error.localizedDescription))")
        }
        let base = path.hasSuffix("/") ? String(path.dropLast()) : path
        let runs = names.sorted().map { base + "/" + $0 }.filter { RunFolder(path: $0).holdsRun }
        guard !runs.isEmpty else {
            throw ConfigError(message: "\(path): neither a run folder (config.json) nor a folder of run folders")
        }
        return runs
    }
}

/// A sweep's JSON file decoded as `T`, or nil when there is none: a file that cannot be read is
/// its own `FileError`, one that does not decode is "not a pixel-dqn `name`" with the field.
func readJSONFile<T: Decodable>(_: T.Type, path: String, name: String) throws -> T? {
    guard FileManager.default.fileExists(atPath: path) else { return nil }
    do { return try JSONDecoder().decode(T.self, from: Data(try AtomicFile.read(path))) } catch let e as FileError {
        throw e
    } catch {
        throw FileError(path: path, problem: "not a pixel-dqn \(name) (\(describeDecodingError(error)))")
    }
}

/// A short account of a JSON decoding failure: which field, and what was wrong with it.
func describeDecodingError(_ error: Error) -> String {
    func field(_ path: [CodingKey], _ last: CodingKey? = nil) -> String {
        "\"" + (path + (last.map { [$0] } ?? [])).map(\.stringValue).joined(separator: ".") + "\""
    }
    // What a Swift type is in JSON's words.
    func kind(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is UInt64.Type: return "an integer"
        case is Double.Type: return "a number"
        case is Bool.Type: return "true or false"
        case is String.Type: return "a string"
        default: return "\(type)".hasPrefix("Array") ? "a list" : "an object"
        }
    }
    switch error as? DecodingError {
    case .keyNotFound(let key, let c)?: return "the field \(field(c.codingPath, key)) is missing"
    case .typeMismatch(let type, let c)?: return "the field \(field(c.codingPath)) is not \(kind(type))"
    case .valueNotFound(let type, let c)?: return "the field \(field(c.codingPath)) is null, expected \(kind(type))"
    // A number that is not a whole one, or beyond 64 bits, where an integer belongs.
    case .dataCorrupted(let c)?: return c.codingPath.isEmpty ? "not valid JSON" : "the field \(field(c.codingPath)) is not of its kind (an integer where one is expected?)"
    default: return "\(error)"
    }
}
