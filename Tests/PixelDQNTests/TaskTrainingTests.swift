// Acrobot-v1 and MountainCar-v0 through the pipeline: golden φ stacks for one seed, the state
// observation, a short training run from pixels and from the state (with an exact resume), and
// the tool's trace, render, train and evaluate with --env.
import Foundation
import Testing
import PixelDQN

/// Runs `config` on its task through AnyEnvironment, as `pixel-dqn train` does.
func runTaskTraining(_ config: TrainingConfig, folder: String, resume: Bool = false, stopAt: Int? = nil) throws -> TrainingResult {
    let run = RunFolder(path: folder)
    if !resume {
        try run.prepareNew()
        try run.writeConfig(config)
    }
    func go<S: ObservationSource>(_ make: () -> S) throws -> TrainingResult where S.Element: TensorStorable {
        let t = try Trainer(config: config, folder: run, source: make(), evalSource: make(), resume: resume)
        t.progressEvery = 0
        t.report = { _, _ in }
        t.stopAtStep = stopAt
        return try t.run()
    }
    switch config.observation {
    case .pixels:
        return try go { PixelObservation(id: config.env, width: config.frameSize, height: config.frameSize, frameStack: config.frameStack) }
    case .state:
        return try go { StateObservation(id: config.env, frameStack: config.frameStack) }
    }
}

@Suite struct TaskTrainingTests {
    static let tasks = [EnvironmentID.acrobotV1, .mountainCarV0]

    /// Golden φ stacks for seed 2026, k = 4, steps 0...8 after a reset (random actions), the four
    /// frames side by side, oldest left, as for CartPole (Fixtures/phi).
    @Test(arguments: tasks)
    func phiMatchesGoldenPNGs(id: EnvironmentID) throws {
        let k = 4
        var rng = Xoshiro256(seed: 2026)
        let game = PixelObservation(id: id, width: 84, height: 84, frameStack: k)
        game.reset(using: &rng)
        var obs = [UInt8](repeating: 0, count: game.observationSize)
        for step in 0...(2 * k) {
            if step > 0 {
                let r = try game.step(rng.nextIndex(below: id.actionCount))
                #expect(!r.done, "the golden episode must not end within 2k steps")
            }
            obs.withUnsafeMutableBufferPointer { game.copyObservation(into: $0) }
            let zeros = max(0, k - 1 - step) * game.frameSize
            #expect(obs[0..<zeros].allSatisfy { $0 == 0 }, "step \(step): zero padding")
            #expect(obs[zeros...].contains { $0 < 200 }, "step \(step): the scene is drawn")
            let image = PNGImage.sideBySide(obs, count: k, width: 84, height: 84)
            try Fixtures.checkGolden(image, "phi/\(id.rawValue.lowercased())_seed2026_k4_step\(step).png", frameWidth: 84)
        }
    }

    @Test func stateObservationIsGymnasiumsObservation() throws {
        let acrobot = StateObservation(id: .acrobotV1, frameStack: 2)
        var rng = Xoshiro256(seed: 4)
        acrobot.reset(using: &rng)
        #expect(acrobot.frameSize == 6 && acrobot.observationSize == 12)
        _ = try acrobot.step(2)
        let s = acrobot.env.state
        let expected: [Float] = [Float(cos(s[0])), Float(sin(s[0])), Float(cos(s[1])), Float(sin(s[1])), Float(s[2]), Float(s[3])]
        #expect(acrobot.newestFrame == expected)
        let car = StateObservation(id: .mountainCarV0)
        car.reset(using: &rng)
        #expect(car.newestFrame == [Float(car.env.state[0]), 0])
        var c = TrainingConfig.defaults(for: .state)
        c.env = .acrobotV1
        #expect(c.inputShape == [6])
        c.env = .mountainCarV0
        c.frameStack = 3
        #expect(c.inputShape == [6])
    }

