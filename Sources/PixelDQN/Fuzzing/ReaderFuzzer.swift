// Mutation fuzzing of the two file readers users point at files from elsewhere: PNG (libpng)
// and safetensors. Every mutated input must either load or throw the reader's own error; a
// crash or a hang fails the run. Shared by the test suite (short) and `pixel-dqn fuzz` (long).
import Foundation

public enum ReaderFuzzer {
    public struct Report: Sendable, CustomStringConvertible {
        public var reader: String
        public var tried = 0
        public var loaded = 0
        public var rejected = 0
        /// Inputs that threw something other than the reader's own error type.
        public var unexpected: [String] = []
        public var description: String {
            "\(reader): \(tried) inputs, \(loaded) loaded, \(rejected) rejected with a clear error, \(unexpected.count) unexpected"
        }
    }

    /// Mutations of `seed`: truncation at every offset, then random bit flips, byte overwrites
    /// with boundary values, and splices, `iterations` in all (at least the truncations).
    static func mutations(of seed: [UInt8], iterations: Int, rng: inout Xoshiro256, body: ([UInt8], String) -> Void) {
        var count = 0
        for cut in 0..<seed.count where count < iterations {
            body(Array(seed[0..<cut]), "truncated at \(cut)")
            count += 1
        }
        let specials: [UInt8] = [0, 1, 0x7F, 0x80, 0xFF, UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "\"")]
        while count < iterations {
            var m = seed
            let kind = rng.nextIndex(below: 4)
            let flips = 1 + rng.nextIndex(below: 4)
            var what = ""
            for _ in 0..<flips {
                let i = rng.nextIndex(below: m.count)
                switch kind {
                case 0: m[i] ^= UInt8(1 << rng.nextIndex(below: 8)); what += "flip@\(i) "
                case 1: m[i] = specials[rng.nextIndex(below: specials.count)]; what += "set@\(i) "
                case 2:
                    let j = rng.nextIndex(below: m.count)
                    m.replaceSubrange(min(i, j)..<max(i, j), with: [])
                    what += "cut \(min(i, j))..<\(max(i, j)) "
                default:
                    let n = 1 + rng.nextIndex(below: 16)
                    m.insert(contentsOf: (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: i)
                    what += "insert \(n)@\(i) "
                }
                if m.isEmpty { break }
            }
            body(m, what)
            count += 1
        }
    }

    /// Fuzzes the PNG reader from a small valid gray image.
    public static func fuzzPNG(iterations: Int, seed: UInt64) throws -> Report {
        var rng = Xoshiro256(seed: seed)
        let image = PNGImage(width: 23, height: 17, pixels: (0..<(23 * 17)).map { UInt8(truncatingIfNeeded: $0 &* 37) })
        let valid = try image.encoded()
        var report = Report(reader: "PNG")
        mutations(of: valid, iterations: iterations, rng: &rng) { bytes, what in
            report.tried += 1
            do {
                let decoded = try PNGImage.decode(bytes, channels: 1 + 2 * (report.tried % 2), name: "fuzz")
                precondition(decoded.pixels.count == decoded.width * decoded.height * decoded.channels)
                report.loaded += 1
            } catch is PNGError {
                report.rejected += 1
            } catch {
                report.unexpected.append("\(what): \(error)")
            }
        }
        return report
    }

    /// Fuzzes the safetensors reader (and loading into a network) from a small valid
    /// checkpoint, plus crafted headers: lengths and offsets outside the file, absurd and
    /// huge shapes, wrong dtypes.
    public static func fuzzSafetensors(iterations: Int, seed: UInt64) throws -> Report {
        var rng = Xoshiro256(seed: seed)
        var initRNG = Xoshiro256(seed: 1)
        let net = QNetwork(preset: .mlp, inputShape: [4], actions: 2, maxBatch: 1, rng: &initRNG)
        // A small file keeps the run fast: the mlp's two tensors, cut down to a few values each.
        var file = SafetensorsFile(metadata: net.architecture.metadata)
        file.set("fc1.bias", SafetensorsTensor(floats: [1, 2, 3], shape: [3]))
        file.set("steps", SafetensorsTensor(int64s: [7], shape: [1]))
        file.set("frame", SafetensorsTensor(uint8s: [1, 2, 3, 4], shape: [2, 2]))
        let valid = [UInt8](try file.serialized())
        var report = Report(reader: "safetensors")
        func attempt(_ bytes: [UInt8], _ what: String) {
            report.tried += 1
            do {
                let f = try SafetensorsFile(data: Data(bytes), file: "fuzz")
                for (name, t) in f.tensors {
                    switch t.dtype {
                    case .F32: _ = try t.floats(name: name, file: "fuzz")
                    case .F64: _ = try t.doubles(name: name, file: "fuzz")
                    case .I64: _ = try t.int64s(name: name, file: "fuzz")
                    case .U8: _ = try t.uint8s(name: name, file: "fuzz")
                    }
                }
                // Loading into a network must check names, shapes and dtypes.
                if (try? net.loadParameters(from: f, fileName: "fuzz")) != nil, f["fc1.weight"] == nil {
                    report.unexpected.append("\(what): loaded a network from a file without fc1.weight")
                }
                report.loaded += 1
            } catch is SafetensorsError {
                report.rejected += 1
            } catch {
                report.unexpected.append("\(what): \(error)")
            }
        }
        // Crafted headers first.
        let crafted: [String] = [
            #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4000000000]}}"#,
            #"{"a":{"dtype":"F32","shape":[1000000000,1000000000],"data_offsets":[0,4]}}"#,
            #"{"a":{"dtype":"F32","shape":[9223372036854775807,2],"data_offsets":[0,4]}}"#,
            #"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#,
            #"{"a":{"dtype":"Q7","shape":[1],"data_offsets":[0,4]}}"#,
            #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#,
            #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#,
            #"{"a":{"dtype":"F32","shape":"x","data_offsets":[0,4]}}"#,
            #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
            #"{"__metadata__":{"preset":5}}"#, #"[1,2,3]"#, #"{"#, "",
        ]
        for header in crafted {
            let h = Array(header.utf8)
            var bytes = withUnsafeBytes(of: UInt64(h.count).littleEndian) { Array($0) } + h + [0, 0, 128, 63]
            attempt(bytes, "crafted \(header)")
            bytes.replaceSubrange(0..<8, with: withUnsafeBytes(of: UInt64.max.littleEndian) { Array($0) })
            attempt(bytes, "crafted header length 2^64-1")
            bytes.replaceSubrange(0..<8, with: withUnsafeBytes(of: UInt64(1 << 40).littleEndian) { Array($0) })
            attempt(bytes, "crafted header length 2^40")
        }
        mutations(of: valid, iterations: max(0, iterations - report.tried), rng: &rng) { bytes, what in attempt(bytes, what) }
        return report
    }
}
