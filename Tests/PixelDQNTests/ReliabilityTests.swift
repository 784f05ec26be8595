// Run folders that survive misuse, and outside values checked where they enter: the folder lock,
// every corrupted-folder case, the hostile inputs of issue 15, Ctrl-C during an evaluation, and
// two trainers with different thread counts in one process.
import Foundation
import Testing
import PixelDQN

/// A short state run the tests copy and damage: 300 steps, checkpoints at 150 and 300, an
/// evaluation at 150 and 300 (best.safetensors), finished. `--total-timesteps 450` resumes it.
let reliabilityRunOptions = ["train", "--observation", "state", "--total-timesteps", "300", "--learning-starts", "100",
                             "--checkpoint-every", "150", "--eval-every", "150", "--eval-episodes", "2",
                             "--final-eval-episodes", "2", "--quiet"]

/// The finished template run (built once) and a fresh copy of it for each test.
enum TemplateRun {
    static let path: String = {
        let dir = NSTemporaryDirectory() + "pixel-dqn-tests/template-\(UInt64.random(in: 0...UInt64.max))"
        let r = try? runTool(reliabilityRunOptions + ["--output", dir])
        precondition(r?.status == 0, "the template run failed: \(r?.err ?? "no result")")
        return dir
    }()

    static func copy(_ name: String = #function) throws -> String {
        let dir = try temporaryFolder(name) + "/run"
        try FileManager.default.copyItem(atPath: path, toPath: dir)
        return dir
    }
}

/// Every file of a folder (but the lock file) with its bytes: a refused resume must leave it so.
func folderContents(_ dir: String) throws -> [String: [UInt8]] {
    var out: [String: [UInt8]] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: dir) where name != ".lock" {
        var isDir: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: dir + "/" + name, isDirectory: &isDir)
        // A folder, a pipe or a device stands for itself: only that it is still there counts.
        out[name] = isDir.boolValue || AtomicFile.nonRegularKind(dir + "/" + name) != nil ? [] : try AtomicFile.read(dir + "/" + name)
    }
    return out
}

/// Resumes `dir` (extending it to 450 steps) and expects a refusal whose message contains every
/// needle, with every file left as it was.
func expectRefusedResume(_ dir: String, _ needles: [String], extra: [String] = ["--total-timesteps", "450"],
                         sourceLocation: SourceLocation = #_sourceLocation) throws {
    let before = try folderContents(dir)
    let r = try runTool(["train", "--resume", dir, "--quiet"] + extra)
    #expect(r.status != 0 && r.status < 128, "expected a refusal, got exit \(r.status): \(r.out) \(r.err)", sourceLocation: sourceLocation)
    for needle in needles {
        #expect(r.err.contains(needle), "message lacks \"\(needle)\": \(r.err)", sourceLocation: sourceLocation)
    }
    for raw in ["NSCocoaErrorDomain", "DecodingError", "EncodingError", "Fatal error"] {
        #expect(!r.err.contains(raw), "raw error in the message: \(r.err)", sourceLocation: sourceLocation)
    }
    #expect(try folderContents(dir) == before, "the refused resume changed the folder", sourceLocation: sourceLocation)
}

func editJSON(_ path: String, _ change: (inout [String: Any]) -> Void) throws {
    var object = try JSONSerialization.jsonObject(with: Data(try AtomicFile.read(path))) as! [String: Any]
    change(&object)
    try AtomicFile.write([UInt8](try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])), to: path)
}

func text(_ path: String) throws -> String { String(decoding: try AtomicFile.read(path), as: UTF8.self) }

