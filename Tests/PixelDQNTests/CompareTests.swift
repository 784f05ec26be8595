// Comparisons of settings: the statistics against answers computed by hand or by
// Scripts/compare_reference.py (scipy, NumPy and the same xoshiro256** draws written again in
// Python), the normalisations, the grid's options and folder names, and the built tool running
// a tiny grid (its folder layout, resume, refusals) and --compare.
import Foundation
import Testing
import PixelDQN

/// The train options of the tiny runs below (each takes well under a second).
private let tinyOptions = ["--observation", "state", "--total-timesteps", "1500", "--eval-every", "500",
                           "--final-eval-episodes", "5", "--eval-episodes", "2"]

private func jsonObject(_ path: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(fileBytes(path))) as? [String: Any])
}

@Suite struct CompareTests {
    // MARK: Statistics

    @Test func thePooledIQMIsTheTrimmedMeanOfEveryRunOfEveryTask() {
        // scipy.stats.trim_mean(x, 0.25) of the ten values, split into two tasks.
        #expect(isClose(CompareStatistics.pooledIQM([[12, 35, 50, 51, 60], [64, 70, 88, 120, 200]]), 383.0 / 6, tolerance: 1e-12))
        // By hand: 1…8 pooled, cut 2 each side: mean(3, 4, 5, 6).
        #expect(CompareStatistics.pooledIQM([[8, 1, 2], [3, 4, 5, 6, 7]]) == 4.5)
        // [1, 2, 3, 10, 40]: cut 1 each side, mean(2, 3, 10) = 5.
        #expect(CompareStatistics.pooledIQM([[3, 1, 2], [10, 40]]) == 5)
        #expect(CompareStatistics.iqm([[], []]) == nil)
    }

    @Test func theStratifiedBootstrapIntervalIsThePythonReferences() throws {
        // Scripts/compare_reference.py: 7 stratified resamples (seed 0) of [[3, 1, 2], [10, 40]],
        // the percentile interval of their pooled IQMs: [4.1, 15.0].
        let e = try #require(CompareStatistics.iqm([[3, 1, 2], [10, 40]], resamples: 7, seed: 0))
        #expect(e.value == 5)
        #expect(isClose(e.lower, 4.1, tolerance: 1e-12) && isClose(e.upper, 15.0, tolerance: 1e-12), "[\(e.lower), \(e.upper)]")
        // The order of the runs within a task does not matter; another seed draws otherwise.
        #expect(CompareStatistics.iqm([[2, 3, 1], [40, 10]], resamples: 7, seed: 0) == e)
        #expect(CompareStatistics.iqm([[3, 1, 2], [10, 40]], resamples: 7, seed: 5) != e)
        // Resampling within each task: a task whose runs all score the same keeps that score in
        // every draw, so two such tasks give no spread at all (a pooled resample would).
        let strata = try #require(CompareStatistics.iqm([[1, 1, 1, 1], [9, 9, 9, 9]], resamples: 200))
        #expect(strata.value == 5 && strata.lower == 5 && strata.upper == 5, "\(strata)")
    }

