// One Atari 2600 emulator with a game loaded: ALE's own calls, after a check that ALE knows the
// ROM (it ends the process on one it does not). Actions here are
// ALE's action codes (0 NOOP … 17 DOWNLEFTFIRE); the game's minimal set maps an agent's action
// index to them (AtariGame). Not thread-safe: one emulator per environment.

import Foundation

/// An ALE instance playing one ROM.
public final class ALEEmulator {
    private let lib: ALELibrary
    private let handle: OpaquePointer
    /// The screen's size (210 × 160 for every game).
    public let screenHeight: Int, screenWidth: Int

    /// Loads `romPath` with ALE's `random_seed`, sticky actions (`repeat_action_probability`: 0 for
    /// v4, 0.25 for v5) and the frame cap per episode (Gymnasium's 108,000).
    public init(romPath: String, seed: Int32, repeatActionProbability: Float, maxFramesPerEpisode: Int) throws {
        let lib = try ALELibrary.shared()
        self.lib = lib
        try ALEEmulator.checkROM(romPath, lib: lib)
        var message = [CChar](repeating: 0, count: 512)
        let capacity = Int32(message.count)
        guard let h = message.withUnsafeMutableBufferPointer({ buffer in
            lib.create(romPath, seed, repeatActionProbability, Int32(maxFramesPerEpisode), buffer.baseAddress!, capacity)
        }) else {
            let problem = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw ALEError.badROM(path: romPath, problem: problem.isEmpty ? "no reason given" : problem)
        }
        handle = h
        screenHeight = Int(lib.screenHeight(h))
        screenWidth = Int(lib.screenWidth(h))
    }

    deinit { lib.destroy(handle) }

    /// The largest ROM accepted (Atari 2600 cartridges hold at most a few dozen KB).
    static let maximumROMBytes = 1 << 20

    /// A ROM reaches ALE only when its MD5 is one of the ROM set's (`MD5SUMS` in the ROM folder,
    /// written by Scripts/setup-ale.sh): ALE ends the process on a ROM it does not know.
    static func checkROM(_ path: String, lib: ALELibrary) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ALEError.badROM(path: path, problem: "cannot be read") }
        defer { try? handle.close() }
        let bytes = [UInt8](handle.readData(ofLength: maximumROMBytes + 1))
        guard bytes.count <= maximumROMBytes else {
            throw ALEError.badROM(path: path, problem: "larger than \(maximumROMBytes) bytes, no Atari 2600 ROM is")
        }
        let sums = lib.romFolder + "/MD5SUMS"
        guard let list = try? String(contentsOfFile: sums, encoding: .utf8) else {
            throw ALEError.badROM(path: path, problem: "\(sums) is missing, so the ROM cannot be checked")
        }
        let known = Set(list.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) })
        let digest = MD5.hex(bytes)
        guard known.contains(digest) else {
            throw ALEError.badROM(path: path, problem: "its MD5 \(digest) is none of the \(known.count) ROMs of the ROM set (\(sums)): the file is damaged or not a supported game")
        }
    }

    /// ALE's codes of the game's minimal action set, in ALE's order (Gymnasium's action indices).
    public var minimalActionSet: [Int32] {
        var codes = [Int32](repeating: 0, count: 18)
        let n = codes.withUnsafeMutableBufferPointer { lib.minimalActions(handle, $0.baseAddress!, 18) }
        return Array(codes.prefix(Int(n)))
    }

    /// One emulator frame with ALE action `code`; the game's reward for it.
    public func act(_ code: Int32) -> Int { Int(lib.act(handle, code)) }
    /// The game ended (not counting the frame cap).
    public var isGameOver: Bool { lib.gameOver(handle) != 0 }
    /// The frame cap ended the episode.
    public var isTruncated: Bool { lib.gameTruncated(handle) != 0 }
    public var lives: Int { Int(lib.lives(handle)) }
    /// Frames since the episode began.
    public var episodeFrameNumber: Int { Int(lib.episodeFrameNumber(handle)) }
    /// Starts a new game (ALE's `reset_game`).
    public func resetGame() { lib.resetGame(handle) }

    /// Writes the screen's gray levels (height × width bytes) into `output`.
    public func grayScreen(into output: UnsafeMutableBufferPointer<UInt8>) {
        precondition(output.count == screenHeight * screenWidth, "ALEEmulator.grayScreen: \(output.count) bytes, expected \(screenHeight * screenWidth)")
        lib.screenGray(handle, output.baseAddress!)
    }

    /// Writes the screen in colour (height × width × 3 bytes, RGB) into `output`.
    public func rgbScreen(into output: UnsafeMutableBufferPointer<UInt8>) {
        precondition(output.count == screenHeight * screenWidth * 3, "ALEEmulator.rgbScreen: \(output.count) bytes, expected \(screenHeight * screenWidth * 3)")
        lib.screenRGB(handle, output.baseAddress!)
    }

    /// The whole emulator state with its random generator (ALE's `cloneState(true)`), as bytes.
    public func saveState() -> [UInt8] {
        let n = Int(lib.cloneState(handle, nil, 0))
        var bytes = [UInt8](repeating: 0, count: n)
        _ = bytes.withUnsafeMutableBufferPointer { lib.cloneState(handle, $0.baseAddress!, Int32(n)) }
        return bytes
    }

    /// Restores a state from `saveState`.
    public func restoreState(_ bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { throw ALEError.badState(problem: "it is empty") }
        var message = [CChar](repeating: 0, count: 512)
        let capacity = Int32(message.count)
        let status = bytes.withUnsafeBufferPointer { b in
            message.withUnsafeMutableBufferPointer { m in
                lib.restoreState(handle, b.baseAddress!, Int32(b.count), m.baseAddress!, capacity)
            }
        }
        guard status == 0 else {
            throw ALEError.badState(problem: message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
    }
}
