// A comparison of settings across tasks, from sweep folders: per setting the IQM and its
// stratified bootstrap 95 % interval of the steps to solve and of the final score (per task, and
// over all tasks on normalised scores), the probability of improvement of each pair of settings,
// and the performance profile; written as compare.json and drawn as compare.png
// (ComparisonPlot.swift). The statistics are CompareStatistics'.
import Foundation

/// One sweep (one setting on one task) as a comparison reads it.
public struct ComparedSweep: Sendable {
    /// The setting's name in the comparison: a grid setting's values other than the task, or
    /// the name of a plain sweep's folder.
    public var label: String
    /// The folder given to the comparison that held it (a grid folder or the sweep folder itself).
    public var source: String
    public var folder: String
    public var report: SweepReport

    public init(label: String, source: String, folder: String, report: SweepReport) {
        self.label = label; self.source = source; self.folder = folder; self.report = report
    }

    /// The sweeps in `path`: each setting's folder of a grid folder (grid.json) that holds runs,
    /// or `path` itself as one sweep (a folder of run folders, or one run folder). Refused,
    /// naming the path: neither, or a grid folder none of whose settings has run yet.
    public static func read(_ path: String) throws -> [ComparedSweep] {
        let base = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        if let grid = try SweepGrid.readArguments(folder: base) {
            var sweeps: [ComparedSweep] = []
            for setting in try SweepGrid.settings(grid.grid) {
                let folder = base + "/" + setting.folderName
                guard let runs = try? SweepRun.folders(in: folder) else { continue }
                sweeps.append(ComparedSweep(label: setting.label, source: base, folder: folder,
                                            report: try SweepReport(try runs.map { try SweepRun(folder: $0) })))
            }
            guard !sweeps.isEmpty else { throw ConfigError(message: "\(base): a grid folder none of whose settings holds a run yet") }
            return sweeps
        }
        let runs = try SweepRun.folders(in: base)
        let name = URL(fileURLWithPath: base).standardizedFileURL.lastPathComponent
        return [ComparedSweep(label: name, source: base, folder: base, report: try SweepReport(try runs.map { try SweepRun(folder: $0) }))]
    }
}

/// What a comparison reports of one setting on one task.
public struct ComparedTask: Sendable {
    public var env: EnvironmentID
    public var observation: ObservationKind
    public var folder: String
    public var runs: Int
    public var unfinished: Int
    public var solved: Int
    public var budget: Int
    /// Steps to the first confirmed solve of each finished run; an unsolved run counts as its budget.
    public var stepsToSolve: [Double]
    /// The final evaluation's mean of each finished run that had one.
    public var finalScores: [Double]
    public var normalisation: ScoreNormalisation?
    public var normalisedScores: [Double]? { normalisation.map { n in finalScores.map(n.apply) } }
}

public struct ComparedSetting: Sendable {
    public var label: String
    /// By task, in the comparison's task order; nil where this setting has no sweep of the task.
    public var tasks: [ComparedTask?]
    public var stepsToSolve: [Estimate?]
    public var finalScore: [Estimate?]
    /// Over every task it has, runs resampled within each task.
    public var allStepsToSolve: Estimate?
    /// Over the tasks that can be normalised.
    public var allNormalisedScore: Estimate?
    public var profile: [Estimate]
}

/// P(X > Y) for one pair of settings, over the tasks both have.
public struct ComparedPair: Sendable {
    public var x: String
    public var y: String
    public var tasks: [EnvironmentID]
    /// Higher final score.
    public var finalScore: Estimate?
    /// Fewer steps to solve.
    public var solvesSooner: Estimate?
}

public struct ComparisonReport: Sendable {
    public var tasks: [EnvironmentID]
    public var settings: [ComparedSetting]
    public var pairs: [ComparedPair]
    /// The τ grid of the performance profile (normalised scores).
    public var taus: [Double]
    /// Tasks left out of the normalised statistics, with why.
    public var notNormalised: [EnvironmentID]
    public var resamples: Int

    /// Points of the profile's τ grid.
    public static let profilePoints = 101

