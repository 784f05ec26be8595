// Animated GIFs: frames written through giflib and read back through giflib (size, frame count,
// delays, looping, and the pictures a viewer composes), the episode layout (φ exact to the
// palette's grays, the scene in colour), real-time frame rates, and the play / dump-frames options.
import Foundation
import Testing
import PixelDQN

@Suite struct GIFTests {
    /// A palette of 16 colours (index 0 unused, as GIFPalette reserves it for transparency).
    static let smallPalette: [RGB] = (0..<16).map { (i: Int) -> RGB in
        let r = i * 16, g = 255 - i * 16, b = (i * 97) % 256
        return RGB(UInt8(r), UInt8(g), UInt8(b))
    }

    @Test func framesWrittenAndReadBackThroughGiflib() throws {
        let (w, h) = (40, 30)
        var rng = Xoshiro256(seed: 3)
        // Frames that change in a small rectangle, with a run of three equal frames in the middle.
        var frames: [[UInt8]] = []
        var picture = (0..<(w * h)).map { _ in UInt8(1 + rng.nextIndex(below: 15)) }
        for f in 0..<12 {
            if f != 5 && f != 6 {
                let x0 = rng.nextIndex(below: w - 5), y0 = rng.nextIndex(below: h - 5)
                for y in y0..<(y0 + 4) { for x in x0..<(x0 + 5) { picture[y * w + x] = UInt8(1 + rng.nextIndex(below: 15)) } }
            }
            frames.append(picture)
        }
        let writer = try GIFWriter(width: w, height: h, palette: GIFTests.smallPalette)
        for (f, frame) in frames.enumerated() { try writer.add(frame, delay: f == 11 ? 100 : 2) }
        let path = try temporaryFolder() + "/frames.gif"
        try AtomicFile.write(try writer.finish(), to: path)

        let info = try GIFInfo.read(path)
        #expect(info.width == w && info.height == h)
        #expect(info.loopCount == 0, "loops forever (NETSCAPE2.0)")
        #expect(Array(info.palette.prefix(16)) == GIFTests.smallPalette)
        // Frames 4, 5 and 6 are one picture: one frame shown three times as long.
        #expect(info.frames.count == 10)
        #expect(info.frames.map(\.delay) == [2, 2, 2, 2, 6, 2, 2, 2, 2, 100])
        #expect(info.duration == 11 * 2 + 100)
        #expect(info.frames.allSatisfy { $0.disposal == 1 && $0.transparent == 0 })
        #expect(info.frames[0].width == w && info.frames[0].height == h, "the first frame is whole")
        #expect(info.frames.dropFirst().allSatisfy { $0.width < w && $0.height < h }, "later frames are the changed rectangle")
        let distinct = frames.enumerated().filter { $0.offset == 0 || frames[$0.offset - 1] != $0.element }.map(\.element)
        let pictures = info.pictures()
        #expect(pictures.count == distinct.count)
        for (k, (got, want)) in zip(pictures, distinct).enumerated() {
            #expect(got == want, "picture \(k) differs from the frame given")
        }
    }

    @Test func colourFramesHaveTheAgentsGrayLevels() {
        // The colour scene is drawn channel by channel with the gray frame's geometry, so its
        // BT.601 luma equals the gray frame to within rounding.
        let colour = SceneRenderer(width: 150, height: 100), gray = Rasterizer(width: 150, height: 100)
        for state in [CartPoleState(x: 0, xDot: 0, theta: 0, thetaDot: 0), CartPoleState(x: -1.3, xDot: 0, theta: 0.18, thetaDot: 0),
                      CartPoleState(x: 2.2, xDot: 0, theta: -0.2, thetaDot: 0)] {
            let rgb = colour.render(state), g = gray.render(state)
            var worst = 0.0
            for i in 0..<g.count {
                let luma = 0.299 * Double(rgb[3 * i]) + 0.587 * Double(rgb[3 * i + 1]) + 0.114 * Double(rgb[3 * i + 2])
                worst = max(worst, abs(luma - Double(g[i])))
            }
            #expect(worst <= 1.5, "state \(state): luma differs from the gray frame by \(worst)")
            #expect((0..<g.count).contains { rgb[3 * $0] == 202 && rgb[3 * $0 + 1] == 152 && rgb[3 * $0 + 2] == 101 }, "the pole is drawn in its colour")
        }
    }