    /// A few hundred steps of the whole loop from pixels and from the state; metrics are written
    /// and a stopped-and-resumed run gives the same bits (the checkpoint holds the task's state).
    @Test(arguments: [(EnvironmentID.acrobotV1, ObservationKind.pixels), (.acrobotV1, .state),
                      (.mountainCarV0, .pixels), (.mountainCarV0, .state)])
    func trainsAndResumesExactly(id: EnvironmentID, kind: ObservationKind) throws {
        var c = tinyConfig(kind, steps: 600)
        c.env = id
        c.threads = 1
        c.saveReplay = true
        let whole = try temporaryFolder() + "/whole", parts = try temporaryFolder() + "/parts"
        let result = try runTaskTraining(c, folder: whole)
        #expect(result.steps == 600 && !result.interrupted)
        let metrics = String(decoding: try AtomicFile.read(whole + "/metrics.csv"), as: UTF8.self)
        #expect(metrics.split(separator: "\n").count > 2, "metrics.csv has rows")
        let stopped = try runTaskTraining(c, folder: parts, stopAt: 300)
        #expect(stopped.interrupted && stopped.steps == 300)
        _ = try runTaskTraining(c, folder: parts, resume: true)
        #expect(try AtomicFile.read(whole + "/metrics.csv") == AtomicFile.read(parts + "/metrics.csv"))
        #expect(try AtomicFile.read(whole + "/model.safetensors") == AtomicFile.read(parts + "/model.safetensors"))
        let config = String(decoding: try AtomicFile.read(whole + "/config.json"), as: UTF8.self)
        #expect(config.contains("\"\(id.rawValue)\""))
    }

    @Test func traceAndRenderTakeEveryTask() throws {
        let a = try runTool(["trace", "--env", "Acrobot-v1", "--state", "-0.05,0.02,0,-0.01", "--actions", "2,0,1"])
        #expect(a.status == 0, "\(a.err)")
        let lines = a.out.split(separator: "\n")
        #expect(lines.count == 3)
        var env = Acrobot()
        env.reset(to: AcrobotState(theta1: -0.05, theta2: 0.02, thetaDot1: 0, thetaDot2: -0.01))
        let first = try env.step(2)
        #expect(lines[0] == "{\"step\":1,\"action\":2,\"state\":[\(first.state.array.map { "\($0)" }.joined(separator: ","))],\"reward\":-1.0,\"terminated\":false,\"truncated\":false}")
        let m = try runTool(["trace", "--env", "MountainCar-v0", "--state", "-1.19,-0.05", "--actions", "0,0"])
        #expect(m.status == 0 && m.out.hasPrefix("{\"step\":1,\"action\":0,\"state\":[-1.2,0.0],\"reward\":-1.0,\"terminated\":false"), "\(m.out)")
        let dir = try temporaryFolder()
        let r = try runTool(["render", "--env", "MountainCar-v0", "--state", "-0.5,0", "--width", "84", "--height", "84", "--output", dir + "/m.png"])
        #expect(r.status == 0, "\(r.err)")
        let car = AnyEnvironment(.mountainCarV0)
        let image = try PNGImage.read(dir + "/m.png")
        #expect(image.pixels == Rasterizer(width: 84, height: 84, layout: car.sceneLayout).render(StateVector([-0.5, 0]), of: car))
    }

    @Test func optionsAreCheckedForTheTask() throws {
        let dir = try temporaryFolder()
        for (args, message) in [
            (["trace", "--env", "Acrobot-v1", "--state", "0,0", "--actions", "0"], "--state needs 4 numbers THETA1,THETA2,THETADOT1,THETADOT2 for Acrobot-v1; got 2"),
            (["trace", "--env", "MountainCar-v0", "--state", "0,0,0,0", "--actions", "0"], "--state needs 2 numbers POSITION,VELOCITY for MountainCar-v0; got 4"),
            (["trace", "--env", "MountainCar-v0", "--state", "-0.5,0", "--actions", "0,3"], "--actions may hold only 0, 1, 2 for MountainCar-v0"),
            (["trace", "--env", "Pong-v5", "--state", "0,0", "--actions", "0"], "Pong-v5"),
            (["render", "--env", "MountainCar-v0", "--state", "0,2e6", "--output", dir + "/x.png"], "--state: expected numbers from -1e6 to 1e6, got 2000000.0"),
            (["trace", "--env", "Acrobot-v1", "--state", "0,0,0,1e4", "--actions", "0"], "--state: THETADOT2 of Acrobot-v1 must be from -100 to 100, got 10000.0"),
            (["dump-frames", "--env", "Acrobot-v1", "--gif", dir + "/x.gif", "--steps", "3", "--size", "4"], "--size"),
            (["evaluate", "--env", "Acrobot-v1", "--episodes", "0"], "--episodes"),
            (["train", "--env", "MountainCar-v1", "--output", dir + "/run"], "MountainCar-v1"),
        ] {
            let r = try runTool(args)
            #expect(r.status != 0, "\(args) should fail")
            #expect(r.err.contains(message), "\(args): \(r.err)")
        }
    }

