// `pixel-dqn plot`: redraws a run folder's returns.png from its metrics.csv and config.json.
import ArgumentParser
import Foundation
import PixelDQN

struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Redraw returns.png of a run folder from its metrics.csv.")

    @Option(name: .customLong("run"), help: "The run folder.")
    var runFolder: String
    @Option(help: "Output PNG (default: <run>/returns.png).")
    var output: String?

    func validate() throws {
        try checkPath(runFolder, option: "--run", expected: "the folder of a run")
        try checkPath(output, option: "--output", expected: "the PNG file to write, e.g. returns.png")
        try checkExtension(output, option: "--output", "png")
    }

    func run() throws {
        let folder = RunFolder(path: runFolder)
        let config = try folder.readConfig()
        let text = String(decoding: try AtomicFile.read(folder.metrics), as: UTF8.self)
        let metrics = try MetricsLog.parse(text, path: folder.metrics, env: config.env, frameSkip: config.frameSkip)
        let target = output ?? folder.returnsPlot
        try ReturnsPlot.draw(metrics, threshold: config.env.rewardThreshold, totalSteps: config.totalTimesteps, frameSkip: config.frameSkip,
                             title: "\(config.env.rawValue) from \(config.observation.rawValue), seed \(config.seed)")
            .write(to: target)
        print("wrote \(target)")
    }
}
