// pygame's conventions, which the scenes follow to match Gymnasium's frames: the vertical flip,
// the pixel-centre shift and inclusive filled shapes, and gfxdraw's integer polygon corners.

/// Gymnasium draws with pygame in a y-up frame and flips it; pygame fills the pixel whose integer
/// index lies inside a shape and includes both end pixels. In continuous image coordinates a
/// point moves by half a pixel (y ↦ H − ½ − y, x ↦ x + ½) and filled shapes grow by half a pixel
/// on each side (`dilation`).
public enum PygameFrame {
    public static let pixelCentreShift = 0.5
    public static let dilation = 0.5

    /// The rectangle [l, r] × [b, t] of a shape's own axes, rotated by the angle whose cosine and
    /// sine are `c` and `s` and moved to `origin`, as gfxdraw's filled polygon covers it: each
    /// corner truncated to integers (gfxdraw takes integer points), grown by half a pixel along
    /// the rectangle's axes, and flipped into a scene `height` pixels tall. Corners in order
    /// (l, b), (l, t), (r, t), (r, b).
    public static func gfxdrawRectangle(l: Double, r: Double, b: Double, t: Double, cos c: Double, sin s: Double,
                                        origin: SIMD2<Double>, height: Double)
        -> (SIMD2<Double>, SIMD2<Double>, SIMD2<Double>, SIMD2<Double>) {
        func rotate(_ x: Double, _ y: Double) -> SIMD2<Double> { SIMD2(x * c - y * s, x * s + y * c) }
        func corner(_ x: Double, _ y: Double, _ dx: Double, _ dy: Double) -> SIMD2<Double> {
            let p = rotate(x, y) + origin
            let pixel = SIMD2(p.x.rounded(.towardZero), p.y.rounded(.towardZero))
            return flip(pixel + rotate(dx, dy), height: height)
        }
        let d = dilation
        return (corner(l, b, -d, -d), corner(l, t, -d, d), corner(r, t, d, d), corner(r, b, d, -d))
    }

    /// From the y-up drawing frame of a scene `height` pixels tall to image coordinates.
    @inline(__always)
    public static func flip(_ p: SIMD2<Double>, height: Double) -> SIMD2<Double> {
        SIMD2(p.x + pixelCentreShift, height - pixelCentreShift - p.y)
    }
}
