// The learning options of `train`: n-step targets against a hand-computed reference across
// episode ends and ring wrap-around, the sum tree behind prioritized replay, DrQ's random shift
// against a hand-made crop, and whole runs with every option on (1 and 2 threads, exact resume).
import Foundation
import Testing
import PixelDQN

@Suite struct AlgorithmOptionTests {
    /// One played step: the stack φ showed before it, the action, the reward, whether it
    /// terminated or truncated, and the stack after it.
    struct Step { var s: [UInt8]; var a: Int32; var r: Float; var term: Bool; var trunc: Bool; var s2: [UInt8] }

    /// Plays episodes of the given lengths into a memory and a reference φ; episode e ends
    /// terminated when e is even, truncated when it is odd, and the last one is left running.
    func play(capacity: Int, k: Int, episodes: [Int], rng: inout Xoshiro256) -> (ReplayMemory<UInt8>, [Int: Step]) {
        let size = 2
        let memory = ReplayMemory<UInt8>(capacity: capacity, frameSize: size, stackDepth: k)
        var phi = FrameStack(depth: k, frameSize: size)
        var played = [Int: Step]()
        var tag: UInt8 = 0
        func nextFrame() -> [UInt8] { tag = tag == 250 ? 1 : tag + 1; return [tag, tag &+ 100] }
        for (e, length) in episodes.enumerated() {
            let start = nextFrame()
            phi.reset(start: start)
            start.withUnsafeBufferPointer { memory.startEpisode(frame: $0) }
            let last = e == episodes.count - 1
            for t in 1...length {
                let s = phi.stacked
                let a = rng.nextIndex(below: 2)
                let r = Float(1 + rng.nextIndex(below: 4))
                let end = t == length && !last
                let f = nextFrame()
                phi.push(f)
                f.withUnsafeBufferPointer {
                    memory.append(action: a, reward: r, terminated: end && e % 2 == 0, truncated: end && e % 2 == 1, nextFrame: $0)
                }
                played[memory.written - 1] = Step(s: s, a: Int32(a), r: r, term: end && e % 2 == 0, trunc: end && e % 2 == 1, s2: phi.stacked)
            }
        }
        return (memory, played)
    }

    /// The n-step target terms by hand, from the played steps: R = Σ γ^i r, the discount of the
    /// bootstrap (0 after a termination), the stack it bootstraps from; nil when the episode goes
    /// on and fewer than n steps of it were played.
    func reference(_ i: Int, n: Int, gamma: Float, played: [Int: Step]) -> (r: Float, discount: Float, s2: [UInt8], term: Float)? {
        var sum: Float = 0, g: Float = 1
        var j = i
        for m in 0..<n {
            guard let p = played[j] else { return nil }
            sum += g * p.r
            g *= gamma
            if p.term { return (sum, 0, p.s2, 1) }
            if p.trunc || m == n - 1 { return (sum, g, p.s2, 0) }
            j += 1
        }
        return nil
    }

    @Test func nStepTargetsEqualTheHandComputedSums() {
        var rng = Xoshiro256(seed: 5)
        let gamma: Float = 0.9
        for n in 1...5 {
            for k in [1, 3] {
                for capacity in [k + n + 1, 11, 23] {
                    // Episodes shorter than n, ending terminated and truncated, one longer than
                    // the ring, and a last one still running (its newest steps have no window yet).
                    let episodes = [1, 2, n + 1, 4, capacity + 3, 2, 3, 6]
                    let (memory, played) = play(capacity: capacity, k: k, episodes: episodes, rng: &rng)
                    #expect(memory.written > capacity, "the ring must have wrapped")
                    let batch = ReplayBatch<UInt8>(size: 16, observationSize: memory.observationSize)
                    var sawTerminal = false
                    for _ in 0..<25 {
                        memory.sample(into: batch, nStep: n, gamma: gamma, using: &rng)
                        let size = memory.observationSize
                        for b in 0..<batch.size {
                            let i = batch.indices[b]
                            guard let p = played[i], let ref = reference(i, n: n, gamma: gamma, played: played) else {
                                Issue.record("n \(n) k \(k) cap \(capacity): index \(i) has no complete \(n)-step window"); continue
                            }
                            let where_ = "n \(n) k \(k) capacity \(capacity) index \(i)"
                            #expect(Array(batch.states[(b * size)..<((b + 1) * size)]) == p.s, "\(where_): s")
                            #expect(batch.actions[b] == p.a, "\(where_): a")
                            #expect(batch.rewards[b] == ref.r, "\(where_): R \(batch.rewards[b]) vs \(ref.r)")
                            #expect(batch.discounts[b] == ref.discount, "\(where_): discount \(batch.discounts[b]) vs \(ref.discount)")
                            #expect(batch.terminated[b] == ref.term, "\(where_): terminated")
                            #expect(Array(batch.nextStates[(b * size)..<((b + 1) * size)]) == ref.s2, "\(where_): s_{t+n}")
                            #expect(batch.weights[b] == 1)
                            sawTerminal = sawTerminal || ref.term == 1
                        }
                    }
                    // Rings of 11 frames or more still hold the last terminated episode.
                    #expect(sawTerminal || capacity < 11, "n \(n) k \(k) cap \(capacity): no window ending in a termination was drawn")
                }
            }
        }
    }

