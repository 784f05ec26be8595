// `pixel-dqn sweep`: one setting trained over many seeds, each seed a `train` process of this
// same executable, a few at a time; Ctrl-C is forwarded so every run stops cleanly. Reading the
// runs, the statistics, sweep.json and sweep.png are the library's (Sources/PixelDQN/Sweep/).
import ArgumentParser
import Foundation
import PixelDQN
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Train one setting over many seeds; report the median, IQM and 95% CI over them.",
        discussion: """
            Runs `pixel-dqn train` once per seed, each as its own process of this executable, at \
            most --jobs at a time, into DIR/seed-<S>/ (its output appended to DIR/seed-<S>/train.log). \
            Every option the sweep does not know is a train option and is passed to every run \
            unchanged (`pixel-dqn train --help` lists them); --seed, --output and --resume are the \
            sweep's to set. Each run gets --threads max(1, min(2, cores / jobs)) unless the options \
            hold --threads.

            A second call with the same --output skips finished seeds, resumes interrupted ones from \
            their checkpoints, and restarts those stopped before their first checkpoint (their \
            folder is moved to DIR/restarted/). A call whose train options give another setting than \
            the first call's (DIR/sweep-args.json) is refused: a sweep is one setting. Ctrl-C stops \
            every run cleanly (each keeps a checkpoint), starts no new ones, writes what finished and \
            exits 130; a second Ctrl-C makes the runs exit at once.

            DIR/sweep.json (rewritten after every finished seed) holds each finished seed's first \
            solved step and seconds (-1: never), steps, final and best-model evaluations; over the \
            seeds, the median, IQM (interquartile mean) and its 95% bootstrap CI of the steps to \
            solve (an unsolved seed counts as its whole --total-timesteps), the seconds to solve and \
            the final evaluation's mean; and the IQM curve. DIR/sweep.png draws each seed's periodic \
            evaluations, their IQM with its 95% band, and the solve threshold. A run that stopped \
            early (--stop-when-solved) counts with its last evaluation at every later step.

            --print-commands prints each seed's train command (this executable's absolute path, \
            shell-quoted) and exits, for a cluster launcher (a Slurm array, GNU parallel); \
            --aggregate DIR... then gathers the runs (each DIR a run folder or a folder of run \
            folders; unfinished runs are listed, not counted) into sweep.json and sweep.png in \
            --output, by default the DIR when only one is given.

            Example: pixel-dqn sweep --seeds 1-10 --jobs 2 --output runs/sweep-state --observation state
            """)

    @Option(parsing: .unconditional, help: "Seeds: a list with ranges, e.g. 1-10, 1,3,5 or 1-3,7.")
    var seeds: String?
    @Option(parsing: .unconditional, help: "Runs at a time.", transform: Parse.integer)
    var jobs = 1
    @Option(help: "The sweep folder (with --aggregate: where sweep.json and sweep.png go).")
    var output: String?
    @Option(parsing: .upToNextOption, help: "Only rebuild sweep.json and sweep.png from these run folders or folders of run folders.")
    var aggregate: [String] = []
    @Flag(name: .customLong("print-commands"), help: "Print one train command per seed and exit.")
    var printCommands = false
    @Argument(parsing: .allUnrecognized, help: "Train options, passed to every run unchanged.")
    var trainOptions: [String] = []

    func validate() throws {
        try checkPath(output, option: "--output", expected: "the sweep folder")
        if let empty = aggregate.first(where: \.isEmpty) { try checkPath(empty, option: "--aggregate", expected: "run folders or folders of run folders") }
        if !aggregate.isEmpty {
            if seeds != nil || printCommands || !trainOptions.isEmpty {
                let extra = (seeds == nil ? [] : ["--seeds"]) + (printCommands ? ["--print-commands"] : []) + trainOptions
                throw ValidationError("--aggregate only gathers existing runs; it takes no \(extra.joined(separator: " "))")
            }
            if output == nil && aggregate.count > 1 {
                throw ValidationError("--aggregate with \(aggregate.count) folders needs --output DIR for sweep.json and sweep.png")
            }
            return
        }
        _ = try seedList()
        guard jobs >= 1 else { throw ValidationError("--jobs: expected 1 or more runs at a time, got \(jobs)") }
        guard output != nil else { throw ValidationError("--output DIR is required: the sweep folder (one seed-<S>/ run folder per seed)") }
        let (config, _) = try trainSetting(trainOptions)
        // Each run fits on its own (train's check); the runs that share the machine at once must
        // fit together, with a fifth of its memory left to the system.
        let together = min(jobs, try seedList().count)
        let (replay, networks) = config.estimatedMemoryBytes
        let total = Double(together) * (replay + networks)
        let physical = Double(ProcessInfo.processInfo.physicalMemory)
        if together > 1 && total > 0.8 * physical {
            throw ValidationError(String(format: "--jobs %d: %d runs at once would need about %.1f GB of memory (%.1f GB each), more than the %.1f GB that four fifths of this machine's %.1f GB allow; expected --jobs %d or fewer, or a smaller --buffer-size",
                                         jobs, together, total / 1e9, (replay + networks) / 1e9, 0.8 * physical / 1e9, physical / 1e9,
                                         max(1, Int(0.8 * physical / (replay + networks)))))
        }
    }

    func seedList() throws -> [UInt64] {
        guard let seeds else { throw ValidationError("--seeds is required (e.g. --seeds 1-10), or --aggregate DIR...") }
        do { return try SeedList.parse(seeds) } catch let e as ConfigError { throw ValidationError(e.message) }
    }

    /// `options` read as train reads them: the setting every run shares, and --threads if given.
    func trainSetting(_ options: [String], from source: String = "train options") throws -> (config: TrainingConfig, threads: Int?) {
        do { try SweepLaunch.checkPassThrough(options) } catch let e as ConfigError { throw ValidationError(e.message) }
        let train: TrainCommand
        do { train = try TrainCommand.parse(options) } catch {
            throw ValidationError("\(source) \(SweepLaunch.commandLine(options)): \(TrainCommand.message(for: error))")
        }
        return (train.makeConfig(), train.threads)
    }

    func run() throws {
        if !aggregate.isEmpty { return try runAggregate() }
        guard let output else { throw ValidationError("--output DIR is required") }
        let seeds = try seedList()
        let (config, givenThreads) = try trainSetting(trainOptions)
        let threads = givenThreads ?? SweepLaunch.threads(jobs: jobs, cores: ProcessInfo.processInfo.activeProcessorCount)
        let folder = SweepFolder(path: output)
        if printCommands {
            for s in seeds {
                let words = SweepLaunch.newRun(seed: s, folder: folder.run(s).path, threads: givenThreads == nil ? threads : nil, options: trainOptions)
                print(SweepLaunch.commandLine([Executable.path] + words))
            }
            return
        }
        try SweepRunner(folder: folder, seeds: seeds, jobs: jobs, threads: threads, givenThreads: givenThreads != nil,
                        config: config, trainOptions: trainOptions, command: self).run()
    }

    func runAggregate() throws {
        var folders: [String] = []
        for dir in aggregate {
            do { folders += try SweepRun.folders(in: dir) } catch let e as ConfigError { throw ConfigError(message: "--aggregate \(e.message)") }
        }
        let report = try SweepReport(try folders.map { try SweepRun(folder: $0) })
        let target = output ?? aggregate[0]
        do { try AtomicFile.makeFolder(target) } catch let e as FileError { throw ConfigError(message: "--output \(e)") }
        let paths = try report.write(to: target)
        report.summaryLines.forEach { print($0) }
        for r in report.unfinished { print("unfinished, left out: \(r.folder)") }
        print("wrote \(paths.json) and \(paths.plot)")
    }
}

