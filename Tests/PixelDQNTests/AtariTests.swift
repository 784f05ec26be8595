// Atari through ALE against Gymnasium 1.4 + ale-py 0.12.1 (Fixtures/atari, made by
// Scripts/atari_reference.py): each preprocessing stage alone, the whole `trace` bit for bit on
// Pong and Breakout, an exact resume in the middle of a game, and every refusal. The tests need
// ALE (Scripts/setup-ale.sh, which `./run test` runs first); without it they are skipped, and
// with PIXEL_DQN_REQUIRE_ALE=1 (set by `./run test`) a missing ALE fails the suite.
import Foundation
import Testing
import PixelDQN

private let aleReady = ALELibrary.isSetUp

private func game(_ name: String) throws -> AtariGame {
    try AtariGame.load(try #require(AtariGameID(gymnasiumID: "\(name)NoFrameskip-v4")))
}

/// A fixture's lines of comma-separated integers.
private func integers(_ relative: String) throws -> [Int] {
    try String(contentsOfFile: Fixtures.path(relative), encoding: .utf8)
        .split(whereSeparator: { $0 == "," || $0 == "\n" }).map { try #require(Int($0.trimmingCharacters(in: .whitespaces))) }
}

/// Block `i` (height `h`) of a vertical strip of frames.
private func block(_ strip: PNGImage, _ i: Int, height h: Int) -> [UInt8] {
    Array(strip.pixels[(i * h * strip.width)..<((i + 1) * h * strip.width)])
}

/// The first differing pixel of two frames of `width`, for messages.
private func firstDifference(_ a: [UInt8], _ b: [UInt8], width: Int) -> String? {
    guard let i = a.indices.first(where: { a[$0] != b[$0] }) else { return nil }
    return "x \(i % width), y \(i / width): expected \(a[i]), got \(b[i]) (\(zip(a, b).filter { $0 != $1 }.count) pixels differ)"
}

@Suite struct AtariAvailabilityTests {
    @Test func aleIsSetUpWhereTheSuiteRequiresIt() {
        if ProcessInfo.processInfo.environment["PIXEL_DQN_REQUIRE_ALE"] == "1" {
            #expect(aleReady, "ALE is not set up at \(ALELibrary.libraryPath): run Scripts/setup-ale.sh")
        }
    }

    /// RFC 1321's test suite.
    @Test func md5MatchesTheRFCVectors() {
        #expect(MD5.hex([]) == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(MD5.hex(Array("abc".utf8)) == "900150983cd24fb0d6963f7d28e17f72")
        #expect(MD5.hex(Array("message digest".utf8)) == "f96b697d7cb7938d525a2f31aaf161d0")
        #expect(MD5.hex(Array(String(repeating: "1234567890", count: 8).utf8)) == "57edf4a22be3c955ac49da2e2107b67a")
    }

    @Test func gymnasiumIdsParse() {
        #expect(AtariGameID(gymnasiumID: "PongNoFrameskip-v4") == AtariGameID(game: "Pong", v5: false))
        #expect(AtariGameID(gymnasiumID: "ALE/SpaceInvaders-v5") == AtariGameID(game: "SpaceInvaders", v5: true))
        for bad in ["Pong-v4", "pongNoFrameskip-v4", "NoFrameskip-v4", "ALE/Pong-v4", "ALE/-v5", "Po ngNoFrameskip-v4"] {
            #expect(AtariGameID(gymnasiumID: bad) == nil, "\(bad)")
        }
        #expect(AtariGameID(game: "SpaceInvaders", v5: false).romFileName == "space_invaders.bin")
        #expect(AtariGameID.gameName(romFileName: "montezuma_revenge.bin") == "MontezumaRevenge")
        #expect(EnvironmentID(rawValue: "ALE/Pong-v5")?.isAtari == true)
        #expect(EnvironmentID(rawValue: "CartPole-v1") == .cartPoleV1)
        #expect(EnvironmentID(rawValue: "Pong") == nil)
    }
}

@Suite(.enabled(if: aleReady, "ALE is not set up (Scripts/setup-ale.sh)"))
struct AtariStageTests {
    /// The bare game (Gymnasium's AtariEnv, frameskip 1): every emulator frame's gray screen,
    /// reward and lives over 212 frames of Breakout with a reward and a lost life.
    @Test func gameStageMatchesEveryEmulatorFrame() throws {
        let g = try game("Breakout")
        let raw = try PNGImage.read(Fixtures.path("atari/max_skip/raw.png"))
        let actions = try integers("atari/max_skip/actions.txt"), rewards = try integers("atari/max_skip/rewards.txt")
        let lives = try integers("atari/max_skip/lives.txt")
        let stage = AtariGameStage(emulator: try g.makeEmulator(seed: 0), actionCodes: g.actionCodes)
        stage.reset(noops: 0)
        var screen = [UInt8](repeating: 0, count: 210 * 160)
        func check(_ frame: Int) {
            screen.withUnsafeMutableBufferPointer { stage.emulator.grayScreen(into: $0) }
            #expect(firstDifference(block(raw, frame, height: 210), screen, width: 160) == nil, "frame \(frame)")
        }
        check(0)
        #expect(stage.emulator.lives == lives[0])
        for (j, action) in actions.enumerated() {
            let r = stage.step(action)
            #expect(r.reward == Double(rewards[j]), "frame \(j + 1)")
            #expect(r.lives == lives[j + 1], "frame \(j + 1)")
            check(j + 1)
        }
        #expect(rewards.contains(where: { $0 > 0 }) && Set(lives).count == 2, "the fixture holds a reward and a lost life")
    }

    /// Skip-and-max alone: after agent step i the pooled screen is max(frame 4i−1, frame 4i).
    @Test func skipAndMaxPoolsTheLastTwoOfFourFrames() throws {
        let g = try game("Breakout")
        let raw = try PNGImage.read(Fixtures.path("atari/max_skip/raw.png"))
        let actions = try integers("atari/max_skip/actions.txt")
        let skip = SkipAndMax(AtariGameStage(emulator: try g.makeEmulator(seed: 0), actionCodes: g.actionCodes), skip: 4)
        skip.reset(noops: 0)
        #expect(skip.screens[0] == block(raw, 0, height: 210))
        #expect(skip.screens[1].allSatisfy { $0 == 0 })
        var total = 0.0
        for i in 1...(actions.count / 4) {
            let r = skip.step(actions[4 * (i - 1)])
            total += r.reward
            let expected = zip(block(raw, 4 * i - 1, height: 210), block(raw, 4 * i, height: 210)).map { max($0, $1) }
            #expect(firstDifference(expected, skip.screens[0], width: 160) == nil, "agent step \(i)")
        }
        #expect(total == Double(try integers("atari/max_skip/rewards.txt").reduce(0, +)))
    }

    /// OpenCV's INTER_AREA, 210×160 → 84×84: six random images and two real screens.
    @Test func areaResizeMatchesOpenCV() throws {
        let resize = AreaResize(sourceWidth: 160, sourceHeight: 210, width: 84, height: 84)
        for k in 0..<8 {
            let input = try PNGImage.read(Fixtures.path("atari/inter_area/input_\(k).png"))
            let expected = try PNGImage.read(Fixtures.path("atari/inter_area/output_\(k).png"))
            var out = [UInt8](repeating: 0, count: 84 * 84)
            input.pixels.withUnsafeBufferPointer { src in out.withUnsafeMutableBufferPointer { resize.apply(src, into: $0) } }
            #expect(firstDifference(expected.pixels, out, width: 84) == nil, "case \(k)")
        }
    }

    /// `trace` is Gymnasium's AtariPreprocessing(noop_max=0, frame_skip=4, screen_size=84,
    /// terminal_on_life_loss=False): the same JSON lines and every 84x84 observation, through a
    /// whole game of Pong (902 steps, ending mid-skip) and of Breakout (5 lives lost).
    @Test(arguments: ["Pong", "Breakout"])
    func traceReproducesGymnasium(_ name: String) throws {
        let folder = name.lowercased()
        let expectedLines = try String(contentsOfFile: Fixtures.path("atari/\(folder)/trace.jsonl"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let strip = try PNGImage.read(Fixtures.path("atari/\(folder)/obs.png"))
        let frames = try temporaryFolder()
        var lines: [String] = []
        try AtariTrace.run(game: try game(name), actions: try integers("atari/\(folder)/actions.txt"), framesFolder: frames) { lines.append($0) }
        #expect(lines == expectedLines)
        #expect(lines.last?.contains("\"terminated\": true") == true)
        for i in 0..<(strip.height / 84) {
            let obs = try PNGImage.read(frames + String(format: "/obs_%05d.png", i))
            #expect(firstDifference(block(strip, i, height: 84), obs.pixels, width: 84) == nil, "\(name) observation \(i)")
        }
    }

    /// Episodic life: each lost life ends the learner's episode with `terminated`; the next
    /// reset continues the same game (one NOOP step); only the game's end starts a new one.
    @Test func episodicLifeEndsEpisodesAtLostLivesAndKeepsTheGame() throws {
        let g = try game("Breakout")
        let actions = try integers("atari/breakout/actions.txt")
        let life = EpisodicLife(SkipAndMax(AtariGameStage(emulator: try g.makeEmulator(seed: 0), actionCodes: g.actionCodes), skip: 4))
        life.reset(noops: 0)
        #expect(life.lives == 5)
        var ends: [Int] = [], livesAtEnds: [Int] = []
        var step = 0
        // The fixture's actions (its first life is lost at step 53), then FIRE and the fixture's
        // actions again, until the game is over.
        while livesAtEnds.last != 0 && step < 20_000 {
            let r = life.step(step < actions.count ? actions[step] : (step % 7 == 0 ? 1 : actions[step % actions.count]))
            step += 1
            if r.terminated {
                ends.append(step)
                livesAtEnds.append(r.lives)
                let frame = life.emulator.episodeFrameNumber
                life.reset(noops: 0)
                if r.lives > 0 {
                    // The same game goes on: one NOOP step of 4 frames, no new game.
                    #expect(life.emulator.episodeFrameNumber == frame + 4)
                    #expect(life.lives == r.lives)
                } else {
                    #expect(life.emulator.episodeFrameNumber == 0 && life.lives == 5, "a new game after the last life")
                }
            }
        }
        #expect(ends.first == 53, "the fixture's first lost life")
        #expect(livesAtEnds == [4, 3, 2, 1, 0])
    }

    /// An evaluation's game (`LifeLoss.restartsLife`) is the training source's episodes of the
    /// same game played back to back: the same φ at every step (zero-padded anew after each lost
    /// life), the same rewards summed, one episode that ends only with the game.
    @Test func anEvaluationGameIsTheLearnersEpisodesBackToBack() throws {
        let g = try game("Breakout")
        let train = try AtariObservation(game: g, lifeLoss: .endsEpisode, seed: 3)
        let whole = try AtariObservation(game: g, lifeLoss: .restartsLife, seed: 3)
        var trainRNG = Xoshiro256(seed: 9), wholeRNG = Xoshiro256(seed: 9)
        train.reset(using: &trainRNG)
        whole.reset(using: &wholeRNG)
        var a = [UInt8](repeating: 0, count: train.observationSize), b = a
        var trainTotal = 0.0, wholeTotal = 0.0, learnerEpisodes = 1, restartedPhis = 0, step = 0
        while true {
            a.withUnsafeMutableBufferPointer { train.copyObservation(into: $0) }
            b.withUnsafeMutableBufferPointer { whole.copyObservation(into: $0) }
            #expect(a == b, "φ differs at step \(step)")
            if a != b { break }
            // LEFT and RIGHT in turn, never FIRE: a served ball is the stage's doing.
            let action = (step / 9) % 2 == 0 ? 2 : 3
            let t = try train.step(action), w = try whole.step(action)
            step += 1
            trainTotal += t.reward
            wholeTotal += w.reward
            #expect(!w.terminated || t.state.lives == 0, "the evaluation's episode ended with a life left at step \(step)")
            if t.done && t.state.lives == 0 { #expect(w.done); break }
            #expect(!w.done, "the game ended early at step \(step)")
            if w.done { break }
            if t.done {
                // The learner's next episode starts where the evaluation's game goes on.
                train.reset(using: &trainRNG)
                learnerEpisodes += 1
                b.withUnsafeMutableBufferPointer { whole.copyObservation(into: $0) }
                if b.prefix(84 * 84 * 3).allSatisfy({ $0 == 0 }) { restartedPhis += 1 }
            }
            if step > 20_000 { Issue.record("no game over in 20,000 steps"); break }
        }
        #expect(learnerEpisodes == 5 && restartedPhis == 4, "five lives, four restarts: \(learnerEpisodes), \(restartedPhis)")
        #expect(trainTotal == wholeTotal && wholeTotal > 0, "scores \(trainTotal) and \(wholeTotal)")
    }

    @Test func noopAndFireResetPlayTheirFrames() throws {
        let pong = try game("Pong"), breakout = try game("Breakout")
        #expect(breakout.needsFire && breakout.actionNames[1] == "FIRE")
        #expect(pong.actionNames == ["NOOP", "FIRE", "RIGHT", "LEFT", "RIGHTFIRE", "LEFTFIRE"])
        let noop = NoopReset(AtariGameStage(emulator: try pong.makeEmulator(seed: 0), actionCodes: pong.actionCodes))
        noop.reset(noops: 17)
        #expect(noop.emulator.episodeFrameNumber == 17)
        let fire = FireReset(SkipAndMax(AtariGameStage(emulator: try breakout.makeEmulator(seed: 0), actionCodes: breakout.actionCodes), skip: 4))
        fire.reset(noops: 0)
        #expect(fire.emulator.episodeFrameNumber == 8)
    }
}

@Suite(.enabled(if: aleReady, "ALE is not set up (Scripts/setup-ale.sh)"))
struct AtariRunTests {
    func config(_ env: String = "PongNoFrameskip-v4") throws -> TrainingConfig {
        guard let id = EnvironmentID(rawValue: env) else { throw ConfigError(message: "\(env) is not a task") }
        var c = TrainingConfig.defaults(for: .pixels, env: id)
        c.totalTimesteps = 900
        c.learningStarts = 200
        c.bufferSize = 2_000
        c.evalEvery = 450
        c.evalEpisodes = 1
        c.finalEvalEpisodes = 1
        c.checkpointEvery = 300
        c.saveReplay = true
        c.threads = 1
        c.tensorboard = false
        return c
    }

    func run(_ c: TrainingConfig, _ folder: String, resume: Bool = false, stopAt: Int? = nil) throws -> TrainingResult {
        let run = RunFolder(path: folder)
        if !resume { try run.prepareNew(); try run.writeConfig(c) }
        try AtariGame.load(try #require(c.env.atari))
        let t = try Trainer(config: c, folder: run, source: try AtariObservation(config: c, training: true),
                            evalSource: try AtariObservation(config: c, training: false), resume: resume)
        t.progressEvery = 0
        t.report = { _, _ in }
        t.stopAtStep = stopAt
        return try t.run()
    }

    /// A run stopped in the middle of a game (step 500: the checkpoint holds ALE's state, the
    /// pooled screens and φ) and resumed ends with the same bytes as one that never stopped.
    @Test func aRunStoppedMidGameResumesExactly() throws {
        let c = try config()
        let whole = try temporaryFolder(), split = try temporaryFolder()
        _ = try run(c, whole)
        let stopped = try run(c, split, stopAt: 500)
        #expect(stopped.interrupted && stopped.steps == 500)
        let checkpoint = try SafetensorsFile(contentsOf: URL(fileURLWithPath: split + "/checkpoint.safetensors"))
        #expect(checkpoint.metadata["env_running"] == "true", "the stop fell inside an episode")
        _ = try run(c, split, resume: true)
        for file in ["metrics.csv", "model.safetensors", "best.safetensors"] {
            let a = try Data(contentsOf: URL(fileURLWithPath: whole + "/" + file))
            let b = try Data(contentsOf: URL(fileURLWithPath: split + "/" + file))
            #expect(a == b, "\(file) differs after the resume")
        }
        // The training rewards are clipped; the episode rows report the game's score.
        let metrics = try String(contentsOfFile: whole + "/metrics.csv", encoding: .utf8)
        #expect(metrics.contains("episode,") && metrics.contains("eval,450,"))
    }

    /// evaluate plays whole games of a trained Atari model; play draws the game in colour beside φ.
    @Test func evaluateAndPlayUseAnAtariModel() throws {
        let folder = try temporaryFolder()
        var c = try config()
        c.totalTimesteps = 300
        _ = try run(c, folder)
        let model = folder + "/model.safetensors"
        let evaluation = try runTool(["evaluate", "--model", model, "--episodes", "1", "--json"])
        #expect(evaluation.status == 0, "\(evaluation.err)")
        #expect(evaluation.out.contains("\"env\":\"PongNoFrameskip-v4\""))
        let gif = folder + "/game.gif"
        let play = try runTool(["play", "--model", model, "--gif", gif, "--max-steps", "40", "--fps", "15"])
        #expect(play.status == 0, "\(play.err)")
        #expect(play.out.contains("in 40 steps"), "\(play.out)")
        let info = try GIFInfo.read(gif)
        #expect(info.width >= 2 * EpisodeGIF.atariScreenWidth && info.frames.count > 1, "\(info.width)x, \(info.frames.count) frames")
    }

    /// The shipped Pong model: `evaluate --env PongNoFrameskip-v4` finds it, and it wins whole
    /// games on evaluation seeds training never used (ε 0.01, up to 30 no-ops).
    @Test func theShippedPongModelWins() throws {
        let r = try runTool(["evaluate", "--env", "PongNoFrameskip-v4", "--episodes", "2", "--seed", "100", "--json",
                             "--model", Fixtures.path("../Models/pong-noframeskip-v4.safetensors")])
        #expect(r.status == 0, "\(r.err)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any], "\(r.out)")
        let mean = try #require(json["mean"] as? Double)
        #expect(mean >= 18, "\(r.out)")
        let file = try SafetensorsFile(contentsOf: URL(fileURLWithPath: Fixtures.path("../Models/pong-noframeskip-v4.safetensors")))
        #expect(file.metadata["env"] == "PongNoFrameskip-v4")
        #expect(file.tensors.contains { $0.name == "advantage.weight" })
    }

    /// A game without a target score (its threshold +∞) trains, plots and reports without one.
    @Test func aGameWithoutATargetTrainsAndReports() throws {
        let out = try temporaryFolder() + "/run"
        let r = try runTool(["train", "--env", "SpaceInvadersNoFrameskip-v4", "--total-timesteps", "300", "--learning-starts", "100",
                             "--buffer-size", "1000", "--eval-every", "150", "--eval-episodes", "1", "--final-eval-episodes", "1",
                             "--checkpoint-every", "150", "--threads", "1", "--output", out])
        #expect(r.status == 0, "\(r.err)")
        #expect(FileManager.default.fileExists(atPath: out + "/returns.png"))
        #expect(!r.out.contains("solved"), "\(r.out)")
    }

    /// A checkpoint of Pong beside a Breakout config.json is refused, naming the difference.
    @Test func aCheckpointOfOneGameIsRefusedForAnother() throws {
        let folder = try temporaryFolder()
        var c = try config()
        c.totalTimesteps = 300
        _ = try run(c, folder)
        var other = try config("BreakoutNoFrameskip-v4")
        other.totalTimesteps = 300
        try RunFolder(path: folder).writeConfig(other)
        let error = #expect(throws: FileError.self) { _ = try run(other, folder, resume: true) }
        #expect(error?.problem.contains("env") == true, "\(String(describing: error))")
    }

    @Test func anActionOutsideTheGameIsRefused() throws {
        let source = try AtariObservation(game: try game("Pong"), lifeLoss: .ignored, seed: 0)
        var rng = Xoshiro256(seed: 1)
        source.reset(using: &rng)
        #expect(throws: EnvironmentError.self) { _ = try source.step(6) }
        #expect(throws: EnvironmentError.self) { _ = try source.step(-1) }
        _ = try source.step(5)
    }

    @Test func aDamagedROMIsRefusedWithItsPath() throws {
        let path = try temporaryFolder() + "/pong.bin"
        try Data(repeating: 0x42, count: 2048).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: ALEError.self) {
            _ = try ALEEmulator(romPath: path, seed: 0, repeatActionProbability: 0, maxFramesPerEpisode: 108_000)
        }
        #expect(error.map { "\($0)" }?.contains(path) == true)
        #expect(throws: ALEError.self) { try AtariGame.load(AtariGameID(game: "NoSuchGame", v5: false)) }
    }

    /// The command line: unknown games, actions outside the set and a missing ALE each stop with
    /// exit 64 and a message, and write nothing.
    @Test func theToolRefusesAtariMisuse() throws {
        let out = try temporaryFolder() + "/run"
        let unknown = try runTool(["train", "--env", "NoSuchGameNoFrameskip-v4", "--output", out])
        #expect(unknown.status == 64 && unknown.err.contains("unknown Atari game \"NoSuchGame\""), "\(unknown.err)")
        #expect(!FileManager.default.fileExists(atPath: out))
        let action = try runTool(["trace", "--env", "PongNoFrameskip-v4", "--actions", "0,6"])
        #expect(action.status == 64 && action.err.contains("RIGHTFIRE"), "\(action.err)")
        let state = try runTool(["trace", "--env", "PongNoFrameskip-v4", "--actions", "0", "--state", "0,0,0,0"])
        #expect(state.status == 64)
        let missing = try runTool(["train", "--env", "PongNoFrameskip-v4", "--output", out], environment: ["PIXEL_DQN_ALE_DIR": out + "-no-ale"])
        #expect(missing.status == 64 && missing.err.contains("Scripts/setup-ale.sh"), "\(missing.err)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
