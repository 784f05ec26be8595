// Safetensors round trips and every bad-file case: each must throw a SafetensorsError whose
// message names the tensor or the problem, never crash.
import Foundation
import Testing
import DQNNumerics

/// A fresh temporary folder per test.
func temporaryFolder(_ name: String) -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("dqn-numerics-\(name)-\(UInt32.random(in: 0...UInt32.max))")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Serialized bytes of a file with a raw JSON header (for hostile inputs).
func rawFile(header: String, data: [UInt8]) -> Data {
    let json = Array(header.utf8)
    var out = Data()
    withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
    out.append(contentsOf: json); out.append(contentsOf: data)
    return out
}

/// Expects parsing `data` to throw an error whose message contains every fragment.
func expectRejected(_ data: Data, _ fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        _ = try SafetensorsFile(data: data, file: "bad.safetensors")
        Issue.record("accepted a bad file; expected an error mentioning \(fragments)", sourceLocation: sourceLocation)
    } catch let error as SafetensorsError {
        for f in fragments {
            #expect(error.description.contains(f), "message '\(error)' lacks '\(f)'", sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("unexpected error type \(error)", sourceLocation: sourceLocation)
    }
}

@Suite struct SafetensorsTests {
    @Test func roundTripAllDTypes() throws {
        var file = SafetensorsFile(metadata: ["note": "hello \"world\""])
        file.set("w", SafetensorsTensor(floats: [1, -2.5, 3, 4, 5, 6], shape: [2, 3]))
        file.set("adam.step", SafetensorsTensor(int64s: [42], shape: []))
        file.set("rng", SafetensorsTensor(int64s: [Int64.min, -1, 0, Int64.max]))
        file.set("d", SafetensorsTensor(doubles: [0.1, 1e300]))
        file.set("frames", SafetensorsTensor(uint8s: [0, 255, 7], shape: [1, 3]))
        file.set("empty", SafetensorsTensor(floats: [], shape: [0, 4]))
        let folder = temporaryFolder("roundtrip")
        let url = folder.appendingPathComponent("a.safetensors")
        try file.write(to: url)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(leftovers == ["a.safetensors"], "temporary file left behind: \(leftovers)")
        let back = try SafetensorsFile(contentsOf: url)
        #expect(back.metadata == file.metadata)
        for (name, tensor) in file.tensors { #expect(back[name] == tensor, "tensor \(name) changed in the round trip") }
        #expect(try back.tensor("w").floats() == [1, -2.5, 3, 4, 5, 6])
        #expect(try back.tensor("rng").int64s() == [Int64.min, -1, 0, Int64.max])
        let bytes = try Data(contentsOf: url)
        #expect((bytes.count - 0) % 1 == 0 && (8 + Int(bytes[0])) % 8 == 0, "header not padded to 8 bytes")
    }

    /// A file read back refers to its mapped bytes: written again (streamed tensor by tensor)
    /// it is the same bytes as `serialized()`, and its tensors keep their values after the file
    /// is replaced by a rename, as a run replaces its checkpoint.
    @Test func aFileReadBackIsWrittenAgainFromItsMappedBytesAndOutlivesItsReplacement() throws {
        var file = SafetensorsFile(metadata: ["step": "7"])
        let frames = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        file.set("replay.frames", SafetensorsTensor(uint8s: frames, shape: [4, 1024]))
        file.set("w", SafetensorsTensor(floats: [0.5, -1, 2], shape: [3]))
        let folder = temporaryFolder("mapped")
        let a = folder.appendingPathComponent("a.safetensors"), b = folder.appendingPathComponent("b.safetensors")
        try file.write(to: a)
        #expect(try Data(contentsOf: a) == (try file.serialized()), "the streamed file differs from serialized()")
        let back = try SafetensorsFile(contentsOf: a)
        try back.write(to: b)
        #expect(try Data(contentsOf: b) == (try Data(contentsOf: a)), "a file read back and written again changed")
        var other = SafetensorsFile()
        other.set("replay.frames", SafetensorsTensor(uint8s: [UInt8](repeating: 9, count: 4096), shape: [4, 1024]))
        try other.write(to: a)
        #expect(try back.tensor("replay.frames").uint8s() == frames, "a tensor read back changed when its file was replaced")
        #expect(try back.tensor("replay.frames").withUnsafeBytes { Array($0) } == frames)
        #expect(try SafetensorsFile(contentsOf: a).tensor("replay.frames").uint8s() == [UInt8](repeating: 9, count: 4096))
    }

    /// A pass slice by slice (as the checkpoint's checksum makes) releases the pages of a mapped
    /// file, which come back from the file, and never touches bytes parsed from memory.
    @Test func aSlicedPassKeepsTheBytesOfAMappedFileAndOfBytesInMemory() throws {
        var file = SafetensorsFile()
        let values = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) }
        file.set("f", SafetensorsTensor(uint8s: values))
        let url = temporaryFolder("slices").appendingPathComponent("f.safetensors")
        try file.write(to: url)
        for parsed in [try SafetensorsFile(data: try file.serialized(), file: "memory"), try SafetensorsFile(contentsOf: url)] {
            let t = try parsed.tensor("f")
            var seen = 0
            t.forEachSlice { seen += $0.count }
            #expect(seen == values.count)
            #expect(try t.uint8s() == values, "a sliced pass changed the bytes")
            var copy = [UInt8](repeating: 0, count: values.count)
            copy.withUnsafeMutableBytes { t.copyBytes(to: $0) }
            #expect(copy == values)
        }
    }

    @Test func networkRoundTripAndRebuildFromMetadata() throws {
        var rng = Xoshiro256(seed: 5)
        let net = QNetwork(preset: .small, inputShape: [3, 36, 36], actions: 4, maxBatch: 2, rng: &rng)
        let url = temporaryFolder("net").appendingPathComponent("q.safetensors")
        try net.save(to: url, metadata: ["step": "100"])
        let rebuilt = try QNetwork(contentsOf: url, maxBatch: 1)
        #expect(rebuilt.architecture == net.architecture)
        #expect(Array(rebuilt.parameters) == Array(net.parameters))
        #expect(try SafetensorsFile(contentsOf: url).metadata["step"] == "100")
    }

    @Test func loadingChecksNamesShapesAndDTypes() throws {
        var rng = Xoshiro256(seed: 6)
        let net = QNetwork(preset: .mlp, inputShape: [4], actions: 2, maxBatch: 1, rng: &rng)
        let other = QNetwork(preset: .mlp, inputShape: [5], actions: 2, maxBatch: 1, rng: &rng)
        let folder = temporaryFolder("load")
        let wrongShape = folder.appendingPathComponent("shape.safetensors")
        try other.save(to: wrongShape)
        #expect { try net.load(from: wrongShape) } throws: { error in
            "\(error)".contains("fc1.weight") && "\(error)".contains("[256, 5]") && "\(error)".contains("expected [256, 4]")
        }
        var file = net.safetensors()
        file.set("fc2.bias", SafetensorsTensor(doubles: [0, 0]))
        #expect { try net.loadParameters(from: file, fileName: "x") } throws: { error in
            "\(error)".contains("fc2.bias") && "\(error)".contains("F64") && "\(error)".contains("expected F32")
        }
        var missing = SafetensorsFile(metadata: net.architecture.metadata)
        missing.set("fc1.weight", try #require(file["fc1.weight"]))
        #expect { try net.loadParameters(from: missing, fileName: "x") } throws: { "\($0)".contains("fc1.bias is missing") }
    }

    @Test func missingFile() {
        #expect { try SafetensorsFile(contentsOf: URL(fileURLWithPath: "/nonexistent/q.safetensors")) } throws: { error in
            "\(error)".contains("/nonexistent/q.safetensors") && "\(error)".contains("does not exist")
        }
    }

    @Test func truncatedFiles() throws {
        var file = SafetensorsFile()
        file.set("conv1.weight", SafetensorsTensor(floats: [1, 2, 3, 4], shape: [2, 2]))
        let good = try file.serialized()
        expectRejected(good.prefix(5), ["truncated"])
        expectRejected(good.prefix(20), ["header length", "outside the file"])
        expectRejected(good.prefix(good.count - 3), ["conv1.weight", "data_offsets", "truncated"])
    }

    @Test func notSafetensors() {
        expectRejected(Data("hello, this is a text file that is long enough".utf8), ["header length", "absurd"])
        expectRejected(rawFile(header: "not json at all", data: []), ["not JSON"])
        expectRejected(rawFile(header: "[1, 2]", data: []), ["not a JSON object"])
        var huge = Data(); withUnsafeBytes(of: UInt64.max.littleEndian) { huge.append(contentsOf: $0) }
        expectRejected(huge, ["absurd"])
    }

    @Test func badTensorEntries() {
        let four = [UInt8](repeating: 0, count: 16)
        expectRejected(rawFile(header: #"{"x":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}"#, data: four), ["tensor x", "unknown dtype BF16"])
        expectRejected(rawFile(header: #"{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: four), ["tensor x", "needs 12 bytes", "give 8"])
        expectRejected(rawFile(header: #"{"x":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}}"#, data: four), ["tensor x", "outside the data area"])
        expectRejected(rawFile(header: #"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"y":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, data: four), ["overlap"])
        expectRejected(rawFile(header: #"{"x":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, data: four), ["tensor x", "shape"])
        expectRejected(rawFile(header: #"{"x":{"dtype":"U8","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,8]}}"#, data: four), ["tensor x", "larger than the file"])
        expectRejected(rawFile(header: #"{"__metadata__":{"k":3}}"#, data: []), ["__metadata__", "k"])
    }
}
