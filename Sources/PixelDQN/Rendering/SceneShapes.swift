// A scene as a list of shapes in the scene's own pixel coordinates (x right, y down): axis-aligned
// rectangles, polygons, circles, and thick segments and polylines (stored as polygons).
// Each shape names a paint (an index into the scene's palette). Capacity is kept between frames.

/// One shape of a scene. Polygon vertices live in `SceneShapes.vertices`.
public enum SceneShape: Equatable, Sendable {
    /// [x0, x1) × [y0, y1).
    case rect(x0: Double, x1: Double, y0: Double, y1: Double, paint: Int)
    /// A simple polygon: `count` vertices from `start`, in order (either orientation). Layouts
    /// without exact area (CartPole's) take convex ones only.
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

    /// A simple polygon given by its vertices in order (convex for layouts without exact area).
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
