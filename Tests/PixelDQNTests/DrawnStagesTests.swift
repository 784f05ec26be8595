// The drawn tasks' pixel stages, each alone (DrawnStages.swift): the scene draws a state as the
// rasterizer does (inverted: 255 − gray), frame skip with max-pooling over independently drawn
// frames, and PixelObservation as their composition onto φ.
import Foundation
import Testing
import PixelDQN

@Suite struct DrawnStagesTests {
    @Test func invertingComplementsEveryGrayLevel() {
        var levels = (0...255).map { UInt8($0) }
        levels.withUnsafeMutableBufferPointer { InvertFrame.apply(to: $0) }
        #expect(levels == (0...255).map { 255 - UInt8($0) })
    }

    @Test func theSceneDrawsWhatTheRasterizerDrawsInvertedWhenAsked() {
        var env = AnyEnvironment(.cartPoleV1)
        var rng = Xoshiro256(seed: 3)
        env.reset(using: &rng)
        let plain = DrawnScene(env: env, width: 36, height: 36, invert: false)
        let inverted = DrawnScene(env: env, width: 36, height: 36, invert: true)
        let reference = Rasterizer(width: 36, height: 36, layout: env.sceneLayout).render(env.state, of: env)
        var a = [UInt8](repeating: 0, count: 36 * 36), b = a
        a.withUnsafeMutableBufferPointer { plain.drawCurrent(into: $0) }
        b.withUnsafeMutableBufferPointer { inverted.drawCurrent(into: $0) }
        #expect(zip(a, reference).filter { $0 != $1 }.count == 0)
        #expect(zip(b, reference).filter { $0 &+ $1 != 255 }.count == 0)
        #expect(a.contains(255) && a.contains { $0 < 255 }, "the frame shows the background and shapes")
    }

    /// With skip 3, an agent step is three env steps with the rewards summed, and its frame is the
    /// max of the frames drawn after the second and the third, checked on a copy of the task.
    @Test func skipAndMaxRepeatsTheActionAndPoolsTheLastTwoFrames() throws {
        var start = AnyEnvironment(.mountainCarV0)
        var rng = Xoshiro256(seed: 9)
        start.reset(using: &rng)
        let scene = DrawnScene(env: start, width: 36, height: 36, invert: true)
        let frames = SkipAndMaxFrames(scene: scene, skip: 3)
        var copy = start
        let drawer = DrawnScene(env: start, width: 36, height: 36, invert: true)
        func drawn(_ state: AnyEnvironment.State) -> [UInt8] {
            var f = [UInt8](repeating: 0, count: 36 * 36)
            f.withUnsafeMutableBufferPointer { drawer.draw(state, into: $0) }
            return f
        }
        for action in [2, 2, 0, 1, 2] {
            var reward = 0.0
            reward += try copy.step(action).reward
            reward += try copy.step(action).reward
            let second = drawn(copy.state)
            reward += try copy.step(action).reward
            let third = drawn(copy.state)
            let step = try frames.step(action)
            #expect(step.reward == reward && scene.env.state == copy.state && scene.env.elapsedSteps == copy.elapsedSteps)
            // (Counted, so that a failure names a number rather than printing two frames.)
            let pooled = zip(second, third).map { max($0, $1) }
            #expect(zip(frames.frame, pooled).filter { $0 != $1 }.count == 0, "action \(action)")
        }
        // Skip 1: the frame is the state drawn.
        let single = SkipAndMaxFrames(scene: DrawnScene(env: start, width: 36, height: 36, invert: false), skip: 1)
        _ = try single.step(1)
        var expected = [UInt8](repeating: 0, count: 36 * 36)
        expected.withUnsafeMutableBufferPointer { single.scene.drawCurrent(into: $0) }
        #expect(zip(single.frame, expected).filter { $0 != $1 }.count == 0)
    }

    /// PixelObservation is the stages composed: each step pushes the pooled frame onto φ.
    @Test func theObservationPushesEachPooledFrameOntoPhi() throws {
        let game = PixelObservation(id: .acrobotV1, width: 36, height: 36, frameStack: 3, frameSkip: 2, invert: true)
        var rng = Xoshiro256(seed: 4)
        game.reset(using: &rng)
        var pushed: [[UInt8]] = [[UInt8](repeating: 0, count: 1296), [UInt8](repeating: 0, count: 1296), game.frames.frame]
        for action in [0, 2, 1, 1] {
            _ = try game.step(action)
            pushed = Array(pushed.dropFirst()) + [game.frames.frame]
            var phi = [UInt8](repeating: 0, count: game.observationSize)
            phi.withUnsafeMutableBufferPointer { game.copyObservation(into: $0) }
            #expect(zip(phi, pushed.flatMap { $0 }).filter { $0 != $1 }.count == 0 && phi.count == 3 * 1296)
        }
    }
}
