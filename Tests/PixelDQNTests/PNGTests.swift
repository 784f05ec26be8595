// PNG through libpng: round trips, and every bad file gives a thrown error naming the file.
import Foundation
import Testing
import PixelDQN

@Suite struct PNGTests {
    private func sample(channels: Int) -> PNGImage {
        var rng = Xoshiro256(seed: 5)
        let (w, h) = (37, 23)
        return PNGImage(width: w, height: h, channels: channels,
                        pixels: (0..<(w * h * channels)).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
    }

    @Test(arguments: [1, 3])
    func roundTrips(channels: Int) throws {
        let dir = try temporaryFolder()
        let image = sample(channels: channels)
        try image.write(to: dir + "/a.png")
        #expect(try PNGImage.read(dir + "/a.png", channels: channels) == image)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(leftovers == ["a.png"], "no temporary file may be left behind")
    }

    @Test func readsRGBAsBT601Gray() throws {
        let dir = try temporaryFolder()
        try PNGImage(width: 1, height: 1, channels: 3, pixels: [202, 152, 101]).write(to: dir + "/c.png")
        let g = try PNGImage.read(dir + "/c.png", channels: 1)
        // libpng converts with its own sRGB-aware weights; it must land near BT.601's 161.
        #expect(abs(Int(g.pixels[0]) - 161) <= 3, "got \(g.pixels[0])")
    }

    @Test func missingFileNamesThePath() {
        let error = #expect(throws: PNGError.self) { try PNGImage.read("/nonexistent/frame.png") }
        #expect(error?.description.contains("/nonexistent/frame.png") == true)
        #expect(error?.description.contains("no such file") == true)
    }

    @Test func notAPNGIsRefused() throws {
        let dir = try temporaryFolder()
        try AtomicFile.write("hello, not a picture", to: dir + "/x.png")
        let error = #expect(throws: PNGError.self) { try PNGImage.read(dir + "/x.png") }
        #expect(error?.description.contains("not a PNG") == true)
    }

    @Test func everyTruncationThrows() throws {
        let bytes = try sample(channels: 1).encoded()
        for cut in stride(from: 0, to: bytes.count - 1, by: 1) {
            // Cutting only the IEND trailer can still decode; anything that decodes must be intact.
            do {
                let image = try PNGImage.decode(Array(bytes[0..<cut]), name: "cut\(cut).png")
                #expect(image == sample(channels: 1), "cut at \(cut) decoded to a different image")
            } catch let error as PNGError {
                #expect(error.path == "cut\(cut).png")
            }
        }
    }

    @Test func writingIntoAMissingFolderThrows() {
        let error = #expect(throws: PNGError.self) {
            try PNGImage(width: 2, height: 2, fill: 0).write(to: "/nonexistent-dir/out.png")
        }
        #expect(error?.description.contains("/nonexistent-dir/out.png") == true)
    }
}