    /// Plays `steps` steps of a simple balancing policy (push toward the pole's lean) into an
    /// EpisodeGIF and reads the result back.
    func episode(fps: Int, steps: Int) throws -> (info: GIFInfo, phis: [[UInt8]], gif: EpisodeGIF) {
        let game = PixelCartPole(version: .v1, width: 84, height: 84, frameStack: 4)
        var rng = Xoshiro256(seed: 5)
        game.reset(using: &rng)
        let gif = try EpisodeGIF(frameStack: 4, frameSize: 84, fps: fps, title: "test")
        var phi = [UInt8](repeating: 0, count: game.observationSize)
        var phis: [[UInt8]] = []
        var total = 0.0
        for step in 0..<steps {
            phi.withUnsafeMutableBufferPointer { game.copyObservation(into: $0) }
            phis.append(phi)
            let state = game.env.state
            let action = state.theta + 0.5 * state.thetaDot > 0 ? 1 : 0
            try gif.add(EpisodeStep(state: game.env.state, phi: phi, step: step, episode: 0, episodeReturn: total,
                                    action: action, qValues: [1.5, -2.25], outcome: nil))
            let r = try game.step(action)
            total += r.reward
            #expect(!r.done, "the test episode must not end")
        }
        phi.withUnsafeMutableBufferPointer { game.copyObservation(into: $0) }
        phis.append(phi)
        try gif.add(EpisodeStep(state: game.env.state, phi: phi, step: steps, episode: 0, episodeReturn: total,
                                action: nil, qValues: nil, outcome: "stopped"))
        let path = try temporaryFolder() + "/episode.gif"
        try gif.write(to: path)
        return (try GIFInfo.read(path), phis, gif)
    }

    @Test func anEpisodeAtFiftyFramesPerSecondShowsEveryStepAndPhiExactly() throws {
        let (info, phis, gif) = try episode(fps: 50, steps: 30)
        #expect(info.frames.count == 31 && gif.pictures == 31)
        #expect(info.frames.dropLast().allSatisfy { $0.delay == 2 } && info.frames.last?.delay == EpisodeGIF.endHold)
        #expect(info.loopCount == 0)
        let pictures = info.pictures()
        // φ's four panels: each pixel is the palette gray nearest to φ's byte (within 1 level).
        for (k, picture) in pictures.enumerated() {
            var worst = 0
            for f in 0..<4 {
                let origin = gif.panelOrigin(f)
                for y in 0..<84 {
                    for x in 0..<84 {
                        let c = info.palette[Int(picture[(origin.y + y) * info.width + origin.x + x])]
                        let v = Int(phis[k][f * 84 * 84 + y * 84 + x])
                        worst = max(worst, abs(Int(c.r) - v), abs(Int(c.g) - v), abs(Int(c.b) - v))
                    }
                }
            }
            #expect(worst <= 1, "picture \(k): φ differs from the palette's grays by \(worst)")
        }
        // The scene is in colour: the pole's colour is on screen.
        #expect(pictures[0].contains { info.palette[Int($0)] == RGB(202, 152, 101) })
    }