    /// `train --env Acrobot-v1` runs from pixels and from the state; `evaluate` and `play` read the
    /// model's task from its metadata.
    @Test func theToolTrainsEvaluatesAndPlaysAcrobot() throws {
        let dir = try temporaryFolder()
        let common = ["--env", "Acrobot-v1", "--total-timesteps", "300", "--learning-starts", "100", "--buffer-size", "300",
                      "--batch-size", "8", "--eval-every", "0", "--eval-episodes", "1", "--final-eval-episodes", "1", "--threads", "1"]
        let pixels = try runTool(["train"] + common + ["--frame-size", "36", "--frame-stack", "2", "--output", dir + "/pixels"])
        #expect(pixels.status == 0, "\(pixels.err)")
        let state = try runTool(["train", "--observation", "state"] + common + ["--output", dir + "/state"])
        #expect(state.status == 0, "\(state.err)")
        let e = try runTool(["evaluate", "--model", dir + "/state/model.safetensors", "--episodes", "1", "--json"])
        #expect(e.status == 0 && e.out.contains("\"env\":\"Acrobot-v1\""), "\(e.err)")
        let p = try runTool(["play", "--model", dir + "/pixels/model.safetensors", "--output", dir + "/play", "--max-frames", "2"])
        #expect(p.status == 0 && p.out.contains("episode return"), "\(p.err)")
        let wrong = try runTool(["evaluate", "--model", dir + "/state/model.safetensors", "--env", "MountainCar-v0"])
        #expect(wrong.status != 0 && wrong.err.contains("MountainCar-v0"), "\(wrong.err)")
    }

    /// --invert-frames: φ holds 255 − the frames it holds without it, step for step; the option reaches the model's metadata, so evaluate and play see what training saw.
    @Test func invertedFramesAreTheComplementAndTravelWithTheModel() throws {
        // (With a frame skip the pixelwise max of two frames keeps the brighter pixels, which
        // inverted are the shapes: there the two differ by design, so the check is for skip 1.)
        for skip in [1] {
            let plain = PixelObservation(id: .acrobotV1, width: 36, height: 36, frameStack: 2, frameSkip: skip)
            let inverted = PixelObservation(id: .acrobotV1, width: 36, height: 36, frameStack: 2, frameSkip: skip, invert: true)
            var a = Xoshiro256(seed: 5), b = Xoshiro256(seed: 5)
            plain.reset(using: &a); inverted.reset(using: &b)
            for step in 0..<12 {
                if step > 0 { _ = try plain.step(step % 3); _ = try inverted.step(step % 3) }
                var x = [UInt8](repeating: 0, count: plain.observationSize), y = x
                x.withUnsafeMutableBufferPointer { plain.copyObservation(into: $0) }
                y.withUnsafeMutableBufferPointer { inverted.copyObservation(into: $0) }
                // The zero padding of φ stays zero; every drawn pixel is complemented.
                let zeros = step == 0 ? plain.frameSize : 0
                #expect(y[..<zeros].allSatisfy { $0 == 0 } && zip(x[zeros...], y[zeros...]).allSatisfy { $0 &+ $1 == 255 }, "skip \(skip), step \(step)")
            }
        }
        let dir = try temporaryFolder()
        let common = ["--env", "Acrobot-v1", "--total-timesteps", "200", "--learning-starts", "100", "--buffer-size", "300",
                      "--batch-size", "8", "--frame-size", "36", "--frame-stack", "2", "--eval-every", "0",
                      "--final-eval-episodes", "1", "--threads", "1", "--quiet", "--invert-frames"]
        let r = try runTool(["train"] + common + ["--output", dir + "/run"])
        #expect(r.status == 0, "\(r.err)")
        #expect(try RunFolder(path: dir + "/run").readConfig().invertFrames)
        let meta = try SafetensorsFile(contentsOf: URL(fileURLWithPath: dir + "/run/model.safetensors")).metadata
        #expect(meta["invert_frames"] == "true")
        let e = try runTool(["evaluate", "--model", dir + "/run/model.safetensors", "--episodes", "1"])
        #expect(e.status == 0, "\(e.err)")
        let state = try runTool(["train", "--observation", "state"] + common + ["--output", dir + "/state"])
        #expect(state.status != 0 && state.status < 128 && state.err.contains("--invert-frames"), "\(state.err)")
    }

