// What a user had is never lost (issue: "Nothing lost, ever"): a folder of someone's files is not
// written into, a .lock that is a symbolic link is not followed, a finished run whose checkpoint
// was deleted is not started again over its record, and ε stays in [0, 1] whichever way it moves.
import Foundation
import Testing
import PixelDQN

@Suite struct DataLossTests {
    /// `train --output` into a folder of files that are not a run's: refused, every file intact.
    @Test func aFolderOfSomeoneElsesFilesIsNeverWrittenInto() throws {
        let folder = try temporaryFolder()
        let theirs = ["model.safetensors": "my model", "summary.json": "{\"mine\": true}", "returns.png": "a picture"]
        for (name, text) in theirs { try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8) }
        let r = try runTool(["train", "--observation", "state", "--total-timesteps", "300", "--learning-starts", "100",
                             "--output", folder])
        #expect(r.status == 64, "a usage error: \(r.status)")
        #expect(r.err.contains("not a pixel-dqn run's"), "\(r.err)")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(names == theirs.keys.sorted(), "nothing was added: \(names)")
        for (name, text) in theirs { #expect(try String(contentsOfFile: folder + "/" + name, encoding: .utf8) == text) }
    }

    /// `sweep`, `sweep --aggregate`, `dump-frames` and `play` into a folder of someone's files:
    /// each refused as a usage error naming --output and the file; nothing is added.
    @Test func noCommandWritesIntoAFolderOfSomeoneElsesFiles() throws {
        let folder = try temporaryFolder()
        try "mine\n".write(toFile: folder + "/notes.txt", atomically: true, encoding: .utf8)
        let runs = try temporaryFolder() + "/runs"
        let run = try runTool(["train", "--observation", "state", "--total-timesteps", "300", "--learning-starts", "100",
                               "--eval-every", "0", "--final-eval-episodes", "1", "--no-tensorboard", "--output", runs + "/seed-1"])
        #expect(run.status == 0, "\(run.err)")
        for command in [["sweep", "--seeds", "1", "--output", folder, "--observation", "state", "--total-timesteps", "300"],
                        ["sweep", "--aggregate", runs, "--output", folder],
                        ["dump-frames", "--steps", "2", "--size", "36", "--output", folder],
                        ["play", "--max-steps", "2", "--output", folder]] {
            let r = try runTool(command)
            #expect(r.status == 64 && r.err.contains("--output \(folder)") && r.err.contains("notes.txt"), "\(command[0]): \(r.status) \(r.err)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["notes.txt"], "\(command)")
        }
        #expect(try String(contentsOfFile: folder + "/notes.txt", encoding: .utf8) == "mine\n")
    }

    /// A `.lock` that is a symbolic link is refused; its target is left as it was.
    @Test func aLockThatIsASymbolicLinkIsNotFollowed() throws {
        let folder = try temporaryFolder()
        let target = try temporaryFolder() + "/precious.txt"
        try "keep me\n".write(toFile: target, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: folder + "/.lock", withDestinationPath: target)
        #expect(throws: ConfigError.self) { _ = try RunFolder(path: folder).lock() }
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep me\n")
    }

    /// A finished run whose checkpoint and model were deleted is refused by --resume, and its
    /// metrics.csv and summary.json stay as they were.
    @Test func aFinishedRunWithoutItsCheckpointIsNotRestarted() throws {
        let folder = try temporaryFolder() + "/run"
        let first = try runTool(["train", "--observation", "state", "--total-timesteps", "600", "--learning-starts", "200",
                                 "--eval-every", "300", "--final-eval-episodes", "2", "--no-tensorboard", "--output", folder])
        #expect(first.status == 0, "\(first.err)")
        let metrics = try String(contentsOfFile: folder + "/metrics.csv", encoding: .utf8)
        let summary = try String(contentsOfFile: folder + "/summary.json", encoding: .utf8)
        for name in ["checkpoint.safetensors", "model.safetensors", "best.safetensors"] { unlink(folder + "/" + name) }
        let again = try runTool(["train", "--resume", folder])
        #expect(again.status != 0)
        #expect(again.err.contains("summary.json"), "\(again.err)")
        #expect(try String(contentsOfFile: folder + "/metrics.csv", encoding: .utf8) == metrics)
        #expect(try String(contentsOfFile: folder + "/summary.json", encoding: .utf8) == summary)
    }

