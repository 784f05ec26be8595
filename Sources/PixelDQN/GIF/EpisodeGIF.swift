// An episode as an animated GIF for people: the scene in Gymnasium's colours (300 pixels tall, as
// wide as the task's frame is, or the task's own picture size), the agent's φ (its k gray frames, at their own
// size) beside it, and under them the step, the action and the Q-values. Steps come in at the
// task's real-time rate (Gymnasium's render_fps); with a lower frame rate the GIF keeps real time
// by showing the first step of each frame's interval.
import Foundation

/// What one step of an episode shows.
public struct EpisodeStep {
    /// The state drawn in colour.
    public var state: StateVector
    /// φ: k frames of `frameSize × frameSize` bytes, oldest first.
    public var phi: [UInt8]
    /// Env steps since the episode's reset.
    public var step: Int
    public var episode: Int
    public var episodeReturn: Double
    /// The action taken from this state (nil at the episode's end).
    public var action: Int?
    /// The Q-values of φ (nil for random play).
    public var qValues: [Float]?
    /// The caption of the episode's last picture ("episode over: terminated"), which is held for `endHold`.
    public var outcome: String?
    /// The scene as a ready picture (RGB, the GIF's scene size): an Atari game's screen. Nil:
    /// `state` is drawn.
    public var picture: [UInt8]?

    public init(state: StateVector, phi: [UInt8], step: Int, episode: Int, episodeReturn: Double,
                action: Int?, qValues: [Float]?, outcome: String?, picture: [UInt8]? = nil) {
        self.state = state; self.phi = phi; self.step = step; self.episode = episode
        self.episodeReturn = episodeReturn; self.action = action; self.qValues = qValues; self.outcome = outcome
        self.picture = picture
    }
}

extension EpisodeStep {
    /// A CartPole step.
    public init(state: CartPoleState, phi: [UInt8], step: Int, episode: Int, episodeReturn: Double,
                action: Int?, qValues: [Float]?, outcome: String?) {
        self.init(state: StateVector(state.array), phi: phi, step: step, episode: episode, episodeReturn: episodeReturn,
                  action: action, qValues: qValues, outcome: outcome)
    }
}

public final class EpisodeGIF {
    /// The highest frame rate: CartPole's frames per second (Gymnasium's metadata "render_fps").
    public static let environmentFPS = 50
    /// CartPole's scene in the pictures.
    public static let sceneWidth = 450, sceneHeight = 300
    /// Hundredths of a second the last picture of an episode stays up.
    public static let endHold = 100
    /// The largest φ frame side and depth the layout takes.
    public static let maximumFrameSize = 256, maximumFrameStack = 16

    static let margin = 10, gap = 4
    static let ink = RGB.black, accent = RGB(30, 80, 200), label = RGB(110, 110, 110), border = RGB(200, 200, 200)

    public let frameStack: Int
    public let frameSize: Int
    /// Pictures per second: the requested rate, at most the task's steps per second.
    public let fps: Int
    let title: String
    /// The task whose scene is drawn (nil for an Atari game, whose steps bring their picture),
    /// its real-time steps per second and its scene's size here.
    let env: AnyEnvironment?
    let id: EnvironmentID
    let stepsPerSecond: Int
    public let sceneWidth: Int, sceneHeight: Int
    let renderer: SceneRenderer?
    var canvas: RGBCanvas
    var palette: GIFPalette
    let writer: GIFWriter
    /// Env steps per `add`.
    let frameSkip: Int
    /// Env steps given so far, and the frame-rate interval of the last picture.
    private var steps = 0
    private var lastInterval = -1
    /// Pictures given to the writer (before merging equal ones).
    public private(set) var pictures = 0

    /// Columns of the φ grid: k in a row up to 2, then as square as possible.
    static func gridColumns(_ k: Int) -> Int {
        if k <= 2 { return k }
        var c = 1
        while c * c < k { c += 1 }
        return c
    }

    /// Why this frame rate cannot be used, or nil: the message names the option.
    public static func problem(fps: Int) -> String? {
        (1...environmentFPS).contains(fps) ? nil : "--fps: expected 1 to \(environmentFPS) frames per second, got \(fps)"
    }

    /// Why this frame rate cannot be used for `env`, or nil: a GIF plays in real time, so it
    /// shows at most the task's steps per second (a higher rate is refused, not lowered).
    public static func problem(fps: Int, env: EnvironmentID) -> String? {
        let top = env.framesPerSecond
        return (1...top).contains(fps) ? nil
            : "--fps: expected 1 to \(top) frames per second for \(env.rawValue) (it runs at \(top) steps per second and the GIF plays in real time), got \(fps)"
    }

