// What a run records: one row per episode and per evaluation in metrics.csv (deterministic: the
// same seed and options give the same bytes), and wall-clock figures in timing.csv (which differ
// from run to run and so are kept apart).
import Foundation

/// Summary statistics of a set of evaluation returns.
public struct EvalStats: Codable, Equatable, Sendable {
    public var episodes: Int
    public var mean: Double
    public var std: Double
    public var min: Double
    public var max: Double
    public var returns: [Double]

    public init(episodes: Int, mean: Double, std: Double, min: Double, max: Double) {
        self.episodes = episodes; self.mean = mean; self.std = std; self.min = min; self.max = max; returns = []
    }

    public init(returns: [Double]) {
        precondition(!returns.isEmpty, "EvalStats: no episodes")
        self.returns = returns
        episodes = returns.count
        let m = returns.reduce(0, +) / Double(returns.count)
        mean = m
        // Population standard deviation (NumPy's default, as CleanRL and SB3 report it).
        std = (returns.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(returns.count)).squareRoot()
        min = returns.min() ?? 0
        max = returns.max() ?? 0
    }
}

public struct EpisodeRecord: Equatable, Sendable {
    public var step: Int
    public var episode: Int
    public var episodeReturn: Double
    public var length: Int
    public var epsilon: Double
    public var meanLoss: Double
    public var meanMaxQ: Double
}

public struct EvalRecord: Equatable, Sendable {
    public var step: Int
    public var stats: EvalStats
    /// A confirmation evaluation (the final evaluation's episodes, run when a periodic one reaches
    /// the threshold): the row kind "confirm" instead of "eval".
    public var confirmation = false

    public init(step: Int, stats: EvalStats, confirmation: Bool = false) {
        self.step = step; self.stats = stats; self.confirmation = confirmation
    }
}

/// The rows of metrics.csv and timing.csv, kept in memory and rewritten atomically.
public struct MetricsLog: Sendable {
    public var episodes: [EpisodeRecord] = []
    public var evaluations: [EvalRecord] = []
    /// step, episode, steps per second (recent), wall seconds since start (timing.csv).
    public var timing: [(step: Int, episode: Int, stepsPerSecond: Double, wallSeconds: Double)] = []

    public init() {}

    public static let header = "kind,step,episode,return,length,epsilon,mean_loss,mean_max_q,eval_mean,eval_std,eval_min,eval_max"

    private static func f(_ x: Double) -> String { String(format: "%.6f", x) }

    /// metrics.csv: episode and evaluation rows in step order (an evaluation at step s comes after
    /// the episodes that ended by s).
    public var csv: String {
        var lines = [MetricsLog.header]
        var e = 0
        func flushEpisodes(upTo step: Int) {
            while e < episodes.count && episodes[e].step <= step {
                let r = episodes[e]
                lines.append("episode,\(r.step),\(r.episode),\(MetricsLog.f(r.episodeReturn)),\(r.length),\(MetricsLog.f(r.epsilon)),\(MetricsLog.f(r.meanLoss)),\(MetricsLog.f(r.meanMaxQ)),,,,")
                e += 1
            }
        }
        for v in evaluations {
            flushEpisodes(upTo: v.step)
            let s = v.stats
            lines.append("\(v.confirmation ? "confirm" : "eval"),\(v.step),,,,,,,\(MetricsLog.f(s.mean)),\(MetricsLog.f(s.std)),\(MetricsLog.f(s.min)),\(MetricsLog.f(s.max))")
        }
        flushEpisodes(upTo: Int.max)
        return lines.joined(separator: "\n") + "\n"
    }

