// A scene as a list of shapes in the scene's own pixel coordinates (x right, y down): axis-aligned
// rectangles, convex polygons, circles, and thick segments and polylines (stored as polygons).
// Each shape names a paint (an index into the scene's palette). Capacity is kept between frames.

/// One shape of a scene. Polygon vertices live in `SceneShapes.vertices`.
public enum SceneShape: Equatable, Sendable {
    /// [x0, x1) × [y0, y1).
    case rect(x0: Double, x1: Double, y0: Double, y1: Double, paint: Int)
    /// A convex polygon: `count` vertices from `start`, in order (either orientation).
    case polygon(start: Int, count: Int, paint: Int)
    case circle(centre: SIMD2<Double>, radius: Double, paint: Int)
}

/// Shapes in painter's order. `removeAll()` keeps the storage, so a scene rebuilt every frame
/// allocates nothing once its largest frame has been drawn.
public struct SceneShapes: Sendable {
    public private(set) var shapes: [SceneShape] = []
    public private(set) var vertices: [SIMD2<Double>] = []

    public init(capacity: Int = 16) {
        shapes.reserveCapacity(capacity)
        vertices.reserveCapacity(4 * capacity)
    }

    public mutating func removeAll() {
        shapes.removeAll(keepingCapacity: true)
        vertices.removeAll(keepingCapacity: true)
    }

    public mutating func rect(x0: Double, x1: Double, y0: Double, y1: Double, paint: Int) {
        shapes.append(.rect(x0: x0, x1: x1, y0: y0, y1: y1, paint: paint))
    }

    public mutating func circle(centre: SIMD2<Double>, radius: Double, paint: Int) {
        shapes.append(.circle(centre: centre, radius: radius, paint: paint))
    }

    public mutating func triangle(_ a: SIMD2<Double>, _ b: SIMD2<Double>, _ c: SIMD2<Double>, paint: Int) {
        shapes.append(.polygon(start: vertices.count, count: 3, paint: paint))
        vertices.append(a); vertices.append(b); vertices.append(c)
    }

    public mutating func quad(_ a: SIMD2<Double>, _ b: SIMD2<Double>, _ c: SIMD2<Double>, _ d: SIMD2<Double>, paint: Int) {
        shapes.append(.polygon(start: vertices.count, count: 4, paint: paint))
        vertices.append(a); vertices.append(b); vertices.append(c); vertices.append(d)
    }

    /// A convex polygon given by its vertices in order.
    public mutating func polygon(_ points: UnsafeBufferPointer<SIMD2<Double>>, paint: Int) {
        precondition(points.count >= 3, "SceneShapes.polygon: \(points.count) vertices, need at least 3")
        shapes.append(.polygon(start: vertices.count, count: points.count, paint: paint))
        vertices.append(contentsOf: points)
    }

    /// A straight line of `width` from `a` to `b` with square (butt) ends: the rectangle around it.
    public mutating func segment(_ a: SIMD2<Double>, _ b: SIMD2<Double>, width: Double, paint: Int) {
        let d = b - a
        let length = (d * d).sum().squareRoot()
        guard length > 0 else { return }
        let n = SIMD2(-d.y, d.x) * (width / 2 / length)
        quad(a + n, b + n, b - n, a - n, paint: paint)
    }

    /// A one-pixel anti-aliased line as pygame's `aaline` inks it: one pixel of coverage per
    /// column (x-major) or per row (y-major), i.e. a parallelogram one pixel tall or wide.
    public mutating func line(_ a: SIMD2<Double>, _ b: SIMD2<Double>, paint: Int) {
        let d = b - a
        guard d.x != 0 || d.y != 0 else { return }
        let n = abs(d.x) >= abs(d.y) ? SIMD2(0, 0.5) : SIMD2(0.5, 0)
        quad(a + n, b + n, b - n, a - n, paint: paint)
    }

    /// Consecutive segments of `width` through `points` (Gymnasium's `aalines`: one pixel).
    public mutating func polyline(_ points: UnsafeBufferPointer<SIMD2<Double>>, width: Double, paint: Int) {
        guard points.count >= 2 else { return }
        for i in 1..<points.count { segment(points[i - 1], points[i], width: width, paint: paint) }
    }

    /// The vertices of a polygon shape.
    public func polygonVertices(start: Int, count: Int) -> ArraySlice<SIMD2<Double>> { vertices[start..<(start + count)] }
}

/// The fixed part of a scene: its size in scene pixels, its palette (paint 0 is the background)
/// and the shapes that never move, drawn once when a Rasterizer is made.
public struct SceneLayout: Sendable {
    public var width: Double
    public var height: Double
    /// RGB of each paint.
    public var palette: [[UInt8]]
    public var background: SceneShapes

    public init(width: Double, height: Double, palette: [[UInt8]], background: SceneShapes) {
        self.width = width; self.height = height; self.palette = palette; self.background = background
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
