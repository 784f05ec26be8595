// The statistics of a comparison across settings and tasks, as Agarwal et al. (2021, "Deep RL at
// the Edge of the Statistical Precipice") define them: the IQM of the runs of all tasks together
// with its stratified bootstrap interval (runs resampled with replacement within each task), the
// probability of improvement P(X > Y) with its bootstrap interval, and the performance profile
// (the fraction of runs above each score τ). Scores come as `[[Double]]`: one list of run scores
// per task, the tasks in the same order for every setting. Each interval starts a fresh
// xoshiro256** generator from a fixed seed, so a number depends only on the scores it summarizes.

/// A point estimate with its 95 % percentile-bootstrap interval.
public struct Estimate: Equatable, Sendable {
    public var value: Double
    public var lower: Double
    public var upper: Double
    public init(value: Double, lower: Double, upper: Double) { self.value = value; self.lower = lower; self.upper = upper }
}

public enum CompareStatistics {
    /// The percentile interval of `statistic` over `resamples` stratified bootstrap draws of
    /// `scores`: in each draw, every task's runs are replaced by as many runs drawn from that
    /// task's with replacement. Each task's scores are sorted first (the order runs were read in
    /// does not matter); the tasks are drawn in the order given.
    public static func stratifiedBootstrap(_ scores: [[Double]], resamples: Int = SweepStatistics.resamples,
                                           seed: UInt64 = SweepStatistics.bootstrapSeed,
                                           _ statistic: ([[Double]]) -> Double) -> (lower: Double, upper: Double) {
        precondition(resamples > 0 && !scores.isEmpty && scores.allSatisfy { !$0.isEmpty }, "stratified bootstrap of empty tasks")
        let sorted = scores.map { $0.sorted() }
        var rng = Xoshiro256(seed: seed)
        var sample = sorted
        var values: [Double] = []
        values.reserveCapacity(resamples)
        for _ in 0..<resamples {
            for t in sorted.indices {
                for j in sorted[t].indices { sample[t][j] = sorted[t][rng.nextIndex(below: sorted[t].count)] }
            }
            values.append(statistic(sample))
        }
        return percentileInterval(values)
    }

    /// The 2.5th and 97.5th percentiles (NumPy's linear interpolation) of `values`.
    static func percentileInterval(_ values: [Double]) -> (lower: Double, upper: Double) {
        let s = values.sorted()
        let tail = (1 - SweepStatistics.confidence) / 2 * 100
        return (SweepStatistics.percentile(sorted: s, tail), SweepStatistics.percentile(sorted: s, 100 - tail))
    }

    /// The IQM of every run of every task together (rliable's `aggregate_iqm`: the trimmed mean
    /// of the flattened runs × tasks scores).
    public static func pooledIQM(_ scores: [[Double]]) -> Double {
        SweepStatistics.interquartileMean(scores.flatMap { $0 })
    }

    /// The pooled IQM and its stratified bootstrap interval; nil when there are no scores.
    public static func iqm(_ scores: [[Double]], resamples: Int = SweepStatistics.resamples,
                           seed: UInt64 = SweepStatistics.bootstrapSeed) -> Estimate? {
        let tasks = scores.filter { !$0.isEmpty }
        guard !tasks.isEmpty else { return nil }
        let (lower, upper) = stratifiedBootstrap(tasks, resamples: resamples, seed: seed, pooledIQM)
        return Estimate(value: pooledIQM(tasks), lower: lower, upper: upper)
    }

    /// P(X > Y): for each task, the mean over every pair of a run x of X and a run y of Y of 1
    /// when x > y, ½ when x = y and 0 when x < y (the Mann–Whitney U statistic over N·M); then
    /// the mean over the tasks. `x` and `y` hold the same tasks in the same order, none empty.
    public static func probabilityOfImprovement(_ x: [[Double]], _ y: [[Double]]) -> Double {
        precondition(x.count == y.count && !x.isEmpty, "probability of improvement over \(x.count) and \(y.count) tasks")
        var total = 0.0
        for (a, b) in zip(x, y) {
            precondition(!a.isEmpty && !b.isEmpty, "probability of improvement of a task without runs")
            var wins = 0.0
            for u in a { for v in b { wins += u > v ? 1 : (u == v ? 0.5 : 0) } }
            total += wins / Double(a.count * b.count)
        }
        return total / Double(x.count)
    }

