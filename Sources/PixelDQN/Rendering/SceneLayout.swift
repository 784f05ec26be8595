// What stays fixed for a scene: its size in scene pixels, its palette and its static shapes, and
// the levels a rasterizer paints the palette with (gray for the agent, one channel for colour).

/// The fixed part of a scene: its size in scene pixels, its palette (paint 0 is the background)
/// and the shapes that never move, drawn once when a Rasterizer is made.
public struct SceneLayout: Sendable {
    public var width: Double
    public var height: Double
    /// RGB of each paint.
    public var palette: [[UInt8]]
    public var background: SceneShapes
    /// Polygons by exact area coverage (any simple polygon); false: convex polygons by exact
    /// horizontal coverage on 8 sub-scanlines, which CartPole keeps so that its frames, its
    /// goldens and every run's bits stay as they were.
    public var exactArea: Bool

    public init(width: Double, height: Double, palette: [[UInt8]], background: SceneShapes, exactArea: Bool = true) {
        self.width = width; self.height = height; self.palette = palette; self.background = background
        self.exactArea = exactArea
    }

    /// The level `levels` paints each palette entry with.
    public func paintLevels(_ levels: SceneLevels) -> [Float] {
        palette.map { rgb in
            switch levels {
            case .gray: return grayBT601(Double(rgb[0]), Double(rgb[1]), Double(rgb[2]))
            case .channel(let c): return Float(rgb[c])
            }
        }
    }
}

/// What the rasterizer paints with: the agent's gray levels or one colour channel, so that three
/// rasterizers draw a scene in colour for people (SceneRenderer) with the same geometry.
public enum SceneLevels: Equatable, Sendable {
    /// BT.601 luma, rounded as OpenCV's RGB2GRAY.
    case gray
    /// 0 red, 1 green, 2 blue.
    case channel(Int)
}

/// BT.601 luma of an 8-bit RGB colour, rounded to the nearest level (OpenCV's RGB2GRAY).
public func grayBT601(_ r: Double, _ g: Double, _ b: Double) -> Float {
    Float((0.299 * r + 0.587 * g + 0.114 * b).rounded())
}
