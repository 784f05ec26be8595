// A software rasterizer that draws a CartPole state into a grayscale frame (or, with SceneLevels,
// one colour channel) of any size, with anti-aliasing by exact horizontal coverage and vertical
// sub-scanlines. Output pixel (i, j) receives the area average of the 600x400 scene over its
// footprint, which is what Gymnasium's render → gray → area resize (cv2.INTER_AREA) computes.
// No display, no GPU, no allocation per frame.

/// Renders CartPole frames of one fixed size. Reuse one instance: all scratch memory is
/// allocated once, in `init`.
public final class Rasterizer {
    /// Smallest frame side accepted: below it the cart is a fraction of a pixel.
    public static let minimumSide = 8

    public let width: Int
    public let height: Int
    /// Sub-scanlines per output row for sloped and curved edges (horizontal coverage is exact).
    public let subscanlines: Int
    /// What each part is painted with: the agent's gray levels, or one colour channel.
    public let levels: SceneLevels

    /// Scene-pixel → output-pixel scale factors.
    private let fx: Double
    private let fy: Double
    /// The frame being composed, in gray levels (Float for exact blending). Between frames it
    /// equals `background`; only the region the moving parts touched is restored.
    private let canvas: UnsafeMutablePointer<Float>
    /// The static part of the scene (white, track line), as Float and as the final bytes.
    private let background: UnsafeMutablePointer<Float>
    private let backgroundBytes: UnsafeMutablePointer<UInt8>
    /// One shape's coverage in [0, 1] per output pixel; kept all-zero between shapes.
    private let coverage: UnsafeMutablePointer<Float>
    /// The pole's four corners in output pixels (reused, so drawing allocates nothing).
    private var polygon = [SIMD2<Double>](repeating: .zero, count: 4)

    /// - Precondition: `width` and `height` are at least `minimumSide`.
    public init(width: Int = 84, height: Int = 84, subscanlines: Int = 8, levels: SceneLevels = .gray) {
        precondition(width >= Rasterizer.minimumSide && height >= Rasterizer.minimumSide,
                     "Rasterizer: frame \(width)x\(height) is smaller than \(Rasterizer.minimumSide)x\(Rasterizer.minimumSide)")
        precondition(subscanlines >= 1, "Rasterizer: subscanlines must be at least 1")
        self.width = width
        self.height = height
        self.subscanlines = subscanlines
        self.levels = levels
        fx = Double(width) / CartPoleScene.sceneWidth
        fy = Double(height) / CartPoleScene.sceneHeight
        let n = width * height
        canvas = .allocate(capacity: n)
        canvas.initialize(repeating: levels.background, count: n)
        coverage = .allocate(capacity: n)
        coverage.initialize(repeating: 0, count: n)
        background = .allocate(capacity: n)
        backgroundBytes = .allocate(capacity: n)
        // The track line never moves: draw it once into the background.
        let track = CartPoleScene.trackRect
        fillRect(track.x0, track.x1, track.y0, track.y1, gray: levels.track)
        background.initialize(from: canvas, count: n)
        for i in 0..<n { backgroundBytes[i] = UInt8(canvas[i].rounded()) }
    }

    deinit {
        canvas.deallocate(); coverage.deallocate(); background.deallocate(); backgroundBytes.deallocate()
    }

    /// Number of bytes in one frame (`width × height`).
    public var frameSize: Int { width * height }

    /// Draws `state` into a new frame (row-major, `height` rows of `width` bytes).
    public func render(_ state: CartPoleState) -> [UInt8] {
        var frame = [UInt8](repeating: 0, count: frameSize)
        frame.withUnsafeMutableBufferPointer { render(state, into: $0) }
        return frame
    }

