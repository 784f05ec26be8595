// `pixel-dqn train`: wires the options to a TrainingConfig and runs the Trainer. Every option
// is optional: unset ones take the defaults of the chosen observation (pixels or state).
import ArgumentParser
import Foundation
import PixelDQN

extension ObservationKind: ExpressibleByArgument {}
extension LossKind: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}
extension AugmentKind: ExpressibleByArgument {}
extension LearningRateSchedule: ExpressibleByArgument {}

private let pixelDefaults = TrainingConfig.defaults(for: .pixels)
private let stateDefaults = TrainingConfig.defaults(for: .state)

/// The training options for `--help`, from their declarations (`TrainingConfig.options`): each
/// with its value, its help and its defaults, "(default X)" or "(default X; state Y)".
private let optionHelp: String = {
    TrainingConfig.options.map { option in
        let value: String
        switch option.kind {
        case .flag(let invertible): value = invertible ? "--[no-]" + option.name.dropFirst(2) : option.name
        case .integer, .seed: value = option.name + " <n>"
        case .number: value = option.name + " <x>"
        case .choice: value = option.name + " <" + option.field.lowercased() + ">"
        }
        let p = option.show(pixelDefaults), s = option.show(stateDefaults)
        let shown = p == s ? "(default \(p))" : "(default \(p); state \(s))"
        return "  \(value)\n        \(option.help) \(shown)\(option.resumable ? "; may change on --resume" : "")."
    }.joined(separator: "\n")
}()

