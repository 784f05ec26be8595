// Crash consistency, tested the way SQLite and etcd test theirs: a real `pixel-dqn train` is
// killed with SIGKILL at every instant of a run that writes something (each file written to its
// temporary name, each rename, each TensorBoard flush) and at seeded random instants of its
// training and evaluation steps, resumed after each kill (the next kill lands in the resumed
// process), and must end with the bytes of an uninterrupted twin: metrics.csv,
// model.safetensors and best.safetensors. The instants come from the twin's own trace
// (PIXEL_DQN_CRASH_TRACE), and each kill is made exact by PIXEL_DQN_CRASH_AT (`CrashPoint`).
// A 3-seed sweep is killed, supervisor and children, 20 times and rerun, and ends with the same
// bytes per seed as a sweep left alone.
//
// PIXEL_DQN_CRASH_EVERY=K keeps every K-th instant only (Scripts/sanitizers.sh sets it, as the
// sanitized processes are several times slower); without it every instant is tried.
import Foundation
import Testing
import PixelDQN

/// One `pixel-dqn` process, waited for: its exit status, whether SIGKILL ended it, its stderr.
private func runCrashing(_ arguments: [String], crashAt: String? = nil, trace: String? = nil) throws
    -> (status: Int32, killed: Bool, err: String) {
    let p = Process()
    p.executableURL = toolURL
    p.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["PIXEL_DQN_CRASH_AT"] = crashAt
    environment["PIXEL_DQN_CRASH_TRACE"] = trace
    p.environment = environment
    p.standardOutput = FileHandle.nullDevice
    let err = Pipe()
    p.standardError = err
    try p.run()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGKILL,
            String(decoding: e, as: UTF8.self))
}

/// Keeps every K-th instant under PIXEL_DQN_CRASH_EVERY=K (the sanitizer runs), and the first
/// instant of each kind (the name before "@"), so that every kind is still tried; else all.
private func thinned(_ items: [String]) -> [String] {
    guard let text = ProcessInfo.processInfo.environment["PIXEL_DQN_CRASH_EVERY"] else { return items }
    guard let every = Int(text), every >= 1 else {
        Issue.record("PIXEL_DQN_CRASH_EVERY is \"\(text)\", expected a whole number from 1")
        return items
    }
    var seen = Set<Substring>()
    return items.enumerated().filter { offset, item in
        let kind = item.split(separator: "@").first ?? ""
        return seen.insert(kind).inserted || offset % every == 0
    }.map(\.element)
}

/// The files that must end byte for byte as the uninterrupted run's.
private let comparedFiles = ["metrics.csv", "model.safetensors", "best.safetensors"]

/// Expects `folder`'s compared files to equal `twin`'s (present in both or in neither).
private func expectSameBytes(_ folder: String, _ twin: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    for name in comparedFiles {
        let mine = FileManager.default.fileExists(atPath: folder + "/" + name)
        let theirs = FileManager.default.fileExists(atPath: twin + "/" + name)
        #expect(mine == theirs, "\(what): \(name) \(mine ? "present" : "missing"), in the uninterrupted run \(theirs ? "present" : "missing")",
                sourceLocation: sourceLocation)
        if mine && theirs {
            #expect(try fileBytes(folder + "/" + name) == fileBytes(twin + "/" + name), "\(what): \(name) differs from the uninterrupted run's",
                    sourceLocation: sourceLocation)
        }
    }
}

/// A run killed again and again: the instants it is killed at, and how many kills landed.
private struct CrashedRun {
    var targets: [String] = []
    var kills = 0
}

