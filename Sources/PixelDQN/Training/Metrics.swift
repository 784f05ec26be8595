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

    /// Reads metrics.csv back (for resuming), checking the header and every row's field count.
    public static func parse(_ text: String, path: String) throws -> MetricsLog {
        var log = MetricsLog()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard let first = lines.first, first == header else {
            throw FileError(path: path, problem: "not a pixel-dqn metrics file (header expected: \(header))")
        }
        for (n, line) in lines.dropFirst().enumerated() {
            let c = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            func bad(_ what: String) -> FileError { FileError(path: path, problem: "line \(n + 2): \(what)") }
            guard c.count == 12 else { throw bad("expected 12 fields, found \(c.count)") }
            if c[0] == "episode" {
                guard let step = Int(c[1]), let ep = Int(c[2]), let ret = Double(c[3]), let len = Int(c[4]),
                      let eps = Double(c[5]), let loss = Double(c[6]), let q = Double(c[7]) else { throw bad("malformed episode row") }
                log.episodes.append(EpisodeRecord(step: step, episode: ep, episodeReturn: ret, length: len, epsilon: eps, meanLoss: loss, meanMaxQ: q))
            } else if c[0] == "eval" || c[0] == "confirm" {
                guard let step = Int(c[1]), let mean = Double(c[8]), let std = Double(c[9]), let lo = Double(c[10]), let hi = Double(c[11]) else {
                    throw bad("malformed eval row")
                }
                log.evaluations.append(EvalRecord(step: step, stats: EvalStats(episodes: 0, mean: mean, std: std, min: lo, max: hi),
                                                  confirmation: c[0] == "confirm"))
            } else {
                throw bad("unknown row kind \"\(c[0])\"")
            }
        }
        return log
    }
}