    public var timingCSV: String {
        var lines = ["step,episode,steps_per_s,wall_s"]
        for t in timing { lines.append("\(t.step),\(t.episode),\(String(format: "%.1f", t.stepsPerSecond)),\(String(format: "%.3f", t.wallSeconds))") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Reads metrics.csv back (for resuming and plotting), checking the header and every row: its
    /// kind, field count, which fields are empty, every number (finite and in its range: ε in
    /// [0, 1], a return within its length, an evaluation's min ≤ mean ≤ max), steps in order and
    /// episodes numbered 0, 1, 2, … The error names the file, the line, the field and the value.
    /// `env` sets the range of a return (CartPole's are positive, the others' negative);
    /// `frameSkip` the env steps of each agent step counted in an episode's length.
    public static func parse(_ text: String, path: String, env: EnvironmentID = .cartPoleV1, frameSkip: Int = 1) throws -> MetricsLog {
        var log = MetricsLog()
        // Blank lines are skipped, but each row keeps its line number in the file for messages.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().filter { !$0.element.isEmpty }
        guard let first = lines.first, first.element == header else {
            throw FileError(path: path, problem: "not a pixel-dqn metrics file (header expected: \(header))")
        }
        var lastStep = 0
        for (n, line) in lines.dropFirst() {
            let c = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            func bad(_ what: String) -> FileError { FileError(path: path, problem: "line \(n + 1): \(what)") }
            guard c.count == 12 else { throw bad("expected 12 fields, found \(c.count)") }
            func int(_ i: Int, _ name: String, _ range: ClosedRange<Int>) throws -> Int {
                guard let v = Int(c[i]), range.contains(v) else {
                    throw bad("\(name) is \"\(c[i])\", expected an integer from \(range.lowerBound) to \(range.upperBound)")
                }
                return v
            }
            func number(_ i: Int, _ name: String, _ range: ClosedRange<Double> = -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude) throws -> Double {
                guard let v = Double(c[i]), v.isFinite, range.contains(v) else {
                    throw bad("\(name) is \"\(c[i])\", expected a finite number\(range.lowerBound > -Double.greatestFiniteMagnitude ? " in [\(range.lowerBound), \(range.upperBound)]" : "")")
                }
                return v
            }
            func empty(_ fields: Range<Int>, _ kind: String) throws {
                if let i = fields.first(where: { !c[$0].isEmpty }) { throw bad("field \(i + 1) of a\(kind == "episode" ? "n" : "") \(kind) row is \"\(c[i])\", expected it empty") }
            }
            let step = try int(1, "step", 1...TrainingConfig.maximumSteps)
            if step < lastStep { throw bad("step \(step) comes after step \(lastStep); expected rows in step order") }
            lastStep = step
            if c[0] == "episode" {
                try empty(8..<12, "episode")
                let ep = try int(2, "episode", 0...Int.max)
                guard ep == log.episodes.count else { throw bad("episode \(ep), expected \(log.episodes.count) (episodes are numbered 0, 1, 2, … in order)") }
                if let previous = log.episodes.last, previous.step >= step {
                    throw bad("episode \(ep) ends at step \(step), not after episode \(ep - 1) (step \(previous.step))")
                }
                let len = try int(4, "length", 1...step)
                let ret = try number(3, "return", env.returnRange(agentSteps: len, frameSkip: frameSkip))
                let eps = try number(5, "epsilon", 0...1)
                let loss = try number(6, "mean loss", 0...Double.greatestFiniteMagnitude)
                let q = try number(7, "mean max-Q")
                log.episodes.append(EpisodeRecord(step: step, episode: ep, episodeReturn: ret, length: len, epsilon: eps, meanLoss: loss, meanMaxQ: q))
            } else if c[0] == "eval" || c[0] == "confirm" {
                try empty(2..<8, c[0])
                let possible = env.returnRange(steps: env.maxEpisodeSteps)
                let mean = try number(8, "eval_mean"), std = try number(9, "eval_std", 0...(possible.upperBound - possible.lowerBound))
                let lo = try number(10, "eval_min"), hi = try number(11, "eval_max")
                // Each is printed with 6 decimals: allow that rounding between them.
                guard lo <= mean + 1e-5, mean <= hi + 1e-5, lo >= possible.lowerBound, hi <= possible.upperBound else {
                    let bounds = "\(Int(possible.lowerBound)) ≤ min ≤ mean ≤ max ≤ \(Int(possible.upperBound)) (\(env.rawValue)'s returns)"
                    throw bad("evaluation min \(c[10]), mean \(c[8]), max \(c[11]): expected \(bounds)")
                }
                log.evaluations.append(EvalRecord(step: step, stats: EvalStats(episodes: 0, mean: mean, std: std, min: lo, max: hi),
                                                  confirmation: c[0] == "confirm"))
            } else {
                throw bad("unknown row kind \"\(c[0])\", expected episode, eval or confirm")
            }
        }
        return log
    }

    /// The timing.csv header.
    public static let timingHeader = "step,episode,steps_per_s,wall_s"

    /// Reads timing.csv back (for resuming): the header, then rows of step ≥ 1, episode ≥ 0 and
    /// finite, non-negative speed and wall time, in step order.
    public static func parseTiming(_ text: String, path: String) throws -> [(step: Int, episode: Int, stepsPerSecond: Double, wallSeconds: Double)] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().filter { !$0.element.isEmpty }
        guard let first = lines.first, first.element == timingHeader else {
            throw FileError(path: path, problem: "not a pixel-dqn timing file (header expected: \(timingHeader))")
        }
        var rows: [(step: Int, episode: Int, stepsPerSecond: Double, wallSeconds: Double)] = []
        for (index, line) in lines.dropFirst() {
            let n = index - 1
            let c = line.split(separator: ",", omittingEmptySubsequences: false)
            let last = rows.last
            guard c.count == 4, let s = Int(c[0]), (max(1, last?.step ?? 0)...TrainingConfig.maximumSteps).contains(s),
                  let e = Int(c[1]), ((last?.episode ?? 0)...s).contains(e),
                  let r = Double(c[2]), (0...1e9).contains(r), let w = Double(c[3]), ((last?.wallSeconds ?? 0)...1e12).contains(w) else {
                throw FileError(path: path, problem: "line \(n + 2): \"\(line)\", expected step (1 to \(TrainingConfig.maximumSteps), in order), episode (0 to the step, in order), steps/s (0 to 1e9) and wall seconds (up to 1e12, in order)")
            }
            rows.append((s, e, r, w))
        }
        return rows
    }

    /// The first `count` rows of metrics.csv text (every row when nil), a 64-bit FNV-1a hash of
    /// those lines, and the text of the header and those rows: what a checkpoint records (its
    /// rows are the whole file when it is written), so that a resumed run can tell its committed
    /// rows from truncated, edited or another run's, and drop the rows written after them.
    /// Blank lines are skipped, as `parse` skips them.
    public static func digest(text: String, firstRows count: Int? = nil) -> (rows: Int, hash: UInt64, text: String) {
        var rows = 0
        var hash = Checksum()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard let head = lines.first else { return (0, hash.value, "") }
        var kept = String(head) + "\n"
        for line in lines.dropFirst() {
            if let count, rows >= count { break }
            rows += 1
            hash.add(Array(line.utf8) + [10])
            kept += line + "\n"
        }
        return (rows, hash.value, kept)
    }
}

extension MetricsLog {
    /// Where a run whose evaluations stopped improving shows it: the step since which the best
    /// periodic evaluation has risen by less than a tenth of its distance to the threshold, when
    /// that stretch is at least a fifth of the run (and three evaluations) long and no evaluation
    /// has reached the threshold; nil otherwise. (A run creeping from 170 to 200 on CartPole-v1's
    /// 475 over 15,000 of 75,000 steps is stalled; one climbing from 170 to 300 is not.)
    public func stalledSince(threshold: Double, totalTimesteps: Int) -> Int? {
        let periodic = evaluations.filter { !$0.confirmation }
        guard threshold.isFinite, let last = periodic.last, periodic.count >= 3,
              !periodic.contains(where: { $0.stats.mean >= threshold }) else { return nil }
        let window = max(totalTimesteps / 5, 1)
        let best = periodic.map(\.stats.mean).max()!
        // The earliest evaluation from which the stretch to the last one shows the stall (a later
        // start has a higher best before it, so once one shows it, the later ones do too).
        for start in periodic where last.step - start.step >= window {
            let before = periodic.filter { $0.step <= start.step }.map(\.stats.mean).max()!
            let stretch = periodic.filter { $0.step >= start.step }.count
            if stretch >= 3 && best - before < 0.1 * (threshold - before) { return start.step }
        }
        return nil
    }
}
