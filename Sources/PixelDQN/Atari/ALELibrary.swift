// The Arcade Learning Environment, loaded at run time: Scripts/setup-ale.sh builds ALE and
// Native/ale/ale_shim.cpp into one shared library, and this file finds it with dlopen and binds
// its extern "C" functions. A machine that never set ALE up builds and runs every other task;
// an Atari task there stops with `ALEError.notSetUp`, which names the command that sets it up.
import Foundation

/// Why an Atari task cannot be used.
public enum ALEError: Error, CustomStringConvertible, Equatable {
    /// The library is not where Scripts/setup-ale.sh puts it.
    case notSetUp(path: String)
    /// The library exists but cannot be loaded or lacks a function.
    case unusableLibrary(path: String, problem: String)
    /// No ROM for the game in the ROM folder.
    case unknownGame(name: String, romFolder: String, known: [String])
    /// ALE refused the ROM file (damaged, or not a supported game).
    case badROM(path: String, problem: String)
    /// An emulator state (from a checkpoint) that ALE could not restore.
    case badState(problem: String)

    public var description: String {
        switch self {
        case .notSetUp(let path):
            return "the Arcade Learning Environment is not set up (no \(path)); Atari tasks need it: run Scripts/setup-ale.sh once (it installs cmake, a C++ compiler and zlib, downloads ale-py \(ALELibrary.aleVersion)'s source from PyPI and builds it; about two minutes)"
        case .unusableLibrary(let path, let problem):
            return "\(path): cannot be used (\(problem)); run Scripts/setup-ale.sh again to rebuild it"
        case .unknownGame(let name, let folder, let known):
            let sample = known.prefix(12).joined(separator: ", ")
            return "unknown Atari game \"\(name)\": no ROM \(AtariGameID.romFileName(game: name)) in \(folder); the ROM set has \(known.count) games (\(sample), …)"
        case .badROM(let path, let problem):
            return "\(path): ALE cannot load this ROM (\(problem)); expected the ROM that Scripts/setup-ale.sh installs (run it again to restore the ROMs)"
        case .badState(let problem):
            return "the emulator state cannot be restored: \(problem)"
        }
    }
}

/// The shim's functions, bound once per process.
public final class ALELibrary: @unchecked Sendable {
    /// The ale-py release whose sources and ROMs Scripts/setup-ale.sh installs.
    public static let aleVersion = "0.12.1"
    /// The shim interface this code expects (`pdq_ale_abi_version`).
    static let abiVersion: Int32 = 1

    typealias Create = @convention(c) (UnsafePointer<CChar>, Int32, Float, Int32, UnsafeMutablePointer<CChar>, Int32) -> OpaquePointer?
    typealias Handle1 = @convention(c) (OpaquePointer) -> Int32
    typealias HandleVoid = @convention(c) (OpaquePointer) -> Void
    typealias Act = @convention(c) (OpaquePointer, Int32) -> Int32
    typealias Actions = @convention(c) (OpaquePointer, UnsafeMutablePointer<Int32>, Int32) -> Int32
    typealias Screen = @convention(c) (OpaquePointer, UnsafeMutablePointer<UInt8>) -> Void
    typealias Clone = @convention(c) (OpaquePointer, UnsafeMutablePointer<UInt8>?, Int32) -> Int32
    typealias Restore = @convention(c) (OpaquePointer, UnsafePointer<UInt8>, Int32, UnsafeMutablePointer<CChar>, Int32) -> Int32

    let create: Create
    let destroy: HandleVoid
    let minimalActions: Actions
    let act: Act
    let gameOver: Handle1
    let gameTruncated: Handle1
    let lives: Handle1
    let episodeFrameNumber: Handle1
    let resetGame: HandleVoid
    let screenWidth: Handle1
    let screenHeight: Handle1
    let screenGray: Screen
    let screenRGB: Screen
    let cloneState: Clone
    let restoreState: Restore
    /// The folder of the ROMs (`<game>.bin`).
    public let romFolder: String

    /// Where Scripts/setup-ale.sh puts ALE: $PIXEL_DQN_ALE_DIR, or `.ale` beside Package.swift.
    public static var folder: String {
        if let dir = ProcessInfo.processInfo.environment["PIXEL_DQN_ALE_DIR"], !dir.isEmpty { return dir }
        // This file is Sources/PixelDQN/Atari/ALELibrary.swift in the package.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".ale").path
    }

    /// The library path inside `folder`.
    public static var libraryPath: String { folder + "/lib/libpixeldqn-ale.so" }

    nonisolated(unsafe) private static var loaded: Result<ALELibrary, ALEError>?
    private static let lock = NSLock()

    /// The process's library, loaded on first use.
    public static func shared() throws -> ALELibrary {
        lock.lock()
        defer { lock.unlock() }
        if let loaded { return try loaded.get() }
        let result = Result { try ALELibrary(folder: folder) }.mapError { $0 as? ALEError ?? .unusableLibrary(path: libraryPath, problem: "\($0)") }
        loaded = result
        return try result.get()
    }

    /// Whether ALE is set up here (the library file exists); it may still fail to load.
    public static var isSetUp: Bool { FileManager.default.fileExists(atPath: libraryPath) }

    private init(folder: String) throws {
        let path = folder + "/lib/libpixeldqn-ale.so"
        guard FileManager.default.fileExists(atPath: path) else { throw ALEError.notSetUp(path: path) }
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw ALEError.unusableLibrary(path: path, problem: String(cString: dlerror()))
        }
        func bind<T>(_ name: String, as type: T.Type) throws -> T {
            guard let symbol = dlsym(handle, name) else {
                throw ALEError.unusableLibrary(path: path, problem: "it has no function \(name)")
            }
            return unsafeBitCast(symbol, to: type)
        }
        typealias Version = @convention(c) () -> Int32
        let version = try bind("pdq_ale_abi_version", as: Version.self)()
        guard version == ALELibrary.abiVersion else {
            throw ALEError.unusableLibrary(path: path, problem: "its interface is version \(version), expected \(ALELibrary.abiVersion)")
        }
        create = try bind("pdq_ale_create", as: Create.self)
        destroy = try bind("pdq_ale_destroy", as: HandleVoid.self)
        minimalActions = try bind("pdq_ale_minimal_actions", as: Actions.self)
        act = try bind("pdq_ale_act", as: Act.self)
        gameOver = try bind("pdq_ale_game_over", as: Handle1.self)
        gameTruncated = try bind("pdq_ale_game_truncated", as: Handle1.self)
        lives = try bind("pdq_ale_lives", as: Handle1.self)
        episodeFrameNumber = try bind("pdq_ale_episode_frame_number", as: Handle1.self)
        resetGame = try bind("pdq_ale_reset_game", as: HandleVoid.self)
        screenWidth = try bind("pdq_ale_screen_width", as: Handle1.self)
        screenHeight = try bind("pdq_ale_screen_height", as: Handle1.self)
        screenGray = try bind("pdq_ale_screen_gray", as: Screen.self)
        screenRGB = try bind("pdq_ale_screen_rgb", as: Screen.self)
        cloneState = try bind("pdq_ale_clone_state", as: Clone.self)
        restoreState = try bind("pdq_ale_restore_state", as: Restore.self)
        romFolder = folder + "/roms"
    }
}