    /// A task's own defaults (`train --help` lists them) apply when the option is not given, and
    /// a given option wins: pixels are inverted unless --no-invert-frames; MountainCar-v0 from
    /// pixels acts every 10 env steps; CartPole and state runs keep theirs.
    @Test func taskDefaultsApplyUnlessAnOptionIsGiven() throws {
        let dir = try temporaryFolder()
        let small = ["--total-timesteps", "150", "--learning-starts", "100", "--buffer-size", "300", "--batch-size", "8",
                     "--frame-size", "36", "--frame-stack", "2", "--eval-every", "0", "--final-eval-episodes", "0",
                     "--threads", "1", "--quiet", "--no-tensorboard"]
        func config(_ name: String, _ options: [String]) throws -> TrainingConfig {
            let r = try runTool(["train"] + small + options + ["--output", dir + "/" + name])
            #expect(r.status == 0, "\(name): \(r.err)")
            return try RunFolder(path: dir + "/" + name).readConfig()
        }
        let acrobot = try config("acrobot", ["--env", "Acrobot-v1"])
        #expect(acrobot.invertFrames && acrobot.frameSkip == 1 && acrobot.explorationFraction == 0.1)
        #expect(try !config("acrobot-off", ["--env", "Acrobot-v1", "--no-invert-frames"]).invertFrames)
        let car = try config("car", ["--env", "MountainCar-v0"])
        #expect(car.invertFrames && car.frameSkip == 10 && car.explorationFraction == 0.3 && car.evalEvery == 0)
        let carSkip = try config("car-skip", ["--env", "MountainCar-v0", "--frame-skip", "2"])
        #expect(carSkip.invertFrames && carSkip.frameSkip == 2)
        let cartPole = try config("cartpole", [])
        #expect(cartPole.invertFrames && cartPole.frameSkip == 1 && cartPole.env == .cartPoleV1)
        // γ and the step size: CartPole-v1 from pixels has its own; Acrobot-v1 and MountainCar-v0
        // from pixels keep those their sweeps were measured with; a given option wins.
        #expect(cartPole.gamma == 0.995 && cartPole.learningRate == 1e-3)
        #expect(acrobot.gamma == 0.99 && acrobot.learningRate == 5e-4)
        #expect(car.gamma == 0.99 && car.learningRate == 5e-4)
        // The budgets: CartPole-v1 from pixels 75,000 steps with ε falling over the first 10,000;
        // Acrobot-v1 from pixels 300,000 with ε over the first tenth, as its sweep had.
        let cartPoleDefaults = TrainingConfig.defaults(for: .pixels, env: .cartPoleV1)
        #expect(cartPoleDefaults.totalTimesteps == 75_000 && cartPoleDefaults.explorationSteps == 10_000)
        #expect(cartPoleDefaults == TrainingConfig.defaults(for: .pixels))
        let acrobotDefaults = TrainingConfig.defaults(for: .pixels, env: .acrobotV1)
        #expect(acrobotDefaults.totalTimesteps == 300_000 && acrobotDefaults.explorationSteps == 30_000)
        #expect(cartPole.explorationFraction == cartPoleDefaults.explorationFraction)
        let acrobotGiven = try config("acrobot-given", ["--env", "Acrobot-v1", "--gamma", "0.995", "--learning-rate", "1e-3"])
        #expect(acrobotGiven.gamma == 0.995 && acrobotGiven.learningRate == 1e-3)
        let carState = try config("car-state", ["--env", "MountainCar-v0", "--observation", "state", "--frame-stack", "1"])
        #expect(!carState.invertFrames && carState.frameSkip == 1 && carState.network == .mlp && carState.gamma == 0.99 && carState.learningRate == 2.5e-4)
        // dump-frames shows φ as training feeds it by default: inverted unless told otherwise.
        for (name, flag) in [("inverted", [String]()), ("plain", ["--no-invert-frames"])] {
            let d = try runTool(["dump-frames", "--env", "Acrobot-v1", "--steps", "2", "--size", "36", "--frame-stack", "2",
                                 "--output", dir + "/" + name] + flag)
            #expect(d.status == 0, "\(d.err)")
        }
        let inverted = try PNGImage.read(dir + "/inverted/stacks/phi_00002.png").pixels
        let plain = try PNGImage.read(dir + "/plain/stacks/phi_00002.png").pixels
        #expect(inverted.count == 2 * 36 * 36 && zip(inverted, plain).allSatisfy { $0 &+ $1 == 255 })
        // A resumed run keeps what its config.json says, whatever the task's defaults are now.
        let resumed = try runTool(["train", "--resume", dir + "/acrobot-off", "--total-timesteps", "160", "--quiet"])
        #expect(resumed.status == 0, "\(resumed.err)")
        #expect(try !RunFolder(path: dir + "/acrobot-off").readConfig().invertFrames)
    }

