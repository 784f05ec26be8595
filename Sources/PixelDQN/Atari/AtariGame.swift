// An Atari task's facts: Gymnasium's two ids for a game (`<Game>NoFrameskip-v4`: no sticky
// actions, as Nature DQN, CleanRL and SB3 report; `ALE/<Game>-v5`: sticky actions 0.25, the
// protocol of Machado et al. 2018), its ROM, and its minimal action set with ALE's names. The
// ROM set is whatever Scripts/setup-ale.sh installed (108 games with ale-py 0.12.1).
import Foundation

/// A game and its protocol, parsed from a Gymnasium id (no ROM is touched).
public struct AtariGameID: Hashable, Sendable {
    /// The game as Gymnasium spells it: "Pong", "Breakout", "SpaceInvaders".
    public let game: String
    /// `ALE/<Game>-v5` (sticky actions) rather than `<Game>NoFrameskip-v4`.
    public let v5: Bool

    /// Gymnasium's cap on an episode, in emulator frames (`max_num_frames_per_episode`).
    public static let maxFramesPerEpisode = 108_000
    /// A bound on a game's score per emulator frame, far beyond any game's.
    public static let maxRewardPerFrame = 100_000.0

    public init(game: String, v5: Bool) { self.game = game; self.v5 = v5 }

    /// Parses `PongNoFrameskip-v4` or `ALE/Pong-v5`; nil for anything else.
    public init?(gymnasiumID id: String) {
        func isGameName(_ s: Substring) -> Bool {
            guard let first = s.first, first.isASCII, first.isUppercase else { return false }
            return s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
        }
        if id.hasSuffix("NoFrameskip-v4") {
            let name = id.dropLast("NoFrameskip-v4".count)
            guard isGameName(name) else { return nil }
            self.init(game: String(name), v5: false)
        } else if id.hasPrefix("ALE/") && id.hasSuffix("-v5") {
            let name = id.dropFirst(4).dropLast(3)
            guard isGameName(name) else { return nil }
            self.init(game: String(name), v5: true)
        } else {
            return nil
        }
    }

    /// The Gymnasium id.
    public var gymnasiumID: String { v5 ? "ALE/\(game)-v5" : "\(game)NoFrameskip-v4" }
    /// ALE's probability of repeating the previous action instead of the new one.
    public var repeatActionProbability: Float { v5 ? 0.25 : 0 }
    /// The ROM's file name: the game in snake case ("SpaceInvaders" → "space_invaders.bin").
    public var romFileName: String { AtariGameID.romFileName(game: game) }

    public static func romFileName(game: String) -> String {
        var name = ""
        for (i, c) in game.enumerated() {
            if c.isUppercase && i > 0 { name.append("_") }
            name.append(contentsOf: c.lowercased())
        }
        return name + ".bin"
    }

    /// The game's name from a ROM file name ("space_invaders.bin" → "SpaceInvaders").
    public static func gameName(romFileName: String) -> String {
        romFileName.replacingOccurrences(of: ".bin", with: "").split(separator: "_")
            .map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// The score pixel-dqn counts as solving the game (DQN's published goals): Pong 18 of 21,
    /// Breakout 100; nil for the other games.
    public var targetScore: Double? {
        switch game {
        case "Pong": return 18
        case "Breakout": return 100
        default: return nil
        }
    }

    /// Scores of a uniformly random policy and of a human tester (Mnih et al. 2015, as the
    /// Atari-57 normalisation uses them), for human-normalised scores; nil when not listed here.
    public var randomAndHumanScores: (random: Double, human: Double)? {
        switch game {
        case "Pong": return (-20.7, 14.6)
        case "Breakout": return (1.7, 30.5)
        case "SpaceInvaders": return (148.0, 1668.7)
        case "Seaquest": return (68.4, 42054.7)
        case "BeamRider": return (363.9, 16926.5)
        case "Qbert": return (163.9, 13455.0)
        case "Enduro": return (0.0, 860.5)
        default: return nil
        }
    }
}

/// ALE's names of its 18 action codes (Gymnasium's `get_action_meanings`).
public let aleActionNames = [
    "NOOP", "FIRE", "UP", "RIGHT", "LEFT", "DOWN", "UPRIGHT", "UPLEFT", "DOWNRIGHT", "DOWNLEFT",
    "UPFIRE", "RIGHTFIRE", "LEFTFIRE", "DOWNFIRE", "UPRIGHTFIRE", "UPLEFTFIRE", "DOWNRIGHTFIRE", "DOWNLEFTFIRE",
]

/// A game whose ROM loaded: its path, its minimal action set and what the actions are called.
public struct AtariGame: Sendable {
    public let id: AtariGameID
    public let romPath: String
    /// ALE's codes of the minimal action set: agent action i presses `actionCodes[i]`.
    public let actionCodes: [Int32]
    public var actionNames: [String] { actionCodes.map { aleActionNames[Int($0)] } }
    /// FIRE is the game's action 1 and it has at least 3 actions: the game waits for FIRE after
    /// a reset or a lost life (SB3's FireResetEnv and CleanRL fire in such games).
    public var needsFire: Bool { actionCodes.count >= 3 && actionCodes[1] == 1 }

    nonisolated(unsafe) private static var cache: [AtariGameID: AtariGame] = [:]
    private static let lock = NSLock()

    /// Checks that ALE is set up and the game's ROM loads; caches the game's facts. Every Atari
    /// task passes here before it is used (the configuration's validation, `trace`, `evaluate`).
    @discardableResult
    public static func load(_ id: AtariGameID) throws -> AtariGame {
        lock.lock()
        if let game = cache[id] { lock.unlock(); return game }
        lock.unlock()
        let lib = try ALELibrary.shared()
        // ROM files are the game in snake case; matching without underscores also finds
        // "tic_tac_toe_3d.bin" for TicTacToe3D.
        let files = (try? FileManager.default.contentsOfDirectory(atPath: lib.romFolder)) ?? []
        let wanted = id.game.lowercased() + ".bin"
        guard let file = files.first(where: { $0.replacingOccurrences(of: "_", with: "") == wanted }) else {
            throw ALEError.unknownGame(name: id.game, romFolder: lib.romFolder, known: knownGames(in: lib.romFolder))
        }
        let path = lib.romFolder + "/" + file
        let emulator = try ALEEmulator(romPath: path, seed: 0, repeatActionProbability: id.repeatActionProbability,
                                       maxFramesPerEpisode: AtariGameID.maxFramesPerEpisode)
        let game = AtariGame(id: id, romPath: path, actionCodes: emulator.minimalActionSet)
        lock.lock()
        cache[id] = game
        lock.unlock()
        return game
    }

    /// A game `load` has checked.
    /// - Precondition: `load(id)` succeeded before.
    public static func loaded(_ id: AtariGameID) -> AtariGame {
        lock.lock()
        defer { lock.unlock() }
        guard let game = cache[id] else {
            preconditionFailure("AtariGame.loaded: \(id.gymnasiumID) was not checked with AtariGame.load first")
        }
        return game
    }

    /// The games whose ROMs are in `folder`, by Gymnasium's names.
    public static func knownGames(in folder: String) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return files.filter { $0.hasSuffix(".bin") }.sorted().map { AtariGameID.gameName(romFileName: $0) }
    }

    /// A new emulator of this game.
    public func makeEmulator(seed: Int32) throws -> ALEEmulator {
        try ALEEmulator(romPath: romPath, seed: seed, repeatActionProbability: id.repeatActionProbability,
                        maxFramesPerEpisode: AtariGameID.maxFramesPerEpisode)
    }
}
