// sweep --slurm: the job array's script and task lists (always), and a tiny grid submitted to a
// running Slurm cluster (only when Scripts/slurm-cluster.sh has started one on this machine;
// skipped otherwise; .ci/run starts one and requires it).
import Foundation
import Testing
import PixelDQN

private let slurmConf = "/tmp/pixel-dqn-slurm/slurm.conf"

/// Whether the one-node cluster of Scripts/slurm-cluster.sh runs here.
private func clusterRuns() -> Bool {
    guard let pid = try? String(contentsOfFile: "/tmp/pixel-dqn-slurm/slurmctld.pid", encoding: .utf8),
          let n = Int32(pid.trimmingCharacters(in: .whitespacesAndNewlines)) else { return false }
    return kill(n, 0) == 0
}

@Suite struct SlurmTests {
    @Test func theArrayScriptHasOneCasePerRunAndTheRunsNeeds() {
        let tasks = [SlurmTask(index: 1, seed: 1, folder: "/r/n-step=1/seed-1", arguments: ["train", "--seed", "1", "--output", "/r/n-step=1/seed-1"]),
                     SlurmTask(index: 2, seed: 2, folder: "/r/it's/seed-2", arguments: ["train", "--seed", "2"])]
        let text = SlurmJob.script(executable: "/bin/pixel-dqn", tasks: tasks, threads: 2, memoryMB: 900, logFolder: "/r/slurm",
                                   name: "pixel-dqn-r", options: ["--time=1:00:00"])
        for line in ["#SBATCH --cpus-per-task=2", "#SBATCH --mem=900M", "#SBATCH --requeue", "#SBATCH --time=1:00:00",
                     "    1) run /r/n-step=1/seed-1 train --seed 1 --output /r/n-step=1/seed-1 ;;",
                     "    2) run '/r/it'\\''s/seed-2' train --seed 2 ;;",
                     "        exec \"$exe\" train --resume \"$folder\" --threads 2 >> \"$folder/train.log\" 2>&1"] {
            #expect(text.contains(line + "\n"), "missing: \(line)")
        }
        #expect(SlurmJob.arrayList([5, 1, 2, 3, 7, 8]) == "1-3,5,7-8")
        #expect(SlurmJob.arrayList([4]) == "4")
        var c = TrainingConfig.defaults(for: .state)
        c.bufferSize = 10_000
        let (replay, networks) = c.estimatedMemoryBytes
        #expect(SlurmJob.memoryMegabytes(c) == Int(((replay + networks) * 1.25 / 1e6).rounded(.up)) + 256)
    }

