// Faults users meet: a kill at any moment (checkpoint writes included), Ctrl-C, a diverging
// learning rate, a full disk, and output paths that cannot be used. Each must end with a clear
// message and lose nothing beyond the steps since the last checkpoint.
import Foundation
import Testing
import PixelDQN

/// Starts the pixel-dqn tool without waiting for it.
func startTool(_ arguments: [String], shellPrefix: String? = nil) throws -> Process {
    let exe = toolURL
    let p = Process()
    if let prefix = shellPrefix {
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-c", prefix + " exec \"$0\" \"$@\"", exe.path] + arguments
    } else {
        p.executableURL = exe
        p.arguments = arguments
    }
    p.standardOutput = FileHandle.nullDevice
    p.standardError = Pipe()
    try p.run()
    return p
}

func waitForFile(_ path: String, timeout: Double = 60) -> Bool {
    let end = Date().addingTimeInterval(timeout)
    while Date() < end {
        if FileManager.default.fileExists(atPath: path) { return true }
        usleep(20_000)
    }
    return false
}

/// A state run with frequent checkpoints, so kills land during writes too.
let faultRunOptions = ["train", "--observation", "state", "--total-timesteps", "200000", "--checkpoint-every", "300",
                       "--eval-every", "0", "--final-eval-episodes", "5", "--buffer-size", "20000", "--save-replay", "--quiet"]

@Suite(.serialized) struct FaultTests {
    @Test func sigkillAtRandomMomentsLeavesALoadableCheckpointAndResumes() throws {
        let dir = try temporaryFolder() + "/run"
        var rng = Xoshiro256(seed: 99)
        var lastStep = -1
        for round in 0..<4 {
            let args = round == 0 ? faultRunOptions + ["--output", dir] : ["train", "--resume", dir, "--quiet"]
            let p = try startTool(args)
            #expect(waitForFile(dir + "/checkpoint.safetensors"), "round \(round): no checkpoint appeared")
            usleep(UInt32(50_000 + rng.nextIndex(below: 700_000)))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            #expect(p.terminationReason == .uncaughtSignal)
            // Whatever moment the kill hit, the files under their real names are complete.
            let file = try SafetensorsFile(contentsOf: URL(fileURLWithPath: dir + "/checkpoint.safetensors"))
            let step = Int(file.metadata["step"] ?? "") ?? -1
            #expect(step > 0 && step % 300 == 0, "round \(round): checkpoint step \(step)")
            #expect(step >= lastStep, "round \(round): the resumed run went backwards (\(lastStep) → \(step))")
            lastStep = step
            let metrics = String(decoding: try AtomicFile.read(dir + "/metrics.csv"), as: UTF8.self)
            _ = try MetricsLog.parse(metrics, path: dir + "/metrics.csv")
            _ = try QNetwork(contentsOf: URL(fileURLWithPath: dir + "/model.safetensors"), maxBatch: 1)
        }
        // Finally a resume runs to the end of a shortened run and exits 0.
        let r = try runTool(["train", "--resume", dir, "--total-timesteps", "\(lastStep + 600)", "--quiet"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("finished after \(lastStep + 600) steps"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
    }

    @Test func sigintStopsCleanlyWithExitZero() throws {
        let dir = try temporaryFolder() + "/run"
        let p = try startTool(faultRunOptions + ["--output", dir])
        #expect(waitForFile(dir + "/checkpoint.safetensors"))
        usleep(200_000)
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        #expect(p.terminationReason == .exit && p.terminationStatus == 0)
        let summary = String(decoding: try AtomicFile.read(dir + "/summary.json"), as: UTF8.self)
        #expect(summary.contains("\"interrupted\" : true"))
        let r = try runTool(["train", "--resume", dir, "--total-timesteps", "3000", "--quiet"])
        #expect(r.status == 0, "\(r.err)")
    }

    @Test func aDivergingLearningRateStopsWithTheStep() throws {
        let dir = try temporaryFolder() + "/run"
        let r = try runTool(["train", "--observation", "state", "--learning-rate", "1e6", "--max-grad-norm", "0",
                             "--total-timesteps", "20000", "--learning-starts", "200", "--checkpoint-every", "100",
                             "--eval-every", "0", "--output", dir, "--quiet"])
        #expect(r.status != 0)
        #expect(r.err.contains("training stopped at step") && r.err.contains("diverged"), "\(r.err)")
        // The last good checkpoint is still there and loads.
        let file = try SafetensorsFile(contentsOf: URL(fileURLWithPath: dir + "/checkpoint.safetensors"))
        #expect(file.metadata["step"] != nil)
    }

    @Test func aFullDiskGivesAClearErrorAndNoHalfFile() throws {
        let dir = try temporaryFolder() + "/run"
        // File size limit of 2 MiB: the replay memory in the first checkpoint (7.6 MB) does not
        // fit. Not lower: under ThreadSanitizer (Scripts/sanitizers.sh) the tool dies of SIGBUS
        // in the sanitizer's start-up below a limit of about 400 KiB, before main runs.
        let p = try startTool(["train", "--observation", "state", "--total-timesteps", "5000", "--checkpoint-every", "1000",
                               "--buffer-size", "200000", "--save-replay", "--output", dir, "--quiet"],
                              shellPrefix: "trap '' XFSZ; ulimit -f 2048;")
        p.waitUntilExit()
        let err = String(decoding: (p.standardError as! Pipe).fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus != 0)
        #expect(err.contains("checkpoint.safetensors") && err.contains("too large"), "\(err)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/checkpoint.safetensors"), "no half-written checkpoint")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    @Test func unusableOutputPathsAreRefusedBeforeTraining() throws {
        let dir = try temporaryFolder()
        try AtomicFile.write("x", to: dir + "/a-file")
        let r1 = try runTool(["train", "--observation", "state", "--output", dir + "/a-file"])
        #expect(r1.status != 0 && r1.err.contains("is a file"), "\(r1.err)")
        try FileManager.default.createDirectory(atPath: dir + "/locked", withIntermediateDirectories: true)
        chmod(dir + "/locked", 0o500)
        defer { chmod(dir + "/locked", 0o700) }
        if getuid() != 0 {  // root can write anywhere; the check is meaningful only for users
            let r2 = try runTool(["train", "--observation", "state", "--output", dir + "/locked/run"])
            #expect(r2.status != 0 && r2.err.contains("cannot"), "\(r2.err)")
        }
        let r3 = try runTool(["train", "--resume", dir + "/nothing-here"])
        #expect(r3.status != 0 && r3.err.contains("no run there"), "\(r3.err)")
    }
}