/// Runs `options` once uninterrupted (with a trace of its instants), then again in another folder
/// killed at every write instant of the trace and at `stepKills` seeded random step instants,
/// in the order of the run, resuming after each kill; finally resumes to the end and compares.
private func crashAndResume(_ options: [String], stepKills: Int, seed: UInt64) throws -> CrashedRun {
    let root = try temporaryFolder()
    let twin = root + "/twin", run = root + "/run", tracePath = root + "/trace.txt"
    let alone = try runCrashing(["train"] + options + ["--output", twin, "--quiet"], trace: tracePath)
    try #require(alone.status == 0 && !alone.killed, "the uninterrupted run failed: \(alone.err)")
    let instants = try text(tracePath).split(separator: "\n").map(String.init)
    // A step instant is "train-step@S#1" or "<kind>-step@S#N" (an evaluation's N-th step).
    let isStep = { (instant: String) in instant.split(separator: "@").first?.hasSuffix("-step") == true }
    let steps = instants.indices.filter { isStep(instants[$0]) }
    var rng = Xoshiro256(seed: seed)
    var picked = Set<Int>()
    while picked.count < min(stepKills, steps.count) { picked.insert(steps[rng.nextIndex(below: steps.count)]) }
    var result = CrashedRun()
    result.targets = thinned(instants.indices.filter { !isStep(instants[$0]) || picked.contains($0) }.map { instants[$0] })
    #expect(result.targets.contains { $0.hasPrefix("renamed:checkpoint.safetensors@") }, "the trace holds no checkpoint: \(instants.prefix(20))")

    for target in result.targets {
        let started = FileManager.default.fileExists(atPath: run + "/config.json")
        let arguments = started ? ["train", "--resume", run, "--quiet"] : ["train"] + options + ["--output", run, "--quiet"]
        let r = try runCrashing(arguments, crashAt: target)
        if r.killed { result.kills += 1; continue }
        // Not killed: the run ended before the instant (one only a process that started earlier
        // passes, such as a flush on the clock), and must have ended well.
        #expect(r.status == 0, "killing at \(target): the run \(started ? "resumed" : "started") and failed: \(r.err)")
        if r.status != 0 { return result }
    }
    let last = try runCrashing(["train", "--resume", run, "--quiet"])
    #expect(last.status == 0 && !last.killed, "the last resume failed: \(last.err)")
    try expectSameBytes(run, twin, "after \(result.kills) kills")
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: run).filter { $0.contains(".tmp-") }
    #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
    return result
}

/// A short CartPole-v0 state run (a few hundred steps) with the replay memory saved, so that a
/// resumed run is the uninterrupted one bit for bit.
private let shortRun = ["--observation", "state", "--env", "CartPole-v0", "--learning-starts", "100", "--buffer-size", "1000",
                        "--save-replay"]

@Suite(.serialized) struct CrashConsistencyTests {
    /// Checkpoints every 100 steps, an evaluation every 150 (between checkpoints, and at the
    /// checkpoint of step 300), a final evaluation and the best model's; TensorBoard on.
    @Test func killsAtEveryWriteAndInEvaluationsResumeToTheUninterruptedBytes() throws {
        let r = try crashAndResume(shortRun + ["--total-timesteps", "500", "--checkpoint-every", "100", "--eval-every", "150",
                                               "--eval-episodes", "2", "--final-eval-episodes", "4", "--seed", "3"],
                                   stepKills: 40, seed: 11)
        for kind in ["renamed:checkpoint.safetensors", "written:checkpoint.safetensors", "renamed:metrics.csv",
                     "renamed:best.safetensors", "renamed:summary.json", "final-eval-step", "best-eval-step", "eval-step", "train-step"] {
            #expect(r.targets.contains { $0.hasPrefix(kind + "@") }, "no kill at \(kind)")
        }
        // Every instant is reached again by the resumed process but those on the clock.
        #expect(r.kills >= r.targets.count * 9 / 10, "\(r.kills) kills of \(r.targets.count) instants")
        print("crash consistency (periodic evaluations): \(r.kills) kills of \(r.targets.count) instants")
    }

    /// The issue's run: one checkpoint at the last step, then a long final evaluation (the
    /// window in which a kill left a row the checkpoint did not count); --stop-when-solved and no
    /// TensorBoard.
    @Test func killsInTheFinalEvaluationAndTheFinalSaveResumeToTheUninterruptedBytes() throws {
        let r = try crashAndResume(shortRun + ["--total-timesteps", "400", "--checkpoint-every", "200", "--eval-every", "0",
                                               "--final-eval-episodes", "20", "--stop-when-solved", "--no-tensorboard", "--seed", "4"],
                                   stepKills: 50, seed: 12)
        #expect(r.targets.contains { $0.hasPrefix("final-eval-step@400#") })
        #expect(r.kills >= r.targets.count * 9 / 10, "\(r.kills) kills of \(r.targets.count) instants")
        print("crash consistency (final evaluation): \(r.kills) kills of \(r.targets.count) instants")
    }

