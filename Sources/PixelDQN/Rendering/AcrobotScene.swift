// The Acrobot scene as Gymnasium draws it into its 500x500 `rgb_array` frame (acrobot.py's
// render): the target line, each link as a 0.2 m wide rectangle and a circle at its base.
import Foundation

/// Gymnasium's render geometry for Acrobot, in the 500x500 image's pixels (y down).
public enum AcrobotScene {
    public static let sceneSide = 500.0
    /// The drawing spans ±2.2 m (both links and 0.2 m): 500 / 4.4 px per metre.
    public static let scale = sceneSide / ((Acrobot.linkLength1 + Acrobot.linkLength2 + 0.2) * 2)
    public static let offset = sceneSide / 2
    /// Link half-width 0.1 m; joint radius int(0.1 · scale) = 11 px.
    public static let linkHalfWidth = 0.1 * scale
    public static let jointRadius = Double(Int(0.1 * scale))

    public static let backgroundRGB: [UInt8] = [255, 255, 255]
    public static let lineRGB: [UInt8] = [0, 0, 0]
    public static let linkRGB: [UInt8] = [0, 204, 204]
    public static let jointRGB: [UInt8] = [204, 204, 0]
    /// Paints of the palette.
    public enum Paint { public static let background = 0, line = 1, link = 2, joint = 3 }

    /// The target line 1 m above the pivot, from x = −2.2 m to 2.2 m: pygame's one-pixel line at
    /// row int(scale + offset) of the y-up frame.
    public static let layout: SceneLayout = {
        var still = SceneShapes(capacity: 1)
        let row = sceneSide - 1 - Double(Int(1 * scale + offset))
        still.rect(x0: -2.2 * scale + offset, x1: 2.2 * scale + offset + 1, y0: row, y1: row + 1, paint: Paint.line)
        return SceneLayout(width: sceneSide, height: sceneSide, palette: [backgroundRGB, lineRGB, linkRGB, jointRGB],
                           background: still)
    }()

    /// The two links and joints of `state` in Gymnasium's order: link 1, joint 1, link 2, joint 2.
    public static func draw(_ s: AcrobotState, into shapes: inout SceneShapes) {
        let p1 = SIMD2(Acrobot.linkLength1 * sin(s.theta1) * scale, -Acrobot.linkLength1 * cos(s.theta1) * scale)
        let bases = (SIMD2<Double>(0, 0), p1)
        let thetas = (s.theta1 - Double.pi / 2, s.theta1 + s.theta2 - Double.pi / 2)
        let lengths = (Acrobot.linkLength1 * scale, Acrobot.linkLength2 * scale)
        link(base: bases.0, theta: thetas.0, length: lengths.0, into: &shapes)
        link(base: bases.1, theta: thetas.1, length: lengths.1, into: &shapes)
    }

    private static func link(base: SIMD2<Double>, theta: Double, length: Double, into shapes: inout SceneShapes) {
        let origin = base + offset
        let d = PygameFrame.dilation
        let q = PygameFrame.gfxdrawRectangle(l: 0, r: length, b: -linkHalfWidth, t: linkHalfWidth, cos: cos(theta), sin: sin(theta),
                                             origin: origin, height: sceneSide)
        shapes.quad(q.0, q.1, q.2, q.3, paint: Paint.link)
        let centre = PygameFrame.flip(SIMD2(origin.x.rounded(.towardZero), origin.y.rounded(.towardZero)), height: sceneSide)
        shapes.circle(centre: centre, radius: jointRadius + d, paint: Paint.joint)
    }
}

extension Acrobot {
    public var sceneLayout: SceneLayout { AcrobotScene.layout }
    public func drawScene(_ state: AcrobotState, into shapes: inout SceneShapes) { AcrobotScene.draw(state, into: &shapes) }
}