@Suite struct RunFolderLockTests {
    @Test func aSecondLockOnOneFolderIsRefusedUntilTheFirstIsReleased() throws {
        let dir = try temporaryFolder()
        var first: RunFolderLock? = try RunFolder(path: dir).lock()
        #expect(first != nil)
        #expect {
            try RunFolder(path: dir).lock()
        } throws: { error in
            "\(error)".contains("another pixel-dqn train (process \(getpid()))") && "\(error)".contains(dir)
        }
        first = nil
        #expect(try RunFolder(path: dir).lock().folder == dir)
    }

    @Test func aSecondProcessOnARunningFolderIsRefused() throws {
        let dir = try temporaryFolder() + "/run"
        let p = try startTool(["train", "--observation", "state", "--total-timesteps", "1000000", "--eval-every", "0",
                               "--checkpoint-every", "100", "--output", dir, "--quiet"])
        defer { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
        #expect(waitForFile(dir + "/checkpoint.safetensors"))
        let before = try text(dir + "/config.json")
        let resumed = try runTool(["train", "--resume", dir, "--quiet"])
        #expect(resumed.status != 0 && resumed.err.contains("another pixel-dqn train (process \(p.processIdentifier))"), "\(resumed.err)")
        let fresh = try runTool(["train", "--observation", "state", "--seed", "9", "--output", dir, "--quiet"])
        #expect(fresh.status != 0 && fresh.err.contains("another pixel-dqn train"), "\(fresh.err)")
        #expect(try text(dir + "/config.json") == before)
    }

    @Test func twoTrainsStartedTogetherOnOneFolderLeaveOneRun() throws {
        let dir = try temporaryFolder() + "/run"
        let common = ["train", "--observation", "state", "--total-timesteps", "400", "--learning-starts", "100",
                      "--eval-every", "0", "--final-eval-episodes", "0", "--quiet", "--output", dir]
        let a = try startTool(common + ["--seed", "1"]), b = try startTool(common + ["--seed", "2"])
        a.waitUntilExit(); b.waitUntilExit()
        let statuses = [a.terminationStatus, b.terminationStatus]
        #expect(statuses.filter { $0 == 0 }.count == 1, "exactly one run may use the folder: \(statuses)")
        let loser = a.terminationStatus == 0 ? b : a
        let message = String(decoding: (loser.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(message.contains("another pixel-dqn train") || message.contains("already holds a run"), "\(message)")
        // The folder holds the winner's run only: its config and a checkpoint that resumes with it.
        let config = try RunFolder(path: dir).readConfig()
        #expect(config.seed == (a.terminationStatus == 0 ? 1 : 2))
        let r = try runTool(["train", "--resume", dir, "--total-timesteps", "500", "--quiet"])
        #expect(r.status == 0, "\(r.err)")
    }
}

@Suite struct CorruptedRunFolderTests {
    @Test func anUndamagedCopyResumes() throws {
        let dir = try TemplateRun.copy()
        let r = try runTool(["train", "--resume", dir, "--total-timesteps", "450", "--quiet"])
        #expect(r.status == 0 && r.out.contains("finished after 450 steps"), "\(r.err)")
    }

    /// Values out of range name config.json and the field; values valid on their own but not this
    /// run's (another frame stack, another learning rate) name the checkpoint they contradict.
    @Test(arguments: [("bufferSize", "0", "config.json"), ("batchSize", "0", "config.json"), ("gamma", "7", "config.json"),
                      ("observation", "\"pixels\"", "network"), ("frameStack", "2", "checkpoint.safetensors"),
                      ("learningRate", "0.1", "checkpoint.safetensors"), ("seed", "-1", "config.json"),
                      ("double", "1", "config.json"), ("network", "\"huge\"", "config.json"), ("bogus", "1", "config.json"),
                      ("bufferSize", "1e15", "config.json")])
    func aConfigJSONWithAnEditedFieldIsRefused(field: String, value: String, needle: String) throws {
        let dir = try TemplateRun.copy("config-\(field)")
        try editJSON(dir + "/config.json") { $0[field] = try! JSONSerialization.jsonObject(with: Data(value.utf8), options: .fragmentsAllowed) }
        try expectRefusedResume(dir, [needle, field == "observation" ? "pixel" : field])
    }

    @Test func aConfigJSONThatIsNotJSONMissingOrAFolderIsRefused() throws {
        for damage in ["garbage", "empty", "missing", "folder"] {
            let dir = try TemplateRun.copy("config-\(damage)")
            let path = dir + "/config.json"
            switch damage {
            case "garbage": try AtomicFile.write("{bufferSize: 3", to: path)
            case "empty": try AtomicFile.write("", to: path)
            case "missing": try FileManager.default.removeItem(atPath: path)
            default: try FileManager.default.removeItem(atPath: path); try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            }
            try expectRefusedResume(dir, ["config.json"])
        }
    }

    @Test func aTruncatedDamagedOrForeignCheckpointIsRefused() throws {
        let other = try temporaryFolder() + "/other"
        #expect(try runTool(reliabilityRunOptions + ["--seed", "2", "--output", other]).status == 0)
        for damage in ["truncated", "flipped", "empty", "foreign", "png", "folder"] {
            let dir = try TemplateRun.copy("checkpoint-\(damage)")
            let path = dir + "/checkpoint.safetensors"
            var bytes = try AtomicFile.read(path)
            switch damage {
            case "truncated": try AtomicFile.write(Array(bytes.prefix(bytes.count / 2)), to: path)
            case "flipped": bytes[bytes.count - 100] ^= 0x5A; try AtomicFile.write(bytes, to: path)
            case "empty": try AtomicFile.write([UInt8](), to: path)
            case "foreign": try FileManager.default.removeItem(atPath: path); try FileManager.default.copyItem(atPath: other + "/checkpoint.safetensors", toPath: path)
            case "png": try AtomicFile.write(try AtomicFile.read(dir + "/returns.png"), to: path)
            default: try FileManager.default.removeItem(atPath: path); try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            }
            try expectRefusedResume(dir, ["checkpoint.safetensors"])
        }
    }

    @Test(arguments: [("step", "-1"), ("step", "abc"), ("episode_return", "nan"), ("env_state", "1,2,3"),
                      ("env_elapsed", "100000"), ("evaluations", "999"), ("pixel_dqn.dueling", "maybe"), ("pending", "later")])
    func checkpointMetadataOutOfRangeIsRefused(key: String, value: String) throws {
        let dir = try TemplateRun.copy("meta-\(key)")
        let path = dir + "/checkpoint.safetensors"
        var file = try SafetensorsFile(contentsOf: URL(fileURLWithPath: path))
        file.metadata[key] = value
        try file.write(to: URL(fileURLWithPath: path))
        try expectRefusedResume(dir, ["checkpoint.safetensors", key])
    }

    /// A checkpoint stopped mid-episode whose env_state was moved (the cart 0.5 m toward the
    /// middle, still a running state) no longer matches the newest frame of its φ: refused, for
    /// the state numbers and for pixels.
    @Test(arguments: ["state", "pixels"])
    func aCheckpointWhosePhiDisagreesWithItsStateIsRefused(observation: String) throws {
        let dir: String
        if observation == "state" {
            dir = try TemplateRun.copy("phi-state")
        } else {
            dir = try temporaryFolder("phi-pixels") + "/run"
            let made = try runTool(["train", "--total-timesteps", "40", "--learning-starts", "20", "--batch-size", "4", "--frame-size", "36",
                                    "--buffer-size", "100", "--eval-every", "0", "--final-eval-episodes", "0",
                                    "--checkpoint-every", "20", "--threads", "1", "--quiet", "--output", dir])
            #expect(made.status == 0, "\(made.err)")
        }
        let path = dir + "/checkpoint.safetensors"
        var file = try SafetensorsFile(contentsOf: URL(fileURLWithPath: path))
        try #require(file.metadata["env_running"] == "true", "the run must stop mid-episode for this test")
        var state = try #require(file.metadata["env_state"]).split(separator: ",").map { Double($0)! }
        state[0] += state[0] < 0 ? 0.5 : -0.5
        file.metadata["env_state"] = state.map { "\($0)" }.joined(separator: ",")
        try file.write(to: URL(fileURLWithPath: path))
        try expectRefusedResume(dir, ["checkpoint.safetensors", "phi", "env_state"], extra: ["--total-timesteps", observation == "state" ? "450" : "60"])
    }

    @Test func aMissingCheckpointIsRefusedOnceTheRunHadOne() throws {
        let dir = try TemplateRun.copy()
        try FileManager.default.removeItem(atPath: dir + "/checkpoint.safetensors")
        try expectRefusedResume(dir, ["checkpoint.safetensors", "missing"])
    }

    @Test func aTruncatedEditedForeignOrMissingMetricsFileIsRefused() throws {
        let other = try temporaryFolder() + "/other"
        #expect(try runTool(reliabilityRunOptions + ["--seed", "2", "--output", other]).status == 0)
        for damage in ["rows removed", "nan", "foreign", "missing", "cut mid-row"] {
            let dir = try TemplateRun.copy("metrics-\(damage.filter(\.isLetter))")
            let path = dir + "/metrics.csv"
            let lines = try text(path).split(separator: "\n").map(String.init)
            switch damage {
            case "rows removed": try AtomicFile.write(lines.dropLast(3).joined(separator: "\n") + "\n", to: path)
            case "nan":
                let i = lines.firstIndex { $0.hasPrefix("episode,") }!
                var c = lines[i].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                c[3] = "nan"
                var edited = lines; edited[i] = c.joined(separator: ",")
                try AtomicFile.write(edited.joined(separator: "\n") + "\n", to: path)
            case "foreign": try AtomicFile.write(try AtomicFile.read(other + "/metrics.csv"), to: path)
            case "missing": try FileManager.default.removeItem(atPath: path)
            default: let t = try text(path); try AtomicFile.write(String(t.prefix(t.count / 2)), to: path)
            }
            try expectRefusedResume(dir, ["metrics.csv"])
        }
    }

    @Test func aNaNInMetricsIsRefusedByPlotToo() throws {
        let dir = try TemplateRun.copy()
        let path = dir + "/metrics.csv"
        let lines = try text(path).split(separator: "\n").map { line -> String in
            guard line.hasPrefix("eval,150,") else { return String(line) }
            var c = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            c[8] = "nan"
            return c.joined(separator: ",")
        }
        try AtomicFile.write(lines.joined(separator: "\n") + "\n", to: path)
        let r = try runTool(["plot", "--run", dir])
        #expect(r.status != 0 && r.err.contains("metrics.csv") && r.err.contains("nan"), "\(r.err)")
    }

    @Test func aDamagedTimingFileIsRefused() throws {
        let dir = try TemplateRun.copy()
        try AtomicFile.write("step,episode,steps_per_s,wall_s\n1,0,nan,0.5\n", to: dir + "/timing.csv")
        try expectRefusedResume(dir, ["timing.csv"])
    }

    @Test func aBestModelOfAnotherPresetGarbageOrMissingIsRefusedBeforeAnythingIsRewritten() throws {
        let pixels = try temporaryFolder() + "/pixels"
        let made = try runTool(["train", "--total-timesteps", "40", "--learning-starts", "20", "--batch-size", "4", "--frame-size", "36",
                                "--buffer-size", "100", "--eval-every", "20", "--eval-episodes", "1", "--final-eval-episodes", "0",
                                "--checkpoint-every", "20", "--quiet", "--output", pixels])
        #expect(made.status == 0, "\(made.err)")
        for damage in ["preset", "garbage", "missing"] {
            let dir = try TemplateRun.copy("best-\(damage)")
            let path = dir + "/best.safetensors"
            switch damage {
            case "preset": try AtomicFile.write(try AtomicFile.read(pixels + "/best.safetensors"), to: path)
            case "garbage": try AtomicFile.write("not a model", to: path)
            default: try FileManager.default.removeItem(atPath: path)
            }
            try expectRefusedResume(dir, ["best.safetensors"])
        }
    }

    @Test func aRunKilledBeforeItsFirstCheckpointStartsAgainFromStepZero() throws {
        let dir = try temporaryFolder() + "/run"
        // What a kill (or a failed allocation, or a divergence) before the first checkpoint leaves.
        let fresh = try temporaryFolder() + "/fresh"
        #expect(try runTool(reliabilityRunOptions + ["--output", fresh]).status == 0)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try AtomicFile.write(try AtomicFile.read(fresh + "/config.json"), to: dir + "/config.json")
        let plain = try runTool(reliabilityRunOptions + ["--output", dir])
        #expect(plain.status != 0 && plain.err.contains("--resume"), "\(plain.err)")
        let r = try runTool(["train", "--resume", dir, "--quiet"])
        #expect(r.status == 0 && r.out.contains("starting it again from step 0") && r.out.contains("finished after 300 steps"), "\(r.out) \(r.err)")
        #expect(try AtomicFile.read(dir + "/metrics.csv") == AtomicFile.read(fresh + "/metrics.csv"), "the restarted run is the run")
    }
}

@Suite struct HostileInputTests {
    @Test func resumeRefusesEveryOptionItCannotHonour() throws {
        let dir = try TemplateRun.copy()
        for option in [["--learning-rate", "0.1"], ["--learning-rate=-1"], ["--seed", "4"], ["--buffer-size", "500"],
                       ["--observation", "state"], ["--no-double"], ["--save-replay"], ["--frame-stack", "2"]] {
            let name = option[0].split(separator: "=")[0].replacingOccurrences(of: "--no-", with: "--")
            try expectRefusedResume(dir, [name, "cannot be given with --resume"], extra: option)
        }
    }

    @Test func resumeChecksTheOptionsItMayChange() throws {
        let dir = try TemplateRun.copy()
        try expectRefusedResume(dir, ["--threads", "1 to 2", "64"], extra: ["--threads", "64"])
        try expectRefusedResume(dir, ["--total-timesteps", "at least 300"], extra: ["--total-timesteps", "100"])
        try expectRefusedResume(dir, ["--total-timesteps", "-1"], extra: ["--total-timesteps", "-1"])
    }

    @Test func negativeInfiniteAndHugeValuesGetTheRangeMessage() throws {
        let dir = try temporaryFolder()
        let cases: [([String], [String])] = [
            (["--total-timesteps", "-1"], ["--total-timesteps: expected 1 to", "got -1"]),
            (["--buffer-size", "-5"], ["--buffer-size: expected", "got -5"]),
            (["--max-grad-norm=inf"], ["--max-grad-norm: expected", "got inf"]),
            (["--gamma", "nan"], ["--gamma: expected a number in [0, 1], got nan"]),
            (["--buffer-size=9999999999999"], ["--buffer-size: expected 2 to 1000000000"]),
            (["--total-timesteps", "99999999999999999999"], ["--total-timesteps", "no larger than"]),
            (["--seed", "-1"], ["--seed", "expected a whole number from 0"]),
            (["--batch-size", "100000", "--buffer-size", "200000"], ["--batch-size: expected 1 to 4096"]),
        ]
        for (args, needles) in cases {
            let r = try runTool(["train"] + args + ["--output", dir + "/never"])
            #expect(r.status != 0 && r.status < 128, "\(args): exit \(r.status)")
            for n in needles { #expect(r.err.contains(n), "\(args): \(r.err)") }
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/never"), "a refused run leaves no folder")
    }

    @Test func aReplayMemoryBeyondTheMachineIsRefusedBeforeAnythingIsAllocated() throws {
        let dir = try temporaryFolder() + "/run"
        // One transition more than half the machine's memory holds at 84x84 (7,070 bytes each).
        let size = Int(TrainingConfig.memoryLimitBytes / 7070) + 1
        let r = try runTool(["train", "--buffer-size", "\(size)", "--output", dir])
        #expect(r.status != 0 && r.status < 128 && r.err.contains("--buffer-size \(size)") && r.err.contains("memory"), "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: dir))
        var c = TrainingConfig()
        c.bufferSize = 100_000
        #expect(c.estimatedMemoryBytes.replay < 1e9, "the default pixel run's replay memory is about 0.7 GB")
        // --save-replay writes the frames from the ring and reads them back into it in place:
        // a million 84x84 frames with the checkpoint's copies of the small fields fit in 7.2 GB.
        var big = TrainingConfig()
        big.bufferSize = 1_000_000
        let without = big.estimatedMemoryBytes.replay
        big.saveReplay = true
        #expect(big.estimatedMemoryBytes.replay < 1.01 * without && big.estimatedMemoryBytes.replay < 7.2e9,
                "\(big.estimatedMemoryBytes.replay) bytes with --save-replay against \(without) without")
    }

    @Test func aFolderGivenAsAModelNamesTheProblem() throws {
        let dir = try temporaryFolder()
        let r = try runTool(["evaluate", "--model", dir])
        #expect(r.status != 0 && r.err.contains(dir) && r.err.contains("is a folder"), "\(r.err)")
        #expect(!r.err.contains("NSCocoaErrorDomain"))
    }

    @Test func modelMetadataOutOfRangeIsRefused() throws {
        for (key, value) in [("frame_skip", "0"), ("frame_size", "99999"), ("pixel_dqn.input_shape", "4,100000,100000"),
                             ("pixel_dqn.actions", "1000000000"), ("env", "CartPole-v9")] {
            let path = try temporaryFolder("model-\(key)") + "/model.safetensors"
            var file = try SafetensorsFile(contentsOf: URL(fileURLWithPath: TemplateRun.path + "/model.safetensors"))
            file.metadata[key] = value
            try file.write(to: URL(fileURLWithPath: path))
            let r = try runTool(["evaluate", "--model", path])
            #expect(r.status != 0 && r.status < 128 && r.err.contains(path) && r.err.contains(key), "\(key): \(r.err)")
        }
    }

    @Test func extendingARunIsRecordedAndAnInterruptedExtensionContinuesToTheNewEnd() throws {
        let dir = try TemplateRun.copy()
        let p = try startTool(["train", "--resume", dir, "--total-timesteps", "6000", "--eval-every", "0", "--quiet"])
        #expect(waitForCheckpointBeyond(dir + "/checkpoint.safetensors", step: 300))
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(try text(dir + "/summary.json").contains("\"interrupted\" : true"), "the extension was stopped before its end")
        let config = try RunFolder(path: dir).readConfig()
        #expect(config.totalTimesteps == 6000 && config.evalEvery == 0, "the extension is in config.json")
        // A plain resume continues the extension to its end (before, it "finished" at once).
        let r = try runTool(["train", "--resume", dir, "--quiet"])
        #expect(r.status == 0 && r.out.contains("finished after 6000 steps"), "\(r.out) \(r.err)")
    }

    @Test func resumingAFinishedRunChangesNothing() throws {
        let dir = try TemplateRun.copy()
        let before = try folderContents(dir)
        for _ in 0..<2 {
            let r = try runTool(["train", "--resume", dir, "--quiet"])
            #expect(r.status == 0 && r.out.contains("already finished at step 300"), "\(r.out) \(r.err)")
        }
        #expect(try folderContents(dir) == before, "no duplicate evaluation rows, no file rewritten")
    }

    @Test func ctrlCStopsAFinalEvaluationAndTheResumeFinishesIt() throws {
        let dir = try temporaryFolder() + "/run"
        // A final evaluation of 100,000 episodes: long enough to be interrupted.
        let p = try startTool(["train", "--observation", "state", "--total-timesteps", "300", "--learning-starts", "100",
                               "--checkpoint-every", "300", "--eval-every", "0", "--final-eval-episodes", "100000",
                               "--output", dir, "--quiet"])
        #expect(waitForFile(dir + "/checkpoint.safetensors"))
        usleep(300_000)
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        #expect(p.terminationReason == .exit && p.terminationStatus == 0)
        #expect(try text(dir + "/summary.json").contains("\"interrupted\" : true"))
        #expect(!(try text(dir + "/metrics.csv")).contains("\neval,"), "no row for the interrupted evaluation")
        let r = try runTool(["train", "--resume", dir, "--final-eval-episodes", "3", "--quiet"])
        #expect(r.status == 0 && r.out.contains("final evaluation over 3 episodes"), "\(r.out) \(r.err)")
        #expect(try text(dir + "/metrics.csv").components(separatedBy: "\neval,300,").count == 2, "exactly one final row")
    }

    @Test func aStopDuringAPeriodicEvaluationResumesToTheSameBytes() throws {
        var c = tinyConfig(.state, steps: 600)
        c.saveReplay = true
        let whole = try temporaryFolder() + "/whole", parts = try temporaryFolder() + "/parts"
        _ = try runTraining(c, folder: whole)
        // Stop in the middle of the evaluation at step 400 (its first episode's fifth step).
        let run = RunFolder(path: parts)
        try run.prepareNew()
        try run.writeConfig(c)
        let make = { StateCartPole(version: c.env, frameStack: c.frameStack) }
        do {   // the stopped trainer, and with it the folder's lock, goes at the end of this block
            let t = try Trainer(config: c, folder: run, source: make(), evalSource: make(), resume: false)
            t.report = { _, _ in }
            var evaluationSteps = 0
            t.shouldStop = { [unowned t] in
                if t.isEvaluating && t.step == 400 { evaluationSteps += 1 }
                return evaluationSteps >= 5
            }
            let stopped = try t.run()
            #expect(stopped.interrupted && stopped.steps == 400)
            let checkpoint = try SafetensorsFile(contentsOf: URL(fileURLWithPath: run.checkpoint))
            #expect(checkpoint.metadata["pending"] == "evaluation", "the checkpoint records the evaluation left to do")
        }
        let resumed = try runTraining(c, folder: parts, resume: true)
        #expect(resumed.steps == 600 && !resumed.interrupted)
        #expect(try fileBytes(whole + "/metrics.csv") == fileBytes(parts + "/metrics.csv"))
        #expect(try fileBytes(whole + "/model.safetensors") == fileBytes(parts + "/model.safetensors"))
    }

    @Test func theFirstProgressLineHasASensibleETA() throws {
        let dir = try temporaryFolder() + "/run"
        let c = tinyConfig(.state, steps: 2000)
        let run = RunFolder(path: dir)
        try run.prepareNew()
        try run.writeConfig(c)
        let make = { StateCartPole(version: c.env, frameStack: c.frameStack) }
        let t = try Trainer(config: c, folder: run, source: make(), evalSource: make(), resume: false)
        var lines: [String] = []
        t.progressEvery = 1e-9
        t.report = { line, live in if live { lines.append(line) } }
        _ = try t.run()
        let first = try #require(lines.first)
        let eta = first.components(separatedBy: "ETA ").last ?? ""
        // "42s", "3m05s" or "1h02m": anything under a day for 2,000 steps (the bug said 2349 hours).
        #expect(!eta.contains("?") && (!eta.contains("h") || (Int(eta.prefix { $0.isNumber }) ?? 99) < 24), "first line: \(first)")
    }
}

/// Waits until the checkpoint's step passes `step`.
func waitForCheckpointBeyond(_ path: String, step: Int, timeout: Double = 120) -> Bool {
    let end = Date().addingTimeInterval(timeout)
    while Date() < end {
        if let s = try? checkpointStep((path as NSString).deletingLastPathComponent), s > step { return true }
        usleep(50_000)
    }
    return false
}

func checkpointStep(_ dir: String) throws -> Int {
    let file = try SafetensorsFile(contentsOf: URL(fileURLWithPath: dir + "/checkpoint.safetensors"))
    return Int(file.metadata["step"] ?? "") ?? -1
}

@Suite struct TwoTrainersTests {
    /// A short pixel run on `threads` threads, in `folder`.
    static func pixelRun(threads: Int, folder: String) throws {
        var c = tinyConfig(.pixels, steps: 300)
        c.threads = threads
        _ = try runTraining(c, folder: folder)
    }

    @Test func trainersWithDifferentThreadCountsInOneProcessGiveTheBitsOfEachAlone() throws {
        let alone1 = try temporaryFolder() + "/alone1", alone2 = try temporaryFolder() + "/alone2"
        try Self.pixelRun(threads: 1, folder: alone1)
        try Self.pixelRun(threads: 2, folder: alone2)
        let together1 = try temporaryFolder() + "/together1", together2 = try temporaryFolder() + "/together2"
        let group = DispatchGroup()
        let errors = ErrorBox()
        for (threads, folder) in [(1, together1), (2, together2)] {
            group.enter()
            Thread {
                do { try Self.pixelRun(threads: threads, folder: folder) } catch { errors.add("\(error)") }
                group.leave()
            }.start()
        }
        group.wait()
        #expect(errors.all.isEmpty, "\(errors.all)")
        for (alone, together) in [(alone1, together1), (alone2, together2)] {
            for file in ["metrics.csv", "model.safetensors", "best.safetensors"] {
                #expect(try fileBytes(alone + "/" + file) == fileBytes(together + "/" + file), "\(file) of \(together)")
            }
        }
        #expect(try fileBytes(alone1 + "/model.safetensors") == fileBytes(alone2 + "/model.safetensors"), "1 and 2 threads")
    }
}

/// Errors collected from several threads.
final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [String] = []
    func add(_ e: String) { lock.withLock { errors.append(e) } }
    var all: [String] { lock.withLock { errors } }
}
