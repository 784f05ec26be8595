// The colours of Gymnasium's CartPole frame (the scene's palette, SceneLayout), and
// SceneRenderer: a scene drawn in colour by three rasterizers with one channel's levels each,
// with the same geometry and anti-aliasing as the agent's gray frames.

extension CartPoleScene {
    /// Gymnasium's colours (cartpole.py): white background, black cart and track line,
    /// pole (202, 152, 101), axle (129, 132, 203).
    public static let backgroundRGB: [UInt8] = [255, 255, 255]
    public static let cartRGB: [UInt8] = [0, 0, 0]
    public static let trackRGB: [UInt8] = [0, 0, 0]
    public static let poleRGB: [UInt8] = [202, 152, 101]
    public static let axleRGB: [UInt8] = [129, 132, 203]
}

/// Draws states in colour at any size: one Rasterizer per channel. For people (GIFs);
/// the agent sees the gray frames of a single Rasterizer.
public final class SceneRenderer {
    public let width: Int
    public let height: Int
    private let channels: [Rasterizer]
    private var plane: [UInt8]

    public init(width: Int, height: Int, layout: SceneLayout = CartPoleScene.layout) {
        self.width = width
        self.height = height
        channels = (0..<3).map { Rasterizer(width: width, height: height, layout: layout, levels: .channel($0)) }
        plane = [UInt8](repeating: 0, count: width * height)
    }

    /// A CartPole `state` as interleaved RGB, `height` rows of `width` × 3 bytes.
    public func render(_ state: CartPoleState) -> [UInt8] {
        interleave { rasterizer, plane in rasterizer.render(state, into: plane) }
    }

    /// `state` of `env`'s task as interleaved RGB.
    public func render<E: Environment>(_ state: E.State, of env: E) -> [UInt8] {
        interleave { rasterizer, plane in rasterizer.render(state, of: env, into: plane) }
    }

    private func interleave(_ draw: (Rasterizer, UnsafeMutableBufferPointer<UInt8>) -> Void) -> [UInt8] {
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        for (c, rasterizer) in channels.enumerated() {
            plane.withUnsafeMutableBufferPointer { draw(rasterizer, $0) }
            for i in 0..<plane.count { rgb[3 * i + c] = plane[i] }
        }
        return rgb
    }
}
