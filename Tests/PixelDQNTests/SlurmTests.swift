// sweep --slurm: the job array's script and task lists (always), and a tiny grid submitted to a
// running Slurm cluster (only when Scripts/slurm-cluster.sh has started one on this machine;
// skipped otherwise — CI does not start one).
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

    @Test(.enabled(if: clusterRuns(), "needs the one-node cluster of Scripts/slurm-cluster.sh start"))
    func aGridRunsOnSlurmAndTheSecondCallGathersIt() throws {
        let dir = try temporaryFolder() + "/grid"
        let args = ["sweep", "--slurm", "--seeds", "1-2", "--grid", "n-step=1,3", "--output", dir, "--observation", "state",
                    "--total-timesteps", "1500", "--eval-every", "500", "--final-eval-episodes", "5", "--eval-episodes", "2", "--threads", "1"]
        let first = try runTool(args, environment: ["SLURM_CONF": slurmConf])
        #expect(first.status == 0 && first.out.contains("submitted Slurm job") && first.out.contains("array tasks 1-4"), "\(first.out)\(first.err)")
        // Wait for the four tasks to finish (a few seconds each).
        let deadline = Date().addingTimeInterval(300)
        var done = false
        while !done && Date() < deadline {
            done = [1, 3].allSatisfy { n in [1, 2].allSatisfy { s in
                (try? RunSummary.read("\(dir)/n-step=\(n)/seed-\(s)/summary.json"))?.interrupted == false } }
            if !done { usleep(500_000) }
        }
        #expect(done, "the array's runs did not finish within 300 s")
        let second = try runTool(args, environment: ["SLURM_CONF": slurmConf])
        #expect(second.status == 0 && second.out.contains("4 of 4 runs finished") && second.out.contains("all 4 runs finished"), "\(second.out)\(second.err)")
        #expect(!second.out.contains("submitted Slurm job"))
        let compare = try #require(try JSONSerialization.jsonObject(with: Data(fileBytes(dir + "/compare.json"))) as? [String: Any])
        #expect((compare["settings"] as? [[String: Any]])?.count == 2)
    }
}