    /// --reward-scale multiplies the rewards the learner sees (the replay memory's) and nothing
    /// the user reads: returns stay in the task's units; the option is kept in config.json and
    /// checked like every other.
    @Test func rewardScaleScalesTheLearnersRewardsOnly() throws {
        let dir = try temporaryFolder()
        let common = ["--env", "MountainCar-v0", "--observation", "state", "--total-timesteps", "250", "--learning-starts", "100",
                      "--buffer-size", "300", "--batch-size", "8", "--eval-every", "0", "--final-eval-episodes", "0",
                      "--save-replay", "--threads", "1", "--quiet"]
        let r = try runTool(["train"] + common + ["--reward-scale", "0.01", "--output", dir + "/run"])
        #expect(r.status == 0, "\(r.err)")
        let file = try SafetensorsFile(contentsOf: URL(fileURLWithPath: dir + "/run/checkpoint.safetensors"))
        let rewards = try file.tensor("replay.rewards", file: "checkpoint").floats(name: "replay.rewards", file: "checkpoint")
        // 250 transitions of reward −1 × 0.01; the other slots (reset frames, unused) hold 0.
        #expect(rewards.filter { $0 != 0 }.count == 250 && Set(rewards.filter { $0 != 0 }) == [-0.01], "stored rewards: \(Set(rewards))")
        #expect(try text(dir + "/run/metrics.csv").contains("-200.000000,200,"))
        #expect(try RunFolder(path: dir + "/run").readConfig().rewardScale == 0.01)
        for bad in ["0", "-1", "nan", "1e7"] {
            let refused = try runTool(["train"] + common + ["--reward-scale", bad, "--output", dir + "/bad"])
            #expect(refused.status != 0 && refused.status < 128 && refused.err.contains("--reward-scale"), "\(bad): \(refused.err)")
        }
    }

    /// With a frame skip, an episode's return counts env steps (up to 200 for MountainCar) while
    /// its length counts agent steps (up to 50 at skip 4): the resume's checks of metrics.csv and
    /// of the checkpoint, and the sweep's reading of the folder, accept such a run.
    @Test func aFrameSkipRunResumesAndAggregates() throws {
        let dir = try temporaryFolder() + "/run"
        let common = ["--env", "MountainCar-v0", "--frame-skip", "4", "--learning-starts", "100", "--buffer-size", "400",
                      "--batch-size", "8", "--frame-size", "36", "--frame-stack", "2", "--eval-every", "0",
                      "--eval-episodes", "1", "--final-eval-episodes", "1", "--threads", "1", "--quiet"]
        // 230 agent steps: four whole episodes of 50 (return −200 each), and 30 steps into the fifth.
        let first = try runTool(["train"] + common + ["--total-timesteps", "230", "--output", dir])
        #expect(first.status == 0, "\(first.err)")
        #expect(try text(dir + "/metrics.csv").contains("-200.000000,50,"))
        let resumed = try runTool(["train", "--resume", dir, "--total-timesteps", "260", "--quiet"])
        #expect(resumed.status == 0, "\(resumed.err)")
        let sweep = try runTool(["sweep", "--aggregate", dir, "--output", dir + "/../sweep"])
        #expect(sweep.status == 0 && FileManager.default.fileExists(atPath: dir + "/../sweep/sweep.json"), "\(sweep.err)")
    }