    @Test(arguments: [(25, 4), (20, 5), (30, 0)])
    func lowerFrameRatesKeepRealTime(fps: Int, delay: Int) throws {
        // 100 steps are 2 s of CartPole at 50 steps per second, whatever the GIF's frame rate.
        let (info, _, _) = try episode(fps: fps, steps: 100)
        #expect(info.frames.count == 100 * fps / 50 + 1)
        let delays = info.frames.dropLast().map(\.delay)
        #expect(delays.reduce(0, +) == 200, "delays \(delays)")
        if delay > 0 { #expect(delays.allSatisfy { $0 == delay }) } else { #expect(Set(delays) == [3, 4]) }
    }

    /// With a frame skip each picture stands for several env steps and is shown that long: 20
    /// actions of MountainCar at skip 10 are 200 env steps, 6.67 s at its 30 steps per second,
    /// and the last picture comes at the start of the frame-rate interval holding step 200
    /// (at 7 fps interval 46, 6.57 s).
    @Test(arguments: [(30, 667), (15, 667), (7, 657)])
    func aFrameSkipKeepsRealTime(fps: Int, hundredths: Int) throws {
        let game = PixelObservation(id: .mountainCarV0, width: 36, height: 36, frameStack: 2, frameSkip: 10)
        var rng = Xoshiro256(seed: 3)
        game.reset(using: &rng)
        let gif = try EpisodeGIF(frameStack: 2, frameSize: 36, fps: fps, title: "skip", env: .mountainCarV0, frameSkip: 10)
        var phi = [UInt8](repeating: 0, count: game.observationSize)
        for step in 0...20 {
            phi.withUnsafeMutableBufferPointer { game.copyObservation(into: $0) }
            try gif.add(EpisodeStep(state: game.env.state, phi: phi, step: step, episode: 0, episodeReturn: 0,
                                    action: step < 20 ? 1 : nil, qValues: nil, outcome: step < 20 ? nil : "stopped"))
            if step < 20 { #expect(try game.step(1).done == (step == 19)) }   // truncated at 200 env steps
        }
        let path = try temporaryFolder() + "/skip.gif"
        try gif.write(to: path)
        let info = try GIFInfo.read(path)
        #expect(gif.pictures == 21)
        #expect(info.duration - EpisodeGIF.endHold == hundredths, "delays \(info.frames.map(\.delay))")
    }

    @Test func playAndDumpFramesWriteGIFsAndRefuseBadOptions() throws {
        let dir = try temporaryFolder()
        let dump = try runTool(["dump-frames", "--seed", "2", "--steps", "60", "--fps", "25", "--gif", dir + "/random.gif"])
        #expect(dump.status == 0, "\(dump.err)")
        let random = try GIFInfo.read(dir + "/random.gif")
        #expect(random.loopCount == 0 && random.frames.count >= 30 && random.width > EpisodeGIF.sceneWidth)
        #expect(!FileManager.default.fileExists(atPath: dir + "/frames"), "no PNG folder without --output")

        let play = try runTool(["play", "--fps", "10", "--gif", dir + "/agent.gif"])
        #expect(play.status == 0, "\(play.err)")
        let agent = try GIFInfo.read(dir + "/agent.gif")
        // The shipped model balances for the whole 500 steps: 100 pictures at 10 fps, then the end.
        #expect(agent.frames.count == 101 && agent.frames.first?.delay == 10 && agent.frames.last?.delay == EpisodeGIF.endHold)
        let size = try FileManager.default.attributesOfItem(atPath: dir + "/agent.gif")[.size] as? Int ?? 0
        #expect(size > 0 && size < 3_000_000)

        for (args, option) in [(["play", "--fps", "0", "--gif", dir + "/x.gif"], "--fps"),
                               (["dump-frames", "--fps", "51", "--gif", dir + "/x.gif"], "--fps"),
                               (["dump-frames", "--steps", "3"], "--output"),
                               (["dump-frames", "--gif", dir + "/missing/x.gif"], "--gif"),
                               (["dump-frames", "--gif", dir], "--gif"),
                               (["dump-frames", "--size", "300", "--gif", dir + "/x.gif"], "--gif"),
                               (["play", "--max-frames=-1"], "--max-frames")] {
            let r = try runTool(args)
            #expect(r.status != 0 && r.err.contains(option), "\(args): status \(r.status), \(r.err)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/x.gif"))
    }
}
