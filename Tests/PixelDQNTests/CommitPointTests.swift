// The checkpoint is a run folder's commit point: rows a kill leaves in metrics.csv after the
// rows the checkpoint recorded (the next, uncommitted stretch, at the checkpoint's own step too)
// are dropped on resume; rows missing from what it recorded are still refused.
import Foundation
import Testing
import PixelDQN

@Suite struct CommitPointTests {
    /// A run of 600 steps, checkpointed at 600, with a final evaluation of 20 episodes.
    private func config() -> TrainingConfig {
        var c = tinyConfig(.state, steps: 600)
        c.env = .cartPoleV0
        c.saveReplay = true
        c.checkpointEvery = 600
        c.evalEvery = 0
        c.finalEvalEpisodes = 20
        return c
    }

    /// Stops `c` in `folder` inside its final evaluation (its tenth step): the checkpoint at step
    /// 600 records the final evaluation as pending and counts no row for it.
    private func stopInTheFinalEvaluation(_ c: TrainingConfig, folder: String) throws {
        let run = RunFolder(path: folder)
        try run.prepareNew()
        try run.writeConfig(c)
        let make = { StateCartPole(version: c.env, frameStack: c.frameStack) }
        let t = try Trainer(config: c, folder: run, source: make(), evalSource: make(), resume: false)
        t.report = { _, _ in }
        var evaluationSteps = 0
        t.shouldStop = { [unowned t] in
            if t.isEvaluating && t.step == 600 { evaluationSteps += 1 }
            return evaluationSteps >= 10
        }
        let stopped = try t.run()
        #expect(stopped.interrupted && stopped.steps == 600)
        let checkpoint = try SafetensorsFile(contentsOf: URL(fileURLWithPath: run.checkpoint))
        #expect(checkpoint.metadata["pending"] == "final_evaluation")
    }

    /// The window: the final evaluation's row at step 600 reached metrics.csv, and the
    /// process was killed before the checkpoint that counts it. The resume drops the row, does
    /// the final evaluation again and ends with the uninterrupted run's bytes.
    @Test func anEvaluationRowAtTheCheckpointsOwnStepThatItDidNotCountIsDroppedOnResume() throws {
        let c = config()
        let whole = try temporaryFolder() + "/whole", parts = try temporaryFolder() + "/parts"
        _ = try runTraining(c, folder: whole)
        let final = try text(whole + "/metrics.csv")
        #expect(final.hasSuffix("\n") && final.split(separator: "\n").last?.hasPrefix("eval,600,") == true)

        try stopInTheFinalEvaluation(c, folder: parts)
        let committed = try text(parts + "/metrics.csv")
        #expect(!committed.contains("\neval,600,"))
        // What the killed process left: the uninterrupted run's metrics.csv, one row beyond the
        // checkpoint's, at its step.
        #expect(final.hasPrefix(committed) && final.count > committed.count)
        try AtomicFile.write(final, to: parts + "/metrics.csv")

        let resumed = try runTraining(c, folder: parts, resume: true)
        #expect(resumed.steps == 600 && !resumed.interrupted && resumed.finalEvaluation != nil)
        #expect(try fileBytes(whole + "/metrics.csv") == fileBytes(parts + "/metrics.csv"))
        #expect(try fileBytes(whole + "/model.safetensors") == fileBytes(parts + "/model.safetensors"))
    }

    /// Only rows beyond the recorded ones may go: a committed row removed (with an uncommitted
    /// row after it, so that the count matches) is still refused, and the folder is untouched.
    @Test func aCommittedRowRemovedIsRefusedEvenWithRowsAfterTheCheckpoint() throws {
        let c = config()
        let whole = try temporaryFolder() + "/whole", parts = try temporaryFolder() + "/parts"
        _ = try runTraining(c, folder: whole)
        try stopInTheFinalEvaluation(c, folder: parts)
        var lines = try text(whole + "/metrics.csv").split(separator: "\n").map(String.init)
        // Remove the third episode and renumber the later ones, so that every row still parses.
        lines.remove(at: 3)
        for i in 3..<lines.count where lines[i].hasPrefix("episode,") {
            var fields = lines[i].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            fields[2] = "\(Int(fields[2])! - 1)"
            lines[i] = fields.joined(separator: ",")
        }
        try AtomicFile.write(lines.joined(separator: "\n") + "\n", to: parts + "/metrics.csv")
        let before = try folderContents(parts)
        #expect {
            try runTraining(c, folder: parts, resume: true)
        } throws: { error in
            "\(error)".contains("metrics.csv") && "\(error)".contains("rows checkpoint.safetensors recorded")
        }
        #expect(try folderContents(parts) == before)
    }

    /// A checksum deleted from a checkpoint that was written with its checksums (it records the
    /// fields written since) is refused, with a damaged tensor behind it, and so is a deleted
    /// record of metrics.csv's rows.
    @Test(arguments: ["tensors_fnv1a", "metrics_rows", "metrics_fnv1a"])
    func aDeletedChecksumIsRefused(field: String) throws {
        let dir = try TemplateRun.copy("deleted-\(field)")
        let path = dir + "/checkpoint.safetensors"
        var file = try SafetensorsFile(contentsOf: URL(fileURLWithPath: path))
        #expect(file.metadata[field] != nil && file.metadata["pending"] != nil)
        file.metadata[field] = nil
        if field == "tensors_fnv1a" {
            // The damage the checksum was there to catch: one weight changed.
            let name = try #require(file.tensors.map(\.name).filter { $0.hasPrefix("online.") }.sorted().first)
            let tensor = try file.tensor(name)
            var weights = try tensor.floats(name: name, file: path)
            weights[0] += 0.5
            file.set(name, SafetensorsTensor(floats: weights, shape: tensor.shape))
        }
        try file.write(to: URL(fileURLWithPath: path))
        try expectRefusedResume(dir, ["checkpoint.safetensors", "\"\(field)\" is missing", "the file was edited"])
    }

}
