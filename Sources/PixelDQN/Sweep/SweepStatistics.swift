// The statistics a sweep reports, as rliable reports them for one task (Agarwal et al. 2021,
// "Deep RL at the Edge of the Statistical Precipice"): the median, the interquartile mean (IQM)
// and a percentile-bootstrap 95 % confidence interval of the IQM. Plain scalar code over [Double].

/// The median, the IQM and the 95 % bootstrap interval of the IQM of a set of per-seed scores.
public struct IntervalEstimate: Equatable, Sendable {
    public var count: Int
    public var median: Double
    public var iqm: Double
    public var lower: Double
    public var upper: Double

    /// The estimate for `scores`; nil when there are none.
    public init?(_ scores: [Double], resamples: Int = SweepStatistics.resamples, seed: UInt64 = SweepStatistics.bootstrapSeed) {
        guard !scores.isEmpty else { return nil }
        count = scores.count
        median = SweepStatistics.median(scores)
        iqm = SweepStatistics.interquartileMean(scores)
        (lower, upper) = SweepStatistics.bootstrapInterval(scores, resamples: resamples, seed: seed)
    }
}

public enum SweepStatistics {
    /// Bootstrap resamples per interval.
    public static let resamples = 2000
    /// Every interval starts a fresh generator from this seed, so a number depends only on the
    /// scores it summarizes (not on what was computed before it) and repeats exactly.
    public static let bootstrapSeed: UInt64 = 0
    /// The interval's coverage.
    public static let confidence = 0.95

    /// The middle value (the mean of the two middle values for an even count).
    public static func median(_ x: [Double]) -> Double {
        precondition(!x.isEmpty, "median of no values")
        let s = x.sorted()
        let n = s.count
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
    }

    /// The interquartile mean: the mean of the values left after removing the lowest and the
    /// highest ⌊n/4⌋, exactly `scipy.stats.trim_mean(x, 0.25)`, which rliable calls the IQM
    /// (for n < 4 nothing is removed and it is the plain mean).
    public static func interquartileMean(_ x: [Double]) -> Double {
        precondition(!x.isEmpty, "interquartile mean of no values")
        let s = x.sorted()
        let cut = s.count / 4
        let middle = s[cut..<(s.count - cut)]
        return middle.reduce(0, +) / Double(middle.count)
    }

    /// The `p`-th percentile (0...100) of sorted values with linear interpolation between the
    /// closest ranks: NumPy's default `np.percentile`, which rliable's percentile interval uses.
    public static func percentile(sorted s: [Double], _ p: Double) -> Double {
        precondition(!s.isEmpty && p >= 0 && p <= 100, "percentile \(p) of \(s.count) values")
        let position = p / 100 * Double(s.count - 1)
        let i = Int(position.rounded(.down))
        if i + 1 >= s.count { return s[s.count - 1] }
        let f = position - Double(i)
        return s[i] + (s[i + 1] - s[i]) * f
    }

    /// The percentile-bootstrap interval of the IQM. With one task, rliable's stratified bootstrap
    /// resamples the seeds with replacement: each resample draws n scores from the n given,
    /// takes their IQM, and the interval is the 2.5th and 97.5th percentiles of those IQMs.
    public static func bootstrapInterval(_ x: [Double], resamples: Int = resamples, seed: UInt64 = bootstrapSeed)
        -> (lower: Double, upper: Double)
    {
        precondition(!x.isEmpty && resamples > 0, "bootstrap of \(x.count) values, \(resamples) resamples")
        // Sorted first, so the interval depends on the scores, not on the order the runs were read in.
        let x = x.sorted()
        var rng = Xoshiro256(seed: seed)
        var sample = [Double](repeating: 0, count: x.count)
        var statistics = [Double]()
        statistics.reserveCapacity(resamples)
        for _ in 0..<resamples {
            for j in sample.indices { sample[j] = x[rng.nextIndex(below: x.count)] }
            statistics.append(interquartileMean(sample))
        }
        statistics.sort()
        let tail = (1 - confidence) / 2 * 100
        return (percentile(sorted: statistics, tail), percentile(sorted: statistics, 100 - tail))
    }
}
