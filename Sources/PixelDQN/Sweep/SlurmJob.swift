// A sweep (or a grid) as one Slurm job array: the script whose array task i trains the i-th
// (setting, seed) run, and slurm.json, which records the tasks and the jobs submitted so that a
// later call can report progress and resubmit what failed or was preempted. Each task decides at
// its start what its run needs (skip a finished run, resume from a checkpoint, set aside a run
// stopped before its first checkpoint, or start), so a requeued or resubmitted task loses nothing.
// Submitting and asking the queue are the command line's job.
import Foundation

public struct SlurmTask: Codable, Equatable, Sendable {
    /// The array index (1-based).
    public var index: Int
    public var seed: UInt64
    /// The run folder.
    public var folder: String
    /// `train` arguments of a new run (without the executable).
    public var arguments: [String]

    public init(index: Int, seed: UInt64, folder: String, arguments: [String]) {
        self.index = index; self.seed = seed; self.folder = folder; self.arguments = arguments
    }
}

public struct SlurmRecord: Codable, Equatable, Sendable {
    public var script: String
    public var tasks: [SlurmTask]
    /// Every job submitted, oldest first.
    public var jobs: [String]

    public init(script: String, tasks: [SlurmTask], jobs: [String]) { self.script = script; self.tasks = tasks; self.jobs = jobs }

    /// Reads and checks slurm.json: tasks numbered 1…n in order, job ids numbers.
    public static func read(_ path: String) throws -> SlurmRecord? {
        guard let r = try readJSONFile(SlurmRecord.self, path: path, name: "slurm.json") else { return nil }
        guard r.tasks.map(\.index) == Array(1...max(1, r.tasks.count)), !r.tasks.isEmpty else {
            throw FileError(path: path, problem: "its tasks are numbered \(r.tasks.map(\.index)), expected 1 to \(r.tasks.count) in order")
        }
        if let bad = r.jobs.first(where: { $0.isEmpty || !$0.allSatisfy(\.isNumber) }) {
            throw FileError(path: path, problem: "the job id \"\(bad)\" is not a number")
        }
        return r
    }

    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write([UInt8](try encoder.encode(self)) + [10], to: path)
    }
}

public enum SlurmJob {
    /// The memory to request per task, in MB: the run's estimate with a quarter more and 256 MB
    /// for the process itself.
    public static func memoryMegabytes(_ config: TrainingConfig) -> Int {
        let (replay, networks) = config.estimatedMemoryBytes
        return Int(((replay + networks) * 1.25 / 1_000_000).rounded(.up)) + 256
    }

    /// The array script: `#SBATCH` lines (cpus, memory, log files, requeue, and `options` as
    /// given), then a case per task. Each task appends its output to the run's train.log.
    public static func script(executable: String, tasks: [SlurmTask], threads: Int, memoryMB: Int, logFolder: String,
                              name: String, options: [String]) -> String {
        let q = SweepLaunch.shellQuote
        var lines = [
            "#!/bin/bash",
            "# pixel-dqn sweep: one array task per (setting, seed) run; written by `pixel-dqn sweep --slurm`.",
            "#SBATCH --job-name=\(q(name))",
            "#SBATCH --cpus-per-task=\(threads)",
            "#SBATCH --mem=\(memoryMB)M",
            "#SBATCH --output=\(q(logFolder + "/%A_%a.out"))",
            "#SBATCH --requeue",
            "#SBATCH --signal=TERM@120",
        ]
        lines += options.map { "#SBATCH \($0)" }
        lines += [
            "set -u",
            "exe=\(q(executable))",
            "run() {",
            "    local folder=$1; shift",
            "    if [ -f \"$folder/summary.json\" ] && grep -Eq '\"interrupted\" *: *false' \"$folder/summary.json\"; then",
            "        echo \"$folder: finished already\"; return 0",
            "    fi",
            "    if [ -f \"$folder/checkpoint.safetensors\" ]; then",
            "        exec \"$exe\" train --resume \"$folder\" --threads \(threads) >> \"$folder/train.log\" 2>&1",
            "    fi",
            "    if [ -f \"$folder/config.json\" ]; then",
            "        local aside; aside=\"$(dirname \"$folder\")/restarted/$(basename \"$folder\")-slurm-${SLURM_JOB_ID:-0}\"",
            "        mkdir -p \"$(dirname \"$aside\")\" && mv \"$folder\" \"$aside\"",
            "    fi",
            "    mkdir -p \"$folder\"",
            "    exec \"$exe\" \"$@\" >> \"$folder/train.log\" 2>&1",
            "}",
            "case \"${SLURM_ARRAY_TASK_ID:?run this script with sbatch --array}\" in",
        ]
        for t in tasks {
            lines.append("    \(t.index)) run \(q(t.folder)) \(t.arguments.map(q).joined(separator: " ")) ;;")
        }
        lines += ["    *) echo \"no task $SLURM_ARRAY_TASK_ID\" >&2; exit 2 ;;", "esac", ""]
        return lines.joined(separator: "\n")
    }

    /// "1-3,5,7-8" for sbatch --array.
    public static func arrayList(_ indices: [Int]) -> String {
        var parts: [String] = []
        var i = 0
        let s = indices.sorted()
        while i < s.count {
            var j = i
            while j + 1 < s.count && s[j + 1] == s[j] + 1 { j += 1 }
            parts.append(i == j ? "\(s[i])" : "\(s[i])-\(s[j])")
            i = j + 1
        }
        return parts.joined(separator: ",")
    }
}