    /// Why these settings cannot make a GIF, or nil: the message names the option.
    public static func problem(frameStack k: Int, frameSize: Int, fps: Int) -> String? {
        if let p = problem(fps: fps) { return p }
        if !(1...maximumFrameStack).contains(k) { return "--gif: φ of at most \(maximumFrameStack) frames fits the picture, got k = \(k)" }
        if !(Rasterizer.minimumSide...maximumFrameSize).contains(frameSize) {
            return "--gif: frames of \(Rasterizer.minimumSide) to \(maximumFrameSize) pixels fit the picture, got \(frameSize)"
        }
        return nil
    }

    /// The scene's size in the pictures: 300 pixels tall, as wide as the task's frame is.
    static func sceneSize(_ id: EnvironmentID) -> (width: Int, height: Int) {
        if id.isAtari { return (2 * atariScreenWidth, 2 * atariScreenHeight) }
        return id.task?.pictureSize ?? (sceneWidth, sceneHeight)
    }

    /// ALE's screen, shown at twice its size.
    public static let atariScreenWidth = 160, atariScreenHeight = 210

    /// An Atari screen (RGB, 160×210) at the GIF's scene size (each pixel 2×2).
    public static func atariPicture(_ rgb: [UInt8]) -> [UInt8] {
        let w = atariScreenWidth, h = atariScreenHeight
        precondition(rgb.count == w * h * 3, "EpisodeGIF.atariPicture: \(rgb.count) bytes, expected \(w * h * 3)")
        var out = [UInt8](repeating: 0, count: 4 * w * h * 3)
        for y in 0..<(2 * h) {
            for x in 0..<(2 * w) {
                let src = ((y / 2) * w + x / 2) * 3, dst = (y * 2 * w + x) * 3
                out[dst] = rgb[src]; out[dst + 1] = rgb[src + 1]; out[dst + 2] = rgb[src + 2]
            }
        }
        return out
    }

    /// - Precondition: `problem(...)` is nil for these settings.
    /// `frameSkip` is the env steps each `add` stands for (the agent's frame skip), so that an
    /// episode played with a skip still lasts its real time.
    /// `colours`: for an Atari game, the colours its screens show (the palette holds them as they are).
    public init(frameStack k: Int, frameSize: Int, fps: Int, title: String, env id: EnvironmentID = .cartPoleV1, frameSkip: Int = 1,
                colours: [RGB] = []) throws {
        if let p = EpisodeGIF.problem(frameStack: k, frameSize: frameSize, fps: fps) { preconditionFailure("EpisodeGIF: \(p)") }
        precondition(frameSkip >= 1, "EpisodeGIF: frame skip \(frameSkip)")
        frameStack = k; self.frameSize = frameSize; self.title = title; self.frameSkip = frameSkip
        self.id = id
        stepsPerSecond = id.framesPerSecond
        self.fps = min(fps, id.framesPerSecond)
        (sceneWidth, sceneHeight) = EpisodeGIF.sceneSize(id)
        let extra = [EpisodeGIF.ink, .white, EpisodeGIF.accent, EpisodeGIF.label, EpisodeGIF.border]
        if id.isAtari {
            env = nil
            renderer = nil
            palette = GIFPalette.episode(extra: extra, colours: colours)
        } else {
            let task = AnyEnvironment(id)
            env = task
            renderer = SceneRenderer(width: sceneWidth, height: sceneHeight, layout: task.sceneLayout)
            palette = GIFPalette.episode(extra: extra, scene: id.task?.pictureRampsFromScene == false ? nil : task.sceneLayout.palette)
        }
        let m = EpisodeGIF.margin, g = EpisodeGIF.gap
        let cols = EpisodeGIF.gridColumns(k), rows = (k + cols - 1) / cols
        let gridWidth = cols * frameSize + (cols - 1) * g, gridHeight = rows * frameSize + (rows - 1) * g
        // At least 640 wide, so that the captions fit beside a narrow (square) scene.
        let width = max(m + sceneWidth + 2 * m + max(gridWidth, 120) + m, 640)
        let height = m + max(sceneHeight, 24 + gridHeight) + 10 + 2 * 20 + 12 + m
        canvas = RGBCanvas(width: width, height: height)
        writer = try GIFWriter(width: width, height: height, palette: palette.colours)
        // The parts that never change: borders and labels.
        outline(x: m, y: m, w: sceneWidth, h: sceneHeight)
        let px = phiOrigin.x
        canvas.text("PHI: \(k) X \(frameSize)X\(frameSize) GRAY", x: px, y: m, EpisodeGIF.label)
        canvas.text("OLDEST FIRST", x: px, y: m + 10, EpisodeGIF.label)
        for f in 0..<k {
            let o = panelOrigin(f)
            outline(x: o.x, y: o.y, w: frameSize, h: frameSize)
        }
        canvas.text(title, x: m, y: height - m - 7, EpisodeGIF.label)
    }

    var phiOrigin: (x: Int, y: Int) { (EpisodeGIF.margin * 3 + sceneWidth, EpisodeGIF.margin + 24) }

