// `pixel-dqn sweep`: the options of one setting, or a grid of settings, trained over many seeds,
// each seed a `train` process of this same executable. This file reads and checks the options;
// running the processes (SweepRunner), Slurm, the statistics, sweep.json, compare.json and their
// plots are the library's (Sources/PixelDQN/Sweep/).
import ArgumentParser
import Foundation
import PixelDQN
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
            of the final score, normalised per task over all tasks (a positive threshold: score / \
            threshold; a negative one: (score - lowest return) / (threshold - lowest return); Atari: \
            (score - random) / (human - random)); for each pair of settings the probability of \
            improvement P(X > Y) with its CI; and the performance profile (the fraction of runs \
            whose normalised score exceeds each tau).

            --print-commands prints each seed's train command (this executable's absolute path, \
            shell-quoted) and exits, for a cluster launcher (a Slurm array, GNU parallel); \
            --aggregate DIR... then gathers the runs (each DIR a run folder or a folder of run \
            folders; unfinished runs are listed, not counted) into sweep.json and sweep.png in \
            --output, by default the DIR when only one is given.

            Examples:
              pixel-dqn sweep --seeds 1-10 --jobs 2 --output runs/state --observation state
              pixel-dqn sweep --seeds 1-5 --grid n-step=1,3 --output runs/n-step
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
            return try runner(parts, gridArguments.map { (base, $0) }, seeds, threads: givenThreads ?? 2, given: givenThreads != nil)
                .runOnSlurm(options: slurmOptions)
        }
        do {
            try runner(parts, gridArguments.map { (base, $0) }, seeds, threads: threads, given: givenThreads != nil).run()
        } catch is SweepStopped {
            throw ExitCode(130)
        }
    }

    private func runner(_ parts: [SweepPart], _ grid: (folder: SweepFolder, arguments: GridArguments)?, _ seeds: [UInt64],
                        threads: Int, given: Bool) -> SweepRunner {
        SweepRunner(parts: parts, grid: grid, seeds: seeds, jobs: jobs, threads: threads, givenThreads: given,
                    executable: Executable.path, spawnPath: Executable.spawnPath) { options, source in
            try self.trainSetting(options, from: source).config
        }
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