    /// A run stopped by its confirmed solve keeps the confirmed weights as best.safetensors, and
    /// their result on the final episodes is the confirmation's: the run never plays them again
    /// (its trace passes no best-eval-step), and summary.json reports the same figures for the
    /// final evaluation and the best model. A run whose best weights are older plays them (the
    /// first test here kills inside that evaluation).
    @Test func theBestModelOfARunStoppedByItsSolveIsNotPlayedAgain() throws {
        let root = try temporaryFolder()
        let run = root + "/run", tracePath = root + "/trace.txt"
        // The state defaults confirm seed 1's solve of CartPole-v0 at step 2,500 (TrainingTests).
        let r = try runCrashing(["train", "--observation", "state", "--env", "CartPole-v0", "--seed", "1", "--stop-when-solved",
                                 "--no-tensorboard", "--quiet", "--output", run], trace: tracePath)
        try #require(r.status == 0 && !r.killed, "the run failed: \(r.err)")
        let kinds = Set(try text(tracePath).split(separator: "\n").compactMap { $0.split(separator: "@").first.map(String.init) })
        #expect(kinds.contains("confirm-step") && !kinds.contains("best-eval-step"), "instants passed: \(kinds.sorted())")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(fileBytes(run + "/summary.json"))) as? [String: Any])
        let final = summary["final_eval"] as? [String: Any], best = summary["best_model_eval"] as? [String: Any]
        #expect(final?["mean"] as? Double != nil && final?["mean"] as? Double == best?["mean"] as? Double
                && final?["min"] as? Double == best?["min"] as? Double && final?["episodes"] as? Int == best?["episodes"] as? Int,
                "final \(String(describing: final)), best \(String(describing: best))")
        #expect(summary["first_solved_step"] as? Int == summary["steps"] as? Int)
    }

    /// A run of its whole budget whose last periodic evaluation reaches the threshold confirms
    /// it at the last step; the final evaluation of the same weights on the same episodes is that
    /// confirmation's result, recorded without playing them again (no final-eval-step passed).
    @Test func aFinalEvaluationOfTheWeightsJustConfirmedIsNotPlayedAgain() throws {
        let root = try temporaryFolder()
        let run = root + "/run", tracePath = root + "/trace.txt"
        // Seed 5 of the state defaults confirms its evaluation at step 50,000 in full: its 199.7
        // beats every confirmation before it (a confirmation that cannot is cut short).
        let r = try runCrashing(["train", "--observation", "state", "--env", "CartPole-v0", "--seed", "5", "--final-eval-episodes", "20",
                                 "--no-tensorboard", "--quiet", "--output", run], trace: tracePath)
        try #require(r.status == 0 && !r.killed, "the run failed: \(r.err)")
        let log = try MetricsLog.parse(text(run + "/metrics.csv"), path: run, env: .cartPoleV0)
        let atEnd = log.evaluations.filter { $0.step == 50_000 }
        try #require(atEnd.count == 3, "expected the periodic evaluation, its confirmation and the final one at 50,000: \(atEnd.map(\.stats.mean))")
        #expect(atEnd[1].confirmation && !atEnd[2].confirmation && atEnd[2].stats == atEnd[1].stats)
        let kinds = Set(try text(tracePath).split(separator: "\n").compactMap { $0.split(separator: "@").first.map(String.init) })
        #expect(kinds.contains("confirm-step") && !kinds.contains("final-eval-step"), "instants passed: \(kinds.sorted())")
    }

    /// The crash variables are outside values too: a malformed one is refused before training,
    /// naming the variable, the value and the form expected.
    @Test(arguments: ["renamed:metrics.csv", "renamed:metrics.csv@x#1", "@5#1", "train-step@5#0", "train-step@-1#1"])
    func aMalformedCrashPointIsRefused(value: String) throws {
        let dir = try temporaryFolder() + "/run"
        let r = try runCrashing(["train"] + shortRun + ["--total-timesteps", "200", "--output", dir, "--quiet"], crashAt: value)
        #expect(!r.killed && r.status != 0, "exit \(r.status)")
        #expect(r.err.contains("PIXEL_DQN_CRASH_AT is \"\(value)\"") && r.err.contains("expected NAME@STEP#N"), "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/metrics.csv"))
    }

    /// A 3-seed sweep (two runs at a time) whose supervisor and train processes are all killed
    /// with SIGKILL 20 times, each time started again with the same command: every seed ends
    /// with the bytes of a sweep left alone (run one seed at a time). Each kill comes, by a
    /// seeded draw, right after the next checkpoint any seed commits, or at a random moment
    /// 0.02–0.12 s after the start; so the 20 kills land before the sweep's 90 checkpoints are
    /// all committed, however fast or loaded the machine is.
    @Test func aSweepKilledTwentyTimesEndsWithTheBytesOfASweepLeftAlone() throws {
        let root = try temporaryFolder()
        let options = shortRun + ["--total-timesteps", "3000", "--checkpoint-every", "100", "--eval-every", "300",
                                  "--eval-episodes", "2", "--final-eval-episodes", "3", "--threads", "1"]
        let alone = try runTool(["sweep", "--seeds", "1-3", "--jobs", "1", "--output", root + "/alone"] + options)
        try #require(alone.status == 0, "the sweep left alone failed: \(alone.out) \(alone.err)")
        let wanted = thinned((0..<20).map { "sweep@\($0)" }).count
        var rng = Xoshiro256(seed: 21)
        var kills = 0, rounds = 0
        let command = ["sweep", "--seeds", "1-3", "--jobs", "2", "--output", root + "/killed"] + options
        while kills < wanted && rounds < 3 * wanted {
            rounds += 1
            let p = Process()
            p.executableURL = toolURL
            p.arguments = command
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            if rng.nextIndex(below: 2) == 0 {
                usleep(UInt32(20_000 + rng.nextIndex(below: 100_000)))
            } else {
                let before = checkpoints(root + "/killed")
                while p.isRunning && checkpoints(root + "/killed") == before { usleep(5_000) }
            }
            // Stopped first, so that it starts no run while its runs are found and killed.
            if p.isRunning {
                kill(p.processIdentifier, SIGSTOP)
                for child in childProcesses(of: p.processIdentifier) { kill(child, SIGKILL) }
                kill(p.processIdentifier, SIGKILL)
            }
            p.waitUntilExit()
            if p.terminationReason == .uncaughtSignal {
                kills += 1
            } else {
                // The sweep finished before this kill.
                #expect(p.terminationStatus == 0, "round \(rounds): the sweep failed (status \(p.terminationStatus))")
                break
            }
        }
        #expect(kills == wanted, "\(kills) kills in \(rounds) rounds, the sweep finished before \(wanted)")
        let last = try runTool(command)
        #expect(last.status == 0, "the last sweep failed: \(last.out) \(last.err)")
        for seed in 1...3 {
            try expectSameBytes(root + "/killed/seed-\(seed)", root + "/alone/seed-\(seed)", "seed \(seed) after \(kills) kills of the sweep")
        }
        print("crash consistency (sweep): \(kills) kills of the supervisor and its runs")
    }
}

/// The inode of each seed's checkpoint.safetensors in a sweep folder (a commit renames a new one
/// into place).
private func checkpoints(_ sweep: String) -> [ino_t] {
    (1...3).map { seed in
        var info = stat()
        return stat(sweep + "/seed-\(seed)/checkpoint.safetensors", &info) == 0 ? info.st_ino : 0
    }
}

/// The processes whose parent is `pid` (from /proc/N/stat: "N (name) state ppid …").
private func childProcesses(of pid: pid_t) -> [pid_t] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    return names.compactMap { name -> pid_t? in
        guard let n = pid_t(name), let bytes = try? AtomicFile.read("/proc/\(name)/stat") else { return nil }
        let stat = String(decoding: bytes, as: UTF8.self)
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 2 && pid_t(fields[1]) == pid ? n : nil
    }

}
