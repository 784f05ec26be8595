// What a training run writes to TensorBoard, under CleanRL's tag names: per episode the return,
// length, ε, steps/s and the episode's mean loss and max-Q (the values of metrics.csv's episode
// rows and timing.csv), per evaluation its mean and std, and the hyperparameters once.
import Foundation

extension TensorBoardWriter {
    /// Tags of an episode row, in CleanRL's names.
    public static let episodeTags = ["charts/episodic_return", "charts/episodic_length", "charts/epsilon",
                                     "charts/SPS", "losses/td_loss", "losses/q_values"]
    /// Tags of a periodic or final evaluation row ("eval" in metrics.csv).
    public static let evaluationTags = ["eval/mean_return", "eval/std_return"]
    /// Tags of a confirmation row ("confirm" in metrics.csv: 100 episodes run when a periodic
    /// evaluation reaches the threshold, at the same step as that evaluation).
    public static let confirmationTags = ["eval/confirm_mean_return", "eval/confirm_std_return"]
    /// The text summary's tag: PyTorch's `add_text("hyperparameters", ...)`, which CleanRL calls,
    /// stores it under this name, so runs of both sit side by side in TensorBoard's text tab.
    public static let hyperparametersTag = "hyperparameters/text_summary"

    /// One episode row (its step is the env step at which the episode ended); no SPS point when
    /// `stepsPerSecond` is nil.
    public func log(episode r: EpisodeRecord, stepsPerSecond: Double?) {
        var values: [(tag: String, value: Double)] = [("charts/episodic_return", r.episodeReturn),
                                                      ("charts/episodic_length", Double(r.length)), ("charts/epsilon", r.epsilon)]
        if let stepsPerSecond { values.append(("charts/SPS", stepsPerSecond)) }
        values += [("losses/td_loss", r.meanLoss), ("losses/q_values", r.meanMaxQ)]
        append(TensorBoardEvent.scalars(values, step: r.step, wallTime: TensorBoardWriter.now()))
    }

    /// One evaluation or confirmation row.
    public func log(evaluation r: EvalRecord) {
        let tags = r.confirmation ? TensorBoardWriter.confirmationTags : TensorBoardWriter.evaluationTags
        append(TensorBoardEvent.scalars([(tags[0], r.stats.mean), (tags[1], r.stats.std)],
                                        step: r.step, wallTime: TensorBoardWriter.now()))
    }

    /// The configuration as CleanRL's Markdown table (|param|value|), config.json's fields in
    /// its key order, at step 0.
    public func log(hyperparameters config: TrainingConfig) throws {
        append(TensorBoardEvent.text(tag: TensorBoardWriter.hyperparametersTag, try TensorBoardWriter.markdownTable(config),
                                     step: 0, wallTime: TensorBoardWriter.now()))
    }

    /// A resumed run, continuing after env step `step` with `kept`: the rows of metrics.csv and
    /// timing.csv up to that step. Earlier files may hold points past it (a run killed after
    /// its last checkpoint), which must not show. TensorBoard's Python reader drops every point
    /// at or after the step of a SessionLog START; its data server (`tensorboard --logdir`'s
    /// default) ignores SessionLog and instead lets a new point of a tag drop that tag's points at
    /// or after its step. So the START names the step of the oldest of the last kept episode,
    /// evaluation and confirmation rows (at most `step` + 1), and the kept rows from that step on
    /// are written again: both readers are left with exactly the kept rows, except that the data
    /// server keeps points past `step` of a kind that has no kept row at all (a confirmation of
    /// the killed process when none came before the checkpoint).
    public func log(resumeAfter step: Int, kept metrics: MetricsLog) {
        let lastRows = [metrics.episodes.last?.step, metrics.evaluations.last { !$0.confirmation }?.step,
                        metrics.evaluations.last { $0.confirmation }?.step].compactMap { $0 }
        let start = min(lastRows.min() ?? step + 1, step + 1)
        append(TensorBoardEvent.sessionStart(step: start, wallTime: TensorBoardWriter.now()))
        var rates: [Int: Double] = [:]
        for t in metrics.timing { rates[t.step] = t.stepsPerSecond }
        for r in metrics.episodes where r.step >= start { log(episode: r, stepsPerSecond: rates[r.step]) }
        for r in metrics.evaluations where r.step >= start { log(evaluation: r) }
    }

    /// "|param|value|\n|-|-|\n|batchSize|32|..." from config.json's encoding, keys sorted.
    static func markdownTable(_ config: TrainingConfig) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let fields = try JSONDecoder().decode([String: ConfigScalar].self, from: encoder.encode(config))
        let rows = fields.sorted { $0.key < $1.key }.map { "|\($0.key)|\($0.value.text)|" }
        return "|param|value|\n|-|-|\n" + rows.joined(separator: "\n")
    }
}

/// A scalar of config.json (every field is one), printed as JSON prints it.
struct ConfigScalar: Decodable {
    let text: String
    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) { text = "\(b)" }
        else if let i = try? c.decode(Int64.self) { text = "\(i)" }
        else if let u = try? c.decode(UInt64.self) { text = "\(u)" }
        else if let d = try? c.decode(Double.self) { text = "\(d)" }
        else { text = try c.decode(String.self) }
    }
}