    /// The top-left pixel of φ's frame `f` (0 = oldest) in the pictures.
    public func panelOrigin(_ f: Int) -> (x: Int, y: Int) {
        let cols = EpisodeGIF.gridColumns(frameStack), step = frameSize + EpisodeGIF.gap
        return (phiOrigin.x + (f % cols) * step, phiOrigin.y + (f / cols) * step)
    }

    /// A one-pixel border just outside the rectangle.
    private func outline(x: Int, y: Int, w: Int, h: Int) {
        canvas.fill(x: x - 1, y: y - 1, w: w + 2, h: 1, EpisodeGIF.border)
        canvas.fill(x: x - 1, y: y + h, w: w + 2, h: 1, EpisodeGIF.border)
        canvas.fill(x: x - 1, y: y - 1, w: 1, h: h + 2, EpisodeGIF.border)
        canvas.fill(x: x + w, y: y - 1, w: 1, h: h + 2, EpisodeGIF.border)
    }

    /// Hundredths of a second from the start of frame-rate interval `i` to that of `j`, rounded
    /// so that the delays add up to real time (at 30 fps, one interval each: 3, 3, 4, 3, 3, 4, ...).
    func delay(from i: Int, to j: Int) -> Int { (100 * j + fps / 2) / fps - (100 * i + fps / 2) / fps }

    /// Adds the next step; call it for every step, in order.
    public func add(_ s: EpisodeStep) throws {
        precondition(s.phi.count == frameStack * frameSize * frameSize, "EpisodeGIF: φ holds \(s.phi.count) bytes")
        let interval = steps * fps / stepsPerSecond
        steps += frameSkip
        let isEnd = s.outcome != nil
        guard isEnd || interval != lastInterval else { return }
        lastInterval = interval
        draw(s)
        // Shown until the interval of the next step's picture: one interval, or with a frame skip
        // the several the skipped env steps span.
        let next = max(interval + 1, steps * fps / stepsPerSecond)
        try writer.add(palette.indices(rgb: canvas.pixels), delay: isEnd ? EpisodeGIF.endHold : delay(from: interval, to: next))
        pictures += 1
    }

    private func draw(_ s: EpisodeStep) {
        let m = EpisodeGIF.margin
        if let picture = s.picture {
            canvas.draw(image: picture[...], channels: 3, width: sceneWidth, height: sceneHeight, x: m, y: m)
        } else if let renderer, let env {
            canvas.draw(image: renderer.render(s.state, of: env)[...], channels: 3, width: sceneWidth,
                        height: sceneHeight, x: m, y: m)
        }
        let n = frameSize * frameSize
        for f in 0..<frameStack {
            let o = panelOrigin(f)
            canvas.draw(image: s.phi[(f * n)..<((f + 1) * n)], channels: 1, width: frameSize, height: frameSize, x: o.x, y: o.y)
        }
        // Captions: two lines at twice the font's size, under the scene.
        let top = m + max(sceneHeight, 24 + (panelOrigin(frameStack - 1).y - phiOrigin.y) + frameSize) + 10
        canvas.fill(x: 0, y: top, w: canvas.width, h: 40, .white)
        let (names, short) = EpisodeGIF.actionNames(id)
        var line1 = "EPISODE \(s.episode)  STEP \(s.step)  RETURN \(Int(s.episodeReturn))"
        if let a = s.action { line1 += "  ACTION: " + (a < names.count ? names[a] : "\(a)") }
        canvas.text(line1, x: m, y: top, EpisodeGIF.ink, scale: 2)
        if let outcome = s.outcome {
            canvas.text(outcome, x: m, y: top + 20, EpisodeGIF.accent, scale: 2)
        } else if let q = s.qValues {
            // Up to three actions at twice the font's size; more (Atari) at its own size.
            let scale = q.count > 3 ? 1 : 2
            var x = m
            for (i, v) in q.enumerated() {
                let text = "Q(\(i < short.count ? short[i] : "\(i)")) \(formatQ(v))"
                canvas.text(text, x: x, y: top + 20, i == s.action ? EpisodeGIF.accent : EpisodeGIF.label, scale: scale)
                x += BitmapFont.width(text, scale: scale) + 18 * scale
            }
        } else {
            canvas.text("RANDOM ACTIONS", x: m, y: top + 20, EpisodeGIF.label, scale: 2)
        }
    }

    /// Each action's caption and its short name in the Q-values' line.
    static func actionNames(_ id: EnvironmentID) -> (names: [String], short: [String]) {
        if let task = id.task { return (task.actions.map(\.caption), task.actions.map(\.short)) }
        let names = id.atari.map { AtariGame.loaded($0).actionNames } ?? []
        return (names, names)
    }

    private func formatQ(_ v: Float) -> String { String(format: "%.2f", Double(v)) }

    /// The finished file's bytes.
    public func finish() throws -> [UInt8] { try writer.finish() }

    /// Finishes the GIF and writes it atomically to `path`.
    public func write(to path: String) throws {
        try AtomicFile.write(try finish(), to: path)
    }
}
