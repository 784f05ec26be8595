// `play` and `dump-frames` into a folder an earlier call wrote: the folder shows this call's
// pictures only; and a GIF path whose folder takes no file is refused before anything is played.
import Foundation
import Testing
import PixelDQN

private func pictures(_ folder: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".png") }.sorted()
}

@Suite struct FrameOutputTests {
    @Test func dumpFramesRemovesAnEarlierLongerCallsFramesAndNothingElse() throws {
        let dir = try temporaryFolder() + "/frames"
        let long = try runTool(["dump-frames", "--steps", "8", "--size", "36", "--output", dir])
        #expect(long.status == 0, "\(long.err)")
        #expect(try pictures(dir + "/frames").count == 9)
        try AtomicFile.write("mine\n", to: dir + "/frames/notes.txt")
        try AtomicFile.write("mine\n", to: dir + "/frames/frame_1.png")   // not a name dump-frames writes
        let short = try runTool(["dump-frames", "--steps", "3", "--size", "36", "--output", dir])
        #expect(short.status == 0, "\(short.err)")
        #expect(try pictures(dir + "/frames") == ["frame_00000.png", "frame_00001.png", "frame_00002.png", "frame_00003.png", "frame_1.png"])
        #expect(try pictures(dir + "/stacks") == ["phi_00000.png", "phi_00001.png", "phi_00002.png", "phi_00003.png"])
        #expect(try text(dir + "/frames/notes.txt") == "mine\n")
    }

    @Test func playRemovesAnEarlierLongerCallsFrames() throws {
        let dir = try temporaryFolder() + "/play"
        let long = try runTool(["play", "--max-steps", "12", "--output", dir])
        #expect(long.status == 0, "\(long.err)")
        #expect(try pictures(dir + "/frames").count == 12)
        let short = try runTool(["play", "--max-steps", "4", "--output", dir])
        #expect(short.status == 0, "\(short.err)")
        #expect(try pictures(dir + "/frames") == (0..<4).map { String(format: "frame_%05d.png", $0) })
        #expect(try pictures(dir + "/stacks") == (0..<4).map { String(format: "phi_%05d.png", $0) })
    }

    @Test func aGIFWhoseFolderTakesNoFileIsRefusedBeforePlaying() throws {
        // /proc takes no new file, for root too.
        let r = try runTool(["play", "--gif", "/proc/episode.gif"])
        #expect(r.status == 64, "exit \(r.status): \(r.err)")
        #expect(r.err.contains("--gif /proc/episode.gif") && r.err.contains("cannot write in the folder /proc"), "\(r.err)")
        #expect(!r.out.contains("episode return"), "the episode was played: \(r.out)")
        let d = try runTool(["dump-frames", "--steps", "5", "--gif", "/proc/random.gif"])
        #expect(d.status == 64 && d.err.contains("cannot write in the folder /proc"), "exit \(d.status): \(d.err)")
    }
}
