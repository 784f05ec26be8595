// TensorBoard event files: the CRC-32C and its mask against known values, and the files a short
// training run writes, read back by the reader in TensorBoardReader.swift and compared with
// metrics.csv and timing.csv row by row; a resumed run adds a file and leaves the old ones alone.
import Foundation
import Testing
import PixelDQN

/// The points TensorBoard shows for each tag after reading `files` in order: a SessionLog START
/// at step s drops every earlier point at step s or later (EventAccumulator's purge).
func tensorBoardPoints(_ files: [String]) throws -> [String: [(step: Int, value: Float)]] {
    var points: [String: [(step: Int, value: Float)]] = [:]
    for file in files {
        for e in try readEventFile(file) {
            if e.sessionStatus == 1 {
                for tag in points.keys { points[tag]?.removeAll { $0.step >= e.step } }
            }
            for s in e.scalars { points[s.tag, default: []].append((e.step, s.value)) }
        }
    }
    return points
}

/// The points TensorBoard's data server (`tensorboard --logdir`'s default reader) shows: it
/// ignores SessionLog, and a new point of a tag drops that tag's points at its step or later.
func dataServerPoints(_ files: [String]) throws -> [String: [(step: Int, value: Float)]] {
    var points: [String: [(step: Int, value: Float)]] = [:]
    for file in files {
        for e in try readEventFile(file) {
            for s in e.scalars {
                points[s.tag, default: []].removeAll { $0.step >= e.step }
                points[s.tag, default: []].append((e.step, s.value))
            }
        }
    }
    return points
}

/// Checks that `points` holds exactly the rows of the run's metrics.csv and timing.csv; with
/// `lastPerStep`, of rows at one step only the last (the data server keeps one point per step:
/// the final evaluation replaces a periodic one at the same step).
func expectPointsMatchMetrics(_ points: [String: [(step: Int, value: Float)]], folder: String, lastPerStep: Bool = false,
                              sourceLocation: SourceLocation = #_sourceLocation) throws {
    let run = RunFolder(path: folder)
    let metrics = try MetricsLog.parse(String(decoding: try AtomicFile.read(run.metrics), as: UTF8.self), path: run.metrics)
    let timing = String(decoding: try AtomicFile.read(run.timing), as: UTF8.self).split(separator: "\n").dropFirst()
        .map { $0.split(separator: ",").map(String.init) }
    #expect(!metrics.episodes.isEmpty && !metrics.evaluations.isEmpty, sourceLocation: sourceLocation)
    #expect(timing.count == metrics.episodes.count, sourceLocation: sourceLocation)

    // metrics.csv writes %.6f; the event holds the value as float32.
    func check(_ tag: String, _ all: [(step: Int, value: Double)], tolerance: Double = 1e-6) {
        let rows = lastPerStep ? all.enumerated().filter { $0.offset + 1 == all.count || all[$0.offset + 1].step != $0.element.step }.map(\.element) : all
        let got = points[tag] ?? []
        #expect(got.count == rows.count, "\(tag): \(got.count) points, metrics has \(rows.count) rows", sourceLocation: sourceLocation)
        for (p, r) in zip(got, rows) {
            let tol = tolerance + 1e-7 * abs(r.value)
            #expect(p.step == r.step && isClose(Double(p.value), r.value, tolerance: tol),
                    "\(tag): point (\(p.step), \(p.value)), row (\(r.step), \(r.value)), tolerance \(tol)", sourceLocation: sourceLocation)
        }
    }
    let e = metrics.episodes
    check("charts/episodic_return", e.map { ($0.step, $0.episodeReturn) })
    check("charts/episodic_length", e.map { ($0.step, Double($0.length)) })
    check("charts/epsilon", e.map { ($0.step, $0.epsilon) })
    check("losses/td_loss", e.map { ($0.step, $0.meanLoss) })
    check("losses/q_values", e.map { ($0.step, $0.meanMaxQ) })
    // timing.csv rounds steps/s to 0.1.
    check("charts/SPS", timing.map { (Int($0[0]) ?? -1, Double($0[2]) ?? .nan) }, tolerance: 0.05)
    let evals = metrics.evaluations.filter { !$0.confirmation }, confirms = metrics.evaluations.filter(\.confirmation)
    check("eval/mean_return", evals.map { ($0.step, $0.stats.mean) })
    check("eval/std_return", evals.map { ($0.step, $0.stats.std) })
    check("eval/confirm_mean_return", confirms.map { ($0.step, $0.stats.mean) })
    check("eval/confirm_std_return", confirms.map { ($0.step, $0.stats.std) })
    let expectedTags = Set(TensorBoardWriter.episodeTags + TensorBoardWriter.evaluationTags
                           + (confirms.isEmpty ? [] : TensorBoardWriter.confirmationTags))
    #expect(Set(points.keys) == expectedTags, sourceLocation: sourceLocation)
}