    @Test func theProbabilityOfImprovementCountsWinsAndHalfTiesPerTask() throws {
        // All greater → 1, all smaller → 0, identical → ½, per task and over tasks.
        #expect(CompareStatistics.probabilityOfImprovement([[5, 6, 7]], [[1, 2]]) == 1)
        #expect(CompareStatistics.probabilityOfImprovement([[1, 2]], [[5, 6, 7]]) == 0)
        #expect(CompareStatistics.probabilityOfImprovement([[1, 2, 3], [4]], [[1, 2, 3], [4]]) == 0.5)
        // By hand: [3, 4] vs [1, 3]: 3>1, 3=3 (½), 4>1, 4>3 → 3.5 / 4.
        #expect(CompareStatistics.probabilityOfImprovement([[3, 4]], [[1, 3]]) == 0.875)
        // [1, 2, 3] vs [2]: 0 + ½ + 1 over 3.
        #expect(CompareStatistics.probabilityOfImprovement([[1, 2, 3]], [[2]]) == 0.5)
        // The mean over tasks, not over pooled runs: one task won, one lost → ½.
        #expect(CompareStatistics.probabilityOfImprovement([[9], [0, 0, 0]], [[1], [5, 5, 5]]) == 0.5)
        // Scripts/compare_reference.py (scipy's Mann–Whitney U / (n·m), mean over the 2 tasks), and
        // its interval over 9 resamples of the runs of each setting within each task.
        let x: [[Double]] = [[1, 2, 3], [5, 6]], y: [[Double]] = [[2, 2], [4, 7, 8]]
        let e = CompareStatistics.probabilityOfImprovementEstimate(x, y, resamples: 9, seed: 0)
        #expect(isClose(e.value, 5.0 / 12, tolerance: 1e-12))
        #expect(isClose(e.lower, 0.08333333333333333, tolerance: 1e-12) && isClose(e.upper, 0.48333333333333334, tolerance: 1e-12), "\(e)")
        // Certain improvement stays certain in every draw.
        let sure = CompareStatistics.probabilityOfImprovementEstimate([[5, 6, 7]], [[1, 2]], resamples: 100)
        #expect(sure == Estimate(value: 1, lower: 1, upper: 1))
    }

    @Test func thePerformanceProfileIsTheFractionAboveTauWithEachTaskWeighingTheSame() {
        // One task: 4 runs, strictly above τ.
        #expect(CompareStatistics.performanceProfile([[0.2, 0.6, 1.0, 1.4]], taus: [0, 0.5, 1, 2]) == [1, 0.75, 0.25, 0])
        // Two tasks of 1 and 4 runs at τ = 0.4: (1 + 3/4) / 2, not 4/5 pooled.
        #expect(CompareStatistics.performanceProfile([[0.5], [0.1, 0.9, 0.9, 0.9]], taus: [0.4]) == [0.875])
        let profile = CompareStatistics.performanceProfileEstimate([[0.2, 0.6, 1.0, 1.4]], taus: [0, 0.5], resamples: 50)
        #expect(profile.map(\.value) == [1, 0.75])
        #expect(profile[0].lower == 1 && profile[0].upper == 1, "every run is above 0 in every draw")
        #expect(profile[1].lower <= 0.75 && profile[1].upper >= 0.75 && profile[1].upper > profile[1].lower)
        #expect(CompareStatistics.grid(from: 0, to: 1, count: 5) == [0, 0.25, 0.5, 0.75, 1])
    }