/// This executable: run through /proc/self/exe where there is one (the very binary running, even
/// if a rebuild has replaced the file since), shown by its resolved path.
enum Executable {
    static let path: String = {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if n > 0 {
            let p = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return p.hasSuffix(" (deleted)") ? String(p.dropLast(10)) : p
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
    }()
    static let spawnPath = FileManager.default.fileExists(atPath: "/proc/self/exe") ? "/proc/self/exe" : path
}

/// Ctrl-C, SIGTERM and SIGHUP, counted; the sweep forwards each to its running seeds.
enum SweepSignal {
    private static let count = Atomic<Int>(0)
    static var received: Int { count.load(ordering: .relaxed) }

    static func install() {
        var set = sigset_t()
        sigemptyset(&set)
        for s in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&set, s) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        for s in [SIGINT, SIGTERM, SIGHUP] { signal(s) { _ in _ = SweepSignal.count.add(1, ordering: .relaxed) } }
    }
}

/// One call of the sweep on its folder: decides what each seed needs, runs the train processes
/// (at most `jobs` at a time), forwards stop signals to them, and keeps sweep.json up to date.
struct SweepRunner {
    let folder: SweepFolder
    let seeds: [UInt64]
    let jobs: Int
    let threads: Int
    let givenThreads: Bool
    let config: TrainingConfig
    let trainOptions: [String]
    let command: SweepCommand