    /// ε rising from --start-e to --end-e stops at --end-e; falling, it is as it always was.
    @Test func epsilonStaysBetweenItsStartAndEnd() {
        var c = TrainingConfig.defaults(for: .state)
        c.startEpsilon = 0.05
        c.endEpsilon = 0.9
        for step in stride(from: 0, through: 3 * c.totalTimesteps, by: 997) {
            let e = c.epsilon(atStep: step)
            #expect(e >= 0.05 && e <= 0.9, "ε \(e) at step \(step)")
        }
        #expect(c.epsilon(atStep: c.totalTimesteps) == 0.9)
        c.startEpsilon = 1
        c.endEpsilon = 0.05
        #expect(c.epsilon(atStep: 0) == 1 && c.epsilon(atStep: c.totalTimesteps) == 0.05)
    }

    /// The sweep's memory check counts the runs that share the machine: two runs that each fit
    /// but not together are refused with --jobs 2 (exit 64), accepted with --jobs 1.
    @Test func aSweepRefusesMoreRunsAtOnceThanTheMemoryHolds() throws {
        let perTransition = 84.0 * 84 + 14 + 32
        let buffer = Int(TrainingConfig.memoryLimitBytes * 0.9 / perTransition)
        let folder = try temporaryFolder() + "/sweep"
        let options = ["--seeds", "1-2", "--output", folder, "--buffer-size", "\(buffer)", "--total-timesteps", "\(buffer)", "--print-commands"]
        let two = try runTool(["sweep", "--jobs", "2"] + options)
        #expect(two.status == 64, "\(two.err)")
        #expect(two.err.contains("--jobs 2") && two.err.contains("GB"), "\(two.err)")
        let one = try runTool(["sweep", "--jobs", "1"] + options)
        #expect(one.status == 0, "\(one.err)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/seed-1/config.json"))
    }

    /// Options that would be silently ineffective, and a model played on a task it did not learn,
    /// are usage errors naming the option, the value and what was expected.
    @Test(arguments: [
        (["train", "--augment-pad", "2"], "--augment-pad 2: has an effect only with --augment shift"),
        (["train", "--learning-starts", "5000", "--total-timesteps", "1000"], "--learning-starts: expected fewer than --total-timesteps (1000)"),
        (["train", "--lr-schedule", "linear", "--final-learning-rate", "0.01"], "--final-learning-rate: expected at most --learning-rate"),
    ])
    func ineffectiveOptionsAreRefused(arguments: [String], message: String) throws {
        let r = try runTool(arguments)
        #expect(r.status == 64, "\(arguments): \(r.status) \(r.err)")
        #expect(r.err.contains(message), "\(r.err)")
        // Where the option does take effect it passes its check (the run is then refused for an
        // unrelated value, so nothing trains).
        let accepted = try runTool(["train", "--augment", "shift", "--augment-pad", "2", "--learning-starts", "500", "--total-timesteps", "1000",
                                    "--lr-schedule", "linear", "--final-learning-rate", "0.0001", "--frame-stack", "0"])
        #expect(accepted.status == 64 && accepted.err.contains("--frame-stack"), "\(accepted.err)")
    }

    @Test func aModelIsNotPlayedOnAnotherTask() throws {
        let r = try runTool(["evaluate", "--model", "Models/mountaincar-v0-pixels.safetensors", "--env", "Acrobot-v1", "--episodes", "1"])
        #expect(r.status == 64)
        #expect(r.err.contains("was trained on MountainCar-v0"), "\(r.err)")
        // CartPole-v0 and -v1 differ only in their time limit: the CartPole model plays both.
        let v0 = try runTool(["evaluate", "--model", "Models/cartpole-v1-pixels.safetensors", "--env", "CartPole-v0", "--episodes", "1"])
        #expect(v0.status == 0, "\(v0.err)")
    }
}