@Suite struct TensorBoardTests {
    @Test func crc32cKnownValues() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        // RFC 3720, B.4: 32 bytes of zeros, of ones, and ascending 0...31.
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum([UInt8]()) == 0)
    }

    @Test func maskedCRCIsRotateRight15PlusConstant() {
        var rng = Xoshiro256(seed: 14)
        for crc in [0, 1, 0xFFFF_FFFF, 0xE306_9283] + (0..<100).map({ _ in UInt32(truncatingIfNeeded: rng.next()) }) {
            let expected = UInt32(truncatingIfNeeded: (UInt64((crc >> 15) | (crc << 17)) + 0xA282_EAD8) & 0xFFFF_FFFF)
            #expect(CRC32C.mask(crc) == expected, "crc \(crc)")
            #expect(CRC32C.unmask(CRC32C.mask(crc)) == crc)
        }
        #expect(CRC32C.mask(0) == 0xA282_EAD8)
        // The masked CRC of "123456789": rotr15(0xE3069283) = 0x2507C60D, + 0xA282EAD8.
        #expect(CRC32C.mask(0xE306_9283) == 0xC78A_B0E5)
    }

    @Test func protobufEncodingOfOneScalarEvent() throws {
        // Built by hand from the wire format: Event{wall_time: 1.5, step: 300, summary{value{tag "a", simple_value 2}}}.
        let bytes = TensorBoardEvent.scalars([(tag: "a", value: 2)], step: 300, wallTime: 1.5)
        let expected: [UInt8] = [0x09, 0, 0, 0, 0, 0, 0, 0xF8, 0x3F,   // 1: double 1.5
                                 0x10, 0xAC, 0x02,                     // 2: varint 300
                                 0x2A, 0x0A, 0x0A, 0x08,               // 5: Summary { 1: Value {
                                 0x0A, 0x01, 0x61,                     //   1: "a"
                                 0x15, 0, 0, 0, 0x40]                  //   2: float 2 } }
        #expect(bytes == expected)
        let framed = TFRecord.frame(bytes)
        #expect(framed.count == bytes.count + 16)
        #expect(try tfRecords(framed) == [bytes])
    }

    @Test func aShortRunWritesEveryRowOfMetricsToItsEventFile() throws {
        let dir = try temporaryFolder()
        let start = Date().timeIntervalSince1970
        let c = tinyConfig(.state)
        _ = try runTraining(c, folder: dir)
        let end = Date().timeIntervalSince1970
        let files = try eventFiles(in: dir)
        try #require(files.count == 1)
        let name = (files[0] as NSString).lastPathComponent
        let parts = name.split(separator: ".", maxSplits: 4).map(String.init)
        #expect(parts.count == 5 && parts[0...2] == ["events", "out", "tfevents"] && parts[3].count == 10 && Int(parts[3]) != nil,
                "file name \(name)")

        let events = try readEventFile(files[0])
        #expect(events.first?.fileVersion == "brain.Event:2" && events.first?.step == 0)
        for e in events {
            #expect(e.wallTime >= start.rounded(.down) - 1 && e.wallTime <= end + 1, "wall time \(e.wallTime) outside the run")
        }
        // The hyperparameters: one text summary at step 0, CleanRL's table of config.json's fields.
        let texts = events.flatMap(\.texts)
        try #require(texts.count == 1)
        #expect(texts[0].tag == "hyperparameters/text_summary" && texts[0].plugin == "text")
        #expect(texts[0].dtype == 7 && texts[0].shape == [1] && texts[0].strings.count == 1)
        let table = texts[0].strings.first ?? ""
        let keys = try JSONSerialization.jsonObject(with: Data(try AtomicFile.read(dir + "/config.json"))) as? [String: Any] ?? [:]
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines.prefix(2) == ["|param|value|", "|-|-|"])
        #expect(lines.count == 2 + keys.count)
        #expect(lines.contains("|seed|1|") && lines.contains("|totalTimesteps|400|") && lines.contains("|double|true|")
                && lines.contains("|env|CartPole-v0|") && lines.contains("|tensorboard|true|"), "\(table)")
        #expect(events.allSatisfy { $0.sessionStatus == nil })

        try expectPointsMatchMetrics(tensorBoardPoints(files), folder: dir)
        try expectPointsMatchMetrics(dataServerPoints(files), folder: dir, lastPerStep: true)
    }

    @Test func aResumedRunAddsAFileAndLeavesTheOldOnesUnchanged() throws {
        var c = tinyConfig(.state, steps: 600)
        c.checkpointEvery = 100
        let dir = try temporaryFolder()
        _ = try runTraining(c, folder: dir, stopAt: 300)
        let checkpointAt300 = try AtomicFile.read(dir + "/checkpoint.safetensors")
        // Play on to 450, then put the checkpoint of step 300 back: the folder is as a run killed
        // after step 450 would leave it if its last checkpoint had been at 300, with events of
        // steps 301-450 already on disk.
        _ = try runTraining(c, folder: dir, resume: true, stopAt: 450)
        try AtomicFile.write(checkpointAt300, to: dir + "/checkpoint.safetensors")
        let before = try eventFiles(in: dir)
        try #require(before.count == 2)
        let oldBytes = try before.map { try AtomicFile.read($0) }
        #expect(try readEventFile(before[1]).contains { $0.step > 400 && !$0.scalars.isEmpty })

        let result = try runTraining(c, folder: dir, resume: true)
        #expect(result.steps == 600)
        let after = try eventFiles(in: dir)
        try #require(after.count == 3)
        #expect(Array(after.prefix(2)) == before, "the old files keep their names and the new one sorts after them")
        for (path, bytes) in zip(before, oldBytes) { #expect(try AtomicFile.read(path) == bytes, "\(path) changed") }

        let newest = try readEventFile(after[2])
        #expect(newest.first?.fileVersion == "brain.Event:2")
        // The START names the oldest of the last episode and evaluation rows up to step 300, and
        // the rows from there to 300 follow it again.
        let kept = try MetricsLog.parse(String(decoding: try AtomicFile.read(dir + "/metrics.csv"), as: UTF8.self), path: "metrics.csv")
        let lastEpisode = try #require(kept.episodes.last { $0.step <= 300 }), lastEval = try #require(kept.evaluations.last { $0.step <= 300 })
        let start = min(lastEpisode.step, lastEval.step)
        #expect(newest.count > 1 && newest[1].sessionStatus == 1 && newest[1].step == start,
                "the new file starts with a SessionLog START at step \(start)")
        #expect(newest.dropFirst(2).first { $0.step > 300 }.map { _ in true } ?? false)
        #expect(newest.allSatisfy { $0.texts.isEmpty }, "the hyperparameters are written once, by the first start")
        // Read in order, the three files show exactly the final metrics, both with the Python
        // reader's purge and with the data server's per-tag replacement.
        try expectPointsMatchMetrics(tensorBoardPoints(after), folder: dir)
        try expectPointsMatchMetrics(dataServerPoints(after), folder: dir, lastPerStep: true)
    }

    @Test func noTensorBoardWritesNoEventFile() throws {
        var c = tinyConfig(.state, steps: 200)
        c.tensorboard = false
        let dir = try temporaryFolder()
        _ = try runTraining(c, folder: dir)
        #expect(try eventFiles(in: dir).isEmpty)
        #expect(try RunFolder(path: dir).readConfig().tensorboard == false)
    }

    @Test func configsWrittenBeforeTheOptionExistedReadWithoutTensorBoard() throws {
        let dir = try temporaryFolder()
        let run = RunFolder(path: dir)
        try run.writeConfig(TrainingConfig())
        var object = try JSONSerialization.jsonObject(with: Data(try fileBytes(run.config))) as? [String: Any] ?? [:]
        #expect(object.removeValue(forKey: "tensorboard") != nil, "tensorboard is written to config.json")
        try AtomicFile.write([UInt8](try JSONSerialization.data(withJSONObject: object)), to: run.config)
        #expect(try run.readConfig().tensorboard == false)
        #expect(TrainingConfig().tensorboard == true)
    }

    @Test func theToolHonoursNoTensorBoardAndPrintsItsVersion() throws {
        let dir = try temporaryFolder()
        let off = try runTool(["train", "--observation", "state", "--total-timesteps", "300", "--learning-starts", "100",
                               "--eval-every", "0", "--final-eval-episodes", "1", "--no-tensorboard", "--quiet", "--output", dir + "/off"])
        #expect(off.status == 0, "\(off.err)")
        #expect(try eventFiles(in: dir + "/off").isEmpty)
        let on = try runTool(["train", "--observation", "state", "--total-timesteps", "300", "--learning-starts", "100",
                              "--eval-every", "0", "--final-eval-episodes", "1", "--quiet", "--output", dir + "/on"])
        #expect(on.status == 0, "\(on.err)")
        #expect(try eventFiles(in: dir + "/on").count == 1)

        for args in [["--version"], ["train", "--version"], ["play", "--version"]] {
            let r = try runTool(args)
            #expect(r.status == 0 && r.out == pixelDQNVersion + "\n", "\(args): \(r.status) \(r.out) \(r.err)")
        }
        #expect(pixelDQNVersion == "0.2.0")
    }
}
