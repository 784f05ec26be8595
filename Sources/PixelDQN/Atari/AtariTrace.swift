// `trace` for an Atari game: exactly Gymnasium's `AtariPreprocessing(env, noop_max=0,
// frame_skip=4, screen_size=84, terminal_on_life_loss=False, grayscale_obs=True)` over
// `<Game>NoFrameskip-v4` (no no-op starts, no fire, no clipping, no lost-life ends), one JSON
// line per agent step as Python's `json.dumps` writes it, and optionally each 84x84 observation
// as a PNG. Scripts/atari_reference.py makes the same from Gymnasium (Fixtures/atari).
import Foundation

public enum AtariTrace {
    /// The reset's observation and one line per action until the game ends (or the actions run
    /// out). With `framesFolder`, writes `obs_00000.png` (the reset's) and `obs_NNNNN.png` after
    /// step N, each written whole under a temporary name first.
    /// - Precondition: every action is in the game's action set (checked by the caller).
    public static func run(game: AtariGame, actions: [Int], seed: Int32 = 0, framesFolder: String? = nil,
                           line: (String) -> Void) throws {
        let source = try AtariObservation(game: game, size: 84, frameStack: 1, frameSkip: 4, noopMax: 0,
                                          lifeLoss: .ignored, fireReset: false, seed: seed)
        var rng = Xoshiro256(seed: 0)   // no no-ops: nothing is drawn
        source.reset(using: &rng)
        func save(_ step: Int) throws {
            guard let framesFolder else { return }
            let name = String(format: "obs_%05d.png", step)
            try PNGImage(width: 84, height: 84, pixels: source.frame).write(to: framesFolder + "/" + name)
        }
        try save(0)
        for (i, action) in actions.enumerated() {
            let r = try source.step(action)
            try save(i + 1)
            let reward = r.reward == r.reward.rounded() && abs(r.reward) < 1e15 ? "\(Int(r.reward))" : "\(r.reward)"
            line("{\"step\": \(i + 1), \"action\": \(action), \"reward\": \(reward), \"terminated\": \(r.terminated), \"truncated\": \(r.truncated), \"lives\": \(r.state.lives)}")
            if r.done { break }
        }
    }
}
