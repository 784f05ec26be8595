// The sweep supervisor: one call of `pixel-dqn sweep` on its folder. It checks the folders
// against the first call's record, decides what each seed of each setting needs (skip, resume,
// restart, start), runs the train processes (at most `jobs` at a time, each in its own process
// group, its output appended to the run's train.log), forwards a stop to them, and keeps each
// setting's sweep.json and a grid's compare.json up to date; or, with Slurm, submits the runs as
// one job array and, on later calls, resubmits those that were lost (SweepRunner+Slurm.swift).
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A sweep stopped by Ctrl-C, SIGTERM or SIGHUP: each running seed kept a checkpoint and the same
/// command resumes it (the CLI exits 130).
public struct SweepStopped: Error {
    public let unfinished: Int
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

/// One sweep of a call: the only one without --grid, one setting of the grid with it.
public struct SweepPart {
    /// The setting's folder name in the grid; nil for a plain sweep.
    public let name: String?
    public let folder: SweepFolder
    public let config: TrainingConfig
    public let trainOptions: [String]

    public init(name: String?, folder: SweepFolder, config: TrainingConfig, trainOptions: [String]) {
        self.name = name; self.folder = folder; self.config = config; self.trainOptions = trainOptions
    }

    /// How messages name a seed of this sweep: "seed 3", or "n-step=3 seed 3" in a grid.
    func tag(_ seed: UInt64) -> String { name.map { "\($0) seed \(seed)" } ?? "seed \(seed)" }
}

/// One call of the sweep on its folder: decides what each seed of each setting needs, runs the
/// train processes (at most `jobs` at a time), forwards stop signals to them, and keeps each
/// setting's sweep.json up to date; a grid's comparison is written at the end.
public struct SweepRunner {
    let parts: [SweepPart]
    /// The grid folder and this call's grid; nil for a plain sweep.
    let grid: (folder: SweepFolder, arguments: GridArguments)?
    let seeds: [UInt64]
    let jobs: Int
    let threads: Int
    let givenThreads: Bool
    /// The pixel-dqn executable each run is (shown in logs and scripts), and the path it is
    /// started by (/proc/self/exe where the sweep is that executable).
    let executable: String
    let spawnPath: String
    /// Train options read as `train` reads them (the second argument names their source in a
    /// refusal): how a first call's recorded options are compared with this call's.
    let trainSetting: ([String], String) throws -> TrainingConfig

    /// `threads` is each run's --threads; `givenThreads` whether the user gave it (then it is in
    /// the train options and not added again).
    public init(parts: [SweepPart], grid: (folder: SweepFolder, arguments: GridArguments)?, seeds: [UInt64], jobs: Int, threads: Int,
                givenThreads: Bool, executable: String, spawnPath: String, trainSetting: @escaping ([String], String) throws -> TrainingConfig) {
        self.parts = parts; self.grid = grid; self.seeds = seeds; self.jobs = jobs; self.threads = threads
        self.givenThreads = givenThreads; self.executable = executable; self.spawnPath = spawnPath; self.trainSetting = trainSetting
    }

    func say(_ line: String) {
        print(line)
        fflush(nil)
    }