    /// returns.png names its step axis: env steps, or agent steps of N env steps with a frame skip.
    /// The same metrics drawn both ways differ only in the axis name's rows at the bottom.
    @Test func plotsOfFrameSkipRunsNameTheirSteps() throws {
        let rows = (1...5).map { "episode,\(20 * $0),\($0 - 1),20,20,1,0,0,,,," }
        let log = try MetricsLog.parse(([MetricsLog.header] + rows).joined(separator: "\n") + "\n", path: "m.csv")
        let plain = ReturnsPlot.draw(log, threshold: 475, totalSteps: 100, title: "T")
        let skipped = ReturnsPlot.draw(log, threshold: 475, totalSteps: 100, frameSkip: 4, title: "T")
        let rowBytes = plain.width * plain.channels
        let differing = (0..<plain.height).filter { y in
            plain.pixels[y * rowBytes ..< (y + 1) * rowBytes] != skipped.pixels[y * rowBytes ..< (y + 1) * rowBytes]
        }
        #expect(!differing.isEmpty && differing.allSatisfy { $0 >= plain.height - 20 }, "rows that differ: \(differing)")
        #expect(ReturnsPlot.stepAxisLabel(frameSkip: 1) == "ENV STEPS")
        #expect(ReturnsPlot.stepAxisLabel(frameSkip: 4) == "AGENT STEPS (4 ENV STEPS EACH)")
    }

    /// A GIF of another task: its scene in its colours, in real time at its own rate (Acrobot
    /// 15 steps per second: a higher --fps shows every step).
    @Test func gifsShowEveryTaskInRealTime() throws {
        for (id, colour) in [(EnvironmentID.acrobotV1, RGB(0, 204, 204)), (.mountainCarV0, RGB(204, 204, 0))] {
            let gif = try EpisodeGIF(frameStack: 2, frameSize: 36, fps: 50, title: "test", env: id)
            #expect(gif.fps == id.framesPerSecond)
            let game = PixelObservation(id: id, width: 36, height: 36, frameStack: 2)
            var rng = Xoshiro256(seed: 1)
            game.reset(using: &rng)
            var phi = [UInt8](repeating: 0, count: game.observationSize)
            let steps = 2 * id.framesPerSecond
            for step in 0...steps {
                phi.withUnsafeMutableBufferPointer { game.copyObservation(into: $0) }
                let action = rng.nextIndex(below: id.actionCount)
                try gif.add(EpisodeStep(state: game.env.state, phi: phi, step: step, episode: 0, episodeReturn: 0,
                                        action: step < steps ? action : nil, qValues: nil, outcome: step < steps ? nil : "stopped"))
                if step < steps { _ = try game.step(action) }
            }
            let path = try temporaryFolder() + "/\(id.rawValue).gif"
            try gif.write(to: path)
            let info = try GIFInfo.read(path)
            #expect(info.frames.count == steps + 1)
            #expect(info.frames.dropLast().map(\.delay).reduce(0, +) == 200, "two seconds of \(id.rawValue)")
            #expect(info.pictures()[0].contains { info.palette[Int($0)] == colour }, "\(id.rawValue)'s colour is on screen")
        }
    }

    /// config.json takes the new task names, and names the choices when the task is unknown.
    @Test func configFilesNameTheTask() throws {
        let folder = try temporaryFolder()
        var c = tinyConfig(.state)
        c.env = .mountainCarV0
        let run = RunFolder(path: folder)
        try run.prepareNew()
        try run.writeConfig(c)
        let text = String(decoding: try AtomicFile.read(run.config), as: UTF8.self)
        #expect(try TrainingConfig.decode(json: Array(text.utf8)).env == .mountainCarV0)
        let wrong = text.replacingOccurrences(of: "MountainCar-v0", with: "MountainCar-v9")
        do {
            _ = try TrainingConfig.decode(json: Array(wrong.utf8))
            Issue.record("config.json with an unknown task must be refused")
        } catch {
            let message = "\(error)"
            #expect(message.contains("\"env\"") && message.contains("MountainCar-v9")
                    && message.contains("CartPole-v0, CartPole-v1, Acrobot-v1, MountainCar-v0"), "\(message)")
        }
    }

    @Test func sweepsPassTheTaskToEveryRun() throws {
        let dir = try temporaryFolder()
        let r = try runTool(["sweep", "--seeds", "1-2", "--output", dir + "/sweep", "--print-commands", "--env", "Acrobot-v1"])
        #expect(r.status == 0, "\(r.err)")
        let lines = r.out.split(separator: "\n")
        #expect(lines.count == 2 && lines.allSatisfy { $0.contains("--env Acrobot-v1") }, "\(r.out)")
    }
}
