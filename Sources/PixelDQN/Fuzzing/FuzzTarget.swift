// One fuzz entry point per reader of outside data, fed one input at a time: by libFuzzer (the
// pixel-dqn-fuzz driver, Scripts/fuzz.sh), by the mutation fuzzer (ReaderFuzzer) and by the tests
// that replay every input kept under Fixtures/fuzz/. An input must load or be refused with the
// reader's own error; any other error is a bug, and so is a crash or a hang.
import Foundation

/// What became of one input.
package enum FuzzOutcome: Equatable, Sendable {
    case loaded
    /// Refused with the reader's own error (a message naming the file and what is wrong).
    case rejected
    /// An error that is not the reader's own, or a reader that accepted what it must not.
    case unexpected(String)
}

package enum FuzzTarget: String, CaseIterable, Sendable {
    /// The safetensors reader, a network built from a file's metadata and loaded from its
    /// tensors (`evaluate --model`), and a checkpoint restore (`train --resume`).
    case safetensors
    /// The PNG reader (libpng), to 8-bit gray and to RGB.
    case png
    /// The run folder's files as `--resume` and `sweep` read them: config.json
    /// (`TrainingConfig.decode`), metrics.csv (`MetricsLog.parse`, `digest`), timing.csv and
    /// summary.json. Every input goes to each reader.
    case runFolder = "run-folder"
    /// The command line's lists: `--state`, `--actions` and `--seeds`. Every input goes to each.
    case numberLists = "number-lists"

    /// Feeds one input to the target's readers.
    package func feed(_ bytes: [UInt8]) -> FuzzOutcome {
        switch self {
        case .safetensors: return FuzzTarget.feedSafetensors(bytes)
        case .png: return FuzzTarget.feedPNG(bytes)
        case .runFolder: return FuzzTarget.feedRunFolder(bytes)
        case .numberLists: return FuzzTarget.feedNumberLists(bytes)
        }
    }

    /// Runs `body`, sorting what it throws: `E` is the reader's own error, anything else is not.
    private static func expecting<E: Error>(_: E.Type, _ body: () throws -> Void) -> FuzzOutcome {
        do { try body(); return .loaded } catch is E { return .rejected } catch {
            return .unexpected("\(type(of: error)): \(error)")
        }
    }

    static func feedPNG(_ bytes: [UInt8]) -> FuzzOutcome {
        expecting(PNGError.self) {
            let gray = try PNGImage.decode(bytes, channels: 1, name: "fuzz.png")
            let rgb = try PNGImage.decode(bytes, channels: 3, name: "fuzz.png")
            guard gray.width == rgb.width, gray.height == rgb.height,
                  gray.pixels.count == gray.width * gray.height, rgb.pixels.count == 3 * rgb.width * rgb.height else {
                throw FuzzFailure("gray \(gray.width)x\(gray.height) and RGB \(rgb.width)x\(rgb.height) of one file differ")
            }
        }
    }

    static func feedSafetensors(_ bytes: [UInt8]) -> FuzzOutcome {
        let name = "fuzz.safetensors"
        var file: SafetensorsFile?
        let read = expecting(SafetensorsError.self) {
            let f = try SafetensorsFile(data: Data(bytes), file: name)
            for (tensorName, t) in f.tensors {
                switch t.dtype {
                case .F32: _ = try t.floats(name: tensorName, file: name)
                case .F64: _ = try t.doubles(name: tensorName, file: name)
                case .I64: _ = try t.int64s(name: tensorName, file: name)
                case .U8: _ = try t.uint8s(name: tensorName, file: name)
                }
            }
            file = f
        }
        guard let file else { return read }
        // A model: the network its metadata describes, loaded from its tensors.
        let model = expecting(SafetensorsError.self) {
            let architecture = try NetworkArchitecture(metadata: file.metadata, file: name)
            try FuzzNetworks.shared.withNetwork(for: architecture) { network in
                try network.loadParameters(from: file, fileName: name)
                if file[network.namedTensors[0].name] == nil { throw FuzzFailure("loaded a network from a file without its tensors") }
            }
        }
        if case .unexpected = model { return model }
        // A checkpoint: restored into a small state-observation trainer.
        let checkpoint = FuzzCheckpointRestorer.shared?.restore(file) ?? .rejected
        if case .unexpected = checkpoint { return checkpoint }
        return model == .loaded || checkpoint == .loaded ? .loaded : .rejected
    }

    static func feedRunFolder(_ bytes: [UInt8]) -> FuzzOutcome {
        let text = String(decoding: bytes, as: UTF8.self)
        let outcomes = [
            expecting(ConfigError.self) { _ = try TrainingConfig.decode(json: bytes, path: "config.json") },
            expecting(FileError.self) {
                let log = try MetricsLog.parse(text, path: "metrics.csv")
                let rows = log.episodes.count + log.evaluations.count
                let digest = MetricsLog.digest(text: text)
                if digest.rows != rows { throw FuzzFailure("digest counts \(digest.rows) rows, parse \(rows)") }
                // The committed prefix of a file is a metrics file of its own, and a prefix of it.
                let half = MetricsLog.digest(text: text, firstRows: rows / 2)
                let prefix = try MetricsLog.parse(half.text, path: "metrics.csv (first rows)")
                if prefix.episodes.count + prefix.evaluations.count != rows / 2 || MetricsLog.digest(text: half.text).hash != half.hash {
                    throw FuzzFailure("the first \(rows / 2) rows read back differently")
                }
                // What a resumed run writes back must read back the same.
                let again = try MetricsLog.parse(log.csv, path: "metrics.csv (rewritten)")
                if again.episodes.count != log.episodes.count || again.evaluations.count != log.evaluations.count {
                    throw FuzzFailure("metrics.csv rewritten from its own rows reads back differently")
                }
            },
            expecting(FileError.self) { _ = try MetricsLog.parseTiming(text, path: "timing.csv") },
            expecting(FileError.self) { _ = try RunSummary.decode(json: bytes, path: "summary.json") },
            expecting(FileError.self) { _ = try RunSummary.stepsAndInterrupted(json: bytes, path: "summary.json") },
        ]
        return combined(outcomes)
    }

    static func feedNumberLists(_ bytes: [UInt8]) -> FuzzOutcome {
        let text = String(decoding: bytes, as: UTF8.self)
        let outcomes = [
            expecting(ConfigError.self) {
                guard let values = NumberLists.numbers(text) else { throw ConfigError(message: "not a list of numbers") }
                if values.contains(where: { !$0.isFinite }) { throw FuzzFailure("a number that is not finite: \(values)") }
                var accepted = 0
                for env in EnvironmentID.classic {
                    guard let s = try? NumberLists.state(values, env: env) else { continue }
                    if s.array != values || s.array.contains(where: { !(abs($0) <= NumberLists.stateBound) }) {
                        throw FuzzFailure("--state \(values) for \(env.rawValue) gave \(s.array)")
                    }
                    accepted += 1
                }
                if accepted == 0 { throw ConfigError(message: "a state of no task") }
            },
            expecting(ConfigError.self) {
                guard NumberLists.integers(text) != nil else { throw ConfigError(message: "not a list of integers") }
            },
            expecting(ConfigError.self) {
                let seeds = try SeedList.parse(text)
                if seeds.isEmpty || seeds.count > SeedList.maximumCount || Set(seeds).count != seeds.count {
                    throw FuzzFailure("--seeds \(text) gave \(seeds.count) seeds, not 1 to \(SeedList.maximumCount) distinct ones")
                }
            },
        ]
        return combined(outcomes)
    }

    /// The first unexpected outcome; else loaded when any reader loaded the input.
    private static func combined(_ outcomes: [FuzzOutcome]) -> FuzzOutcome {
        if let bad = outcomes.first(where: { if case .unexpected = $0 { return true } else { return false } }) { return bad }
        return outcomes.contains(.loaded) ? .loaded : .rejected
    }
}

/// A reader that accepted what it must not (thrown inside a fuzz entry point only).
struct FuzzFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