    @Test func oneStepTargetsAreTheOldOnes() {
        // With n = 1 the batch holds r and γ·(1 − terminated), bit for bit what one-step DQN uses.
        var rng = Xoshiro256(seed: 8)
        let (memory, played) = play(capacity: 9, k: 2, episodes: [3, 5, 2, 7], rng: &rng)
        let batch = ReplayBatch<UInt8>(size: 32, observationSize: memory.observationSize)
        memory.sample(into: batch, nStep: 1, gamma: 0.99, using: &rng)
        for b in 0..<batch.size {
            guard let p = played[batch.indices[b]] else { Issue.record("not a transition"); continue }
            #expect(batch.rewards[b] == p.r)
            #expect(batch.discounts[b] == Float(0.99) * (p.term ? 0 : 1))
        }
    }

    @Test func sumTreeKeepsItsSumsAfterRandomUpdates() {
        var rng = Xoshiro256(seed: 21)
        for capacity in [1, 2, 3, 7, 8, 100] {
            var tree = SumTree(capacity: capacity)
            var reference = [Double](repeating: 0, count: capacity)
            for _ in 0..<500 {
                let i = rng.nextIndex(below: capacity)
                let p = rng.nextIndex(below: 4) == 0 ? 0 : rng.nextUnitDouble() * 10
                tree.set(i, priority: p)
                reference[i] = p
            }
            #expect(tree.leaves == reference)
            #expect(abs(tree.total - reference.reduce(0, +)) <= 1e-9 * max(1, tree.total))
            // Every inner node is the sum of its children: the prefix sums locate each leaf.
            var prefix = 0.0
            for i in 0..<capacity where reference[i] > 0 {
                #expect(tree.find(mass: prefix + reference[i] * 0.5) == i, "capacity \(capacity): mass inside leaf \(i)")
                prefix += reference[i]
            }
            if tree.total > 0 { #expect(reference[tree.find(mass: tree.total)] > 0, "mass at the total lands on a positive leaf") }
            var rebuilt = SumTree(capacity: capacity)
            rebuilt.load(leaves: tree.leaves)
            #expect(rebuilt.total == tree.total)
        }
    }

    @Test func prioritizedDrawsFollowThePriorities() {
        // Two episodes of ten steps in a ring that holds them all; priorities 1, 2, ..., 20 set
        // through updatePriorities with α = 1: each transition is drawn in proportion.
        let memory = ReplayMemory<UInt8>(capacity: 40, frameSize: 1, stackDepth: 1)
        memory.enablePriorities()
        var indices: [Int] = []
        for _ in 0..<2 {
            [UInt8(0)].withUnsafeBufferPointer { memory.startEpisode(frame: $0) }
            for t in 1...10 {
                [UInt8(t)].withUnsafeBufferPointer { memory.append(action: 0, reward: 1, terminated: t == 10, truncated: false, nextFrame: $0) }
                indices.append(memory.written - 1)
            }
        }
        let errors = (1...20).map { Float($0) - 1e-3 }
        memory.updatePriorities(indices: indices[...], tdErrors: errors[...], alpha: 1, epsilon: 1e-3)
        var rng = Xoshiro256(seed: 4)
        let batch = ReplayBatch<UInt8>(size: 20, observationSize: 1)
        var counts = [Int: Int]()
        let rounds = 4_000
        for _ in 0..<rounds {
            memory.sample(into: batch, beta: 0.5, using: &rng)
            for b in 0..<batch.size { counts[batch.indices[b], default: 0] += 1 }
        }
        let draws = Double(rounds * batch.size), total = Double((1...20).reduce(0, +))
        for (rank, i) in indices.enumerated() {
            let expected = Double(rank + 1) / total
            let got = Double(counts[i, default: 0]) / draws
            // Stratified draws vary less than independent ones; 4σ of a binomial bounds both.
            let sigma = (expected * (1 - expected) / draws).squareRoot()
            #expect(abs(got - expected) < 4 * sigma + 1e-4, "transition \(rank + 1): frequency \(got), expected \(expected)")
        }
        // Importance weights: (N·P)^−β over the batch's largest; the rarest transition has weight 1.
        memory.sample(into: batch, beta: 0.5, using: &rng)
        let n = Double(memory.count)
        let w = (0..<batch.size).map { b -> Double in
            let rank = Double(indices.firstIndex(of: batch.indices[b])! + 1)
            return pow(n * rank / total, -0.5)
        }
        let largest = w.max()!
        for b in 0..<batch.size { #expect(abs(Double(batch.weights[b]) - w[b] / largest) < 1e-6) }
    }

    @Test func randomShiftEqualsAHandMadeCrop() {
        // A 2-frame stack of 5x4 frames whose pixels encode (frame, y, x).
        let k = 2, h = 4, w = 5, pad = 2
        var stack = [UInt8](repeating: 0, count: 3 * k * h * w)
        for s in 0..<3 { for m in 0..<k { for y in 0..<h { for x in 0..<w {
            stack[((s * k + m) * h + y) * w + x] = UInt8(s * 60 + m * 30 + y * 6 + x)
        } } } }
        let original = stack
        let shift = RandomShift<UInt8>(pad: pad, width: w, height: h, stackDepth: k)
        for (dy, dx) in [(0, 0), (2, 2), (4, 4), (0, 4), (3, 1)] {
            stack = original
            stack.withUnsafeMutableBufferPointer { shift.shift($0, index: 1, dy: dy, dx: dx) }
            // By hand: pad with the border repeated, then crop at (dy, dx).
            for m in 0..<k {
                var padded = [[UInt8]](repeating: [UInt8](repeating: 0, count: w + 2 * pad), count: h + 2 * pad)
                for py in 0..<(h + 2 * pad) { for px in 0..<(w + 2 * pad) {
                    let y = min(max(py - pad, 0), h - 1), x = min(max(px - pad, 0), w - 1)
                    padded[py][px] = original[((1 * k + m) * h + y) * w + x]
                } }
                for y in 0..<h { for x in 0..<w {
                    #expect(stack[((1 * k + m) * h + y) * w + x] == padded[y + dy][x + dx], "shift (\(dy), \(dx)) frame \(m) at (\(y), \(x))")
                } }
            }
            // The other stacks are untouched.
            #expect(Array(stack[0..<(k * h * w)]) == Array(original[0..<(k * h * w)]))
            #expect(Array(stack[(2 * k * h * w)...]) == Array(original[(2 * k * h * w)...]))
        }
        // (pad, pad) is the identity; a zero frame (φ's padding) stays zero under any shift.
        stack = original
        stack.withUnsafeMutableBufferPointer { shift.shift($0, index: 0, dy: pad, dx: pad) }
        #expect(stack == original)
        var zeros = [UInt8](repeating: 0, count: k * h * w)
        zeros.withUnsafeMutableBufferPointer { shift.shift($0, index: 0, dy: 0, dx: 3) }
        #expect(zeros.allSatisfy { $0 == 0 })
    }

    /// A tiny pixel configuration with every learning option on.
    func everyOption(steps: Int) -> TrainingConfig {
        var c = tinyConfig(.pixels, steps: steps)
        c.nStep = 3
        c.dueling = true
        c.prioritized = true
        c.augment = .shift
        c.augmentPad = 2
        c.gradientSteps = 2
        c.learningRateSchedule = .linear
        c.finalLearningRate = 1e-5
        c.emaTau = 0.05
        return c
    }

    @Test func movingAverageFollowsEveryUpdateFromTheInitialWeights() {
        var c = tinyConfig(.state)
        c.emaTau = 0.1
        c.threads = 1
        var rng = Xoshiro256(seed: 7)
        let agent = DQNAgent<Float>(config: c, rng: &rng)
        guard let average = agent.average else { Issue.record("no average network with --ema-tau 0.1"); return }
        #expect(agent.policy === average)
        let size = c.inputShape.reduce(1, *)
        let batch = ReplayBatch<Float>(size: c.batchSize, observationSize: size)
        var reference = Array(agent.online.parameters)
        #expect(Array(average.parameters) == reference)
        var draws = Xoshiro256(seed: 3)
        for _ in 0..<4 {
            for i in 0..<(c.batchSize * size) {
                batch.states[i] = Float(draws.nextUnitDouble() * 2 - 1)
                batch.nextStates[i] = Float(draws.nextUnitDouble() * 2 - 1)
            }
            for i in 0..<c.batchSize {
                batch.actions[i] = Int32(draws.nextIndex(below: 2)); batch.rewards[i] = 1
                batch.discounts[i] = 0.99; batch.weights[i] = 1
            }
            _ = agent.update(batch)
            let online = Array(agent.online.parameters)
            for i in reference.indices { reference[i] = 0.1 * online[i] + (1 - 0.1) * reference[i] }
            #expect(Array(average.parameters) == reference)
            #expect(Array(average.parameters) != online)
        }
        // Without the option there is no average and the online network is the policy.
        var plain = c
        plain.emaTau = 0
        var rng2 = Xoshiro256(seed: 7)
        let other = DQNAgent<Float>(config: plain, rng: &rng2)
        #expect(other.average == nil && other.policy === other.online)
    }

    @Test func movingAverageLeavesTrainingAloneAndIsTheSavedModel() throws {
        var c = tinyConfig(.state)
        c.threads = 1
        let plain = try temporaryFolder() + "/plain", averaged = try temporaryFolder() + "/averaged"
        _ = try runTraining(c, folder: plain)
        c.emaTau = 0.05
        _ = try runTraining(c, folder: averaged)
        let a = try SafetensorsFile(contentsOf: URL(fileURLWithPath: plain + "/checkpoint.safetensors"))
        let b = try SafetensorsFile(contentsOf: URL(fileURLWithPath: averaged + "/checkpoint.safetensors"))
        let onlineNames = a.tensors.map(\.name).filter { $0.hasPrefix("online.") }.sorted()
        #expect(!onlineNames.isEmpty)
        // The same online and target weights, optimizer state and RNG: the average does not touch training.
        for (name, tensor) in a.tensors {
            #expect(try b.tensor(name, file: "b").bytes == tensor.bytes, "\(name) differs")
        }
        // The averaged run's checkpoint adds the average, and model.safetensors holds it.
        let averageNames = b.tensors.map(\.name).filter { $0.hasPrefix("average.") }
        #expect(averageNames.count == onlineNames.count)
        let model = try SafetensorsFile(contentsOf: URL(fileURLWithPath: averaged + "/model.safetensors"))
        for name in onlineNames {
            let bare = String(name.dropFirst("online.".count))
            #expect(try model.tensor(bare, file: "model").bytes == b.tensor("average." + bare, file: "b").bytes)
            #expect(try model.tensor(bare, file: "model").bytes != b.tensor(name, file: "b").bytes, "\(bare) equals the online weights")
        }
    }

    @Test func everyOptionOnGivesTheSameBytesOnOneAndTwoThreads() throws {
        var c = everyOption(steps: 300)
        c.threads = 1
        let a = try temporaryFolder() + "/a", b = try temporaryFolder() + "/b"
        _ = try runTraining(c, folder: a)
        c.threads = 2
        _ = try runTraining(c, folder: b)
        #expect(try fileBytes(a + "/metrics.csv") == fileBytes(b + "/metrics.csv"))
        #expect(try fileBytes(a + "/model.safetensors") == fileBytes(b + "/model.safetensors"))
        // The options change the run: the same seed without them learns other weights.
        let plain = try temporaryFolder() + "/plain"
        var p = tinyConfig(.pixels, steps: 300)
        p.threads = 1
        _ = try runTraining(p, folder: plain)
        #expect(try fileBytes(a + "/model.safetensors") != fileBytes(plain + "/model.safetensors"))
    }

    @Test func everyOptionOnResumesExactly() throws {
        var c = everyOption(steps: 600)
        c.saveReplay = true
        let parts = try expectExactResume(c)
        #expect(try RunFolder(path: parts).readConfig() == c)
    }

    @Test func configsWrittenBeforeTheOptionsExistedReadAsPlainDQN() throws {
        // A config.json without the new keys (as runs of earlier versions wrote it).
        let dir = try temporaryFolder()
        let run = RunFolder(path: dir)
        var c = TrainingConfig()
        c.nStep = 1
        try run.writeConfig(c)
        var object = try JSONSerialization.jsonObject(with: Data(try fileBytes(run.config))) as! [String: Any]
        for key in ["nStep", "dueling", "prioritized", "priorityAlpha", "priorityBeta", "priorityEpsilon", "augment",
                    "augmentPad", "gradientSteps", "learningRateSchedule", "finalLearningRate"] {
            #expect(object.removeValue(forKey: key) != nil, "\(key) is written to config.json")
        }
        try AtomicFile.write([UInt8](try JSONSerialization.data(withJSONObject: object)), to: run.config)
        let read = try run.readConfig()
        #expect(read.nStep == 1 && !read.dueling && !read.prioritized && read.augment == .none && read.gradientSteps == 1)
        #expect(read.learningRateSchedule == .constant)
    }

    @Test func learningOptionsOutOfRangeAreRefusedWithTheirName() {
        func message(_ change: (inout TrainingConfig) -> Void) -> String {
            var c = TrainingConfig()
            change(&c)
            do { try c.validate(); return "" } catch { return "\(error)" }
        }
        #expect(message { $0.nStep = 0 }.contains("--n-step"))
        #expect(message { $0.nStep = 101 }.contains("--n-step"))
        // The probe that used to trap in sampling: a ring too small for a stack and a window.
        #expect(message { $0.bufferSize = 5; $0.frameStack = 4; $0.nStep = 4; $0.batchSize = 2 }.contains("--n-step"))
        #expect(message { $0.bufferSize = 8; $0.frameStack = 4; $0.nStep = 3; $0.batchSize = 2 } == "")
        #expect(message { $0.priorityAlpha = 1.5 }.contains("--priority-alpha"))
        #expect(message { $0.priorityBeta = -0.1 }.contains("--priority-beta"))
        #expect(message { $0.priorityEpsilon = 0 }.contains("--priority-epsilon"))
        #expect(message { $0.augmentPad = 30 }.contains("--augment-pad"))
        #expect(message { $0.gradientSteps = 0 }.contains("--gradient-steps"))
        #expect(message { $0.finalLearningRate = .nan }.contains("--final-learning-rate"))
        #expect(message { $0.emaTau = 1 }.contains("--ema-tau"))
        #expect(message { $0.emaTau = -0.01 }.contains("--ema-tau"))
        #expect(message { $0.emaTau = .nan }.contains("--ema-tau"))
        #expect(message { $0.emaTau = 0.005 } == "")
        #expect(message { $0.observation = .state; $0.network = .mlp; $0.invertFrames = false; $0.augment = .shift }.contains("--augment"))
    }

    @Test func learningRateAndBetaSchedules() {
        var c = TrainingConfig()
        c.totalTimesteps = 1000; c.learningRate = 1e-3
        #expect(c.learningRate(atStep: 700) == 1e-3)
        c.learningRateSchedule = .linear; c.finalLearningRate = 1e-4
        #expect(c.learningRate(atStep: 0) == 1e-3)
        #expect(abs(c.learningRate(atStep: 500) - 5.5e-4) < 1e-15)
        #expect(abs(c.learningRate(atStep: 2000) - 1e-4) < 1e-15)
        c.priorityBeta = 0.4
        #expect(c.priorityBeta(atStep: 0) == 0.4)
        #expect(abs(c.priorityBeta(atStep: 500) - 0.7) < 1e-12)
        #expect(c.priorityBeta(atStep: 1000) == 1)
    }
}