    private func say(_ line: String) {
        print(line)
        fflush(nil)
    }

    func run() throws {
        SweepSignal.install()
        if RunFolder(path: folder.path).holdsRun {
            throw ConfigError(message: "--output \(folder.path): holds a training run (config.json); a sweep folder holds one run folder per seed, choose another --output")
        }
        try folder.prepare()
        try folder.lock()
        // Every check first (the setting, each seed's folder), then the changes.
        let arguments = try checkSetting()
        let states = try seeds.map { ($0, try folder.state(of: $0, expected: config)) }
        try folder.writeArguments(arguments)

        // What each seed needs, in the order given.
        var queue: [(seed: UInt64, arguments: [String])] = []
        for (s, state) in states {
            let run = folder.run(s)
            let fresh = SweepLaunch.newRun(seed: s, folder: run.path, threads: givenThreads ? nil : threads, options: trainOptions)
            switch state {
            case .finished:
                say("seed \(s): finished already (\(run.summary)); skipped")
            case .resume:
                say("seed \(s): interrupted earlier; resuming from \(run.checkpoint)")
                queue.append((s, SweepLaunch.resume(folder: run.path, threads: threads)))
            case .restart:
                let moved = try folder.setAside(s)
                say("seed \(s): \(run.path) has config.json but no checkpoint (stopped before its first one); moved it to \(moved) and starting the seed again")
                queue.append((s, fresh))
            case .new:
                queue.append((s, fresh))
            }
        }

        // Start, watch and reap the runs. Children are polled (10 times a second) rather than
        // waited for, so a signal that arrives at any moment is forwarded at once.
        var running: [(seed: UInt64, pid: pid_t)] = []
        var forwarded = 0
        var failed: [UInt64] = []
        while true {
            let signals = SweepSignal.received
            if signals > forwarded {
                if forwarded == 0 {
                    say("stopping: the stop is forwarded to the \(running.count) running seed(s), which write a checkpoint; no new seeds start")
                }
                for r in running { kill(r.pid, SIGINT) }
                forwarded = signals
            }
            while signals == 0 && running.count < jobs && !queue.isEmpty {
                let next = queue.removeFirst()
                do {
                    let pid = try spawn(next.arguments, log: folder.log(next.seed))
                    running.append((next.seed, pid))
                    say("seed \(next.seed): started (\(SweepLaunch.commandLine(["pixel-dqn"] + next.arguments))); log \(folder.log(next.seed))")
                } catch {
                    say("seed \(next.seed): could not start train: \(error)")
                    failed.append(next.seed)
                }
            }
            var i = 0
            while i < running.count {
                var status: Int32 = 0
                let waited = waitpid(running[i].pid, &status, WNOHANG)
                let waitError = errno
                if waited == running[i].pid || (waited < 0 && waitError != EINTR) {
                    let ok = waited == running[i].pid ? report(running[i].seed, status: status) : false
                    if waited < 0 { say("seed \(running[i].seed): lost track of its train process (\(String(cString: strerror(waitError))))") }
                    if !ok { failed.append(running[i].seed) }
                    running.remove(at: i)
                    do { try updateReport() } catch { say("warning: sweep.json not updated: \(error)") }
                } else {
                    i += 1
                }
            }
            if running.isEmpty && (queue.isEmpty || signals > 0) { break }
            usleep(100_000)
        }

        // The aggregate of what finished, and the exit status.
        var reportError: Error?
        do {
            if let report = try updateReport() {
                report.summaryLines.forEach { say($0) }
                say("wrote \(folder.path)/sweep.json and \(folder.path)/sweep.png")
            }
        } catch {
            say("sweep.json and sweep.png not written: \(error)")
            reportError = error
        }
        let unfinished = seeds.filter { s in
            (try? RunSummary.read(folder.run(s).summary)).map { $0.interrupted } ?? true
        }
        if SweepSignal.received > 0 {
            say("stopped; \(unfinished.count) seed(s) unfinished: the same command resumes or starts them")
            throw ExitCode(130)
        }
        if !unfinished.isEmpty {
            let list = unfinished.map(String.init).joined(separator: ",")
            throw ConfigError(message: "seeds \(list) did not finish" + (failed.isEmpty ? "" : " (train failed for \(failed.map(String.init).joined(separator: ",")); see their train.log)")
                                  + "; the same command resumes or restarts them")
        }
        if let reportError { throw reportError }
    }

