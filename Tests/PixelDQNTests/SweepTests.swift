// The sweep: its statistics against scipy/NumPy answers, seed lists, which evaluation rows it
// reads, and the built tool running tiny state sweeps (skip, resume, restart, one setting per
// folder, --aggregate, --print-commands, Ctrl-C).
import Foundation
import Testing
import PixelDQN

/// The train options of the tiny sweeps below (each run takes well under a second).
private let tinyOptions = ["--observation", "state", "--total-timesteps", "1500", "--eval-every", "500",
                           "--final-eval-episodes", "5", "--eval-episodes", "2"]

/// The configuration `tinyOptions` give train, for building run folders in-process.
private func tinyStateConfig(seed: UInt64) -> TrainingConfig {
    var c = TrainingConfig.defaults(for: .state)
    c.seed = seed
    c.totalTimesteps = 1500
    c.evalEvery = 500
    c.finalEvalEpisodes = 5
    c.evalEpisodes = 2
    return c
}

private func jsonObject(_ path: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(fileBytes(path))) as? [String: Any])
}

private func summaryOf(_ folder: String) throws -> RunSummary { try RunSummary.read(folder + "/summary.json") }

@Suite struct SweepTests {
    // MARK: Statistics, seed lists, what is read from a run folder
    @Test func medianAndIQMAreScipysTrimMean() {
        // Known answers: np.median and scipy.stats.trim_mean(x, 0.25).
        let cases: [([Double], median: Double, iqm: Double)] = [
            ([1, 2, 3, 4, 5, 6, 7, 8], 4.5, 4.5),       // cut 2 each side: mean(3, 4, 5, 6)
            ([1, 2, 3, 4, 100], 3, 3),                  // cut 1 each side: mean(2, 3, 4); 100 is ignored
            ([3, 1, 2], 2, 2),                          // n < 4: nothing cut
            ([5, 1, 4, 2, 3, 9, 7, 8, 6, 10], 5.5, 5.5),
            ([7], 7, 7),
            ([12, 35, 50, 51, 60, 64, 70, 88, 120, 200], 62, 383.0 / 6),
        ]
        for (x, median, iqm) in cases {
            #expect(isClose(SweepStatistics.median(x), median, tolerance: 1e-12), "median of \(x): \(SweepStatistics.median(x)), expected \(median)")
            #expect(isClose(SweepStatistics.interquartileMean(x), iqm, tolerance: 1e-12), "IQM of \(x): \(SweepStatistics.interquartileMean(x)), expected \(iqm)")
        }
    }

    @Test func percentileInterpolatesLinearlyAsNumPy() {
        // np.percentile([1, 2, 3, 4], 25) = 1.75, (…, 97.5) = 3.925; np.percentile([10, …, 50], 2.5) = 11.
        #expect(isClose(SweepStatistics.percentile(sorted: [1, 2, 3, 4], 25), 1.75, tolerance: 1e-12))
        #expect(isClose(SweepStatistics.percentile(sorted: [1, 2, 3, 4], 97.5), 3.925, tolerance: 1e-12))
        #expect(isClose(SweepStatistics.percentile(sorted: [10, 20, 30, 40, 50], 2.5), 11, tolerance: 1e-12))
        #expect(SweepStatistics.percentile(sorted: [10, 20], 100) == 20)
        #expect(SweepStatistics.percentile(sorted: [10, 20], 0) == 10)
    }

