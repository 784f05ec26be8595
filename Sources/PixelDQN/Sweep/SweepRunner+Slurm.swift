// `sweep --slurm`: the runs of a sweep or a grid as one Slurm job array (the script is
// SlurmJob's), submitted with sbatch; a later call reads squeue, reports each run's progress,
// resubmits the runs that are neither finished nor queued, and writes the reports at the end.
import Foundation

extension SweepRunner {
    /// --slurm: the first call writes DIR/slurm-job.sh and submits it as one array; a later call
    /// reports each run's progress, resubmits the runs neither finished nor in the queue, and
    /// writes the reports when every run has finished.
    public func runOnSlurm(options: [String]) throws {
        let checked = try check()
        defer { withExtendedLifetime(checked.locks) {} }
        let top = grid?.folder.path ?? parts[0].folder.path
        let recordPath = top + "/slurm.json", scriptPath = top + "/slurm-job.sh", logFolder = top + "/slurm"
        var tasks: [SlurmTask] = []
        for part in parts {
            for s in seeds {
                let folder = part.folder.run(s).path
                tasks.append(SlurmTask(index: tasks.count + 1, seed: s, folder: folder,
                                       arguments: SweepLaunch.newRun(seed: s, folder: folder, threads: givenThreads ? nil : threads, options: part.trainOptions)))
            }
        }
        var record = try SlurmRecord.read(recordPath)
        if let r = record, r.tasks != tasks {
            throw ConfigError(message: "--output \(top): its Slurm job (\(recordPath)) runs \(r.tasks.count) other runs than this call's \(tasks.count); pass the first --slurm call's --seeds, or choose another --output")
        }
        if let grid, let g = checked.grid { try SweepGrid.writeArguments(g, folder: grid.folder.path) }
        for (part, a) in zip(parts, checked.arguments) { try part.folder.writeArguments(a) }
        try AtomicFile.makeFolder(logFolder)
        if record == nil {
            let memory = parts.map { SlurmJob.memoryMegabytes($0.config) }.max() ?? 1024
            let text = SlurmJob.script(executable: executable, tasks: tasks, threads: threads, memoryMB: memory, logFolder: logFolder,
                                       name: "pixel-dqn-" + URL(fileURLWithPath: top).lastPathComponent, options: options)
            try AtomicFile.write(text, to: scriptPath)
            chmod(scriptPath, 0o755)
            record = SlurmRecord(script: scriptPath, tasks: tasks, jobs: [])
        }
        guard var record else { return }
        func tag(_ t: SlurmTask) -> String { parts[(t.index - 1) / seeds.count].tag(t.seed) }
        let queued = try slurmQueue(jobs: record.jobs)
        var finished = 0, waiting: [String] = [], resubmit: [SlurmTask] = []
        for t in tasks {
            if let s = try? RunSummary.read(t.folder + "/summary.json"), !s.interrupted { finished += 1; continue }
            if let state = queued[t.index] { waiting.append("\(tag(t)): \(state.lowercased())"); continue }
            resubmit.append(t)
        }
        if !record.jobs.isEmpty {
            say("Slurm jobs \(record.jobs.joined(separator: ", ")): \(finished) of \(tasks.count) runs finished, \(waiting.count) in the queue, \(resubmit.count) neither (failed, cancelled or preempted: resubmitted, each resumes from its checkpoint)")
            waiting.forEach { say("  " + $0) }
            resubmit.forEach { say("  \(tag($0)): resubmitted") }
        }
        if !resubmit.isEmpty {
            let list = SlurmJob.arrayList(resubmit.map(\.index))
            let job = try sbatch(["--parsable", "--array=\(list)", scriptPath])
            record.jobs.append(job)
            try record.write(to: recordPath)
            say("submitted Slurm job \(job): array tasks \(list) of \(scriptPath) (logs in \(logFolder)); run the same command again for progress")
        }
        guard finished == tasks.count else {
            // The reports of what finished so far, where they can be made.
            for part in parts { _ = try? updateReport(part) }
            if let grid, finished > 0, let comparison = try? ComparisonReport(try ComparedSweep.read(grid.folder.path)) {
                try comparison.write(to: grid.folder.path)
            }
            return
        }
        for part in parts {
            if let report = try updateReport(part) {
                if let name = part.name { say("\(name):") }
                report.summaryLines.forEach { say(part.name == nil ? $0 : "  " + $0) }
            }
        }
        if let grid {
            let comparison = try ComparisonReport(try ComparedSweep.read(grid.folder.path))
            try comparison.write(to: grid.folder.path)
            comparison.summaryLines.forEach { say($0) }
            say("wrote \(grid.folder.path)/compare.json and \(grid.folder.path)/compare.png")
        }
        say("all \(tasks.count) runs finished")
    }

    /// The array tasks of `jobs` that Slurm still holds (pending, running, requeued…), by index.
    func slurmQueue(jobs: [String]) throws -> [Int: String] {
        guard !jobs.isEmpty else { return [:] }
        let (status, out, err) = try runProgram("squeue", ["-h", "-r", "-o", "%i %T"])
        guard status == 0 else { throw ConfigError(message: "squeue failed (exit \(status)): \(err); is Slurm running and SLURM_CONF set?") }
        var tasks: [Int: String] = [:]
        for line in out.split(separator: "\n") {
            let words = line.split(separator: " ")
            guard words.count == 2 else { continue }
            let id = words[0].split(separator: "_")
            guard id.count == 2, jobs.contains(String(id[0])), let index = Int(id[1]) else { continue }
            tasks[index] = String(words[1])
        }
        return tasks
    }

    /// Submits with sbatch; returns the job id.
    func sbatch(_ arguments: [String]) throws -> String {
        let (status, out, err) = try runProgram("sbatch", arguments)
        let id = out.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        guard status == 0, !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw ConfigError(message: "sbatch \(SweepLaunch.commandLine(arguments)) failed (exit \(status)): \(err.trimmingCharacters(in: .whitespacesAndNewlines))\(out)")
        }
        return id
    }

    func runProgram(_ name: String, _ arguments: [String]) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [name] + arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        do { try p.run() } catch { throw ConfigError(message: "cannot run \(name): \(error.localizedDescription); is Slurm installed?") }
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        if p.terminationStatus == 127 { throw ConfigError(message: "\(name) not found; --slurm needs Slurm's commands on PATH (Scripts/slurm-cluster.sh start gives a one-node cluster)") }
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

}
