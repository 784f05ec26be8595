// `pixel-dqn sweep`: one setting, or a grid of settings, trained over many seeds, each seed a
// `train` process of this same executable, a few at a time; Ctrl-C is forwarded so every run
// stops cleanly. Reading the runs, the statistics, sweep.json, compare.json and their plots are
// the library's (Sources/PixelDQN/Sweep/).
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
        abstract: "Train one setting, or a grid of settings, over many seeds; report the median, IQM and 95% CI over them, and compare settings.",
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

            --grid NAME=V1,V2 (once per train option, NAME as train --help lists it without the \
            dashes; true,false for a flag) runs the cartesian product of the values, each setting a \
            sweep of its own over the same seeds in DIR/<setting>/ (e.g. DIR/n-step=3/seed-1/, or \
            DIR/env=Acrobot-v1,n-step=3/ with --grid env=CartPole-v1,Acrobot-v1 for several tasks), \
            with its own sweep.json and sweep.png. DIR/grid.json records the grid: a second call \
            continues it, a call with another grid is refused. After the runs, DIR/compare.json and \
            DIR/compare.png compare the settings (as --compare DIR does).

            --compare DIR... builds compare.json and compare.png from sweep folders (each DIR a grid \
            folder, a sweep folder or a run folder; a plain sweep is named by its folder) into \
            --output, by default the DIR when only one is given: per setting the IQM and its \
            stratified bootstrap 95% CI (runs resampled within each task) of the steps to solve and \
            of the final score, normalised per task over all tasks (CartPole: score / threshold; \
            Acrobot and MountainCar: (score - lowest return) / (threshold - lowest return); Atari: \
            (score - random) / (human - random)); for each pair of settings the probability of \
            improvement P(X > Y) with its CI; and the performance profile (the fraction of runs \
            whose normalised score exceeds each tau).

            --print-commands prints each seed's train command (this executable's absolute path, \
            shell-quoted) and exits, for a cluster launcher (a Slurm array, GNU parallel); \
            --aggregate DIR... then gathers the runs (each DIR a run folder or a folder of run \
            folders; unfinished runs are listed, not counted) into sweep.json and sweep.png in \
            --output, by default the DIR when only one is given.

            Examples: pixel-dqn sweep --seeds 1-10 --jobs 2 --output runs/sweep-state --observation state
                      pixel-dqn sweep --seeds 1-5 --grid n-step=1,3 --output runs/n-step --observation state
                      pixel-dqn sweep --compare runs/n-step
            """)

    @Option(parsing: .unconditional, help: "Seeds: a list with ranges, e.g. 1-10, 1,3,5 or 1-3,7.")
    var seeds: String?
    @Option(parsing: .unconditional, help: "Runs at a time.", transform: Parse.integer)
    var jobs = 1
    @Option(help: "The sweep folder (with --aggregate: where sweep.json and sweep.png go; with --compare: where compare.json and compare.png go).")
    var output: String?
    @Option(parsing: .unconditionalSingleValue, help: "A train option and its values, NAME=V1,V2 (e.g. n-step=1,3,10); repeat for a grid of settings.")
    var grid: [String] = []
    @Option(parsing: .upToNextOption, help: "Only rebuild sweep.json and sweep.png from these run folders or folders of run folders.")
    var aggregate: [String] = []
    @Option(parsing: .upToNextOption, help: "Only build compare.json and compare.png from these grid or sweep folders.")
    var compare: [String] = []
    @Flag(name: .customLong("print-commands"), help: "Print one train command per seed and exit.")
    var printCommands = false
    @Flag(help: "Submit the runs to Slurm as one job array (DIR/slurm-job.sh) and return; again: report progress, resubmit failed or preempted runs, write the reports when all finished.")
    var slurm = false
    @Option(name: .customLong("slurm-option"), parsing: .unconditionalSingleValue, help: "An sbatch option for the job array, e.g. \"--time=2:00:00\" or \"--partition=gpu\" (repeatable; with --slurm).")
    var slurmOptions: [String] = []
    @Argument(parsing: .allUnrecognized, help: "Train options, passed to every run unchanged.")
    var trainOptions: [String] = []

    func validate() throws {
        try checkPath(output, option: "--output", expected: "the sweep folder")
        if let empty = aggregate.first(where: \.isEmpty) { try checkPath(empty, option: "--aggregate", expected: "run folders or folders of run folders") }
        if let empty = compare.first(where: \.isEmpty) { try checkPath(empty, option: "--compare", expected: "grid or sweep folders") }
        if !aggregate.isEmpty && !compare.isEmpty { throw ValidationError("--aggregate and --compare are two commands; give one of them") }
        for (option, folders, what) in [("--aggregate", aggregate, "gathers existing runs"), ("--compare", compare, "compares existing sweeps")] where !folders.isEmpty {
            if seeds != nil || printCommands || !trainOptions.isEmpty || !grid.isEmpty {
                let extra = (seeds == nil ? [] : ["--seeds"]) + (grid.isEmpty ? [] : ["--grid"]) + (printCommands ? ["--print-commands"] : []) + trainOptions
                throw ValidationError("\(option) only \(what); it takes no \(extra.joined(separator: " "))")
            }
            if output == nil && folders.count > 1 {
                throw ValidationError("\(option) with \(folders.count) folders needs --output DIR for \(option == "--compare" ? "compare.json and compare.png" : "sweep.json and sweep.png")")
            }
            return
        }
        if !slurmOptions.isEmpty && !slurm { throw ValidationError("--slurm-option is an sbatch option for --slurm; give --slurm too") }
        if slurm && printCommands { throw ValidationError("--slurm submits the runs and --print-commands only prints them; give one of them") }
        if let bad = slurmOptions.first(where: { !$0.hasPrefix("-") || $0.contains("\n") || $0.hasPrefix("--array") }) {
            throw ValidationError("--slurm-option \(bad): expected one sbatch option such as --time=2:00:00 on one line (not --array: the sweep sets it)")
        }
        _ = try seedList()
        guard jobs >= 1 else { throw ValidationError("--jobs: expected 1 or more runs at a time, got \(jobs)") }
        guard output != nil else { throw ValidationError("--output DIR is required: the sweep folder (one seed-<S>/ run folder per seed)") }
        let settings = try settingList()
        // Each run fits on its own (train's check); the runs that share the machine at once must
        // fit together, with a fifth of its memory left to the system.
        let together = min(jobs, try seedList().count * settings.count)
        let each = settings.map { s in s.config.estimatedMemoryBytes.replay + s.config.estimatedMemoryBytes.networks }.max() ?? 0
        let total = Double(together) * each
        let physical = Double(ProcessInfo.processInfo.physicalMemory)
        if together > 1 && total > 0.8 * physical {
            throw ValidationError(String(format: "--jobs %d: %d runs at once would need about %.1f GB of memory (%.1f GB each), more than the %.1f GB that four fifths of this machine's %.1f GB allow; expected --jobs %d or fewer, or a smaller --buffer-size",
                                         jobs, together, total / 1e9, each / 1e9, 0.8 * physical / 1e9, physical / 1e9,
                                         max(1, Int(0.8 * physical / each))))
        }
    }

    func seedList() throws -> [UInt64] {
        guard let seeds else { throw ValidationError("--seeds is required (e.g. --seeds 1-10), or --aggregate DIR... or --compare DIR...") }
        do { return try SeedList.parse(seeds) } catch let e as ConfigError { throw ValidationError(e.message) }
    }

    /// The grid's dimensions (empty without --grid), checked against the train options.
    func gridDimensions() throws -> [GridDimension] {
        let dimensions: [GridDimension]
        do { dimensions = try SweepGrid.parse(grid) } catch let e as ConfigError { throw ValidationError(e.message) }
        for d in dimensions {
            let names = ["--" + d.name] + (d.option.kind == .flag(invertible: true) ? ["--no-" + d.name] : [])
            if let given = trainOptions.first(where: { word in names.contains { word == $0 || word.hasPrefix($0 + "=") } }) {
                throw ValidationError("--grid \(d.name) and the train option \(given) both set --\(d.name); give it once, in the grid or as a train option")
            }
        }
        return dimensions
    }

    /// What each setting of this call runs: one without --grid, the grid's product with it.
    func settingList() throws -> [(setting: GridSetting?, options: [String], config: TrainingConfig, threads: Int?)] {
        let dimensions = try gridDimensions()
        if dimensions.isEmpty {
            let (config, threads) = try trainSetting(trainOptions)
            return [(nil, trainOptions, config, threads)]
        }
        let settings: [GridSetting]
        do { settings = try SweepGrid.settings(dimensions) } catch let e as ConfigError { throw ValidationError(e.message) }
        var list: [(setting: GridSetting?, options: [String], config: TrainingConfig, threads: Int?)] = []
        for s in settings {
            let options = trainOptions + s.trainOptions
            let (config, threads) = try trainSetting(options, from: "the setting \(s.folderName): train options")
            if let same = list.first(where: { $0.config.differences(from: config).isEmpty }) {
                throw ValidationError("--grid: the settings \(same.setting!.folderName) and \(s.folderName) train the same runs (their train options give the same config.json); expected values that change the setting")
            }
            list.append((s, options, config, threads))
        }
        return list
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
        if !compare.isEmpty { return try runCompare() }
        guard let output else { throw ValidationError("--output DIR is required") }
        let seeds = try seedList()
        let list = try settingList()
        let givenThreads = list[0].threads
        let threads = givenThreads ?? SweepLaunch.threads(jobs: jobs, cores: ProcessInfo.processInfo.activeProcessorCount)
        let base = SweepFolder(path: output)
        let parts = list.map { s in
            SweepPart(name: s.setting?.folderName, folder: s.setting.map { SweepFolder(path: base.path + "/" + $0.folderName) } ?? base,
                      config: s.config, trainOptions: s.options)
        }
        if printCommands {
            for part in parts {
                for s in seeds {
                    let words = SweepLaunch.newRun(seed: s, folder: part.folder.run(s).path, threads: givenThreads == nil ? threads : nil, options: part.trainOptions)
                    print(SweepLaunch.commandLine([Executable.path] + words))
                }
            }
            return
        }
        let gridArguments = grid.isEmpty ? nil : GridArguments(grid: try gridDimensions(), trainOptions: trainOptions, seeds: seeds)
        if slurm {
            // A cluster task gets the run's own threads: those given, else train's most (2).
            return try SweepRunner(parts: parts, grid: gridArguments.map { (base, $0) }, seeds: seeds, jobs: jobs, threads: givenThreads ?? 2,
                                   givenThreads: givenThreads != nil, command: self).runOnSlurm(options: slurmOptions)
        }
        try SweepRunner(parts: parts, grid: gridArguments.map { (base, $0) }, seeds: seeds, jobs: jobs, threads: threads,
                        givenThreads: givenThreads != nil, command: self).run()
    }

    func runAggregate() throws {
        var folders: [String] = []
        for dir in aggregate {
            do { folders += try SweepRun.folders(in: dir) } catch let e as ConfigError { throw ConfigError(message: "--aggregate \(e.message)") }
        }
        let report = try SweepReport(try folders.map { try SweepRun(folder: $0) })
        let target = output ?? aggregate[0]
        // Written beside a sweep's runs, or into a folder of its own: never among someone's files.
        let foreign = RunFolder(path: target).holdsRun ? [] : SweepFolder.foreignEntries(target, alsoAllowed: ["sweep.json", "sweep.png"])
            .filter { !RunFolder(path: target + "/" + $0).holdsRun }
        if !foreign.isEmpty {
            throw ConfigError(message: "--output \(target): holds \(foreign.prefix(3).joined(separator: ", "))\(foreign.count > 3 ? " and \(foreign.count - 3) more" : ""), not a sweep's files; expected a new or empty folder, a sweep folder, or one holding only sweep.json and sweep.png")
        }
        do { try AtomicFile.makeFolder(target) } catch let e as FileError { throw ConfigError(message: "--output \(e)") }
        let paths = try report.write(to: target)
        report.summaryLines.forEach { print($0) }
        for r in report.unfinished { print("unfinished, left out: \(r.folder)") }
        print("wrote \(paths.json) and \(paths.plot)")
    }

    func runCompare() throws {
        // Every refusal here is about the folders given: a usage error (exit 64).
        do { try compareFolders() } catch let e as ConfigError { throw ValidationError(e.message) }
    }

    private func compareFolders() throws {
        var sweeps: [ComparedSweep] = []
        for dir in compare {
            do { sweeps += try ComparedSweep.read(dir) } catch let e as ConfigError { throw ConfigError(message: "--compare \(e.message)") }
        }
        let report = try ComparisonReport(sweeps)
        let target = output ?? compare[0]
        let foreign = ComparisonFolder.foreignEntries(target, compared: compare)
        if !foreign.isEmpty {
            throw ConfigError(message: "--output \(target): holds \(foreign.prefix(3).joined(separator: ", "))\(foreign.count > 3 ? " and \(foreign.count - 3) more" : ""), not a comparison's files; expected a new or empty folder, one of the compared folders, or one holding only compare.json and compare.png")
        }
        do { try AtomicFile.makeFolder(target) } catch let e as FileError { throw ConfigError(message: "--output \(e)") }
        let paths = try report.write(to: target)
        report.summaryLines.forEach { print($0) }
        print("wrote \(paths.json) and \(paths.plot)")
    }
}

/// Where --compare may write.
enum ComparisonFolder {
    /// The entries of `target` other than compare.json, compare.png, temporary files and the
    /// compared folders themselves (a folder holding the settings' sweeps), unless `target` is one
    /// of the compared folders (nothing when it does not exist).
    static func foreignEntries(_ target: String, compared: [String]) -> [String] {
        func standard(_ p: String) -> String { URL(fileURLWithPath: p).standardizedFileURL.path }
        let comparedPaths = Set(compared.map(standard))
        if comparedPaths.contains(standard(target)) { return [] }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: target) else { return [] }
        return names.sorted().filter { name in
            !["compare.json", "compare.png"].contains(name) && !AtomicFile.isTemporaryName(name)
                && !comparedPaths.contains(standard(target + "/" + name))
        }.map { target + "/" + $0 }
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

/// One sweep of a call: the only one without --grid, one setting of the grid with it.
struct SweepPart {
    /// The setting's folder name in the grid; nil for a plain sweep.
    let name: String?
    let folder: SweepFolder
    let config: TrainingConfig
    let trainOptions: [String]

    /// How messages name a seed of this sweep: "seed 3", or "n-step=3 seed 3" in a grid.
    func tag(_ seed: UInt64) -> String { name.map { "\($0) seed \(seed)" } ?? "seed \(seed)" }
}

/// One call of the sweep on its folder: decides what each seed of each setting needs, runs the
/// train processes (at most `jobs` at a time), forwards stop signals to them, and keeps each
/// setting's sweep.json up to date; a grid's comparison is written at the end.
struct SweepRunner {
    let parts: [SweepPart]
    /// The grid folder and this call's grid; nil for a plain sweep.
    let grid: (folder: SweepFolder, arguments: GridArguments)?
    let seeds: [UInt64]
    let jobs: Int
    let threads: Int
    let givenThreads: Bool
    let command: SweepCommand

    private func say(_ line: String) {
        print(line)
        fflush(nil)
    }

    /// The grid folder's checks and lock: not a run or a plain sweep, the same grid as a first
    /// call's, nothing in it that this grid did not write. Returns grid.json to write.
    private func prepareGrid(_ folder: SweepFolder, _ arguments: GridArguments) throws -> GridArguments {
        if RunFolder(path: folder.path).holdsRun {
            throw ConfigError(message: "--output \(folder.path): holds a training run (config.json); a grid folder holds one sweep folder per setting, choose another --output")
        }
        try folder.prepare()
        try folder.lock()
        var recorded = arguments
        if let previous = try SweepGrid.readArguments(folder: folder.path) {
            if previous.grid != arguments.grid {
                func show(_ g: [GridDimension]) -> String { g.map { "--grid \($0.name)=\($0.values.joined(separator: ","))" }.joined(separator: " ") }
                throw ConfigError(message: "--output \(folder.path) holds a grid sweep of another grid: its first call had \(show(previous.grid)), this one \(show(arguments.grid)) (\(folder.path)/\(SweepGrid.fileName)). A grid folder is one grid: pass the same --grid options, or choose another --output")
            }
            let first = try command.trainSetting(previous.trainOptions, from: "\(folder.path)/\(SweepGrid.fileName): the first call's train options").config
            let mine = try command.trainSetting(arguments.trainOptions).config
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
        return recorded
    }

    func run() throws {
        SweepSignal.install()
        // The checks refuse a folder or a setting that is not this call's: usage errors (exit 64).
        let checked: (arguments: [SweepArguments], states: [[(UInt64, SeedState)]], grid: GridArguments?)
        do { checked = try check() } catch let e as ConfigError { throw ValidationError(e.message) }
        try launch(arguments: checked.arguments, states: checked.states, gridToWrite: checked.grid)
    }

    /// Every check, before anything is changed: the grid folder, each setting's folder and
    /// sweep-args.json, each seed's folder. The folders are created and locked.
    private func check() throws -> (arguments: [SweepArguments], states: [[(UInt64, SeedState)]], grid: GridArguments?) {
        var gridToWrite: GridArguments?
        if let grid { gridToWrite = try prepareGrid(grid.folder, grid.arguments) }
        else if FileManager.default.fileExists(atPath: parts[0].folder.path + "/" + SweepGrid.fileName) {
            throw ConfigError(message: "--output \(parts[0].folder.path): a grid folder (\(SweepGrid.fileName)); continue it with its --grid options, or choose another --output")
        }
        for part in parts {
            if RunFolder(path: part.folder.path).holdsRun {
                throw ConfigError(message: "--output \(part.folder.path): holds a training run (config.json); a sweep folder holds one run folder per seed, choose another --output")
            }
            try part.folder.prepare()
            try part.folder.lock()
        }
        var arguments: [SweepArguments] = []
        var states: [[(UInt64, SeedState)]] = []
        for part in parts {
            arguments.append(try checkSetting(part))
            states.append(try seeds.map { ($0, try part.folder.state(of: $0, expected: part.config)) })
        }
        return (arguments, states, gridToWrite)
    }

    /// --slurm: the first call writes DIR/slurm-job.sh and submits it as one array; a later call
    /// reports each run's progress, resubmits the runs neither finished nor in the queue, and
    /// writes the reports when every run has finished.
    func runOnSlurm(options: [String]) throws {
        let checked: (arguments: [SweepArguments], states: [[(UInt64, SeedState)]], grid: GridArguments?)
        do { checked = try check() } catch let e as ConfigError { throw ValidationError(e.message) }
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
            throw ValidationError("--output \(top): its Slurm job (\(recordPath)) runs \(r.tasks.count) other runs than this call's \(tasks.count); pass the first --slurm call's --seeds, or choose another --output")
        }
        if let grid, let g = checked.grid { try SweepGrid.writeArguments(g, folder: grid.folder.path) }
        for (part, a) in zip(parts, checked.arguments) { try part.folder.writeArguments(a) }
        try AtomicFile.makeFolder(logFolder)
        if record == nil {
            let memory = parts.map { SlurmJob.memoryMegabytes($0.config) }.max() ?? 1024
            let text = SlurmJob.script(executable: Executable.path, tasks: tasks, threads: threads, memoryMB: memory, logFolder: logFolder,
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
        // The reports of what finished so far.
        for part in parts { _ = try? updateReport(part) }
        if let grid, finished > 0, let comparison = try? ComparisonReport(try ComparedSweep.read(grid.folder.path)) {
            try comparison.write(to: grid.folder.path)
        }
        if finished == tasks.count {
            for part in parts {
                if let report = try updateReport(part) {
                    if let name = part.name { say("\(name):") }
                    report.summaryLines.forEach { say(part.name == nil ? $0 : "  " + $0) }
                }
            }
            if let grid {
                let comparison = try ComparisonReport(try ComparedSweep.read(grid.folder.path))
                comparison.summaryLines.forEach { say($0) }
                say("wrote \(grid.folder.path)/compare.json and \(grid.folder.path)/compare.png")
            }
            say("all \(tasks.count) runs finished")
        }
    }

    /// The array tasks of `jobs` that Slurm still holds (pending, running, requeued…), by index.
    private func slurmQueue(jobs: [String]) throws -> [Int: String] {
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
    private func sbatch(_ arguments: [String]) throws -> String {
        let (status, out, err) = try runProgram("sbatch", arguments)
        let id = out.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        guard status == 0, !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw ConfigError(message: "sbatch \(SweepLaunch.commandLine(arguments)) failed (exit \(status)): \(err.trimmingCharacters(in: .whitespacesAndNewlines))\(out)")
        }
        return id
    }

    private func runProgram(_ name: String, _ arguments: [String]) throws -> (Int32, String, String) {
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
            throw ExitCode(130)
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
            let first = try command.trainSetting(previous.trainOptions, from: "\(folder.arguments): the first call's train options").config
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
    private func updateReport(_ part: SweepPart) throws -> SweepReport? {
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
