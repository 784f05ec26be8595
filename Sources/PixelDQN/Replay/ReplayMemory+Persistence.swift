// Saving the replay memory into a checkpoint and loading it back (--save-replay), so that a
// resumed run samples exactly what the uninterrupted run would have.
import Foundation

extension ReplayMemory where Element: TensorStorable {
    /// The largest priority a checkpoint may hold: (|δ| + ε)^α with α ≤ 1 and |δ| far below it
    /// while training has not diverged; a billion of them still sum to a finite total.
    static var priorityLimit: Double { 1e15 }

    func save(into file: inout SafetensorsFile) {
        file.set("replay.frames", Element.tensor(frames))
        file.set("replay.episode_step", SafetensorsTensor(int64s: episodeStep.map { Int64($0) }))
        file.set("replay.actions", SafetensorsTensor(int64s: actions.map { Int64($0) }))
        file.set("replay.rewards", SafetensorsTensor(floats: rewards))
        file.set("replay.terminated", SafetensorsTensor(uint8s: terminated.map { $0 ? 1 : 0 }))
        file.set("replay.truncated", SafetensorsTensor(uint8s: truncated.map { $0 ? 1 : 0 }))
        file.set("replay.written", SafetensorsTensor(int64s: [Int64(written)]))
        if let p = priorities {
            file.set("replay.priorities", SafetensorsTensor(doubles: p.leaves))
            file.set("replay.max_priority", SafetensorsTensor(doubles: [maxPriority]))
        }
    }