    /// The grid folder's checks and lock: not a run or a plain sweep, the same grid as a first
    /// call's, nothing in it that this grid did not write. Returns grid.json to write and the lock.
    private func prepareGrid(_ folder: SweepFolder, _ arguments: GridArguments) throws -> (GridArguments, RunFolderLock) {
        if RunFolder(path: folder.path).holdsRun {
            throw ConfigError(message: "--output \(folder.path): holds a training run (config.json); a grid folder holds one sweep folder per setting, choose another --output")
        }
        try folder.prepare()
        let lock = try folder.lock()
        var recorded = arguments
        if let previous = try SweepGrid.readArguments(folder: folder.path) {
            if previous.grid != arguments.grid {
                func show(_ g: [GridDimension]) -> String { g.map { "--grid \($0.name)=\($0.values.joined(separator: ","))" }.joined(separator: " ") }
                throw ConfigError(message: "--output \(folder.path) holds a grid sweep of another grid: its first call had \(show(previous.grid)), this one \(show(arguments.grid)) (\(folder.path)/\(SweepGrid.fileName)). A grid folder is one grid: pass the same --grid options, or choose another --output")
            }
            let first = try trainSetting(previous.trainOptions, "\(folder.path)/\(SweepGrid.fileName): the first call's train options")
            let mine = try trainSetting(arguments.trainOptions, "train options")
            let differences = mine.differences(from: first)
            if !differences.isEmpty {
                throw ConfigError(message: "--output \(folder.path) holds a grid sweep of other train options: its first call passed '\(SweepLaunch.commandLine(previous.trainOptions))', this one '\(SweepLaunch.commandLine(arguments.trainOptions))' (this call vs the first: \(differences.joined(separator: "; "))). Pass the same train options, or choose another --output")
            }
            recorded = previous
            let known = Set(previous.seeds)
            recorded.seeds += arguments.seeds.filter { !known.contains($0) }
        } else if FileManager.default.fileExists(atPath: SweepFolder(path: folder.path).arguments) {
            throw ConfigError(message: "--output \(folder.path): holds a sweep of one setting (sweep-args.json), not a grid; choose another --output")
        }
        let foreign = SweepGrid.foreignEntries(in: folder.path, settings: try SweepGrid.settings(arguments.grid))
        if !foreign.isEmpty {
            throw ConfigError(message: "--output \(folder.path): holds \(foreign.prefix(3).joined(separator: ", "))\(foreign.count > 3 ? " and \(foreign.count - 3) more" : ""), which this grid did not write; a grid folder holds only grid.json, compare.json, compare.png and its settings' sweep folders. Move them out or choose another --output")
        }
        return (recorded, lock)
    }

    /// Runs the sweep here: every seed of every setting not finished yet, `jobs` at a time. The
    /// checks' refusals (a folder or a setting that is not this call's) are `ConfigError`s naming
    /// --output; a stop by Ctrl-C, SIGTERM or SIGHUP ends in `SweepStopped` once every run has
    /// written its checkpoint.
    public func run() throws {
        SweepSignal.install()
        let checked = try check()
        try launch(arguments: checked.arguments, states: checked.states, gridToWrite: checked.grid)
        withExtendedLifetime(checked.locks) {}
    }

    /// What the checks found: each setting's sweep-args.json to write, what each of its seeds
    /// needs, grid.json to write, and the folders' locks (held while this value lives).
    struct Checked {
        var arguments: [SweepArguments] = []
        var states: [[(UInt64, SeedState)]] = []
        var grid: GridArguments?
        var locks: [RunFolderLock] = []
    }

    /// Every check, before anything is changed: the grid folder, each setting's folder and
    /// sweep-args.json, each seed's folder. The folders are created and locked.
    func check() throws -> Checked {
        var checked = Checked()
        if let grid {
            let (arguments, lock) = try prepareGrid(grid.folder, grid.arguments)
            checked.grid = arguments
            checked.locks.append(lock)
        } else if FileManager.default.fileExists(atPath: parts[0].folder.path + "/" + SweepGrid.fileName) {
            throw ConfigError(message: "--output \(parts[0].folder.path): a grid folder (\(SweepGrid.fileName)); continue it with its --grid options, or choose another --output")
        }
        for part in parts {
            if RunFolder(path: part.folder.path).holdsRun {
                throw ConfigError(message: "--output \(part.folder.path): holds a training run (config.json); a sweep folder holds one run folder per seed, choose another --output")
            }
            try part.folder.prepare()
            checked.locks.append(try part.folder.lock())
        }
        for part in parts {
            checked.arguments.append(try checkSetting(part))
            checked.states.append(try seeds.map { ($0, try part.folder.state(of: $0, expected: part.config)) })
        }
        return checked
    }

