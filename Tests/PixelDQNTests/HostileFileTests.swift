// Files and options a careless or hostile user hands the tool, each refused with a message naming
// the file or option, the value and what was expected (a non-zero exit, never a trap or a hang):
// tensors with empty names or non-finite values, checkpoint times and counts that contradict the
// run, pipes and devices where files belong, values beyond their task's range in metrics.csv and
// summary.json, config.json fields of the wrong kind, and command-line values of the wrong form.
import Foundation
import Testing
import DQNNumerics
import PixelDQN

/// Runs the tool and expects a refusal (an exit status, not a signal) whose message holds every
/// needle and no raw error.
func expectRefusal(_ arguments: [String], _ needles: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
    let r = try runTool(arguments)
    #expect(r.status != 0 && r.status < 128, "\(arguments): exit \(r.status) \(r.out) \(r.err)", sourceLocation: sourceLocation)
    for needle in needles {
        #expect(r.err.contains(needle), "\(arguments): message lacks \"\(needle)\": \(r.err)", sourceLocation: sourceLocation)
    }
    for raw in ["NSCocoaErrorDomain", "DecodingError", "Fatal error", "Missing value"] {
        #expect(!r.err.contains(raw), "\(arguments): raw error: \(r.err)", sourceLocation: sourceLocation)
    }
}

/// A safetensors file of the given header JSON and data bytes.
func safetensorsBytes(header: String, data: [UInt8] = []) -> [UInt8] {
    var json = Array(header.utf8)
    while json.count % 8 != 0 { json.append(0x20) }
    return withUnsafeBytes(of: UInt64(json.count).littleEndian) { Array($0) } + json + data
}

/// Replaces the tensor `name` of a safetensors file with `value` in every element; with
/// `reseal` the checkpoint's record of its tensors is recomputed, so that the checks behind the
/// checksum are reached.
func poisonTensor(_ path: String, _ name: String, _ value: Float, reseal: Bool = false) throws {
    var file = try SafetensorsFile(contentsOf: URL(fileURLWithPath: path))
    let t = try file.tensor(name)
    file.set(name, SafetensorsTensor(floats: [Float](repeating: value, count: t.elementCount), shape: t.shape))
    if reseal { file.metadata["tensors_fnv1a"] = file.tensorsChecksum.hex }
    try file.write(to: URL(fileURLWithPath: path))
}

func makeFIFO(_ path: String) throws {
    try? FileManager.default.removeItem(atPath: path)
    guard mkfifo(path, 0o644) == 0 else { throw FileError(path: path, problem: "mkfifo failed") }
}

func isFIFO(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO
}