/// The defaults a task other than CartPole changes, written as the options that set them
/// ("Acrobot-v1 from pixels: --total-timesteps 300000; …"), read from `TrainingConfig.defaults(for:env:)`.
private let taskDefaults: String = {
    var parts: [String] = []
    for kind in [ObservationKind.pixels, .state] {
        let base = TrainingConfig.defaults(for: kind)
        for env in EnvironmentID.classic {
            let config = TrainingConfig.defaults(for: kind, env: env)
            guard let data = try? JSONEncoder().encode(config),
                  let values = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { continue }
            let options = config.fieldsDiffering(from: base).filter { $0 != "env" }.map { field -> String in
                let name = TrainingConfig.optionNames[field] ?? field
                if isJSONBoolean(values[field]), let flag = values[field] as? Bool { return flag ? name : "--no-" + name.dropFirst(2) }
                return "\(name) \(values[field] ?? "")"
            }
            if !options.isEmpty { parts.append("\(env.rawValue) from \(kind == .pixels ? "pixels" : "the state"): \(options.joined(separator: " "))") }
        }
    }
    return parts.joined(separator: "; ")
}()

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a DQN from pixels (default) or from the state, on \(EnvironmentID.classic.map(\.rawValue).joined(separator: ", ")) or an Atari game.",
        discussion: "Writes a run folder (--output, default runs/<env>-<observation>-seed<seed>): config.json, metrics.csv (deterministic), timing.csv, returns.png, model.safetensors, best.safetensors, checkpoint.safetensors, summary.json, and TensorBoard event files (events.out.tfevents.*; tensorboard --logdir runs). Ctrl-C stops cleanly and keeps a checkpoint; --resume DIR continues. Defaults are given for pixels and, where they differ, for --observation state (the seed's setup: CartPole-v0, mlp). The other tasks change some defaults (each can still be given): \(taskDefaults).\n\nTRAINING OPTIONS:\n\(optionHelp)\n  --output <dir>\n        Run folder (default runs/<env>-<observation>-seed<seed>).\n  --resume <dir>\n        Continue the run in this folder from its checkpoint.\n  --quiet\n        Print only the end result.")

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("The options listed above under TRAINING OPTIONS.", valueName: "options"))
    var arguments: [String] = []

    /// The command line, read against `TrainingConfig.options` (each training option is declared
    /// there once) and the run folder's own options.
    struct Given {
        var options: [(option: TrainingOption, text: String)] = []
        var output: String?
        var resume: String?
        var quiet = false
    }

    /// The command line read: an unknown option, a missing value or a value of the wrong form is a
    /// ValidationError naming the option, the value and what was expected.
    var given: Given {
        get throws {
            var g = Given()
            var i = 0
            while i < arguments.count {
                let word = arguments[i]
                i += 1
                if word == "--help" || word == "-h" { throw CleanExit.helpRequest(TrainCommand.self) }
                if word == "--version" { throw CleanExit.message(pixelDQNVersion) }
                var name = word, inline: String?
                if word.hasPrefix("--"), let eq = word.firstIndex(of: "=") {
                    name = String(word[..<eq]); inline = String(word[word.index(after: eq)...])
                }
                func value() throws -> String {
                    if let inline { return inline }
                    guard i < arguments.count else { throw ValidationError("Missing value for '\(name) <value>'") }
                    defer { i += 1 }
                    return arguments[i]
                }
                switch name {
                case "--output": g.output = try value()
                case "--resume": g.resume = try value()
                case "--quiet":
                    if inline != nil { throw ValidationError("--quiet takes no value, got \(word)") }
                    g.quiet = true
                default:
                    let negated = name.hasPrefix("--no-") ? "--" + name.dropFirst(5) : nil
                    if let option = TrainingConfig.options.first(where: { $0.name == name }) {
                        if case .flag = option.kind {
                            if inline != nil { throw ValidationError("\(name) takes no value, got \(word)") }
                            g.options.append((option, "true"))
                        } else {
                            let text = try value()
                            var probe = TrainingConfig()
                            do { try option.apply(text, to: &probe) } catch let e as OptionValueError {
                                throw ValidationError("\(name): expected \(e.expected), got \(text)")
                            }
                            g.options.append((option, text))
                        }
                    } else if let negated, let option = TrainingConfig.options.first(where: { $0.name == negated }),
                              option.kind == .flag(invertible: true) {
                        if inline != nil { throw ValidationError("\(name) takes no value, got \(word)") }
                        g.options.append((option, "false"))
                    } else {
                        throw ValidationError("Unknown option '\(word)'")
                    }
                }
            }
            return g
        }
    }

    var output: String? { (try? given)?.output }
    var resume: String? { (try? given)?.resume }
    var quiet: Bool { (try? given)?.quiet ?? false }
    /// --threads when given.
    var threads: Int? {
        guard let text = (try? given)?.options.last(where: { $0.option.field == "threads" })?.text else { return nil }
        var c = TrainingConfig()
        try? TrainingConfig.option(field: "threads")?.apply(text, to: &c)
        return c.threads
    }

    /// Every training option given on the command line: its config.json field and how it sets it.
    private var givenOptions: [(field: String, apply: (inout TrainingConfig) -> Void)] {
        ((try? given)?.options ?? []).map { option, text in (option.field, { try? option.apply(text, to: &$0) }) }
    }

    /// The options over the chosen observation's defaults.
    func makeConfig() -> TrainingConfig {
        var probe = TrainingConfig()
        for option in givenOptions where option.field == "observation" || option.field == "env" { option.apply(&probe) }
        let observation = givenOptions.contains { $0.field == "observation" } ? probe.observation : .pixels
        var c = TrainingConfig.defaults(for: observation, env: givenOptions.contains { $0.field == "env" } ? probe.env : nil)
        for option in givenOptions { option.apply(&c) }
        return c
    }

    func validate() throws {
        let given = try given
        // A new run's configuration, built once for the checks below.
        let config = given.resume == nil ? makeConfig() : nil
        if let config, let pad = given.options.last(where: { $0.option.field == "augmentPad" }), config.augment == .none {
            throw ValidationError("--augment-pad \(pad.text): has an effect only with --augment shift; expected --augment shift with it, or no --augment-pad")
        }
        // A --learning-starts given at or beyond the run's length would never let it learn. (A
        // default beyond a short --total-timesteps is a run of random play, which tests use.)
        if let config, given.options.contains(where: { $0.option.field == "learningStarts" }), config.learningStarts >= config.totalTimesteps {
            throw ValidationError("--learning-starts: expected fewer than --total-timesteps (\(config.totalTimesteps)), or the run never learns, got \(config.learningStarts)")
        }
        try checkPath(given.output, option: "--output", expected: "a folder for the run")
        guard let dir = given.resume else {
            do { try config?.validate() } catch let e as ConfigError { throw ValidationError(e.message) }
            return
        }
        if output != nil { throw ValidationError("--resume DIR continues the run in DIR; do not pass --output with it") }
        if dir.isEmpty { throw ValidationError("--resume: expected the folder of a run, got an empty path") }
        // A resumed run is the run config.json describes: only its length, threads, evaluations and
        // checkpoints may change (`TrainingConfig.resumableFields`), and those are written to config.json.
        if let fixed = givenOptions.first(where: { !TrainingConfig.resumableFields.contains($0.field) }) {
            let option = TrainingConfig.optionNames[fixed.field] ?? fixed.field
            let allowed = TrainingConfig.resumableFields.compactMap { TrainingConfig.optionNames[$0] }
            throw ValidationError("\(option) cannot be given with --resume: a resumed run continues the run its config.json describes. With --resume only \(allowed.joined(separator: ", ")) may change; to train with other settings, start a new run with another --output")
        }
        // Each value in its range before the folder is touched (their cross-checks come with config.json).
        var probe = TrainingConfig.defaults(for: .state)
        for option in givenOptions { option.apply(&probe) }
        do { try probe.validate() } catch let e as ConfigError { throw ValidationError(e.message) }
    }

    func run() throws {
        StopSignal.install()
        let result: TrainingResult, folder: RunFolder, config: TrainingConfig
        if let dir = resume {
            guard let prepared = try prepareResume(dir) else { return }
            (folder, config, result) = prepared
        } else {
            config = makeConfig()
            folder = RunFolder(path: output ?? RunFolder.defaultPath(for: config))
            let lock = try folder.prepareNew()
            try folder.writeConfig(config)
            guard let trained = try train(config, folder, resume: false, lock: lock, prepared: nil) else { return }
            result = trained
        }
        var line = "\(result.interrupted ? "stopped" : "finished") after \(result.steps) steps, \(result.episodes) episodes, \(formatDuration(result.wallSeconds))"
        if let e = result.finalEvaluation {
            line += String(format: "; final evaluation over %d episodes: %.1f ± %.1f", e.episodes, e.mean, e.std)
        }
        if let e = result.bestModelEvaluation {
            line += String(format: "; best model: %.1f ± %.1f", e.mean, e.std)
        }
        let threshold = config.env.rewardThreshold.isFinite ? "\(Int(config.env.rewardThreshold))" : "∞"
        if result.firstReachedStep >= 0 {
            line += "; first \(config.evalEpisodes)-episode evaluation ≥ \(threshold) at step \(result.firstReachedStep) (\(formatDuration(result.firstReachedSeconds)))"
        }
        if result.firstSolvedStep >= 0 {
            line += "; solved (\(config.finalEvalEpisodes)-episode confirmation ≥ \(threshold)) at step \(result.firstSolvedStep) (\(formatDuration(result.firstSolvedSeconds)))"
        }
        print(line)
        if let phases = result.phases { print("time: \(phases.shares)") }
        print("run folder: \(folder.path)")
    }

    /// `train --resume DIR`: lock the folder, read and check config.json with the given changes,
    /// then the checkpoint and the other files (the trainer), and only then record the changes in
    /// config.json and train. A folder whose run never wrote a checkpoint starts again from step
    /// 0 with its config.json; a finished run is reported and left alone (nil).
    private func prepareResume(_ dir: String) throws -> (RunFolder, TrainingConfig, TrainingResult)? {
        let folder = RunFolder(path: dir)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) else {
            throw ValidationError("--resume \(dir): no run there (the folder does not exist)")
        }
        guard isDir.boolValue else { throw ValidationError("--resume \(dir): is a file, expected a run folder") }
        let lock = try folder.lock()
        guard folder.holdsRun || FileManager.default.fileExists(atPath: folder.checkpoint) else {
            throw ValidationError("--resume \(dir): no run there (config.json is missing)")
        }
        let recorded = try folder.readConfig()
        var config = recorded
        for option in givenOptions { option.apply(&config) }
        do { try config.validate() } catch let e as ConfigError { throw ValidationError(e.message) }
        let hasCheckpoint = FileManager.default.fileExists(atPath: folder.checkpoint)
        if !hasCheckpoint {
            // model.safetensors is written with every checkpoint: without one, nothing was saved.
            guard !FileManager.default.fileExists(atPath: folder.model) else {
                throw ConfigError(message: "\(folder.checkpoint): missing, but model.safetensors shows this run wrote checkpoints: it cannot be continued. Put the checkpoint back, or start a new run with another --output")
            }
            // summary.json is written only after a checkpoint: a run that has one (a finished run
            // whose checkpoint and model were deleted to save space) is never restarted over its record.
            guard !FileManager.default.fileExists(atPath: folder.summary) else {
                throw ConfigError(message: "\(folder.checkpoint): missing, but summary.json shows this run reached a checkpoint: it cannot be continued, and it is not started again over its metrics.csv and summary.json. Put the checkpoint back, or start a new run with another --output")
            }
            print("\(dir): no checkpoint.safetensors yet (the run stopped before its first checkpoint): starting it again from step 0 with its config.json")
        }
        let result = try train(config, folder, resume: hasCheckpoint, lock: lock, prepared: { trainer in
            if trainer.isFinished {
                print("\(dir): the run already finished at step \(trainer.step) (its final evaluation is in metrics.csv, nothing was changed); pass --total-timesteps with more than \(trainer.step) steps to extend it")
                return false
            }
            // Every file checked: record the changed options before training.
            if config != recorded { try folder.writeConfig(config) }
            return true
        })
        guard let result else { return nil }
        return (folder, config, result)
    }

    /// Builds the trainer for the configured observation; `prepared` (after the trainer has read
    /// and checked the folder) may stop here by returning false (then nil).
    private func train(_ config: TrainingConfig, _ folder: RunFolder, resume: Bool, lock: RunFolderLock,
                       prepared: ((any TrainingRun) throws -> Bool)?) throws -> TrainingResult? {
        let trainer = try Training.trainer(config: config, folder: folder, resume: resume, lock: lock)
        if let prepared, try !prepared(trainer) { return nil }
        return try runTrainer(trainer)
    }

    private func runTrainer(_ trainer: any TrainingRun) throws -> TrainingResult {
        let terminal = isatty(STDOUT_FILENO) != 0
        trainer.progressEvery = quiet ? 0 : (terminal ? 0.5 : 10)
        trainer.report = { line, live in
            if quiet { return }
            if live && terminal {
                print("\r\u{1B}[K" + line, terminator: "")
                fflush(nil)
            } else {
                if terminal { print("\r\u{1B}[K", terminator: "") }
                print(line)
                fflush(nil)
            }
        }
        let result = try trainer.run()
        if terminal && !quiet { print("") }
        return result
    }
}

/// Parsers of option values whose errors say what was expected (ArgumentParser adds the option
/// and the value). Ranges are checked with the rest of the configuration (`TrainingConfig.validate`).
enum Parse {
    static func integer(_ text: String) throws -> Int {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let v = Int(trimmed) else {
            let digits = !trimmed.isEmpty && trimmed.drop(while: { $0 == "-" || $0 == "+" }).allSatisfy(\.isNumber)
            throw ValidationError(digits ? "expected a whole number no larger than \(Int.max)" : "expected a whole number")
        }
        return v
    }

    static func number(_ text: String) throws -> Double {
        guard let v = Double(text.trimmingCharacters(in: .whitespaces)) else { throw ValidationError("expected a number") }
        return v
    }

    static func seed(_ text: String) throws -> UInt64 {
        guard let v = UInt64(text.trimmingCharacters(in: .whitespaces)) else {
            throw ValidationError("expected a whole number from 0 to \(UInt64.max)")
        }
        return v
    }
}