    private func launch(arguments: [SweepArguments], states: [[(UInt64, SeedState)]], gridToWrite: GridArguments?) throws {
        if let grid, let gridToWrite { try SweepGrid.writeArguments(gridToWrite, folder: grid.folder.path) }
        for (part, a) in zip(parts, arguments) { try part.folder.writeArguments(a) }

        // What each seed of each setting needs, settings in the grid's order, seeds in the order given.
        var queue: [(part: Int, seed: UInt64, arguments: [String])] = []
        for (p, part) in parts.enumerated() {
            for (s, state) in states[p] {
                let run = part.folder.run(s)
                let fresh = SweepLaunch.newRun(seed: s, folder: run.path, threads: givenThreads ? nil : threads, options: part.trainOptions)
                switch state {
                case .finished:
                    say("\(part.tag(s)): finished already (\(run.summary)); skipped")
                case .resume:
                    say("\(part.tag(s)): interrupted earlier; resuming from \(run.checkpoint)")
                    queue.append((p, s, SweepLaunch.resume(folder: run.path, threads: threads)))
                case .restart:
                    let moved = try part.folder.setAside(s)
                    say("\(part.tag(s)): \(run.path) has config.json but no checkpoint (stopped before its first one); moved it to \(moved) and starting the seed again")
                    queue.append((p, s, fresh))
                case .new:
                    queue.append((p, s, fresh))
                }
            }
        }

        // Start, watch and reap the runs. Children are polled (10 times a second) rather than
        // waited for, so a signal that arrives at any moment is forwarded at once.
        var running: [(part: Int, seed: UInt64, pid: pid_t)] = []
        var forwarded = 0
        var failed: [(part: Int, seed: UInt64)] = []
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
                let part = parts[next.part]
                do {
                    let pid = try spawn(next.arguments, log: part.folder.log(next.seed))
                    running.append((next.part, next.seed, pid))
                    say("\(part.tag(next.seed)): started (\(SweepLaunch.commandLine(["pixel-dqn"] + next.arguments))); log \(part.folder.log(next.seed))")
                } catch {
                    say("\(part.tag(next.seed)): could not start train: \(error)")
                    failed.append((next.part, next.seed))
                }
            }
            var i = 0
            while i < running.count {
                var status: Int32 = 0
                let waited = waitpid(running[i].pid, &status, WNOHANG)
                let waitError = errno
                if waited == running[i].pid || (waited < 0 && waitError != EINTR) {
                    let part = parts[running[i].part]
                    let ok = waited == running[i].pid ? report(part, running[i].seed, status: status) : false
                    if waited < 0 { say("\(part.tag(running[i].seed)): lost track of its train process (\(String(cString: strerror(waitError))))") }
                    if !ok { failed.append((running[i].part, running[i].seed)) }
                    running.remove(at: i)
                    do { try updateReport(part) } catch { say("warning: \(part.folder.path)/sweep.json not updated: \(error)") }
                } else {
                    i += 1
                }
            }
            if running.isEmpty && (queue.isEmpty || signals > 0) { break }
            usleep(100_000)
        }