    /// P(X > Y) and its bootstrap interval: in each draw the runs of X and the runs of Y are
    /// resampled with replacement within each task, independently of each other.
    public static func probabilityOfImprovementEstimate(_ x: [[Double]], _ y: [[Double]], resamples: Int = SweepStatistics.resamples,
                                                        seed: UInt64 = SweepStatistics.bootstrapSeed) -> Estimate {
        // X's and Y's tasks resampled as one stratified draw of 2·T strata: the first T are X's.
        let (lower, upper) = stratifiedBootstrap(x + y, resamples: resamples, seed: seed) { both in
            probabilityOfImprovement(Array(both[..<x.count]), Array(both[x.count...]))
        }
        return Estimate(value: probabilityOfImprovement(x, y), lower: lower, upper: upper)
    }

    /// The performance profile at each τ: over the tasks, the mean of the fraction of that task's
    /// runs whose score is above τ (each task weighs the same, however many runs it has).
    public static func performanceProfile(_ scores: [[Double]], taus: [Double]) -> [Double] {
        let tasks = scores.filter { !$0.isEmpty }
        guard !tasks.isEmpty else { return taus.map { _ in .nan } }
        return taus.map { tau in
            tasks.map { runs in Double(runs.filter { $0 > tau }.count) / Double(runs.count) }.reduce(0, +) / Double(tasks.count)
        }
    }

    /// The profile with a stratified bootstrap interval at each τ.
    public static func performanceProfileEstimate(_ scores: [[Double]], taus: [Double], resamples: Int = SweepStatistics.resamples,
                                                  seed: UInt64 = SweepStatistics.bootstrapSeed) -> [Estimate] {
        let tasks = scores.filter { !$0.isEmpty }
        guard !tasks.isEmpty else { return [] }
        // One set of draws for every τ, so the band is a band of whole profiles.
        var draws: [[Double]] = []
        draws.reserveCapacity(resamples)
        _ = stratifiedBootstrap(tasks, resamples: resamples, seed: seed) { sample in
            draws.append(performanceProfile(sample, taus: taus))
            return 0
        }
        let point = performanceProfile(tasks, taus: taus)
        return taus.indices.map { i in
            let (lower, upper) = percentileInterval(draws.map { $0[i] })
            return Estimate(value: point[i], lower: lower, upper: upper)
        }
    }

    /// `count` values evenly spaced from `lower` to `upper` inclusive (NumPy's linspace).
    public static func grid(from lower: Double, to upper: Double, count: Int) -> [Double] {
        precondition(count >= 2, "a grid of \(count) values")
        return (0..<count).map { i in i == count - 1 ? upper : lower + (upper - lower) * Double(i) / Double(count - 1) }
    }
}

/// How a task's scores are put on one scale, so that tasks can be pooled: 0 is a weak policy and
/// 1 the task's goal.
public enum ScoreNormalisation: Equatable, Sendable {
    /// score / threshold: classic tasks whose threshold is positive (CartPole: returns from 0 up).
    case byThreshold(Double)
    /// (score − lowest) / (threshold − lowest): classic tasks paying −1 per step, whose threshold
    /// is negative; `lowest` is the lowest return an episode can
    /// have (the reward's lower bound times the time limit), so 0 is an agent that never reaches
    /// the goal and 1 one at the threshold.
    case fromLowest(lowest: Double, threshold: Double)
    /// (score − random) / (human − random): Atari games, by the published random and human scores.
    case humanNormalised(random: Double, human: Double)

    /// The normalisation of `env`'s scores; nil for an Atari game without published scores here.
    public init?(_ env: EnvironmentID) {
        if let atari = env.atari {
            guard let s = atari.randomAndHumanScores else { return nil }
            self = .humanNormalised(random: s.random, human: s.human)
            return
        }
        let threshold = env.rewardThreshold
        guard threshold.isFinite else { return nil }
        if threshold > 0 { self = .byThreshold(threshold); return }
        let lowest = env.returnRange(steps: env.maxEpisodeSteps).lowerBound
        guard lowest < threshold else { return nil }
        self = .fromLowest(lowest: lowest, threshold: threshold)
    }

    public func apply(_ score: Double) -> Double {
        switch self {
        case .byThreshold(let t): return score / t
        case .fromLowest(let lowest, let t): return (score - lowest) / (t - lowest)
        case .humanNormalised(let random, let human): return (score - random) / (human - random)
        }
    }

    /// The formula with its numbers, for compare.json.
    public var formula: String {
        func n(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : "\(v)" }
        switch self {
        case .byThreshold(let t): return "score / \(n(t)) (the threshold)"
        case .fromLowest(let lowest, let t): return "(score - (\(n(lowest)))) / (\(n(t)) - (\(n(lowest)))) (lowest return to threshold)"
        case .humanNormalised(let random, let human): return "(score - \(n(random))) / (\(n(human)) - \(n(random))) (random to human)"
        }
    }
}