    /// Restores what `save` wrote, after checking every array's length and that the ring is one a
    /// run can write: at most `maxWritten` frames written, episode steps that count up from a
    /// reset frame (0) to at most `maxEpisodeSteps` with no frame after an episode's end, actions
    /// from 0 to `actionCount` − 1, finite rewards and frames. Nothing changes when a check fails.
    /// `rewards` bounds a stored reward (the task's reward per agent step, scaled); a state
    /// number is bounded by `NumberLists.stateBound` (`isValidObservation`), a pixel is any byte.
    func load(from file: SafetensorsFile, path: String, maxEpisodeSteps: Int, maxWritten: Int, actionCount: Int = 2,
              rewards rewardRange: ClosedRange<Float> = -Float.greatestFiniteMagnitude...Float.greatestFiniteMagnitude) throws {
        func check(_ name: String, _ count: Int, expected: Int) throws {
            guard count == expected else { throw FileError(path: path, problem: "tensor \(name): expected \(expected) values, found \(count)") }
        }
        // Pixel frames (any byte is a pixel) are copied from the file into the ring in place once
        // every check has passed, so a resume holds one replay memory, not two; state numbers are
        // read and checked first.
        let framesTensor = try file.tensor("replay.frames", file: path)
        let pixels = Element.self == UInt8.self
        if pixels { try framesTensor.require(.U8, name: "replay.frames", file: path) }
        let f: [Element] = pixels ? [] : try Element.values(framesTensor, name: "replay.frames", file: path)
        try check("replay.frames", pixels ? framesTensor.elementCount : f.count, expected: capacity * frameSize)
        let steps = try file.tensor("replay.episode_step", file: path).int64s(name: "replay.episode_step", file: path)
        try check("replay.episode_step", steps.count, expected: capacity)
        let acts = try file.tensor("replay.actions", file: path).int64s(name: "replay.actions", file: path)
        try check("replay.actions", acts.count, expected: capacity)
        let rews = try file.tensor("replay.rewards", file: path).floats(name: "replay.rewards", file: path)
        try check("replay.rewards", rews.count, expected: capacity)
        let term = try file.tensor("replay.terminated", file: path).uint8s(name: "replay.terminated", file: path)
        try check("replay.terminated", term.count, expected: capacity)
        let trunc = try file.tensor("replay.truncated", file: path).uint8s(name: "replay.truncated", file: path)
        try check("replay.truncated", trunc.count, expected: capacity)
        let w = try file.tensor("replay.written", file: path).int64s(name: "replay.written", file: path)
        guard w.count == 1, w[0] >= 0, w[0] <= Int64(maxWritten) else {
            throw FileError(path: path, problem: "tensor replay.written is \(w), expected one count from 0 to \(maxWritten) (the steps and episodes so far)")
        }
        guard pixels || f.allSatisfy({ Element.isValidObservation($0) }) else {
            throw FileError(path: path, problem: "tensor replay.frames holds a value that is not finite or beyond ±\(NumberLists.stateBound)")
        }
        guard acts.allSatisfy({ $0 >= 0 && $0 < Int64(actionCount) }), rews.allSatisfy({ rewardRange.contains($0) }) else {
            let allowed = actionCount == 2 ? "0 or 1" : "from 0 to \(actionCount - 1)"
            throw FileError(path: path, problem: "tensors replay.actions and replay.rewards: expected actions \(allowed) and rewards in [\(rewardRange.lowerBound), \(rewardRange.upperBound)] (the task's reward per step, scaled)")
        }
        // The frames held, oldest to newest, must read as episodes: each frame a reset (step 0) or
        // the one after its predecessor, and no frame after an episode's end but a reset.
        let held = min(Int(w[0]), capacity), first = Int(w[0]) - held
        for j in first..<Int(w[0]) {
            let s = j % capacity, step = steps[s]
            guard step >= 0 && step <= Int64(maxEpisodeSteps) else {
                throw FileError(path: path, problem: "tensor replay.episode_step: frame \(j) is at episode step \(step), expected 0 to \(maxEpisodeSteps)")
            }
            guard j > first else { continue }
            let p = (j - 1) % capacity
            let ended = term[p] != 0 || (trunc[p] != 0 && steps[p] > 0)
            guard step == 0 || (!ended && step == steps[p] + 1) else {
                throw FileError(path: path, problem: "tensor replay.episode_step: frame \(j) is at episode step \(step) after step \(steps[p])\(ended ? " that ended its episode" : ""): not a replay memory a run writes")
            }
        }
        var leaves: [Double] = [], largest = 1.0
        if priorities != nil {
            leaves = try file.tensor("replay.priorities", file: path).doubles(name: "replay.priorities", file: path)
            try check("replay.priorities", leaves.count, expected: capacity)
            let m = try file.tensor("replay.max_priority", file: path).doubles(name: "replay.max_priority", file: path)
            guard m.count == 1, m[0] > 0, m[0] <= Self.priorityLimit else {
                throw FileError(path: path, problem: "tensor replay.max_priority is \(m), expected one number in (0, \(Self.priorityLimit)]")
            }
            largest = m[0]
            // As a run writes them: every frame that ends a transition (held, not a reset) has a
            // priority in (0, max_priority], every other slot 0; so draws find transitions and
            // the total stays finite.
            for slot in 0..<capacity {
                let j = first + (slot - first % capacity + capacity) % capacity
                let drawable = j < Int(w[0]) && steps[slot] > 0
                guard drawable ? (leaves[slot] > 0 && leaves[slot] <= largest) : leaves[slot] == 0 else {
                    throw FileError(path: path, problem: "tensor replay.priorities: slot \(slot) holds \(leaves[slot]), expected \(drawable ? "a priority in (0, \(largest)] (max_priority) for a transition held" : "0 for a slot that holds no transition")")
                }
            }
        }
        if pixels {
            frames.withUnsafeMutableBytes { framesTensor.copyBytes(to: $0) }
        } else {
            frames = f
        }
        if priorities != nil { priorities?.load(leaves: leaves); maxPriority = largest }
        episodeStep = steps.map { Int32(truncatingIfNeeded: $0) }
        actions = acts.map { Int32(truncatingIfNeeded: $0) }
        rewards = rews
        terminated = term.map { $0 != 0 }
        truncated = trunc.map { $0 != 0 }
        written = Int(w[0])
    }
}