    /// Draws `state` into `frame`, which must hold exactly `width × height` bytes.
    ///
    /// Painter's order as Gymnasium: track line, cart, pole, axle; each shape is blended over
    /// what is below with its coverage as alpha.
    public func render(_ state: CartPoleState, into frame: UnsafeMutableBufferPointer<UInt8>) {
        precondition(frame.count == frameSize, "Rasterizer: frame holds \(frame.count) bytes, expected \(frameSize)")
        let scene = CartPoleScene(state: state)
        dirty = (width, -1, height, -1)
        let cart = scene.cartRect
        fillRect(cart.x0, cart.x1, cart.y0, cart.y1, gray: levels.cart)
        fillPole(scene.pole, gray: levels.pole)
        fillCircle(centre: scene.axle, radius: CartPoleScene.axleRadius, gray: levels.axle)

        // The static background as bytes, then the touched region from the canvas, which is
        // restored to the background for the next frame.
        let out = frame.baseAddress!
        out.update(from: backgroundBytes, count: frameSize)
        guard dirty.i0 <= dirty.i1, dirty.j0 <= dirty.j1 else { return }
        for j in dirty.j0...dirty.j1 {
            let row = j * width
            for i in dirty.i0...dirty.i1 {
                out[row + i] = UInt8(canvas[row + i].rounded())
                canvas[row + i] = background[row + i]
            }
        }
    }

    /// Bounding box of the pixels changed since the background (columns i0...i1, rows j0...j1).
    private var dirty = (i0: 0, i1: -1, j0: 0, j1: -1)

    @inline(__always)
    private func markDirty(_ i0: Int, _ i1: Int, _ j0: Int, _ j1: Int) {
        dirty = (min(dirty.i0, i0), max(dirty.i1, i1), min(dirty.j0, j0), max(dirty.j1, j1))
    }

    // MARK: - Shapes

    /// Length of the overlap of [a, b) with the unit pixel [i, i + 1).
    @inline(__always)
    private static func overlap(_ a: Double, _ b: Double, _ i: Int) -> Double {
        max(0, min(b, Double(i + 1)) - max(a, Double(i)))
    }

    /// An axis-aligned rectangle in scene coordinates: coverage is the product of the exact
    /// horizontal and vertical overlaps, so no sampling is needed.
    private func fillRect(_ sx0: Double, _ sx1: Double, _ sy0: Double, _ sy1: Double, gray: Float) {
        let x0 = sx0 * fx, x1 = sx1 * fx, y0 = sy0 * fy, y1 = sy1 * fy
        let i0 = max(0, Int(x0.rounded(.down))), i1 = min(width - 1, Int(x1.rounded(.up)))
        let j0 = max(0, Int(y0.rounded(.down))), j1 = min(height - 1, Int(y1.rounded(.up)))
        guard i0 <= i1, j0 <= j1 else { return }
        markDirty(i0, i1, j0, j1)
        for j in j0...j1 {
            let cy = Rasterizer.overlap(y0, y1, j)
            if cy == 0 { continue }
            let row = j * width
            for i in i0...i1 {
                let a = Float(cy * Rasterizer.overlap(x0, x1, i))
                canvas[row + i] += (gray - canvas[row + i]) * min(a, 1)
            }
        }
    }

    /// Adds `weight × overlap([xl, xr), pixel)` to every pixel of row `row` the span touches.
    @inline(__always)
    private func addSpan(row: Int, _ xl: Double, _ xr: Double, weight: Double) {
        let l = max(xl, 0), r = min(xr, Double(width))
        guard r > l else { return }
        let il = Int(l), ir = min(Int(r), width - 1)
        let base = row * width
        if il == ir {
            coverage[base + il] += Float((r - l) * weight)
            return
        }
        coverage[base + il] += Float((Double(il + 1) - l) * weight)
        if il + 1 < ir {
            for i in (il + 1)..<ir { coverage[base + i] += Float(weight) }
        }
        coverage[base + ir] += Float((r - Double(ir)) * weight)
    }