    /// Builds the comparison of `sweeps` (from `ComparedSweep.read`). The setting of a sweep is its
    /// label; two sweeps of one label on one task are told apart by the folder given
    /// ("SOURCE:label"), and refused, naming both folders, when that does not either.
    public init(_ given: [ComparedSweep], resamples: Int = SweepStatistics.resamples) throws {
        guard !given.isEmpty else { throw ConfigError(message: "no sweeps to compare") }
        var sweeps = given
        func clash(_ s: [ComparedSweep]) -> (ComparedSweep, ComparedSweep)? {
            var seen: [String: ComparedSweep] = [:]
            for sweep in s {
                let key = sweep.label + "\u{0}" + sweep.report.env.rawValue
                if let other = seen[key] { return (other, sweep) }
                seen[key] = sweep
            }
            return nil
        }
        if clash(sweeps) != nil {
            sweeps = sweeps.map { s in
                var s = s
                if s.source != s.folder { s.label = s.source + ":" + s.label }
                else { s.label = s.source }
                return s
            }
            if let (a, b) = clash(sweeps) {
                throw ConfigError(message: "\(a.folder) and \(b.folder) are both the setting \(a.label) on \(a.report.env.rawValue); compare each setting's sweep of a task once")
            }
        }
        self.resamples = resamples
        let tasks = Array(Set(sweeps.map(\.report.env))).sorted { $0.rawValue < $1.rawValue }
        self.tasks = tasks
        notNormalised = tasks.filter { ScoreNormalisation($0) == nil }
        var labels: [String] = []
        for s in sweeps where !labels.contains(s.label) { labels.append(s.label) }

        // Each setting's runs by task.
        var perSetting: [[ComparedTask?]] = []
        for label in labels {
            perSetting.append(tasks.map { env in
                guard let s = sweeps.first(where: { $0.label == label && $0.report.env == env }) else { return nil }
                let r = s.report
                let summaries = r.runs.compactMap(\.summary)
                return ComparedTask(env: env, observation: r.observation, folder: s.folder, runs: r.runs.count, unfinished: r.unfinished.count,
                                    solved: r.solvedCount, budget: r.budget,
                                    stepsToSolve: zip(r.runs, summaries).map { run, s in Double(s.firstSolvedStep >= 0 ? s.firstSolvedStep : run.config.totalTimesteps) },
                                    finalScores: summaries.compactMap { $0.finalEval?.mean }, normalisation: ScoreNormalisation(env))
            })
        }
        // The profile's τ grid spans every normalised score and [0, 1].
        let normalised = perSetting.flatMap { $0.compactMap { $0?.normalisedScores }.flatMap { $0 } }
        let taus = CompareStatistics.grid(from: min(0, normalised.min() ?? 0), to: max(1, normalised.max() ?? 1), count: Self.profilePoints)
        self.taus = taus

        let settings = zip(labels, perSetting).map { label, tasks in
            let steps = tasks.map { $0?.stepsToSolve ?? [] }
            let finals = tasks.map { $0?.finalScores ?? [] }
            let normalisedScores = tasks.map { $0?.normalisedScores ?? [] }
            return ComparedSetting(
                label: label, tasks: tasks,
                stepsToSolve: steps.map { CompareStatistics.iqm([$0], resamples: resamples) },
                finalScore: finals.map { CompareStatistics.iqm([$0], resamples: resamples) },
                allStepsToSolve: CompareStatistics.iqm(steps, resamples: resamples),
                allNormalisedScore: CompareStatistics.iqm(normalisedScores, resamples: resamples),
                profile: CompareStatistics.performanceProfileEstimate(normalisedScores, taus: taus, resamples: resamples))
        }
        self.settings = settings
        var pairs: [ComparedPair] = []
        for i in settings.indices {
            for j in settings.indices where j > i {
                let a = settings[i], b = settings[j]
                func common(_ scores: (ComparedTask) -> [Double]) -> (x: [[Double]], y: [[Double]], tasks: [EnvironmentID]) {
                    var x: [[Double]] = [], y: [[Double]] = [], shared: [EnvironmentID] = []
                    for (k, env) in tasks.enumerated() {
                        guard let p = a.tasks[k], let q = b.tasks[k], !scores(p).isEmpty, !scores(q).isEmpty else { continue }
                        x.append(scores(p)); y.append(scores(q)); shared.append(env)
                    }
                    return (x, y, shared)
                }
                let final = common(\.finalScores)
                // Fewer steps is better: P(−steps of X > −steps of Y).
                let steps = common { $0.stepsToSolve.map { -$0 } }
                pairs.append(ComparedPair(
                    x: a.label, y: b.label, tasks: Array(Set(final.tasks + steps.tasks)).sorted { $0.rawValue < $1.rawValue },
                    finalScore: final.x.isEmpty ? nil : CompareStatistics.probabilityOfImprovementEstimate(final.x, final.y, resamples: resamples),
                    solvesSooner: steps.x.isEmpty ? nil : CompareStatistics.probabilityOfImprovementEstimate(steps.x, steps.y, resamples: resamples)))
            }
        }
        self.pairs = pairs
    }

