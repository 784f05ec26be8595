// Test support: locating fixtures, comparing floats through one tolerance helper, and golden
// images that are recorded (and fail) when missing or when RECORD_FIXTURES=1.
import Foundation
import Testing
import PixelDQN

enum Fixtures {
    /// The repository's Fixtures/ folder, found from this file's path.
    static let root: String = {
        let here = URL(fileURLWithPath: #filePath)
        return here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures").path
    }()

    static func path(_ relative: String) -> String { root + "/" + relative }

    static var recording: Bool { ProcessInfo.processInfo.environment["RECORD_FIXTURES"] == "1" }

    /// Compares `image` with the golden PNG at `relative`. A missing golden (or RECORD_FIXTURES=1)
    /// is written and the test fails, so that a person looks at every new baseline. A mismatch
    /// names the first differing (frame, x, y), where frames of `frameWidth` lie side by side,
    /// and writes the actual image next to the golden as `<name>.actual.png`.
    static func checkGolden(_ image: PNGImage, _ relative: String, frameWidth: Int,
                            sourceLocation: SourceLocation = #_sourceLocation) throws {
        let file = path(relative)
        if recording || !FileManager.default.fileExists(atPath: file) {
            try AtomicFile.makeFolder((file as NSString).deletingLastPathComponent)
            try image.write(to: file)
            Issue.record("recorded golden \(relative); look at it, then run the tests again", sourceLocation: sourceLocation)
            return
        }
        let golden = try PNGImage.read(file)
        guard golden.width == image.width, golden.height == image.height else {
            try image.write(to: file.replacingOccurrences(of: ".png", with: ".actual.png"))
            Issue.record("\(relative): size \(image.width)x\(image.height), golden is \(golden.width)x\(golden.height)", sourceLocation: sourceLocation)
            return
        }
        if let i = golden.pixels.indices.first(where: { golden.pixels[$0] != image.pixels[$0] }) {
            let x = i % image.width, y = i / image.width
            try image.write(to: file.replacingOccurrences(of: ".png", with: ".actual.png"))
            Issue.record("\(relative): first difference at frame \(x / frameWidth), x \(x % frameWidth), y \(y): golden \(golden.pixels[i]), actual \(image.pixels[i])", sourceLocation: sourceLocation)
        }
    }
}

/// A scratch folder under the system temporary directory, unique per call.
func temporaryFolder(_ name: String = #function) throws -> String {
    let safe = name.filter { $0.isLetter || $0.isNumber }
    let path = NSTemporaryDirectory() + "pixel-dqn-tests/\(safe)-\(UInt64.random(in: 0...UInt64.max))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// |a − b| ≤ tolerance, the one float comparison the pipeline tests use.
func isClose(_ a: Double, _ b: Double, tolerance: Double) -> Bool { abs(a - b) <= tolerance }
