// The CartPole scene as Gymnasium draws it into its 600x400 `rgb_array` frame: geometry in the
// frame's pixel units, the palette, and the shapes a state becomes. Rasterization is in Rasterizer.
import Foundation

/// Gymnasium's render geometry for one CartPole state, in the coordinates of the 600x400 image
/// (x to the right, y *down*, after Gymnasium's vertical flip), and the gray level of each part.
public struct CartPoleScene: Sendable {
    /// Size of Gymnasium's frame; every scene coordinate is in its pixels.
    public static let sceneWidth = 600.0
    public static let sceneHeight = 400.0
    /// Pixels per metre: the 4.8 m of track (2 × x-threshold) span the 600 px width.
    public static let scale = sceneWidth / (2 * CartPole.xThreshold)
    public static let cartWidth = 50.0
    public static let cartHeight = 30.0
    public static let poleWidth = 10.0
    /// The full pole, 2 × half-length × scale = 125 px.
    public static let poleLength = 2 * CartPole.length * scale
    /// The pivot sits a quarter cart height above the cart's centre line.
    public static let axleOffset = cartHeight / 4
    public static let axleRadius = poleWidth / 2 + dilation
    /// Height of the cart's centre line above the bottom edge (Gymnasium's `carty`), also the
    /// height of the track line.
    public static let cartY = 100.0

    /// Gray levels: Gymnasium's RGB colours through BT.601 (0.299 R + 0.587 G + 0.114 B,
    /// rounded as OpenCV's RGB2GRAY does): background white, cart and track black,
    /// pole (202,152,101) → 161, axle (129,132,203) → 139.
    public static let backgroundGray: Float = 255
    public static let cartGray: Float = 0
    public static let trackGray: Float = 0
    public static let poleGray: Float = grayBT601(202, 152, 101)
    public static let axleGray: Float = grayBT601(129, 132, 203)

    /// BT.601 luma of an 8-bit RGB colour, rounded to the nearest level.
    public static func grayBT601(_ r: Double, _ g: Double, _ b: Double) -> Float { PixelDQN.grayBT601(r, g, b) }

    /// Pygame fills the pixel whose integer index lies inside a shape, so a shape edge at integer
    /// coordinate a covers pixel a entirely: in continuous coordinates the drawn shape is the
    /// geometric one shifted by half a pixel. We keep that shift so the anti-aliased result lines
    /// up with Gymnasium's frames after area resizing.
    public static let pixelCentreShift = PygameFrame.pixelCentreShift
    /// Pygame's filled shapes include both end pixels (the 50 px cart covers 51 columns), so
    /// in continuous coordinates every filled shape grows by half a pixel on each side.
    public static let dilation = PygameFrame.dilation

    /// Centre of the cart (x) in scene pixels, before the half-pixel shift.
    public let cartX: Double
    /// Corners of the pole, in scene coordinates (y down), in drawing order.
    public let pole: (SIMD2<Double>, SIMD2<Double>, SIMD2<Double>, SIMD2<Double>)
    /// Centre of the axle in scene coordinates (y down).
    public let axle: SIMD2<Double>

    public init(state: CartPoleState) {
        let s = CartPoleScene.self
        cartX = state.x * s.scale + s.sceneWidth / 2
        // The pole in Gymnasium's y-up frame: a rectangle from −w/2 to len − w/2 along its axis,
        // rotated by −θ about the pivot (so positive θ leans it to the right).
        let pivotUp = SIMD2(cartX, s.cartY + s.axleOffset)
        let d = s.dilation
        let (l, r) = (-s.poleWidth / 2 - d, s.poleWidth / 2 + d)
        let (b, t) = (-s.poleWidth / 2 - d, s.poleLength - s.poleWidth / 2 + d)
        let c = cos(-state.theta), sn = sin(-state.theta)
        func corner(_ px: Double, _ py: Double) -> SIMD2<Double> {
            let up = SIMD2(px * c - py * sn, px * sn + py * c) + pivotUp
            return CartPoleScene.flip(up)
        }
        pole = (corner(l, b), corner(l, t), corner(r, t), corner(r, b))
        // Pygame draws the axle circle at integer coordinates (int(cartx), int(carty + offset)).
        axle = CartPoleScene.flip(SIMD2((cartX).rounded(.towardZero), (s.cartY + s.axleOffset).rounded(.towardZero)))
    }

    /// From Gymnasium's y-up drawing frame to image coordinates (y down), with pygame's
    /// half-pixel convention: pygame row r becomes image row H − 1 − r, i.e. y ↦ H − y − 1
    /// on pixel indices; on continuous coordinates with the half-pixel shift this is
    /// (x + ½, H − ½ − y).
    @inline(__always)
    static func flip(_ p: SIMD2<Double>) -> SIMD2<Double> {
        SIMD2(p.x + pixelCentreShift, sceneHeight - pixelCentreShift - p.y)
    }

    /// The cart rectangle in image coordinates: [x0, x1) × [y0, y1).
    public var cartRect: (x0: Double, x1: Double, y0: Double, y1: Double) {
        let s = CartPoleScene.self
        let d = s.dilation
        let a = CartPoleScene.flip(SIMD2(cartX - s.cartWidth / 2 - d, s.cartY - s.cartHeight / 2 - d))
        let b = CartPoleScene.flip(SIMD2(cartX + s.cartWidth / 2 + d, s.cartY + s.cartHeight / 2 + d))
        return (a.x, b.x, b.y, a.y)
    }

    /// The one-pixel track line (pygame hline at y = 100 across the frame): image row 299.
    public static var trackRect: (x0: Double, x1: Double, y0: Double, y1: Double) {
        let row = sceneHeight - 1 - cartY
        return (0, sceneWidth, row, row + 1)
    }

    /// Paints of the palette: 0 background, 1 cart, 2 track, 3 pole, 4 axle.
    public enum Paint { public static let background = 0, cart = 1, track = 2, pole = 3, axle = 4 }

    /// The frame's size, Gymnasium's colours and the track line, which never moves.
    public static let layout: SceneLayout = {
        var still = SceneShapes(capacity: 1)
        let t = trackRect
        still.rect(x0: t.x0, x1: t.x1, y0: t.y0, y1: t.y1, paint: Paint.track)
        return SceneLayout(width: sceneWidth, height: sceneHeight,
                           palette: [backgroundRGB, cartRGB, trackRGB, poleRGB, axleRGB], background: still,
                           exactArea: false)
    }()

    /// The moving shapes of `state` in Gymnasium's painter's order: cart, pole, axle.
    public static func draw(_ state: CartPoleState, into shapes: inout SceneShapes) {
        let scene = CartPoleScene(state: state)
        let cart = scene.cartRect
        shapes.rect(x0: cart.x0, x1: cart.x1, y0: cart.y0, y1: cart.y1, paint: Paint.cart)
        shapes.quad(scene.pole.0, scene.pole.1, scene.pole.2, scene.pole.3, paint: Paint.pole)
        shapes.circle(centre: scene.axle, radius: axleRadius, paint: Paint.axle)
    }
}
