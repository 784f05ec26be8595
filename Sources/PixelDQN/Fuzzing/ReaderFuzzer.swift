// Mutation fuzzing of the two file readers users point at files from elsewhere: PNG (libpng)
// and safetensors, through the same entry points as the libFuzzer targets (FuzzTarget). Every
// mutated input must either load or throw the reader's own error; a crash or a hang fails the
// run. Shared by the test suite (short) and `pixel-dqn fuzz` (long); coverage-guided fuzzing is
// Scripts/fuzz.sh.
import Foundation

package enum ReaderFuzzer {
    package struct Report: Sendable, CustomStringConvertible {
        package var reader: String
        package var tried = 0
        package var loaded = 0
        package var rejected = 0
        /// Inputs that threw something other than the reader's own error type.
        package var unexpected: [String] = []
        package var description: String {
            "\(reader): \(tried) inputs, \(loaded) loaded, \(rejected) rejected with a clear error, \(unexpected.count) unexpected"
        }

        /// Counts one input's outcome; `what` describes the input.
        mutating func record(_ outcome: FuzzOutcome, _ what: String) {
            tried += 1
            switch outcome {
            case .loaded: loaded += 1
            case .rejected: rejected += 1
            case .unexpected(let message): unexpected.append("\(what): \(message)")
            }
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
    package static func fuzzPNG(iterations: Int, seed: UInt64) throws -> Report {
        var rng = Xoshiro256(seed: seed)
        let image = PNGImage(width: 23, height: 17, pixels: (0..<(23 * 17)).map { UInt8(truncatingIfNeeded: $0 &* 37) })
        let valid = try image.encoded()
        var report = Report(reader: "PNG")
        mutations(of: valid, iterations: iterations, rng: &rng) { bytes, what in
            report.record(FuzzTarget.png.feed(bytes), what)
        }
        return report
    }

    /// Fuzzes the safetensors reader (with loading into a network and a checkpoint restore)
    /// from a small valid file, plus crafted headers: lengths and offsets outside the file,
    /// absurd and huge shapes, wrong dtypes.
    package static func fuzzSafetensors(iterations: Int, seed: UInt64) throws -> Report {
        var rng = Xoshiro256(seed: seed)
        var initRNG = Xoshiro256(seed: 1)
        let net = QNetwork(preset: .mlp, inputShape: [4], actions: 2, maxBatch: 1, rng: &initRNG)
        // A small file keeps the run fast: the mlp's metadata and a few small tensors.
        var file = SafetensorsFile(metadata: net.architecture.metadata)
        file.set("fc1.bias", SafetensorsTensor(floats: [1, 2, 3], shape: [3]))
        file.set("steps", SafetensorsTensor(int64s: [7], shape: [1]))
        file.set("frame", SafetensorsTensor(uint8s: [1, 2, 3, 4], shape: [2, 2]))
        let valid = [UInt8](try file.serialized())
        var report = Report(reader: "safetensors")
        func attempt(_ bytes: [UInt8], _ what: String) { report.record(FuzzTarget.safetensors.feed(bytes), what) }
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