    /// The content of compare.json.
    public var json: JSONValue {
        func estimate(_ e: Estimate?) -> JSONValue {
            guard let e else { return .null }
            return .object([("iqm", .number(e.value)), ("ci95", .array([.number(e.lower), .number(e.upper)]))])
        }
        func probability(_ e: Estimate?) -> JSONValue {
            guard let e else { return .null }
            return .object([("p", .number(e.value)), ("ci95", .array([.number(e.lower), .number(e.upper)]))])
        }
        let settingObjects: [JSONValue] = settings.map { s in
            .object([
                ("label", .string(s.label)),
                ("tasks", .array(tasks.indices.compactMap { k -> JSONValue? in
                    guard let t = s.tasks[k] else { return nil }
                    let normalised: JSONValue = t.normalisedScores.map { CompareStatistics.iqm([$0], resamples: resamples) }.map(estimate) ?? .null
                    return .object([
                        ("env", .string(t.env.rawValue)), ("observation", .string(t.observation.rawValue)), ("folder", .string(t.folder)),
                        ("runs", .int(t.runs)), ("unfinished", .int(t.unfinished)), ("solved", .int(t.solved)), ("budget", .int(t.budget)),
                        ("steps_to_solve", estimate(s.stepsToSolve[k])), ("final_score", estimate(s.finalScore[k])),
                        ("normalised_final_score", normalised),
                    ])
                })),
                ("all_tasks", .object([
                    ("steps_to_solve", estimate(s.allStepsToSolve)),
                    ("normalised_final_score", estimate(s.allNormalisedScore)),
                ])),
            ])
        }
        let description = "iqm = scipy.stats.trim_mean(x, 0.25) of the runs of every task together; ci95 = percentile interval of a stratified bootstrap (the runs of each task resampled with replacement, \(resamples) resamples, xoshiro256** seed \(SweepStatistics.bootstrapSeed)); steps_to_solve counts an unsolved run as its budget; final_score is the final evaluation's mean return; normalised as in \"normalisation\"; probability_of_improvement p = mean over the tasks both settings have of P(x > y) + 0.5 P(x = y) over every pair of runs, the runs of x and of y resampled independently within each task; performance_profile = mean over tasks of the fraction of runs whose normalised final score is above tau"
        return .object([
            ("statistics", .string(description)),
            ("tasks", .array(tasks.map { .string($0.rawValue) })),
            ("normalisation", .object(tasks.map { env in
                (env.rawValue, ScoreNormalisation(env).map { .string($0.formula) } ?? .string("none: \(env.isAtari ? "no published random and human scores for this game" : "no finite threshold"); left out of the normalised statistics"))
            })),
            ("settings", .array(settingObjects)),
            ("probability_of_improvement", .array(pairs.map { p in
                .object([("x", .string(p.x)), ("y", .string(p.y)), ("tasks", .array(p.tasks.map { .string($0.rawValue) })),
                         ("higher_final_score", probability(p.finalScore)), ("fewer_steps_to_solve", probability(p.solvesSooner))])
            })),
            ("performance_profile", .object([
                ("tau", .array(taus.map { .number($0) })),
                ("settings", .array(settings.map { s in
                    .object([("label", .string(s.label)),
                             ("fraction", .array(s.profile.map { .number($0.value) })),
                             ("ci95_lower", .array(s.profile.map { .number($0.lower) })),
                             ("ci95_upper", .array(s.profile.map { .number($0.upper) }))])
                })),
            ])),
        ])
    }

    /// Writes compare.json and compare.png into `folder`, atomically; returns their paths.
    @discardableResult
    public func write(to folder: String) throws -> (json: String, plot: String) {
        let base = folder.count > 1 && folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        let paths = (json: base + "/compare.json", plot: base + "/compare.png")
        try AtomicFile.write(json.text, to: paths.json)
        try ComparisonPlot.draw(self).write(to: paths.plot)
        return paths
    }

    /// A few lines for the terminal.
    public var summaryLines: [String] {
        func show(_ e: Estimate?, _ format: String) -> String {
            guard let e else { return "none" }
            return "\(String(format: format, e.value)) [\(String(format: format, e.lower)), \(String(format: format, e.upper))]"
        }
        var lines = ["\(settings.count) setting\(settings.count == 1 ? "" : "s") on \(tasks.map(\.rawValue).joined(separator: ", ")); IQM [95% CI]:"]
        for s in settings {
            lines.append("  \(s.label): steps to solve \(show(s.allStepsToSolve, "%.0f")), normalised final score \(show(s.allNormalisedScore, "%.2f"))")
        }
        for p in pairs {
            lines.append("  P(\(p.x) > \(p.y)): final score \(show(p.finalScore, "%.2f")), fewer steps to solve \(show(p.solvesSooner, "%.2f"))")
        }
        return lines
    }
}

/// Where --compare may write.
public enum ComparisonFolder {
    /// The entries of `target` other than compare.json, compare.png, temporary files and the
    /// compared folders themselves (a folder holding the settings' sweeps), unless `target` is one
    /// of the compared folders (nothing when it does not exist).
    public static func foreignEntries(_ target: String, compared: [String]) -> [String] {
        func standard(_ p: String) -> String { URL(fileURLWithPath: p).standardizedFileURL.path }
        let comparedPaths = Set(compared.map(standard))
        if comparedPaths.contains(standard(target)) { return [] }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: target) else { return [] }
        return names.sorted().filter { name in
            !["compare.json", "compare.png"].contains(name) && !AtomicFile.isTemporaryName(name)
                && !comparedPaths.contains(standard(target + "/" + name))
        }.map { target + "/" + $0 }
    }
}