    /// Blends the accumulated coverage of rows `j0...j1`, columns `i0...i1` into the canvas and
    /// clears it again.
    private func composite(_ i0: Int, _ i1: Int, _ j0: Int, _ j1: Int, gray: Float) {
        guard i0 <= i1, j0 <= j1 else { return }
        markDirty(i0, i1, j0, j1)
        for j in j0...j1 {
            let row = j * width
            for i in i0...i1 where coverage[row + i] > 0 {
                let a = min(coverage[row + i], 1)
                canvas[row + i] += (gray - canvas[row + i]) * a
                coverage[row + i] = 0
            }
        }
    }

    /// A convex quadrilateral (the rotated pole): for each sub-scanline the covered x-interval
    /// is the intersection of the half-planes, found from the edges crossing that height.
    private func fillPole(_ q: (SIMD2<Double>, SIMD2<Double>, SIMD2<Double>, SIMD2<Double>), gray: Float) {
        let scale = SIMD2(fx, fy)
        polygon[0] = q.0 * scale; polygon[1] = q.1 * scale
        polygon[2] = q.2 * scale; polygon[3] = q.3 * scale
        polygon.withUnsafeBufferPointer { fillConvex($0, gray: gray) }
    }

    private func fillConvex(_ p: UnsafeBufferPointer<SIMD2<Double>>, gray: Float) {
        var minX = Double.infinity, maxX = -Double.infinity
        var minY = Double.infinity, maxY = -Double.infinity
        for v in p {
            minX = min(minX, v.x); maxX = max(maxX, v.x); minY = min(minY, v.y); maxY = max(maxY, v.y)
        }
        let j0 = max(0, Int(minY.rounded(.down))), j1 = min(height - 1, Int(maxY.rounded(.up)))
        let i0 = max(0, Int(minX.rounded(.down))), i1 = min(width - 1, Int(maxX.rounded(.up)))
        guard j0 <= j1, i0 <= i1 else { return }
        let s = subscanlines
        let w = 1.0 / Double(s)
        for j in j0...j1 {
            for k in 0..<s {
                let y = Double(j) + (Double(k) + 0.5) * w
                if y < minY || y > maxY { continue }
                var xl = Double.infinity, xr = -Double.infinity
                for e in 0..<p.count {
                    let a = p[e], b = p[(e + 1) % p.count]
                    if (a.y <= y && y <= b.y) || (b.y <= y && y <= a.y) {
                        let x = a.y == b.y ? min(a.x, b.x) : a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y)
                        let x2 = a.y == b.y ? max(a.x, b.x) : x
                        xl = min(xl, x); xr = max(xr, x2)
                    }
                }
                if xr > xl { addSpan(row: j, xl, xr, weight: w) }
            }
        }
        composite(i0, i1, j0, j1, gray: gray)
    }

    /// A disc (an ellipse in output pixels when the frame is not 3:2): the span of each
    /// sub-scanline is cx ± rx·√(1 − (dy/ry)²).
    private func fillCircle(centre: SIMD2<Double>, radius: Double, gray: Float) {
        let cx = centre.x * fx, cy = centre.y * fy, rx = radius * fx, ry = radius * fy
        let j0 = max(0, Int((cy - ry).rounded(.down))), j1 = min(height - 1, Int((cy + ry).rounded(.up)))
        let i0 = max(0, Int((cx - rx).rounded(.down))), i1 = min(width - 1, Int((cx + rx).rounded(.up)))
        guard j0 <= j1, i0 <= i1 else { return }
        let s = subscanlines
        let w = 1.0 / Double(s)
        for j in j0...j1 {
            for k in 0..<s {
                let dy = (Double(j) + (Double(k) + 0.5) * w - cy) / ry
                if dy * dy >= 1 { continue }
                let half = rx * (1 - dy * dy).squareRoot()
                addSpan(row: j, cx - half, cx + half, weight: w)
            }
        }
        composite(i0, i1, j0, j1, gray: gray)
    }
}