    /// A 2-setting x 3-seed grid of state runs on the one-node cluster: one array task cancelled
    /// with scancel in the middle of its run, resubmitted by the second call, resumed from its
    /// checkpoint; the third call gathers a compare.json equal to the one the same grid gives
    /// when run here without Slurm. Runs where that cluster runs (`.ci/run` starts it and sets
    /// PIXEL_DQN_REQUIRE_SLURM=1, which turns a cluster that is not running into a failure).
    @Test(.enabled(if: clusterRuns() || requireSlurm, "needs the one-node cluster of Scripts/slurm-cluster.sh start"))
    func aGridRunsOnSlurmSurvivesACancelledTaskAndComparesAsItDoesLocally() throws {
        try #require(clusterRuns(), "PIXEL_DQN_REQUIRE_SLURM=1 but the cluster of Scripts/slurm-cluster.sh does not run")
        let root = try temporaryFolder()
        let dir = root + "/slurm", local = root + "/local"
        let trainOptions = ["--observation", "state", "--total-timesteps", "40000", "--eval-every", "10000", "--checkpoint-every", "2000",
                            "--final-eval-episodes", "5", "--eval-episodes", "2", "--threads", "1", "--save-replay"]
        let grid = ["--seeds", "1-3", "--grid", "n-step=1,3"]
        let args = ["sweep", "--slurm"] + grid + ["--output", dir] + trainOptions
        let environment = ["SLURM_CONF": slurmConf]
        func finished(_ folder: String) -> Bool { (try? RunSummary.read(folder + "/summary.json"))?.interrupted == false }
        let runs = [1, 3].flatMap { n in (1...3).map { s in "\(dir)/n-step=\(n)/seed-\(s)" } }
        func waitFor(_ what: String, seconds: Double, _ condition: () -> Bool) throws {
            let deadline = Date().addingTimeInterval(seconds)
            while !condition() {
                guard Date() < deadline else { throw TestFailure("\(what) did not happen within \(Int(seconds)) s") }
                usleep(100_000)
            }
        }

        let first = try runTool(args, environment: environment)
        try #require(first.status == 0 && first.out.contains("array tasks 1-6"), "\(first.out)\(first.err)")
        let job = try #require(first.out.split(separator: "\n").first { $0.hasPrefix("submitted Slurm job ") }?
            .dropFirst("submitted Slurm job ".count).prefix { $0.isNumber })
        // Task 1 (n-step=1, seed 1) is cancelled once it has written a checkpoint and before it finishes.
        try waitFor("task 1's first checkpoint", seconds: 300) { FileManager.default.fileExists(atPath: runs[0] + "/checkpoint.safetensors") }
        let cancel = try runProgram("/usr/bin/env", ["scancel", "\(job)_1"], environment: environment)
        try #require(cancel.status == 0, "scancel: \(cancel.err)")
        try waitFor("the cancelled task's stop", seconds: 120) { !queueHolds("\(job)_1") }
        let stopped = try RunSummary.read(runs[0] + "/summary.json")
        try #require(stopped.interrupted, "task 1 finished before scancel reached it (\(stopped.steps) steps); the test needs a longer run")
        try waitFor("the five other runs", seconds: 600) { runs.dropFirst().allSatisfy(finished) }

        let second = try runTool(args, environment: environment)
        #expect(second.status == 0 && second.out.contains("5 of 6 runs finished") && second.out.contains("n-step=1 seed 1: resubmitted")
                && second.out.contains("array tasks 1 of"), "\(second.out)\(second.err)")
        try waitFor("the resubmitted run", seconds: 300) { finished(runs[0]) }
        // Resumed, not started again: the folder keeps the stopped process's log, and no run was set aside.
        let log = try String(contentsOfFile: runs[0] + "/train.log", encoding: .utf8)
        #expect(log.contains("stopped after \(stopped.steps) steps"), "the resubmitted task did not resume its run:\n\(log)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/n-step=1/restarted"))
        #expect(try RunSummary.read(runs[0] + "/summary.json").steps == 40000)
        let third = try runTool(args, environment: environment)
        #expect(third.status == 0 && third.out.contains("6 of 6 runs finished") && third.out.contains("all 6 runs finished"), "\(third.out)\(third.err)")
        #expect(!third.out.contains("submitted Slurm job"))

        // The same grid without Slurm: the same comparison, but for the folder names it holds.
        let here = try runTool(["sweep"] + grid + ["--output", local, "--jobs", "2"] + trainOptions)
        try #require(here.status == 0, "\(here.out)\(here.err)")
        let onSlurm = try String(contentsOfFile: dir + "/compare.json", encoding: .utf8).replacingOccurrences(of: dir, with: "GRID")
        let onThisMachine = try String(contentsOfFile: local + "/compare.json", encoding: .utf8).replacingOccurrences(of: local, with: "GRID")
        #expect(onSlurm.contains("\"n-step=3\""))
        #expect(onSlurm == onThisMachine)
    }
}

/// PIXEL_DQN_REQUIRE_SLURM=1: the cluster test must run.
private let requireSlurm = ProcessInfo.processInfo.environment["PIXEL_DQN_REQUIRE_SLURM"] == "1"

private struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Whether squeue lists the job or array task `id`.
private func queueHolds(_ id: String) -> Bool {
    guard let r = try? runProgram("/usr/bin/env", ["squeue", "-h", "-r", "-o", "%i"], environment: ["SLURM_CONF": slurmConf]) else { return true }
    return r.out.split(separator: "\n").contains { $0.trimmingCharacters(in: .whitespaces) == id }
}