    @Test func scoresAreNormalisedByThresholdLowestReturnOrRandomAndHumanScores() throws {
        func env(_ id: String) throws -> EnvironmentID { try #require(EnvironmentID(rawValue: id)) }
        // CartPole: score / threshold.
        let cartPole = try #require(ScoreNormalisation(try env("CartPole-v1")))
        #expect(cartPole == .byThreshold(475))
        #expect(cartPole.apply(475) == 1 && cartPole.apply(237.5) == 0.5 && cartPole.apply(0) == 0)
        #expect(ScoreNormalisation(try env("CartPole-v0")) == .byThreshold(195))
        // Acrobot (−1 a step, 500 steps, threshold −100): (score + 500) / 400.
        let acrobot = try #require(ScoreNormalisation(try env("Acrobot-v1")))
        #expect(acrobot == .fromLowest(lowest: -500, threshold: -100))
        #expect(acrobot.apply(-500) == 0 && acrobot.apply(-100) == 1 && acrobot.apply(-300) == 0.5 && acrobot.apply(-80) == 1.05)
        // MountainCar (−1 a step, 200 steps, threshold −110): (score + 200) / 90.
        let car = try #require(ScoreNormalisation(try env("MountainCar-v0")))
        #expect(car.apply(-200) == 0 && car.apply(-110) == 1 && car.apply(-155) == 0.5)
        // Atari: (score − random) / (human − random), Mnih et al. 2015's scores.
        let pong = try #require(ScoreNormalisation(try env("PongNoFrameskip-v4")))
        #expect(pong == .humanNormalised(random: -20.7, human: 14.6))
        #expect(pong.apply(-20.7) == 0 && isClose(pong.apply(14.6), 1, tolerance: 1e-12) && isClose(pong.apply(21), 41.7 / 35.3, tolerance: 1e-12))
        #expect(ScoreNormalisation(try env("ALE/Breakout-v5")) == .humanNormalised(random: 1.7, human: 30.5))
        // A game without published scores here cannot be normalised.
        #expect(ScoreNormalisation(try env("TennisNoFrameskip-v4")) == nil)
    }

    // MARK: The grid

    @Test func aGridIsTheProductOfItsValuesWithReadableSafeFolderNames() throws {
        let dims = try SweepGrid.parse(["n-step=1,3", "--double=true,false", "env=CartPole-v1,ALE/Pong-v5"])
        #expect(dims.map(\.name) == ["n-step", "double", "env"])
        let settings = try SweepGrid.settings(dims)
        #expect(settings.count == 8)
        #expect(settings.map(\.folderName).prefix(3) == ["n-step=1,double=true,env=CartPole-v1", "n-step=1,double=true,env=ALE%2FPong-v5",
                                                         "n-step=1,double=false,env=CartPole-v1"])
        #expect(Set(settings.map(\.folderName)).count == 8)
        #expect(settings[1].label == "n-step=1,double=true" && settings[1].env == "ALE/Pong-v5")
        #expect(settings[2].trainOptions == ["--n-step=1", "--no-double", "--env=CartPole-v1"])
        // A flag without a negation is left out when false.
        let stop = try SweepGrid.settings(try SweepGrid.parse(["stop-when-solved=true,false"]))
        #expect(stop.map(\.trainOptions) == [["--stop-when-solved"], []])
        #expect(try SweepGrid.settings(try SweepGrid.parse(["env=CartPole-v1,Acrobot-v1"])).map(\.label) == ["setting", "setting"])
        let refused: [(String, String)] = [
            ("n-step", "expected NAME=V1,V2"), ("frobnicate=1,2", "\"frobnicate\" is not a train option"),
            ("n-step=1,,3", "an empty value"), ("n-step=1,x", "--n-step: expected a whole number"),
            ("n-step=1,1", "the value 1 appears twice"), ("seed=1,2", "the seeds come from --seeds"),
            ("double=yes", "expected true or false"), ("env=CartPole-v1,Pong", "--env: expected"),
        ]
        for (text, needle) in refused {
            do {
                _ = try SweepGrid.parse([text])
                Issue.record("--grid \(text) should be refused")
            } catch let e as ConfigError {
                #expect(e.message.hasPrefix("--grid \(text):") && e.message.contains(needle), "\(text): \(e.message)")
            }
        }
        #expect(throws: ConfigError.self) { try SweepGrid.parse(["n-step=1", "n-step=3"]) }
    }

    @Test func gridArgumentsReadBackAreChecked() throws {
        let dir = try temporaryFolder()
        try SweepGrid.writeArguments(GridArguments(grid: try SweepGrid.parse(["n-step=1,3"]), trainOptions: ["--observation", "state"], seeds: [1, 2]), folder: dir)
        let back = try #require(try SweepGrid.readArguments(folder: dir))
        #expect(back.grid == [GridDimension(name: "n-step", values: ["1", "3"])] && back.seeds == [1, 2])
        for (text, needle) in [
            (#"{"version": "1", "grid": [{"name": "n-step", "values": ["0"]}], "train_options": [], "seeds": [1]}"#, "--n-step: expected 1 to 100, got 0"),
            (#"{"version": "1", "grid": [], "train_options": [], "seeds": [1]}"#, "an empty grid"),
            (#"{"version": "1", "grid": [{"name": "gamma", "values": ["0.9"]}], "train_options": [], "seeds": [1, 1]}"#, "without repeats"),
            (#"{"version": "1", "grid": 3, "train_options": [], "seeds": [1]}"#, "\"grid\" is not a list"),
        ] {
            try AtomicFile.write(text, to: dir + "/grid.json")
            do {
                _ = try SweepGrid.readArguments(folder: dir)
                Issue.record("\(text) should be refused")
            } catch let e as FileError {
                #expect(e.path == dir + "/grid.json" && e.problem.contains(needle), "\(e)")
            }
        }
    }

    // MARK: The built tool on a tiny grid

    @Test func aGridLaysOutOneSweepPerSettingResumesAndComparesThem() throws {
        let dir = try temporaryFolder() + "/grid"
        // n-step=3 seed 2 stopped at step 700 with a checkpoint before the grid's first call.
        var stopped = TrainingConfig.defaults(for: .state)
        stopped.seed = 2; stopped.totalTimesteps = 1500; stopped.evalEvery = 500; stopped.finalEvalEpisodes = 5
        stopped.evalEpisodes = 2; stopped.nStep = 3
        #expect(try runTraining(stopped, folder: dir + "/n-step=3/seed-2", stopAt: 700).interrupted)

        let first = try runTool(["sweep", "--seeds", "1-2", "--jobs", "2", "--grid", "n-step=1,3", "--output", dir] + tinyOptions)
        #expect(first.status == 0, "\(first.out)\n\(first.err)")
        #expect(first.out.contains("n-step=3 seed 2: interrupted earlier; resuming"), "\(first.out)")
        for started in ["n-step=1 seed 1", "n-step=1 seed 2", "n-step=3 seed 1"] { #expect(first.out.contains("\(started): started"), "\(first.out)") }
        // The layout: DIR/<setting>/seed-<S>/, each setting a sweep with its report.
        for (setting, n) in [("n-step=1", 1), ("n-step=3", 3)] {
            for seed in [1, 2] {
                let s = try RunSummary.read("\(dir)/\(setting)/seed-\(seed)/summary.json")
                #expect(!s.interrupted && s.steps == 1500, "\(setting) seed \(seed)")
                let config = try RunFolder(path: "\(dir)/\(setting)/seed-\(seed)").readConfig()
                #expect(config.nStep == n && config.seed == UInt64(seed))
            }
            let sweep = try jsonObject("\(dir)/\(setting)/sweep.json")
            #expect((sweep["runs"] as? [[String: Any]])?.map { $0["seed"] as? Int } == [1, 2])
            #expect(FileManager.default.fileExists(atPath: "\(dir)/\(setting)/sweep.png"))
            let args = try jsonObject("\(dir)/\(setting)/sweep-args.json")
            #expect((args["train_options"] as? [String]) == tinyOptions + ["--n-step=\(n)"])
        }
        let log = String(decoding: try fileBytes(dir + "/n-step=3/seed-2/train.log"), as: UTF8.self)
        #expect(log.contains("train --resume"), "\(log)")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { !$0.hasPrefix(".") }.sorted()
        #expect(names == ["compare.json", "compare.png", "grid.json", "n-step=1", "n-step=3"], "\(names)")

        // compare.json: both settings on the one task, their IQMs inside their intervals, P(1 > 3).
        let compare = try jsonObject(dir + "/compare.json")
        #expect(compare["tasks"] as? [String] == ["CartPole-v0"])
        let settings = try #require(compare["settings"] as? [[String: Any]])
        #expect(settings.map { $0["label"] as? String } == ["n-step=1", "n-step=3"])
        for s in settings {
            let all = try #require(s["all_tasks"] as? [String: Any])
            for key in ["steps_to_solve", "normalised_final_score"] {
                let e = try #require(all[key] as? [String: Any], "\(key)")
                let ci = try #require(e["ci95"] as? [Double]), iqm = try #require(e["iqm"] as? Double)
                #expect(ci[0] <= iqm && iqm <= ci[1], "\(key): \(e)")
            }
            let task = try #require((s["tasks"] as? [[String: Any]])?.first)
            #expect(task["runs"] as? Int == 2 && task["budget"] as? Int == 1500)
        }
        let pairs = try #require(compare["probability_of_improvement"] as? [[String: Any]])
        #expect(pairs.count == 1 && pairs[0]["x"] as? String == "n-step=1" && pairs[0]["y"] as? String == "n-step=3")
        let p = try #require(pairs[0]["higher_final_score"] as? [String: Any])
        #expect(((p["p"] as? Double).map { (0...1).contains($0) }) == true)
        let profile = try #require(compare["performance_profile"] as? [String: Any])
        #expect((profile["tau"] as? [Double])?.count == ComparisonReport.profilePoints)
        let plot = try PNGImage.read(dir + "/compare.png", channels: 3)
        #expect(plot.width == 1000)

        // --compare of the two setting folders gives the same compare.json, byte for byte.
        let out = try temporaryFolder() + "/out"
        let again = try runTool(["sweep", "--compare", dir + "/n-step=1", dir + "/n-step=3", "--output", out])
        #expect(again.status == 0, "\(again.err)")
        #expect(try fileBytes(out + "/compare.json") == fileBytes(dir + "/compare.json"))
        // Into the folder that holds the compared sweeps (and nothing else): allowed.
        let holder = try temporaryFolder() + "/holder"
        try AtomicFile.makeFolder(holder)
        try FileManager.default.copyItem(atPath: dir + "/n-step=1", toPath: holder + "/n-step=1")
        try FileManager.default.copyItem(atPath: dir + "/n-step=3", toPath: holder + "/n-step=3")
        let inHolder = try runTool(["sweep", "--compare", holder + "/n-step=1", holder + "/n-step=3", "--output", holder])
        #expect(inHolder.status == 0 && FileManager.default.fileExists(atPath: holder + "/compare.png"), "\(inHolder.err)")

        // A second call skips every finished seed and starts nothing.
        let second = try runTool(["sweep", "--seeds", "1-2", "--jobs", "2", "--grid", "n-step=1,3", "--output", dir] + tinyOptions)
        #expect(second.status == 0, "\(second.err)")
        #expect(second.out.components(separatedBy: "finished already").count == 5 && !second.out.contains("started"), "\(second.out)")

        // Another grid, other train options, a plain sweep, or a foreign file: refused, nothing run.
        let otherGrid = try runTool(["sweep", "--seeds", "1", "--grid", "n-step=1,5", "--output", dir] + tinyOptions)
        #expect(otherGrid.status == 64 && otherGrid.err.contains("holds a grid sweep of another grid") && otherGrid.err.contains("--grid n-step=1,3"), "\(otherGrid.err)")
        let otherOptions = try runTool(["sweep", "--seeds", "1", "--grid", "n-step=1,3", "--output", dir, "--gamma", "0.9"] + tinyOptions)
        #expect(otherOptions.status == 64 && otherOptions.err.contains("other train options") && otherOptions.err.contains("gamma"), "\(otherOptions.err)")
        let plain = try runTool(["sweep", "--seeds", "1", "--output", dir] + tinyOptions)
        #expect(plain.status == 64 && plain.err.contains("a grid folder"), "\(plain.err)")
        try AtomicFile.write("mine", to: dir + "/n-step=1/notes.txt")
        let foreign = try runTool(["sweep", "--seeds", "1-2", "--grid", "n-step=1,3", "--output", dir] + tinyOptions)
        #expect(foreign.status == 64 && foreign.err.contains(dir + "/n-step=1/notes.txt") && foreign.err.contains("which this grid did not write"), "\(foreign.err)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/n-step=5"))
        #expect(try String(decoding: fileBytes(dir + "/n-step=1/notes.txt"), as: UTF8.self) == "mine")
    }

    @Test func gridAndCompareArgumentsAreRefusedBeforeAnyWork() throws {
        let dir = try temporaryFolder() + "/grid"
        let cases: [([String], String)] = [
            (["--seeds", "1", "--grid", "n-step=1,x"], "--grid n-step=1,x: --n-step: expected a whole number"),
            (["--seeds", "1", "--grid", "n-step=1,3", "--n-step", "5"], "both set --n-step"),
            (["--seeds", "1", "--grid", "threads=1,2"], "cannot vary in a grid"),
            (["--seeds", "1", "--grid", "double=true,false", "--no-double"], "both set --double"),
            (["--seeds", "1", "--grid", "env=CartPole-v1,Acrobot-v1", "--observation", "state", "--network", "nature"], "the setting env=CartPole-v1: train options"),
            (["--compare", dir, "--seeds", "1"], "--compare only compares existing sweeps; it takes no --seeds"),
            (["--compare", dir, "--grid", "n-step=1,3"], "it takes no --grid"),
        ]
        for (args, needle) in cases {
            let r = try runTool(["sweep", "--output", dir] + args)
            #expect(r.status == 64, "\(args) should fail with 64, got \(r.status)")
            #expect(r.err.contains(needle), "\(args): stderr \(r.err)")
        }
        let two = try runTool(["sweep", "--compare", dir, dir + "2"])
        #expect(two.status == 64 && two.err.contains("needs --output"), "\(two.err)")
        let missing = try runTool(["sweep", "--compare", dir])
        #expect(missing.status == 64 && missing.err.contains("--compare \(dir): no such folder"), "\(missing.err)")
        #expect(!FileManager.default.fileExists(atPath: dir), "nothing may be written before the arguments are checked")
        // --print-commands: one command per setting and seed, into the setting's folder.
        let printed = try runTool(["sweep", "--seeds", "1-2", "--grid", "n-step=1,3", "--output", dir, "--print-commands", "--observation", "state"])
        let lines = printed.out.split(separator: "\n")
        #expect(printed.status == 0 && lines.count == 4, "\(printed.out)")
        #expect(lines[3].contains("train --seed 2 --output '\(dir)/n-step=3/seed-2'") || lines[3].contains("train --seed 2 --output \(dir)/n-step=3/seed-2"), "\(lines[3])")
        #expect(lines[3].hasSuffix("--observation state --n-step=3"), "\(lines[3])")
        #expect(!FileManager.default.fileExists(atPath: dir))
    }

    @Test func compareRefusesToWriteAmongSomeoneElsesFiles() throws {
        let root = try temporaryFolder()
        let sweep = root + "/sweep"
        let r = try runTool(["sweep", "--seeds", "1-2", "--jobs", "2", "--output", sweep] + tinyOptions)
        #expect(r.status == 0, "\(r.err)")
        // Into the sweep folder itself (one of the compared folders): allowed, a one-setting report.
        let own = try runTool(["sweep", "--compare", sweep])
        #expect(own.status == 0, "\(own.err)")
        let json = try jsonObject(sweep + "/compare.json")
        #expect((json["settings"] as? [[String: Any]])?.map { $0["label"] as? String } == ["sweep"])
        #expect((json["probability_of_improvement"] as? [Any])?.isEmpty == true)
        // Into a folder of other files: refused, untouched.
        let other = root + "/mine"
        try AtomicFile.makeFolder(other)
        try AtomicFile.write("keep", to: other + "/notes.txt")
        let refused = try runTool(["sweep", "--compare", sweep, "--output", other])
        #expect(refused.status == 64 && refused.err.contains("\(other)/notes.txt") && refused.err.contains("not a comparison's files"), "\(refused.err)")
        #expect(!FileManager.default.fileExists(atPath: other + "/compare.json"))
        // The same sweep twice is one setting on one task twice: refused, naming both.
        let twice = try runTool(["sweep", "--compare", sweep, sweep + "/", "--output", root + "/twice"])
        #expect(twice.status == 64 && twice.err.contains("are both the setting"), "\(twice.err)")
    }
}