        // The aggregate of what finished, and the exit status.
        var reportError: Error?
        for part in parts {
            do {
                if let report = try updateReport(part) {
                    if let name = part.name { say("\(name):") }
                    report.summaryLines.forEach { say(part.name == nil ? $0 : "  " + $0) }
                    say("wrote \(part.folder.path)/sweep.json and \(part.folder.path)/sweep.png")
                }
            } catch {
                say("\(part.folder.path)/sweep.json and sweep.png not written: \(error)")
                reportError = reportError ?? error
            }
        }
        if let grid {
            do {
                let comparison = try ComparisonReport(try ComparedSweep.read(grid.folder.path))
                let paths = try comparison.write(to: grid.folder.path)
                comparison.summaryLines.forEach { say($0) }
                say("wrote \(paths.json) and \(paths.plot)")
            } catch {
                say("compare.json and compare.png not written: \(error)")
                reportError = reportError ?? error
            }
        }
        let unfinished: [(part: Int, seed: UInt64)] = parts.indices.flatMap { p in
            seeds.filter { s in (try? RunSummary.read(parts[p].folder.run(s).summary)).map { $0.interrupted } ?? true }.map { (p, $0) }
        }
        // "seeds 1,3" in a plain sweep; "n-step=3 seed 1, n-step=10 seed 3" in a grid.
        func list(_ seeds: [(part: Int, seed: UInt64)]) -> String {
            grid == nil ? seeds.map { String($0.seed) }.joined(separator: ",") : seeds.map { parts[$0.part].tag($0.seed) }.joined(separator: ", ")
        }
        if SweepSignal.received > 0 {
            say("stopped; \(unfinished.count) seed(s) unfinished: the same command resumes or starts them")
            throw SweepStopped(unfinished: unfinished.count)
        }
        if !unfinished.isEmpty {
            throw ConfigError(message: (grid == nil ? "seeds " : "") + "\(list(unfinished)) did not finish"
                              + (failed.isEmpty ? "" : " (train failed for \(list(failed)); see their train.log)")
                              + "; the same command resumes or restarts them")
        }
        if let reportError { throw reportError }
    }

    /// Checks this call's setting against the first call's (sweep-args.json); returns the
    /// arguments to record, with this call's seeds added.
    private func checkSetting(_ part: SweepPart) throws -> SweepArguments {
        let folder = part.folder
        let previous = try folder.readArguments()
        if let previous {
            let first = try trainSetting(previous.trainOptions, "\(folder.arguments): the first call's train options")
            let differences = part.config.differences(from: first)
            if !differences.isEmpty {
                throw ConfigError(message: "--output \(folder.path) holds a sweep of another setting: its first call passed the train options '\(SweepLaunch.commandLine(previous.trainOptions))', this one '\(SweepLaunch.commandLine(part.trainOptions))' (this call vs the first: \(differences.joined(separator: "; "))). A sweep is one setting: pass the same train options, or choose another --output")
            }
        }
        var arguments = previous ?? SweepArguments(trainOptions: part.trainOptions, seeds: [])
        let known = Set(arguments.seeds)
        arguments.seeds += seeds.filter { !known.contains($0) }
        return arguments
    }

    /// Says how a seed's train process ended; false when it failed.
    private func report(_ part: SweepPart, _ seed: UInt64, status: Int32) -> Bool {
        let log = part.folder.log(seed)
        let tag = part.tag(seed)
        // The wait status: the low 7 bits are the terminating signal (0: exited), the next 8 the exit code.
        let signal = status & 0x7f, code = (status >> 8) & 0xff
        guard signal == 0 else { say("\(tag): train was killed by signal \(signal); see \(log)"); return false }
        guard code == 0 else { say("\(tag): train exited with status \(code); see \(log)"); return false }
        guard let s = try? RunSummary.read(part.folder.run(seed).summary) else {
            say("\(tag): train ended without a readable summary.json; see \(log)")
            return false
        }
        if s.interrupted {
            say("\(tag): stopped at step \(s.steps) with a checkpoint; the same command resumes it")
            return true
        }
        var line = "\(tag): finished \(s.steps) steps in \(formatDuration(s.wallSeconds)); "
        line += s.firstSolvedStep >= 0 ? "solved at step \(s.firstSolvedStep)" : "not solved"
        if let e = s.finalEval { line += String(format: "; final evaluation %.1f ± %.1f", e.mean, e.std) }
        say(line)
        return true
    }

    /// Rewrites sweep.json and sweep.png from the run folders in the setting's folder (nil: none yet).
    @discardableResult
    func updateReport(_ part: SweepPart) throws -> SweepReport? {
        guard let folders = try? SweepRun.folders(in: part.folder.path) else { return nil }
        let report = try SweepReport(try folders.map { try SweepRun(folder: $0) })
        try report.write(to: part.folder.path)
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
        let header = "\n=== \(ISO8601DateFormatter().string(from: Date())) pixel-dqn sweep runs: \(SweepLaunch.commandLine([executable] + arguments))\n"
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

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let rc = posix_spawn(&pid, spawnPath, &actions, &attributes, argv, environ)
        guard rc == 0 else { throw FileError(path: executable, problem: "cannot start it (\(String(cString: strerror(rc))))") }
        return pid
    }
}
