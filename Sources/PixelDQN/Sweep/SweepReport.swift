// What a sweep reports over its seeds: each finished run's results, the aggregate (median, IQM
// and its bootstrap interval) of steps to solve and of the final evaluation, and the IQM curve of
// the periodic evaluations; written as sweep.json and drawn as sweep.png (SweepPlot.swift).
import Foundation

/// The IQM of the seeds' periodic evaluations at one env step, with its 95 % bootstrap interval.
public struct SweepCurvePoint: Equatable, Sendable {
    public var step: Int
    /// Runs that contribute (a run that stopped earlier contributes its last evaluation).
    public var seeds: Int
    public var iqm: Double
    public var lower: Double
    public var upper: Double
}

public struct SweepReport: Sendable {
    public var env: EnvironmentID
    public var observation: ObservationKind
    public var threshold: Double
    /// The largest `totalTimesteps` of the runs (they normally share one).
    public var budget: Int
    /// Finished runs, by seed.
    public var runs: [SweepRun]
    /// Runs that hold a config but did not finish (interrupted, failed, or still running), by seed.
    public var unfinished: [SweepRun]
    /// Settings (config.json fields other than seed, threads and version) that differ between runs.
    public var differingSettings: [String]
    /// Steps to the first confirmed solve; an unsolved run counts as its whole budget.
    public var stepsToSolve: IntervalEstimate?
    /// Wall seconds to the first confirmed solve; an unsolved run counts as its whole wall time.
    public var secondsToSolve: IntervalEstimate?
    /// Mean return of each run's final evaluation (runs that had one).
    public var finalEvalMean: IntervalEstimate?
    public var curve: [SweepCurvePoint]

    /// Builds the report from run folders read with `SweepRun(folder:)`. Refused (naming the
    /// folders): no runs, two runs of the same seed, runs of different envs or observations.
    public init(_ all: [SweepRun]) throws {
        guard let first = all.first else { throw ConfigError(message: "no run folders to aggregate") }
        var bySeed: [UInt64: String] = [:]
        for r in all {
            if let other = bySeed[r.config.seed] {
                throw ConfigError(message: "\(other) and \(r.folder) both hold seed \(r.config.seed); aggregate one run per seed")
            }
            bySeed[r.config.seed] = r.folder
            if r.config.env != first.config.env || r.config.observation != first.config.observation {
                throw ConfigError(message: "\(first.folder) is \(first.config.env.rawValue) from \(first.config.observation.rawValue) but \(r.folder) is \(r.config.env.rawValue) from \(r.config.observation.rawValue); a sweep aggregates one task")
            }
        }
        let sorted = all.sorted { $0.config.seed < $1.config.seed }
        env = first.config.env
        observation = first.config.observation
        threshold = env.rewardThreshold
        budget = all.map(\.config.totalTimesteps).max() ?? 0
        runs = sorted.filter(\.isFinished)
        unfinished = sorted.filter { !$0.isFinished }
        differingSettings = Set(all.dropFirst().flatMap { first.config.differences(from: $0.config) }).sorted()
        let summaries = runs.compactMap(\.summary)
        stepsToSolve = IntervalEstimate(zip(runs, summaries).map { run, s in
            Double(s.firstSolvedStep >= 0 ? s.firstSolvedStep : run.config.totalTimesteps)
        })
        secondsToSolve = IntervalEstimate(summaries.map { $0.firstSolvedStep >= 0 ? $0.firstSolvedSeconds : $0.wallSeconds })
        finalEvalMean = IntervalEstimate(summaries.compactMap { $0.finalEval?.mean })
        curve = SweepReport.iqmCurve(runs.map(\.evaluations))
    }

    public var solvedCount: Int { runs.filter { ($0.summary?.firstSolvedStep ?? -1) >= 0 }.count }

    /// The IQM across runs at every step where some run evaluated. A run that stopped earlier
    /// (--stop-when-solved) carries its last evaluation forward: at each step a run contributes
    /// its latest evaluation at or before that step, and no value before its first one.
    public static func iqmCurve(_ curves: [[EvaluationPoint]]) -> [SweepCurvePoint] {
        let steps = Set(curves.flatMap { $0.map(\.step) }).sorted()
        var next = [Int](repeating: 0, count: curves.count)
        var points: [SweepCurvePoint] = []
        for step in steps {
            var values: [Double] = []
            for (i, c) in curves.enumerated() {
                while next[i] < c.count && c[next[i]].step <= step { next[i] += 1 }
                if next[i] > 0 { values.append(c[next[i] - 1].mean) }
            }
            guard let e = IntervalEstimate(values) else { continue }
            points.append(SweepCurvePoint(step: step, seeds: values.count, iqm: e.iqm, lower: e.lower, upper: e.upper))
        }
        return points
    }

