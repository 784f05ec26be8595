// The progress line of a training run ("step 12000/75000  ε 0.010  return(20) 180.3  eval 152.4
// 310 steps/s  ETA 3m24s") and the recent rate recorded with each episode in timing.csv.
import Foundation

/// Writes the progress line at most every `every` seconds, and measures steps per second.
public final class ProgressReporter {
    /// Receives progress lines; `live` lines overwrite each other on a terminal.
    public var report: (_ line: String, _ live: Bool) -> Void = { line, _ in print(line) }
    /// Seconds between progress lines (0 = never).
    public var every = 10.0
    private var lastLine: (step: Int, time: Double)
    private var rateWindow: (step: Int, time: Double)

    /// A reporter for a run at `step`, started (in this process) at `startTime`.
    init(step: Int, startTime: Double) {
        lastLine = (step, startTime)
        rateWindow = (step, startTime)
    }

    /// Measures from `step` at `startTime` (a resumed run's step).
    func restart(step: Int, startTime: Double) {
        lastLine = (step, startTime)
        rateWindow = (step, startTime)
    }

    /// The rate over the last five seconds or so (timing.csv's steps_per_second).
    func recentRate(step: Int) -> Double {
        let now = EnvironmentBenchmark.now()
        let rate = Double(step - rateWindow.step) / max(now - rateWindow.time, 1e-9)
        if now - rateWindow.time > 5 { rateWindow = (step, now) }
        return rate
    }

    /// The progress line, when `every` seconds have passed since the last one: the rate since
    /// that line (the first line: since this process started the run) and the time left at it.
    func progress(step: Int, of total: Int, epsilon: Double, metrics: MetricsLog, threshold: Double) {
        let now = EnvironmentBenchmark.now()
        guard every > 0, now - lastLine.time >= every else { return }
        let rate = Double(step - lastLine.step) / max(now - lastLine.time, 1e-9)
        lastLine = (step, now)
        let recent = metrics.episodes.suffix(20)
        let meanReturn = recent.isEmpty ? 0 : recent.map(\.episodeReturn).reduce(0, +) / Double(recent.count)
        let lastEval = metrics.evaluations.last.map { String(format: "%.1f", $0.stats.mean) } ?? "-"
        let eta = rate > 0 ? Double(total - step) / rate : .infinity
        let stalled = metrics.stalledSince(threshold: threshold, totalTimesteps: total).map { "  stalled since step \($0)" } ?? ""
        report(String(format: "step %d/%d  ε %.3f  return(20) %.1f  eval %@  %.0f steps/s  ETA %@%@",
                      step, total, epsilon, meanReturn, lastEval, rate, formatDuration(eta), stalled), true)
    }
}

/// "1h02m", "3m05s", "42s".
public func formatDuration(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "?" }
    let s = Int(seconds.rounded())
    if s >= 3600 { return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) }
    if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
    return "\(s)s"
}
