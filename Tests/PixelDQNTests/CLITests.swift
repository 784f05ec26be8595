// The built pixel-dqn tool, run as users run it: outputs, negative numbers in options, and clear
// errors with a non-zero exit before any work is done.
import Foundation
import Testing
import PixelDQN

/// The pixel-dqn executable built next to the test bundle (which may live inside a .xctest folder).
let toolURL: URL = {
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    var exe = dir.appendingPathComponent("pixel-dqn")
    for _ in 0..<3 where !FileManager.default.fileExists(atPath: exe.path) {
        dir = dir.deletingLastPathComponent()
        exe = dir.appendingPathComponent("pixel-dqn")
    }
    return exe
}()

/// Runs the pixel-dqn tool and waits; returns (status, stdout, stderr).
func runTool(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
    try runProgram(toolURL.path, arguments, environment: environment)
}

/// Runs the program at `path` with `environment` added to this process's, and waits; returns
/// (status, stdout, stderr).
func runProgram(_ path: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = arguments
    if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

@Suite struct CLITests {
    @Test func traceAcceptsNegativeNumbersBothWaysAndStopsAtTheEnd() throws {
        let a = try runTool(["trace", "--state", "-0.1,0,0.05,0", "--actions", "0,1,1,0"])
        let b = try runTool(["trace", "--state=-0.1,0,0.05,0", "--actions", "0,1,1,0"])
        #expect(a.status == 0, "\(a.err)")
        #expect(a.out == b.out)
        let lines = a.out.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("{\"step\":1,\"action\":0,\"state\":[-0.1,-0.19580204225688186,0.05,0.30802988680046994],\"reward\":1.0,\"terminated\":false,\"truncated\":false}"))
        // From the edge, the episode ends at the first step although more actions were given.
        let c = try runTool(["trace", "--state", "2.4,1,0,0", "--actions", "1,1,1", "--env", "CartPole-v0"])
        #expect(c.out.split(separator: "\n").count == 1)
        #expect(c.out.contains("\"terminated\":true"))
    }

    @Test func badArgumentsFailBeforeAnyWork() throws {
        let dir = try temporaryFolder()
        let cases: [([String], String)] = [
            (["trace", "--state", "1,2,3", "--actions", "0"], "4 numbers"),
            (["trace", "--state", "0,0,0,0", "--actions", "0,2"], "only 0 and 1"),
            (["render", "--state", "0,0,0,0", "--width", "4", "--output", dir + "/x.png"], "--width"),
            (["dump-frames", "--frame-stack", "0", "--output", dir + "/d"], "--frame-stack"),
            (["train", "--batch-size", "64", "--buffer-size", "32", "--output", dir + "/t"], "--batch-size"),
            (["train", "--learning-rate", "-0.001", "--output", dir + "/t"], "--learning-rate"),
            (["train", "--frame-stack", "0", "--output", dir + "/t"], "--frame-stack"),
        ]
        for (args, needle) in cases {
            let r = try runTool(args)
            #expect(r.status != 0, "\(args) should fail")
            #expect(r.err.contains(needle), "\(args): stderr \(r.err)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/x.png"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/d"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/t"))
    }

    @Test func renderWritesTheFrameTheLibraryDraws() throws {
        let dir = try temporaryFolder()
        let r = try runTool(["render", "--state", "-0.1,0,0.05,0", "--width", "84", "--height", "84", "--output", dir + "/f.png"])
        #expect(r.status == 0, "\(r.err)")
        let image = try PNGImage.read(dir + "/f.png")
        #expect(image.pixels == Rasterizer(width: 84, height: 84).render(CartPoleState(x: -0.1, xDot: 0, theta: 0.05, thetaDot: 0)))
    }

    @Test func dumpFramesWritesFramesStacksAndIndex() throws {
        let dir = try temporaryFolder()
        let r = try runTool(["dump-frames", "--seed", "3", "--steps", "5", "--frame-stack", "3", "--output", dir])
        #expect(r.status == 0, "\(r.err)")
        let index = String(decoding: try AtomicFile.read(dir + "/index.csv"), as: UTF8.self).split(separator: "\n")
        #expect(index.count == 7)
        let phi = try PNGImage.read(dir + "/stacks/phi_00000.png")
        #expect(phi.width == 3 * 84 && phi.height == 84)
        #expect(phi.pixels.prefix(84).allSatisfy { $0 == 0 }, "after reset the oldest frames are zero")
        #expect(FileManager.default.fileExists(atPath: dir + "/frames/frame_00005.png"))
    }

    @Test func trainRefusesAFolderHoldingAnotherRun() throws {
        let dir = try temporaryFolder() + "/run"
        let run = RunFolder(path: dir)
        try run.prepareNew()
        try run.writeConfig(TrainingConfig())
        let r = try runTool(["train", "--observation", "state", "--output", dir])
        #expect(r.status != 0)
        #expect(r.err.contains("already holds a run"))
    }
}