    /// The content of sweep.json.
    public var json: JSONValue {
        func evaluation(_ e: EvaluationSummary?) -> JSONValue {
            e.map { .object([("mean", .number($0.mean)), ("std", .number($0.std))]) } ?? .null
        }
        func estimate(_ e: IntervalEstimate?) -> JSONValue {
            guard let e else { return .null }
            return .object([("median", .number(e.median)), ("iqm", .number(e.iqm)),
                            ("ci95", .array([.number(e.lower), .number(e.upper)]))])
        }
        let runObjects: [JSONValue] = runs.compactMap { r in
            guard let s = r.summary else { return nil }
            return .object([
                ("seed", .unsigned(r.config.seed)), ("folder", .string(r.folder)),
                ("first_solved_step", .int(s.firstSolvedStep)), ("first_solved_seconds", .number(s.firstSolvedSeconds)),
                ("steps", .int(s.steps)), ("wall_seconds", .number(s.wallSeconds)),
                ("final_eval", evaluation(s.finalEval)), ("best_model_eval", evaluation(s.bestModelEval)),
                ("stalled_since_step", s.stalledSinceStep.map { .int($0) } ?? .null),
            ])
        }
        return .object([
            ("env", .string(env.rawValue)), ("observation", .string(observation.rawValue)),
            ("threshold", threshold.isFinite ? .number(threshold) : .null), ("budget", .int(budget)),
            ("statistics", .string("median; iqm = scipy.stats.trim_mean(x, 0.25) over seeds; ci95 = percentile bootstrap of the iqm, seeds resampled with replacement (\(SweepStatistics.resamples) resamples, xoshiro256** seed \(SweepStatistics.bootstrapSeed)); an unsolved seed counts as its whole budget (steps) or wall time (seconds)")),
            ("runs", .array(runObjects)),
            ("unfinished", .array(unfinished.map { .object([("seed", .unsigned($0.config.seed)), ("folder", .string($0.folder))]) })),
            ("differing_settings", .array(differingSettings.map { .string($0) })),
            ("aggregate", .object([
                ("seeds", .int(runs.count)), ("solved", .int(solvedCount)),
                ("steps_to_solve", estimate(stepsToSolve)), ("first_solved_seconds", estimate(secondsToSolve)),
                ("final_eval_mean", estimate(finalEvalMean)),
            ])),
            ("curve", .array(curve.map {
                .object([("step", .int($0.step)), ("seeds", .int($0.seeds)), ("iqm", .number($0.iqm)),
                         ("ci95", .array([.number($0.lower), .number($0.upper)]))])
            })),
        ])
    }

    /// Writes sweep.json and sweep.png into `folder`, atomically; returns their paths.
    @discardableResult
    public func write(to folder: String) throws -> (json: String, plot: String) {
        let base = folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        let paths = (json: base + "/sweep.json", plot: base + "/sweep.png")
        try AtomicFile.write(json.text, to: paths.json)
        try SweepPlot.draw(self).write(to: paths.plot)
        return paths
    }

    /// A few lines for the terminal: what finished, what solved, the aggregates.
    public var summaryLines: [String] {
        func show(_ e: IntervalEstimate?, _ format: String) -> String {
            guard let e else { return "none" }
            return "median \(String(format: format, e.median)), IQM \(String(format: format, e.iqm)) (95% CI [\(String(format: format, e.lower)), \(String(format: format, e.upper))])"
        }
        var lines = ["\(runs.count) seed\(runs.count == 1 ? "" : "s") finished" + (unfinished.isEmpty ? "" : ", \(unfinished.count) unfinished")
                     + "; \(solvedCount) solved (\(env.rawValue) from \(observation.rawValue), threshold \(threshold.isFinite ? "\(Int(threshold))" : "none"), budget \(budget) steps)"]
        if !runs.isEmpty {
            lines.append("steps to solve (unsolved = budget): " + show(stepsToSolve, "%.0f"))
            // Runs trained with --final-eval-episodes 0 have no final evaluation: say how many
            // seeds the statistic covers rather than leave them out silently.
            let without = runs.filter { $0.summary?.finalEval == nil }.count
            lines.append("final evaluation mean: " + show(finalEvalMean, "%.1f")
                         + (without == 0 ? "" : " (over \(runs.count - without) of \(runs.count) seeds; \(without) without a final evaluation, --final-eval-episodes 0)"))
        }
        // Unsolved runs whose evaluations stopped improving (MetricsLog.stalledSince), by seed.
        let stalled = runs.compactMap { r -> String? in
            guard let s = r.summary, s.firstSolvedStep < 0, let since = s.stalledSinceStep else { return nil }
            return "seed \(r.config.seed) since step \(since)"
        }
        if !stalled.isEmpty { lines.append("stalled (unsolved, evaluations no longer improving): " + stalled.joined(separator: ", ")) }
        if !differingSettings.isEmpty { lines.append("note: the runs differ in " + differingSettings.joined(separator: "; ")) }
        return lines
    }
}

extension TrainingConfig {
    /// The settings that differ from `other`, as "name: mine vs other's", leaving out `ignoring`
    /// (by default what does not change the task or the results: seed, threads and version).
    /// Generic over the encoded fields, so settings added later are compared too.
    public func differences(from other: TrainingConfig, ignoring: Set<String> = ["seed", "threads", "version"]) -> [String] {
        func fields(_ c: TrainingConfig) -> [String: String] {
            guard let data = try? JSONEncoder().encode(c),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
            return object.mapValues { "\($0)" }
        }
        let a = fields(self), b = fields(other)
        return Set(a.keys).union(b.keys).subtracting(ignoring).sorted().compactMap { key in
            a[key] == b[key] ? nil : "\(key): \(a[key] ?? "absent") vs \(b[key] ?? "absent")"
        }
    }
}