    /// Checks this call's setting against the first call's (sweep-args.json); returns the
    /// arguments to record, with this call's seeds added.
    private func checkSetting() throws -> SweepArguments {
        let previous = try folder.readArguments()
        if let previous {
            let first = try command.trainSetting(previous.trainOptions, from: "\(folder.arguments): the first call's train options").config
            let differences = config.differences(from: first)
            if !differences.isEmpty {
                throw ConfigError(message: "--output \(folder.path) holds a sweep of another setting: its first call passed the train options '\(SweepLaunch.commandLine(previous.trainOptions))', this one '\(SweepLaunch.commandLine(trainOptions))' (this call vs the first: \(differences.joined(separator: "; "))). A sweep is one setting: pass the same train options, or choose another --output")
            }
        }
        var arguments = previous ?? SweepArguments(trainOptions: trainOptions, seeds: [])
        let known = Set(arguments.seeds)
        arguments.seeds += seeds.filter { !known.contains($0) }
        return arguments
    }

    /// Says how a seed's train process ended; false when it failed.
    private func report(_ seed: UInt64, status: Int32) -> Bool {
        let log = folder.log(seed)
        // The wait status: the low 7 bits are the terminating signal (0: exited), the next 8 the exit code.
        let signal = status & 0x7f, code = (status >> 8) & 0xff
        guard signal == 0 else { say("seed \(seed): train was killed by signal \(signal); see \(log)"); return false }
        guard code == 0 else { say("seed \(seed): train exited with status \(code); see \(log)"); return false }
        guard let s = try? RunSummary.read(folder.run(seed).summary) else {
            say("seed \(seed): train ended without a readable summary.json; see \(log)")
            return false
        }
        if s.interrupted {
            say("seed \(seed): stopped at step \(s.steps) with a checkpoint; the same command resumes it")
            return true
        }
        var line = "seed \(seed): finished \(s.steps) steps in \(formatDuration(s.wallSeconds)); "
        line += s.firstSolvedStep >= 0 ? "solved at step \(s.firstSolvedStep)" : "not solved"
        if let e = s.finalEval { line += String(format: "; final evaluation %.1f ± %.1f", e.mean, e.std) }
        say(line)
        return true
    }

    /// Rewrites sweep.json and sweep.png from the run folders in the sweep folder (nil: none yet).
    @discardableResult
    private func updateReport() throws -> SweepReport? {
        guard let folders = try? SweepRun.folders(in: folder.path) else { return nil }
        let report = try SweepReport(try folders.map { try SweepRun(folder: $0) })
        try report.write(to: folder.path)
        return report
    }

    /// Starts `pixel-dqn <arguments>` with its output appended to `log` and stdin empty, in a
    /// process group of its own, so that Ctrl-C at the terminal reaches only the sweep, which
    /// forwards it once (train takes a second Ctrl-C as "exit at once, no checkpoint").
    private func spawn(_ arguments: [String], log: String) throws -> pid_t {
        try AtomicFile.makeFolder((log as NSString).deletingLastPathComponent)
        let fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError(path: log, problem: "cannot open the log (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        let header = "\n=== \(ISO8601DateFormatter().string(from: Date())) pixel-dqn sweep runs: \(SweepLaunch.commandLine([Executable.path] + arguments))\n"
        _ = header.withCString { Glibc.write(fd, $0, strlen($0)) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fd, 1)
        posix_spawn_file_actions_adddup2(&actions, fd, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), defaults = sigset_t()
        sigemptyset(&none)
        sigemptyset(&defaults)
        for s in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv: [UnsafeMutablePointer<CChar>?] = ([Executable.path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let rc = posix_spawn(&pid, Executable.spawnPath, &actions, &attributes, argv, environ)
        guard rc == 0 else { throw FileError(path: Executable.path, problem: "cannot start it (\(String(cString: strerror(rc))))") }
        return pid
    }
}
