// Where a training run's time goes: a lap clock that charges the time since its last lap to one
// phase of a training step (`PhaseSeconds`, written to summary.json as "seconds_by_phase").

/// Each `lap(_:)` adds the time since the previous lap to one field of `seconds`.
public struct PhaseClock: Sendable {
    public private(set) var seconds = PhaseSeconds()
    private var last: Double
    private let start: Double

    public init() {
        start = EnvironmentBenchmark.now()
        last = start
    }

    /// Charges the time since the previous lap to `phase`.
    @inline(__always)
    public mutating func lap(_ phase: WritableKeyPath<PhaseSeconds, Double>) {
        let now = EnvironmentBenchmark.now()
        seconds[keyPath: phase] += now - last
        last = now
    }

    /// The phases so far, with the time since the last lap charged to `other` and the total set.
    public mutating func finish() -> PhaseSeconds {
        lap(\.other)
        seconds.total = last - start
        return seconds
    }
}
