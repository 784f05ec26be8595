// The colours of Gymnasium's CartPole frame, and the levels the rasterizer paints with: the gray
// levels the agent sees, or one channel of the colours, so that three rasterizers draw the scene
// in colour for people (SceneRenderer) with the same geometry and anti-aliasing.

/// The level the rasterizer paints each part of the scene with (0...255).
public struct SceneLevels: Equatable, Sendable {
    public var background: Float
    public var cart: Float
    public var track: Float
    public var pole: Float
    public var axle: Float

    public init(background: Float, cart: Float, track: Float, pole: Float, axle: Float) {
        self.background = background; self.cart = cart; self.track = track; self.pole = pole; self.axle = axle
    }

    /// The gray levels of the agent's frames (BT.601 of the colours; CartPoleScene).
    public static let gray = SceneLevels(background: CartPoleScene.backgroundGray, cart: CartPoleScene.cartGray,
                                         track: CartPoleScene.trackGray, pole: CartPoleScene.poleGray,
                                         axle: CartPoleScene.axleGray)

    /// One channel (0 red, 1 green, 2 blue) of Gymnasium's colours.
    public static func channel(_ c: Int) -> SceneLevels {
        precondition((0..<3).contains(c), "SceneLevels: channel \(c) is not 0, 1 or 2")
        let s = CartPoleScene.self
        return SceneLevels(background: Float(s.backgroundRGB[c]), cart: Float(s.cartRGB[c]), track: Float(s.trackRGB[c]),
                           pole: Float(s.poleRGB[c]), axle: Float(s.axleRGB[c]))
    }
}

extension CartPoleScene {
    /// Gymnasium's colours (cartpole.py): white background, black cart and track line,
    /// pole (202, 152, 101), axle (129, 132, 203).
    public static let backgroundRGB: [UInt8] = [255, 255, 255]
    public static let cartRGB: [UInt8] = [0, 0, 0]
    public static let trackRGB: [UInt8] = [0, 0, 0]
    public static let poleRGB: [UInt8] = [202, 152, 101]
    public static let axleRGB: [UInt8] = [129, 132, 203]
}

/// Draws CartPole states in colour at any size: one Rasterizer per channel. For people (GIFs);
/// the agent sees the gray frames of a single Rasterizer.
public final class SceneRenderer {
    public let width: Int
    public let height: Int
    private let channels: [Rasterizer]
    private var plane: [UInt8]

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
        channels = (0..<3).map { Rasterizer(width: width, height: height, levels: .channel($0)) }
        plane = [UInt8](repeating: 0, count: width * height)
    }

    /// `state` as interleaved RGB, `height` rows of `width` × 3 bytes.
    public func render(_ state: CartPoleState) -> [UInt8] {
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        for (c, rasterizer) in channels.enumerated() {
            plane.withUnsafeMutableBufferPointer { rasterizer.render(state, into: $0) }
            for i in 0..<plane.count { rgb[3 * i + c] = plane[i] }
        }
        return rgb
    }
}