    @Test func bootstrapIntervalHoldsTheIQMRepeatsAndAgreesWithNumPy() throws {
        let x: [Double] = [12, 35, 50, 51, 60, 64, 70, 88, 120, 200]
        let e = try #require(IntervalEstimate(x))
        #expect(e.count == 10)
        #expect(e.lower <= e.iqm && e.iqm <= e.upper, "interval [\(e.lower), \(e.upper)] should hold the IQM \(e.iqm)")
        #expect(IntervalEstimate(x) == e, "a fixed-seed bootstrap repeats exactly")
        #expect(IntervalEstimate(x.reversed()) == e, "the order of the seeds does not matter")
        // NumPy, 400,000 resamples (default_rng(1)): the percentile interval of trim_mean(·, 0.25)
        // is [44.833, 102.333]. 2,000 resamples land within a few units of it.
        #expect(isClose(e.lower, 44.833, tolerance: 4) && isClose(e.upper, 102.333, tolerance: 6),
                "interval [\(e.lower), \(e.upper)], NumPy's [44.833, 102.333]")
        let other = SweepStatistics.bootstrapInterval(x, seed: 99)
        #expect(other.lower != e.lower || other.upper != e.upper, "another bootstrap seed gives another draw")
        // One seed, or equal scores: no spread.
        #expect(IntervalEstimate([42]) == IntervalEstimate([42]))
        let one = try #require(IntervalEstimate([42]))
        #expect(one.lower == 42 && one.upper == 42 && one.iqm == 42 && one.median == 42)
        let same = try #require(IntervalEstimate([5, 5, 5, 5, 5]))
        #expect(same.lower == 5 && same.upper == 5)
        #expect(IntervalEstimate([]) == nil)
    }

    @Test func seedListsTakeListsAndRangesAndRefuseTheRest() throws {
        #expect(try SeedList.parse("1-10") == Array(1...10))
        #expect(try SeedList.parse("1,3,5") == [1, 3, 5])
        #expect(try SeedList.parse("1-3,7") == [1, 2, 3, 7])
        #expect(try SeedList.parse("0") == [0])
        #expect(try SeedList.parse(" 4 , 2-2 ") == [4, 2])
        let refused: [(String, String)] = [
            ("", "an empty item"), ("1,,2", "an empty item"), ("1,", "an empty item"),
            ("-1", "0 or more"), ("3,-2", "0 or more"), ("3--5", "neither a seed nor a range"),
            ("5-3", "runs backwards"), ("1,1", "seed 1 appears twice"), ("1-3,2", "seed 2 appears twice"),
            ("a", "\"a\" is not a seed"), ("1.5", "not a seed"), ("1-2-3", "neither a seed nor a range"),
            ("0-20000", "more than 10000 seeds"), ("18446744073709551616", "not a seed"),
        ]
        for (text, needle) in refused {
            do {
                let seeds = try SeedList.parse(text)
                Issue.record("--seeds \"\(text)\" should be refused, got \(seeds)")
            } catch let e as ConfigError {
                #expect(e.message.hasPrefix("--seeds \(text):") && e.message.contains(needle), "\"\(text)\": \(e.message)")
            }
        }
    }

    @Test func periodicEvaluationsLeaveOutConfirmationsAndTheFinalEvaluation() {
        func row(_ step: Int, _ mean: Double, confirm: Bool = false) -> EvalRecord {
            EvalRecord(step: step, stats: EvalStats(episodes: 2, mean: mean, std: 0, min: mean, max: mean), confirmation: confirm)
        }
        var log = MetricsLog()
        // Periodic at 500, 1000 (confirmed), 1500; the final evaluation follows at 1500.
        log.evaluations = [row(500, 10), row(1000, 200), row(1000, 199, confirm: true), row(1500, 150), row(1500, 170)]
        #expect(SweepRun.periodicEvaluations(log, evalEvery: 500) == [
            EvaluationPoint(step: 500, mean: 10), EvaluationPoint(step: 1000, mean: 200), EvaluationPoint(step: 1500, mean: 150)])
        // A final evaluation off the grid (total not a multiple of eval-every) is left out too.
        log.evaluations = [row(500, 10), row(1000, 20), row(1200, 30)]
        #expect(SweepRun.periodicEvaluations(log, evalEvery: 500).map(\.step) == [500, 1000])
        #expect(SweepRun.periodicEvaluations(log, evalEvery: 0).isEmpty)
    }

    @Test func theIQMCurveCarriesARunThatStoppedEarlyForward() {
        let p = { (step: Int, mean: Double) in EvaluationPoint(step: step, mean: mean) }
        let curve = SweepReport.iqmCurve([
            [p(100, 10), p(200, 200)],                         // stopped when solved at 200
            [p(100, 20), p(200, 50), p(300, 60), p(400, 70)],
            [p(100, 30), p(200, 40), p(300, 100), p(400, 120)],
        ])
        #expect(curve.map(\.step) == [100, 200, 300, 400])
        #expect(curve.map(\.seeds) == [3, 3, 3, 3])
        // n = 3: the IQM is the plain mean; at 300 and 400 the first run counts as 200.
        for (point, expected) in zip(curve, [20.0, 290.0 / 3, 360.0 / 3, 390.0 / 3]) {
            #expect(isClose(point.iqm, expected, tolerance: 1e-9), "step \(point.step): IQM \(point.iqm), expected \(expected)")
            #expect(point.lower <= point.iqm && point.iqm <= point.upper)
        }
        // A run that starts evaluating later adds to the count from its first evaluation on.
        let late = SweepReport.iqmCurve([[p(100, 1), p(200, 2)], [p(200, 4)]])
        #expect(late.map(\.seeds) == [1, 2])
    }

    @Test func jsonTextEscapesStringsAndWritesNullForMissingNumbers() {
        let v = JSONValue.object([("path", .string("a \"b\"\\c\n")), ("x", .number(.nan)), ("ci95", .array([.number(1.5), .int(2)])),
                                  ("runs", .array([.object([("seed", .int(1)), ("e", .null)])]))])
        #expect(v.text == """
            {
              "path": "a \\"b\\"\\\\c\\n",
              "x": null,
              "ci95": [1.5, 2],
              "runs": [
                {"seed": 1, "e": null}
              ]
            }

            """)
    }

    @Test func settingsAreComparedFieldByFieldLeavingOutSeedThreadsAndVersion() {
        var a = tinyStateConfig(seed: 1), b = tinyStateConfig(seed: 2)
        b.threads = 1
        b.version = "9.9"
        #expect(a.differences(from: b).isEmpty)
        a.totalTimesteps = 2000
        a.double = false
        let d = a.differences(from: b)
        #expect(d.count == 2 && d[0].hasPrefix("double: ") && d[1] == "totalTimesteps: 2000 vs 1500", "\(d)")
    }

    // MARK: The supervisor as a library type
    /// SweepRunner without the command line: two seeds run as train processes of the built tool,
    /// reported in sweep.json; a runner of another setting on the same folder is refused before it
    /// changes anything.
    @Test func theSweepRunnerRunsSeedsAndRefusesAnotherSettingWithoutTheCLI() throws {
        let dir = try temporaryFolder() + "/sweep"
        func runner(_ config: TrainingConfig, _ options: [String]) -> SweepRunner {
            SweepRunner(parts: [SweepPart(name: nil, folder: SweepFolder(path: dir), config: config, trainOptions: options)],
                        grid: nil, seeds: [1, 2], jobs: 2, threads: 1, givenThreads: false,
                        executable: toolURL.path, spawnPath: toolURL.path) { given, source in
                // Options read back from sweep-args.json are the first runner's, tinyOptions.
                if given == options { return config }
                if given == tinyOptions { return tinyStateConfig(seed: 0) }
                throw ConfigError(message: "\(source): unexpected \(given)")
            }
        }
        try runner(tinyStateConfig(seed: 0), tinyOptions).run()
        for seed in [1, 2] { #expect(try summaryOf("\(dir)/seed-\(seed)").interrupted == false) }
        let sweep = try jsonObject(dir + "/sweep.json")
        #expect((sweep["runs"] as? [[String: Any]])?.count == 2, "\(sweep["runs"] ?? "no runs")")
        let before = try fileBytes(dir + "/sweep.json")

        var other = tinyStateConfig(seed: 0)
        other.nStep += 1
        let refusal = #expect(throws: ConfigError.self) { try runner(other, tinyOptions + ["--n-step", "\(other.nStep)"]).run() }
        #expect(refusal?.message.hasPrefix("--output \(dir) holds a sweep of another setting") == true, "\(refusal?.message ?? "")")
        #expect(try fileBytes(dir + "/sweep.json") == before)
    }

    // MARK: The built tool on tiny state sweeps

    @Test func badArgumentsAreRefusedBeforeAnyWork() throws {
        let dir = try temporaryFolder() + "/sweep"
        let cases: [([String], String)] = [
            (["--seeds", "1,1"], "seed 1 appears twice"),
            (["--seeds", "-1"], "--seeds -1: seeds are 0 or more"),
            (["--seeds", "1", "--jobs", "0"], "--jobs: expected 1 or more"),
            (["--seeds", "1", "--jobs", "-2"], "--jobs: expected 1 or more"),
            (["--seeds", "1", "--seed", "3"], "the sweep sets --seed"),
            (["--seeds", "1", "--resume=x"], "the sweep sets --resume"),
            (["--seeds", "1", "--frobnicate", "3"], "Unknown option '--frobnicate'"),
            (["--seeds", "1", "--observation", "state", "--learning-rate", "-0.001"], "--learning-rate: expected a positive number"),
            (["--seeds", "1", "--threads", "3"], "--threads: expected 1 to 2, got 3"),
            (["--aggregate", dir, "--seeds", "1"], "takes no --seeds"),
        ]
        for (args, needle) in cases {
            let r = try runTool(["sweep", "--output", dir] + args)
            #expect(r.status != 0, "\(args) should fail")
            #expect(r.err.contains(needle), "\(args): stderr \(r.err)")
        }
        let noOutput = try runTool(["sweep", "--seeds", "1"])
        #expect(noOutput.status != 0 && noOutput.err.contains("--output DIR is required"))
        let twoWithoutOutput = try runTool(["sweep", "--aggregate", dir, dir + "2"])
        #expect(twoWithoutOutput.status != 0 && twoWithoutOutput.err.contains("needs --output"))
        #expect(!FileManager.default.fileExists(atPath: dir), "nothing may be written before the arguments are checked")
    }

    @Test func printCommandsPrintsOneQuotedTrainCommandPerSeed() throws {
        let dir = try temporaryFolder() + "/it's a sweep"
        let r = try runTool(["sweep", "--seeds", "1-2,5", "--jobs", "2", "--output", dir, "--print-commands",
                             "--observation", "state", "--learning-rate=0.001", "--double"])
        #expect(r.status == 0, "\(r.err)")
        let lines = r.out.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        let threads = SweepLaunch.threads(jobs: 2, cores: ProcessInfo.processInfo.activeProcessorCount)
        let quoted = "'" + dir.replacingOccurrences(of: "'", with: "'\\''")
        for (line, seed) in zip(lines, [1, 2, 5]) {
            #expect(line.hasPrefix("/") && line.contains("pixel-dqn train --seed \(seed) --output \(quoted)/seed-\(seed)' --threads \(threads) --observation state --learning-rate=0.001 --double"), "\(line)")
        }
        // --threads given: passed through, not added.
        let given = try runTool(["sweep", "--seeds", "3", "--output", dir, "--print-commands", "--observation", "state", "--threads", "1"])
        #expect(given.out.hasSuffix("train --seed 3 --output \(quoted)/seed-3' --observation state --threads 1\n"), "\(given.out)")
        #expect(!FileManager.default.fileExists(atPath: dir))
    }

    @Test func aSweepWritesItsReportSkipsFinishedSeedsAndKeepsOneSetting() throws {
        let dir = try temporaryFolder() + "/sweep"
        let first = try runTool(["sweep", "--seeds", "1-2", "--jobs", "2", "--output", dir] + tinyOptions)
        #expect(first.status == 0, "\(first.out)\n\(first.err)")
        #expect(first.out.contains("seed 1: started") && first.out.contains("seed 2: started"), "\(first.out)")

        // sweep.json: the runs, read back from their summaries, and the aggregate.
        let json = try jsonObject(dir + "/sweep.json")
        #expect(json["env"] as? String == "CartPole-v0" && json["observation"] as? String == "state")
        #expect(json["threshold"] as? Double == 195 && json["budget"] as? Int == 1500)
        let runs = try #require(json["runs"] as? [[String: Any]])
        #expect(runs.map { $0["seed"] as? Int } == [1, 2])
        var stepsToSolve: [Double] = []
        for (run, seed) in zip(runs, [1, 2]) {
            let s = try summaryOf(dir + "/seed-\(seed)")
            #expect(!s.interrupted && s.steps == 1500)
            #expect(run["steps"] as? Int == 1500)
            #expect(run["first_solved_step"] as? Int == s.firstSolvedStep)
            #expect(run["first_solved_seconds"] as? Double == s.firstSolvedSeconds)
            let finalEval = try #require(run["final_eval"] as? [String: Any])
            let expected = try #require(s.finalEval)
            #expect(isClose(finalEval["mean"] as? Double ?? .nan, expected.mean, tolerance: 1e-9))
            #expect(isClose(finalEval["std"] as? Double ?? .nan, expected.std, tolerance: 1e-9))
            #expect(run["best_model_eval"] is [String: Any])
            stepsToSolve.append(Double(s.firstSolvedStep >= 0 ? s.firstSolvedStep : 1500))
        }
        let aggregate = try #require(json["aggregate"] as? [String: Any])
        #expect(aggregate["seeds"] as? Int == 2)
        #expect(aggregate["solved"] as? Int == stepsToSolve.filter { $0 < 1500 }.count)
        for key in ["steps_to_solve", "final_eval_mean", "first_solved_seconds"] {
            let e = try #require(aggregate[key] as? [String: Any], "aggregate.\(key)")
            let ci = try #require(e["ci95"] as? [Double])
            let iqm = try #require(e["iqm"] as? Double)
            #expect(ci.count == 2 && ci[0] <= iqm && iqm <= ci[1], "\(key): \(e)")
            #expect(e["median"] is Double)
        }
        let steps = try #require(aggregate["steps_to_solve"] as? [String: Any])
        #expect(steps["median"] as? Double == SweepStatistics.median(stepsToSolve))
        let curve = try #require(json["curve"] as? [[String: Any]])
        #expect(curve.map { $0["step"] as? Int } == [500, 1000, 1500])

        // sweep.png: a valid PNG of the plot's size.
        let plot = try PNGImage.read(dir + "/sweep.png", channels: 3)
        #expect(plot.width == 800 && plot.height == 480)

        // A second call skips both seeds and leaves their files alone.
        let summaryPath = dir + "/seed-1/summary.json"
        let before = try fileBytes(summaryPath)
        let modified = try FileManager.default.attributesOfItem(atPath: summaryPath)[.modificationDate] as? Date
        let second = try runTool(["sweep", "--seeds", "1-2", "--jobs", "2", "--output", dir] + tinyOptions)
        #expect(second.status == 0, "\(second.err)")
        #expect(second.out.contains("seed 1: finished already") && second.out.contains("seed 2: finished already") && second.out.contains("skipped"), "\(second.out)")
        #expect(!second.out.contains("started"))
        #expect(try fileBytes(summaryPath) == before)
        #expect(try FileManager.default.attributesOfItem(atPath: summaryPath)[.modificationDate] as? Date == modified)

        // --aggregate on the sweep folder reproduces sweep.json byte for byte.
        let elsewhere = try temporaryFolder() + "/aggregate"
        let gathered = try runTool(["sweep", "--aggregate", dir, "--output", elsewhere])
        #expect(gathered.status == 0, "\(gathered.err)")
        #expect(try fileBytes(elsewhere + "/sweep.json") == fileBytes(dir + "/sweep.json"))
        #expect(FileManager.default.fileExists(atPath: elsewhere + "/sweep.png"))
        // The same seed twice is refused.
        let twice = try runTool(["sweep", "--aggregate", dir, dir + "/seed-1", "--output", elsewhere])
        #expect(twice.status != 0 && twice.err.contains("both hold seed 1"), "\(twice.err)")

        // Another setting on the same folder is refused, naming the difference; the order and
        // form of the options do not matter.
        let other = try runTool(["sweep", "--seeds", "3", "--output", dir, "--observation", "state", "--total-timesteps", "2000"])
        #expect(other.status != 0 && other.err.contains("holds a sweep of another setting") && other.err.contains("totalTimesteps: 2000 vs 1500"), "\(other.err)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/seed-3"))
        let reordered = ["--eval-episodes=2", "--final-eval-episodes", "5", "--eval-every", "500", "--total-timesteps", "1500", "--observation", "state", "--threads", "1"]
        let same = try runTool(["sweep", "--seeds", "1", "--output", dir] + reordered)
        #expect(same.status == 0 && same.out.contains("seed 1: finished already"), "\(same.err)")
    }

    /// A seed trained without a final evaluation is named in the summary, not silently left out
    /// of the final-evaluation statistic.
    @Test func seedsWithoutAFinalEvaluationAreCountedInTheSummary() throws {
        let dir = try temporaryFolder()
        let with = try runTool(["sweep", "--seeds", "1", "--output", dir + "/with"] + tinyOptions)
        #expect(with.status == 0, "\(with.err)")
        #expect(with.out.contains("final evaluation mean: median") && !with.out.contains("without a final evaluation"), "\(with.out)")
        let without = try runTool(["sweep", "--seeds", "2", "--output", dir + "/without"] + tinyOptions + ["--final-eval-episodes", "0"])
        #expect(without.status == 0, "\(without.err)")
        #expect(without.out.contains("final evaluation mean: none (over 0 of 1 seeds; 1 without a final evaluation"), "\(without.out)")
        let both = try runTool(["sweep", "--aggregate", dir + "/with/seed-1", dir + "/without/seed-2", "--output", dir + "/both"])
        #expect(both.status == 0, "\(both.err)")
        #expect(both.out.contains("(over 1 of 2 seeds; 1 without a final evaluation, --final-eval-episodes 0)"), "\(both.out)")
        let json = try jsonObject(dir + "/both/sweep.json")
        let runs = try #require(json["runs"] as? [[String: Any]])
        #expect(runs.count == 2 && runs[1]["final_eval"] is NSNull, "\(runs)")
    }

    @Test func aSecondCallResumesAnInterruptedSeedAndRestartsOneStoppedBeforeItsCheckpoint() throws {
        let dir = try temporaryFolder() + "/sweep"
        // Seed 3: stopped at step 700 with a checkpoint and an interrupted summary.
        let stopped = try runTraining(tinyStateConfig(seed: 3), folder: dir + "/seed-3", stopAt: 700)
        #expect(stopped.interrupted)
        // Seed 4: killed before its first checkpoint (config.json only).
        let early = RunFolder(path: dir + "/seed-4")
        try early.prepareNew()
        try early.writeConfig(tinyStateConfig(seed: 4))
        // Seed 5: a run of another setting, which the sweep must not touch.
        var otherSetting = tinyStateConfig(seed: 5)
        otherSetting.gamma = 0.9
        let foreign = RunFolder(path: dir + "/seed-5")
        try foreign.prepareNew()
        try foreign.writeConfig(otherSetting)

        let refused = try runTool(["sweep", "--seeds", "5", "--output", dir] + tinyOptions)
        #expect(refused.status != 0 && refused.err.contains(foreign.config) && refused.err.contains("gamma"), "\(refused.err)")

        let r = try runTool(["sweep", "--seeds", "3,4", "--jobs", "2", "--output", dir] + tinyOptions)
        #expect(r.status == 0, "\(r.out)\n\(r.err)")
        #expect(r.out.contains("seed 3: interrupted earlier; resuming"), "\(r.out)")
        #expect(r.out.contains("train --resume \(dir)/seed-3 --threads"), "\(r.out)")
        #expect(r.out.contains("seed 4: \(dir)/seed-4 has config.json but no checkpoint") && r.out.contains("moved it to \(dir)/restarted/seed-4-1"), "\(r.out)")
        for seed in [3, 4] {
            let s = try summaryOf(dir + "/seed-\(seed)")
            #expect(!s.interrupted && s.steps == 1500, "seed \(seed)")
        }
        #expect(FileManager.default.fileExists(atPath: dir + "/restarted/seed-4-1/config.json"))
        let log = String(decoding: try fileBytes(dir + "/seed-3/train.log"), as: UTF8.self)
        #expect(log.contains("train --resume") && log.contains("finished after 1500 steps"), "\(log)")
        // The report holds the two finished seeds; seed 5's folder is listed as unfinished.
        let json = try jsonObject(dir + "/sweep.json")
        #expect((json["runs"] as? [[String: Any]])?.map { $0["seed"] as? Int } == [3, 4])
        #expect((json["unfinished"] as? [[String: Any]])?.map { $0["seed"] as? Int } == [5])
        #expect((json["differing_settings"] as? [String])?.contains { $0.hasPrefix("gamma") } == true)
    }

    @Test func ctrlCStopsEveryRunCleanlyWritesTheReportAndExits130() throws {
        let dir = try temporaryFolder() + "/sweep"
        let p = Process()
        p.executableURL = toolURL
        p.arguments = ["sweep", "--seeds", "1-3", "--jobs", "2", "--output", dir, "--observation", "state",
                       "--total-timesteps", "200000", "--checkpoint-every", "500"]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Wait until both running seeds have written a checkpoint, then press Ctrl-C.
        let deadline = Date().addingTimeInterval(120)
        while p.isRunning && Date() < deadline && ![1, 2].allSatisfy({ FileManager.default.fileExists(atPath: dir + "/seed-\($0)/checkpoint.safetensors") }) {
            usleep(50_000)
        }
        p.interrupt()
        p.waitUntilExit()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 130, "\(output)")
        #expect(output.contains("stopping"), "\(output)")
        for seed in [1, 2] {
            let s = try summaryOf(dir + "/seed-\(seed)")
            #expect(s.interrupted && s.steps < 200_000, "seed \(seed) should have stopped cleanly")
            #expect(FileManager.default.fileExists(atPath: dir + "/seed-\(seed)/checkpoint.safetensors"))
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/seed-3"), "no seed starts after Ctrl-C")
        let json = try jsonObject(dir + "/sweep.json")
        #expect((json["runs"] as? [Any])?.isEmpty == true)
        #expect((json["unfinished"] as? [[String: Any]])?.map { $0["seed"] as? Int } == [1, 2])
        #expect(FileManager.default.fileExists(atPath: dir + "/sweep.png"))
    }
}