@Suite struct HostileTensorFileTests {
    @Test func aTensorWithAnEmptyNameIsRefused() throws {
        let bytes = safetensorsBytes(header: #"{"":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}"#)
        #expect(throws: SafetensorsError.self) { try SafetensorsFile(data: Data(bytes), file: "x") }
        let path = try temporaryFolder() + "/model.safetensors"
        try AtomicFile.write(bytes, to: path)
        try expectRefusal(["evaluate", "--model", path], [path, "empty name"])
        // The same entry in a checkpoint refuses the resume.
        let dir = try TemplateRun.copy()
        var original = try AtomicFile.read(dir + "/checkpoint.safetensors")
        let length = Int(original.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        var header = String(decoding: original[8..<(8 + length)], as: UTF8.self).trimmingCharacters(in: .whitespaces)
        header.removeFirst()   // "{"
        header = #"{"":{"dtype":"U8","shape":[0],"data_offsets":[0,0]},"# + header
        original = safetensorsBytes(header: header, data: Array(original[(8 + length)...]))
        try AtomicFile.write(original, to: dir + "/checkpoint.safetensors")
        try expectRefusedResume(dir, ["checkpoint.safetensors", "empty name"])
    }

    @Test func nonFiniteWeightsInAModelAreRefused() throws {
        for value in [Float.nan, .infinity] {
            let path = try temporaryFolder("model-\(value)") + "/model.safetensors"
            try FileManager.default.copyItem(atPath: TemplateRun.path + "/model.safetensors", toPath: path)
            let name = try SafetensorsFile(contentsOf: URL(fileURLWithPath: path)).tensors[0].name
            try poisonTensor(path, name, value)
            try expectRefusal(["evaluate", "--model", path], [path, name, "expected finite weights"])
        }
    }

    @Test func nonFiniteWeightsAndNegativeSecondMomentsInACheckpointAreRefused() throws {
        let template = try SafetensorsFile(contentsOf: URL(fileURLWithPath: TemplateRun.path + "/checkpoint.safetensors"))
        let online = try #require(template.tensors.first { $0.name.hasPrefix("online.") }).name
        #expect(template["adam.exp_avg_sq"] != nil, "the template run uses Adam")
        for (name, value, needle) in [(online, Float.nan, "finite weights"), ("adam.exp_avg", .infinity, "finite values"),
                                      ("adam.exp_avg_sq", -1, "finite values ≥ 0")] {
            let dir = try TemplateRun.copy("poison-\(name)")
            try poisonTensor(dir + "/checkpoint.safetensors", name, value, reseal: true)
            try expectRefusedResume(dir, ["checkpoint.safetensors", name, needle])
        }
    }
}

@Suite struct CheckpointConsistencyTests {
    /// Times of a first solve or first reach: −1 exactly when no step is recorded, else within
    /// the run's wall time (1e300 used to crash the duration printed at the end).
    @Test(arguments: [(["first_solved_step": "5", "first_solved_seconds": "1e300"], "first_solved_seconds"),
                      (["first_solved_seconds": "12"], "first_solved_seconds"),
                      (["first_reached_step": "150", "first_reached_seconds": "-1"], "first_reached_seconds"),
                      (["first_reached_step": "150", "first_reached_seconds": "1e12"], "first_reached_seconds")])
    func solveTimesMustFitTheRun(changes: [String: String], field: String) throws {
        let dir = try TemplateRun.copy("times-\(changes.values.sorted().joined())")
        let path = dir + "/checkpoint.safetensors"
        var file = try SafetensorsFile(contentsOf: URL(fileURLWithPath: path))
        for (k, v) in changes { file.metadata[k] = v }
        try file.write(to: URL(fileURLWithPath: path))
        try expectRefusedResume(dir, ["checkpoint.safetensors", field])
    }

    @Test func anEpisodeCountThatDisagreesWithMetricsIsRefused() throws {
        let dir = try TemplateRun.copy()
        let path = dir + "/checkpoint.safetensors"
        var file = try SafetensorsFile(contentsOf: URL(fileURLWithPath: path))
        let episodes = try #require(Int(file.metadata["episode"] ?? ""))
        #expect(episodes > 1)
        file.metadata["episode"] = "\(episodes - 1)"
        try file.write(to: URL(fileURLWithPath: path))
        try expectRefusedResume(dir, ["metrics.csv", "\(episodes - 1) episodes", "\"episode\""])
    }
}

@Suite struct NonRegularFileTests {
    /// A pipe where a run file belongs used to block resume and plot forever; /dev/zero as
    /// metrics.csv made them read without end.
    @Test func pipesAndDevicesAsRunFilesAreRefusedWithoutWaiting() throws {
        for name in ["config.json", "metrics.csv", "timing.csv"] {
            let dir = try TemplateRun.copy("fifo-\(name)")
            try makeFIFO(dir + "/" + name)
            try expectRefusedResume(dir, [name, "a pipe (FIFO)"])
            if name != "timing.csv" { try expectRefusal(["plot", "--run", dir], [name, "a pipe (FIFO)"]) }
        }
        let dir = try TemplateRun.copy("zero")
        try FileManager.default.removeItem(atPath: dir + "/metrics.csv")
        try FileManager.default.createSymbolicLink(atPath: dir + "/metrics.csv", withDestinationPath: "/dev/zero")
        try expectRefusedResume(dir, ["metrics.csv", "a device"])
        try expectRefusal(["plot", "--run", dir], ["metrics.csv", "a device"])
    }

    /// A safetensors path that is a pipe or a device is refused before it is opened: opening a
    /// pipe would wait for a writer, and neither can be mapped.
    @Test func aPipeOrADeviceAsASafetensorsFileIsRefusedWithoutWaiting() throws {
        let dir = try temporaryFolder()
        let pipe = dir + "/pipe.safetensors", device = dir + "/device.safetensors", short = dir + "/short.safetensors"
        try makeFIFO(pipe)
        try FileManager.default.createSymbolicLink(atPath: device, withDestinationPath: "/dev/zero")
        try AtomicFile.write([8, 0, 0], to: short)
        for (path, reason) in [(pipe, "is not a regular file"), (device, "is not a regular file"), (short, "truncated: 3 bytes")] {
            #expect { try SafetensorsFile(contentsOf: URL(fileURLWithPath: path)) } throws: { "\($0)".contains(path) && "\($0)".contains(reason) }
            try expectRefusal(["evaluate", "--model", path], [path])
        }
        #expect(isFIFO(pipe), "the pipe is kept")
    }

    @Test func aFileLargerThanTheReadLimitIsRefused() throws {
        let path = try temporaryFolder() + "/big.csv"
        try AtomicFile.write([UInt8](repeating: 65, count: 11), to: path)
        #expect(try AtomicFile.read(path, limit: 11).count == 11)
        #expect { try AtomicFile.read(path, limit: 10) } throws: { "\($0)".contains("11 bytes, expected at most 10 bytes") }
    }

    /// Writing goes through a rename, which would replace a pipe or a device by a regular file.
    @Test func aPipeAsAnOutputIsRefusedAndKept() throws {
        let dir = try temporaryFolder()
        let png = dir + "/frame.png", gif = dir + "/episode.gif", model = dir + "/model.safetensors"
        for path in [png, gif, model] { try makeFIFO(path) }
        try expectRefusal(["render", "--state", "0,0,0,0", "--output", png], [png, "a pipe (FIFO)"])
        try expectRefusal(["dump-frames", "--steps", "3", "--gif", gif], ["--gif", gif, "a pipe (FIFO)"])
        try expectRefusal(["play", "--max-frames", "3", "--gif", gif], ["--gif", gif, "a pipe (FIFO)"])
        #expect(throws: SafetensorsError.self) { try SafetensorsFile().write(to: URL(fileURLWithPath: model)) }
        for path in [png, gif, model] { #expect(isFIFO(path), "\(path) is still the pipe") }
    }
}

@Suite struct RunFileRangeTests {
    /// An evaluation row's mean, spread and extremes within the task's returns (CartPole-v1: 0 to 500).
    @Test func anEvaluationBeyondTheTaskIsRefusedByPlotAndSweep() throws {
        for (field, value) in [(8, "1e300"), (11, "501"), (9, "1e300")] {
            let dir = try TemplateRun.copy("eval-\(field)-\(value)")
            let path = dir + "/metrics.csv"
            let lines = try text(path).split(separator: "\n").map { line -> String in
                guard line.hasPrefix("eval,300,") else { return String(line) }
                var c = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                c[field] = value
                if field == 8 { c[11] = value }   // max ≥ mean, so that only the range is wrong
                return c.joined(separator: ",")
            }
            try AtomicFile.write(lines.joined(separator: "\n") + "\n", to: path)
            try expectRefusal(["plot", "--run", dir], ["metrics.csv", value])
            try expectRefusal(["sweep", "--aggregate", dir, "--output", dir + "/sweep"], ["metrics.csv", value])
        }
    }

    @Test func lineNumbersCountBlankLines() throws {
        let text = MetricsLog.header + "\n\n\nepisode,abc,0,1,1,1,0,0,,,,\n"
        #expect { try MetricsLog.parse(text, path: "m.csv") } throws: { "\($0)".contains("line 4:") }
        let timing = MetricsLog.timingHeader + "\n\n1,0,nan,0\n"
        #expect { try MetricsLog.parseTiming(timing, path: "t.csv") } throws: { "\($0)".contains("line 3:") }
    }

    @Test(arguments: [("wall_seconds", "-5", "wall_seconds"), ("first_solved_seconds", "1e9", "first_solved_seconds"),
                      ("steps", "1000000000000000", "steps"), ("final_eval", #"{"mean": 1e300, "std": 0}"#, "final_eval"),
                      ("best_model_eval", #"{"mean": 10, "std": -1}"#, "best_model_eval"),
                      ("steps", "400", "totalTimesteps")])
    func summaryValuesOutOfRangeAreRefusedBySweep(field: String, value: String, needle: String) throws {
        let dir = try TemplateRun.copy("summary-\(field)-\(value.filter(\.isNumber))")
        try editJSON(dir + "/summary.json") { $0[field] = try! JSONSerialization.jsonObject(with: Data(value.utf8), options: .fragmentsAllowed) }
        try expectRefusal(["sweep", "--aggregate", dir, "--output", dir + "/sweep"], ["summary.json", needle])
    }

    @Test(arguments: [("bufferSize", "1e30", "1e+30"), ("frameStack", "1.5", "1.5"), ("seed", "-1", "-1"),
                      ("version", "\"banana\"", "banana")])
    func configFieldsOfTheWrongFormNameTheFieldAndValue(field: String, value: String, shown: String) throws {
        let dir = try TemplateRun.copy("form-\(field)")
        try editJSON(dir + "/config.json") { $0[field] = try! JSONSerialization.jsonObject(with: Data(value.utf8), options: .fragmentsAllowed) }
        try expectRefusedResume(dir, ["config.json", "\"\(field)\"", shown, "expected"])
    }
}

@Suite struct CommandLineFormTests {
    @Test func valuesOfTheWrongFormNameTheOptionAndWhatIsExpected() throws {
        let dir = try temporaryFolder()
        let cases: [([String], [String])] = [
            (["trace", "--state", "0,0,0,0", "--actions", "-1"], ["--actions", "got -1"]),
            (["trace", "--state", "0,0,0,0", "--actions", "1.5"], ["--actions", "1.5", "whole number"]),
            (["trace", "--state", "0,0,0,0", "--actions", "0,,1"], ["--actions", "whole number"]),
            (["trace", "--state", "0,0,0,0", "--actions", ""], ["--actions", "whole number"]),
            (["trace", "--state", "0,0,0,0", "--actions", "99999999999999999999"], ["--actions", "whole number"]),
            (["render", "--state", "nan,0,0,0", "--output", dir + "/a.png"], ["--state", "nan,0,0,0", "finite numbers"]),
            (["render", "--state", "0,,0,0", "--output", dir + "/a.png"], ["--state", "finite numbers"]),
            (["render", "--state", ",", "--output", dir + "/a.png"], ["--state", "finite numbers"]),
            (["dump-frames", "--fps", "-1", "--gif", dir + "/a.gif"], ["--fps", "1 to 50", "got -1"]),
            (["dump-frames", "--fps", "nan", "--gif", dir + "/a.gif"], ["--fps", "nan", "whole number"]),
            (["dump-frames", "--env", "Acrobot-v1", "--fps", "40", "--steps", "2", "--gif", dir + "/a.gif"], ["--fps", "1 to 15", "Acrobot-v1", "got 40"]),
            (["play", "--fps", "10"], ["--fps 10", "no --gif"]),
            (["dump-frames", "--fps", "25", "--steps", "2", "--output", dir + "/frames"], ["--fps 25", "no --gif"]),
            (["sweep", "--seeds", "1", "--jobs", "abc", "--output", dir + "/s"], ["--jobs", "abc", "whole number"]),
            (["sweep", "--seeds", "1", "--jobs", "99999999999999999999", "--output", dir + "/s"], ["--jobs", "no larger than"]),
            (["evaluate", "--model", ""], ["--model", "empty path"]),
            (["play", "--model", ""], ["--model", "empty path"]),
            (["plot", "--run", ""], ["--run", "empty path"]),
            (["plot", "--run", dir, "--output", ""], ["--output", "empty path"]),
            (["render", "--state", "0,0,0,0", "--output", ""], ["--output", "empty path"]),
            (["train", "--output", ""], ["--output", "empty path"]),
            (["sweep", "--seeds", "1", "--output", ""], ["--output", "empty path"]),
        ]
        for (args, needles) in cases { try expectRefusal(args, needles) }
        #expect(!FileManager.default.fileExists(atPath: dir + "/a.gif") && !FileManager.default.fileExists(atPath: dir + "/s"))
    }

    @Test func evaluateJSONQuotesThePath() throws {
        let folder = try temporaryFolder() + "/a \"quoted\" back\\slash"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/model.safetensors"
        try FileManager.default.copyItem(atPath: TemplateRun.path + "/model.safetensors", toPath: path)
        let r = try runTool(["evaluate", "--model", path, "--episodes", "1", "--json"])
        #expect(r.status == 0, "\(r.err)")
        let object = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
        #expect(object?["model"] as? String == path)
    }
}

/// Sets checkpoint metadata of a copy of the template run.
func editCheckpointMetadata(_ dir: String, _ changes: [String: String]) throws {
    let path = dir + "/checkpoint.safetensors"
    var file = try SafetensorsFile(contentsOf: URL(fileURLWithPath: path))
    for (k, v) in changes { file.metadata[k] = v }
    try file.write(to: URL(fileURLWithPath: path))
}

@Suite struct CheckpointCountTests {
    @Test func anOptimizerStepBeyondTheUpdatesIsRefused() throws {
        for value in [Int64.max, 1_000_000_000_000_000] {
            let dir = try TemplateRun.copy("adam-step-\(value)")
            let path = dir + "/checkpoint.safetensors"
            var file = try SafetensorsFile(contentsOf: URL(fileURLWithPath: path))
            file.set("adam.step", SafetensorsTensor(int64s: [value], shape: []))
            file.metadata["tensors_fnv1a"] = file.tensorsChecksum.hex
            try file.write(to: URL(fileURLWithPath: path))
            try expectRefusedResume(dir, ["checkpoint.safetensors", "adam.step", "\(value)", "from 0 to 300"])
        }
    }

    @Test(arguments: [(["updates_paused_until": "1000000000"], "updates_paused_until"),
                      (["loss_count": "0", "loss_sum": "5"], "loss_sum"),
                      (["loss_count": "0", "loss_sum": "0", "q_sum": "1.7e308"], "q_sum"),
                      (["finished_total_timesteps": "1000"], "finished_total_timesteps"),
                      (["finished_total_timesteps": "50"], "finished_total_timesteps"),
                      (["evaluations": "300"], "evaluations"), (["evaluations": "0"], "evaluations"),
                      (["best_eval": "-inf"], "best_eval"), (["best_eval": "123.25"], "best_eval"),
                      (["best_confirmed": "3"], "best_confirmed")])
    func countsThatContradictTheRunAreRefused(changes: [String: String], field: String) throws {
        let dir = try TemplateRun.copy("counts-\(field)-\(changes.values.sorted().joined())")
        try editCheckpointMetadata(dir, changes)
        try expectRefusedResume(dir, ["checkpoint.safetensors", field])
    }

    @Test func anEnvironmentClockThatDisagreesWithTheEpisodeIsRefused() throws {
        let dir = try TemplateRun.copy()
        let meta = try SafetensorsFile(contentsOf: URL(fileURLWithPath: dir + "/checkpoint.safetensors")).metadata
        try #require(meta["env_running"] == "true", "the template stops mid-episode")
        let length = try #require(Int(meta["episode_length"] ?? ""))
        #expect(meta["env_elapsed"] == "\(length)")
        try editCheckpointMetadata(dir, ["env_elapsed": "\(length + 1)"])
        try expectRefusedResume(dir, ["checkpoint.safetensors", "env_elapsed", "expected \(length)"])
    }

    /// A run stopped in its final evaluation, then extended, trains on to its new end (it used to
    /// do the final evaluation at once and count as finished at the new total).
    @Test func aStoppedFinalEvaluationOfAnExtendedRunTrainsOn() throws {
        let dir = try TemplateRun.copy()
        try editCheckpointMetadata(dir, ["pending": "final_evaluation", "finished_total_timesteps": "-1"])
        let r = try runTool(["train", "--resume", dir, "--total-timesteps", "450", "--quiet"])
        #expect(r.status == 0 && r.out.contains("finished after 450 steps"), "\(r.out) \(r.err)")
        #expect(try checkpointStep(dir) == 450)
    }

    @Test func damagedTimingRowsAreRefused() throws {
        for row in ["300,999999999,1e308,1e300", "300,0,10,0.000"] {
            let dir = try TemplateRun.copy("timing-\(row.filter(\.isNumber).prefix(12))")
            let t = try text(dir + "/timing.csv")
            try AtomicFile.write(t + row + "\n", to: dir + "/timing.csv")
            try expectRefusedResume(dir, ["timing.csv", row])
        }
    }
}

@Suite struct PrioritizedReplayCheckpointTests {
    static let run: String = {
        let dir = NSTemporaryDirectory() + "pixel-dqn-tests/prioritized-\(UInt64.random(in: 0...UInt64.max))"
        let r = try? runTool(reliabilityRunOptions + ["--prioritized", "--save-replay", "--buffer-size", "1000", "--output", dir])
        precondition(r?.status == 0, "the prioritized run failed: \(r?.err ?? "no result")")
        return dir
    }()

    /// Priorities a run cannot write (all 0, one that overflows the total, a priority on a slot
    /// that holds no transition) used to stop the resumed sampler at a precondition.
    @Test(arguments: ["zero", "huge", "unwritten", "max"])
    func prioritiesNoRunWritesAreRefused(damage: String) throws {
        let dir = try temporaryFolder("priorities-\(damage)") + "/run"
        try FileManager.default.copyItem(atPath: Self.run, toPath: dir)
        let path = dir + "/checkpoint.safetensors"
        var file = try SafetensorsFile(contentsOf: URL(fileURLWithPath: path))
        var leaves = try file.tensor("replay.priorities").doubles()
        #expect(leaves.count == 1000 && leaves[999] == 0, "300 of 1,000 slots written")
        switch damage {
        case "zero": leaves = leaves.map { _ in 0 }
        case "huge": leaves = leaves.map { $0 > 0 ? 1e308 : 0 }
        case "unwritten": leaves = leaves.map { _ in 0 }; leaves[999] = 1
        default: file.set("replay.max_priority", SafetensorsTensor(doubles: [1e308]))
        }
        file.set("replay.priorities", SafetensorsTensor(doubles: leaves))
        file.metadata["tensors_fnv1a"] = file.tensorsChecksum.hex
        try file.write(to: URL(fileURLWithPath: path))
        try expectRefusedResume(dir, ["checkpoint.safetensors", damage == "max" ? "replay.max_priority" : "replay.priorities"])
    }

    /// Stored rewards beyond the task's (+1 per CartPole step here) and state numbers beyond
    /// ±10^6 used to pass the load and stop training as "diverged".
    @Test(arguments: ["replay.rewards", "replay.frames"])
    func replayValuesBeyondTheTaskAreRefused(tensor: String) throws {
        let dir = try temporaryFolder("replay-\(tensor)") + "/run"
        try FileManager.default.copyItem(atPath: Self.run, toPath: dir)
        try poisonTensor(dir + "/checkpoint.safetensors", tensor, 3e38, reseal: true)
        try expectRefusedResume(dir, ["checkpoint.safetensors", tensor])
    }

    @Test func anUndamagedPrioritizedCopyResumes() throws {
        let dir = try temporaryFolder() + "/run"
        try FileManager.default.copyItem(atPath: Self.run, toPath: dir)
        let r = try runTool(["train", "--resume", dir, "--total-timesteps", "450", "--quiet"])
        #expect(r.status == 0 && r.out.contains("finished after 450 steps"), "\(r.err)")
    }
}

@Suite struct OutputPathTests {
    /// The rename would put a file where the link was (a link to /proc/self/fd/1 once replaced
    /// /dev/stdout this way).
    @Test func aSymbolicLinkAsAnOutputIsRefusedAndKept() throws {
        let dir = try temporaryFolder()
        try AtomicFile.write("target", to: dir + "/target.png")
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.png", withDestinationPath: dir + "/target.png")
        try expectRefusal(["render", "--state", "0,0,0,0", "--output", dir + "/link.png"], ["link.png", "symbolic link"])
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/link.png") == dir + "/target.png")
        #expect(try text(dir + "/target.png") == "target")
    }

    /// A PNG or a GIF written over a run's metrics.csv or the model just loaded.
    @Test func anOutputNamedForAnotherKindOfFileIsRefused() throws {
        let dir = try TemplateRun.copy()
        let before = try folderContents(dir)
        try expectRefusal(["plot", "--run", dir, "--output", dir + "/metrics.csv"], ["--output", "metrics.csv", ".png"])
        try expectRefusal(["render", "--state", "0,0,0,0", "--output", dir + "/model.safetensors"], ["--output", ".png"])
        try expectRefusal(["dump-frames", "--steps", "2", "--gif", dir + "/metrics.csv"], ["--gif", ".gif"])
        try expectRefusal(["play", "--gif", "Models/cartpole-v1-pixels.safetensors"], ["--gif", ".gif"])
        #expect(try folderContents(dir) == before)
    }

    @Test func aCheckpointGivenAsAModelIsNamedSo() throws {
        try expectRefusal(["evaluate", "--model", TemplateRun.path + "/checkpoint.safetensors"], ["checkpoint", "model.safetensors"])
    }

    @Test func aSweepFolderNamedWithADashStaysAValue() {
        #expect(SweepLaunch.newRun(seed: 1, folder: "-d/seed-1", threads: 1, options: []).contains("./-d/seed-1"))
        #expect(SweepLaunch.resume(folder: "-d/seed-1", threads: 1).contains("./-d/seed-1"))
        #expect(SweepLaunch.newRun(seed: 1, folder: "/tmp/-d/seed-1", threads: 1, options: []).contains("/tmp/-d/seed-1"))
    }

    @Test func summaryTypesAreNamedInJSONWords() throws {
        for (value, needle) in [("300.7", "\"steps\""), ("\"many\"", "is not an integer"), ("[1]", "is not an integer")] {
            let dir = try TemplateRun.copy("summary-type-\(value.filter(\.isLetter))\(value.count)")
            try editJSON(dir + "/summary.json") { $0["steps"] = try! JSONSerialization.jsonObject(with: Data(value.utf8), options: .fragmentsAllowed) }
            let r = try runTool(["sweep", "--aggregate", dir, "--output", dir + "/sweep"])
            #expect(r.status == 1 && r.err.contains("summary.json") && r.err.contains(needle) && !r.err.contains("not valid JSON"), "\(value): \(r.err)")
        }
    }
}
