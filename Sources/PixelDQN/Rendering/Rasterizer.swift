// A software rasterizer that draws a scene (SceneShapes) into a grayscale frame (or, with
// SceneLevels, one colour channel) of any size, with anti-aliasing by exact horizontal coverage
// and vertical sub-scanlines. Output pixel (i, j) receives the area average of the scene over its
// footprint, which is what Gymnasium's render → gray → area resize (cv2.INTER_AREA) computes.
// No display, no GPU, no allocation per frame. The shapes' scan conversion is in +Shapes.

/// Renders frames of one fixed size and one scene layout. Reuse one instance: all scratch memory
/// is allocated once, in `init`.
public final class Rasterizer {
    /// Smallest frame side accepted: below it the cart is a fraction of a pixel.
    public static let minimumSide = 8

    public let width: Int
    public let height: Int
    /// Sub-scanlines per output row for sloped and curved edges (horizontal coverage is exact).
    public let subscanlines: Int
    /// What each part is painted with: the agent's gray levels, or one colour channel.
    public let levels: SceneLevels
    /// The scene's size, palette and static shapes.
    public let layout: SceneLayout
    /// The level of each paint of the layout's palette.
    let paintLevels: [Float]

    /// Scene-pixel → output-pixel scale factors.
    let fx: Double
    let fy: Double
    /// The frame being composed, in gray levels (Float for exact blending). Between frames it
    /// equals `background`; only the region the moving parts touched is restored.
    let canvas: UnsafeMutablePointer<Float>
    /// The static part of the scene, as Float and as the final bytes.
    private let background: UnsafeMutablePointer<Float>
    private let backgroundBytes: UnsafeMutablePointer<UInt8>
    /// One shape's coverage in [0, 1] per output pixel; kept all-zero between shapes.
    let coverage: UnsafeMutablePointer<Float>
    /// Per row, the first and last column the current shape's coverage touches (first > last:
    /// none), so compositing visits those pixels only, not the shape's whole bounding box.
    let spanFirst: UnsafeMutablePointer<Int>
    let spanLast: UnsafeMutablePointer<Int>
    /// A polygon's corners in output pixels (reused; grows only for a larger polygon).
    var polygon = [SIMD2<Double>](repeating: .zero, count: 8)
    /// Exact-area polygons: each row's signed area increments (`width + 2` per row), kept
    /// all-zero between shapes, and the scratch for clipping a polygon to the frame's columns.
    let accumulation: UnsafeMutablePointer<Double>
    var clipScratch: UnsafeMutableBufferPointer<SIMD2<Double>>
    /// The moving shapes of the frame being drawn (reused between frames).
    private var scratch = SceneShapes(capacity: 32)
    /// The bounding box of each shape drawn since the background (columns i0...i1, rows
    /// j0...j1): only these pixels are read out and restored, so shapes far apart (a car and a
    /// flag, two links) cost their own areas, not the box around all of them.
    var dirty: [(i0: Int, i1: Int, j0: Int, j1: Int)] = []

    /// - Precondition: `width` and `height` are at least `minimumSide`.
    public init(width: Int = 84, height: Int = 84, layout: SceneLayout = CartPoleScene.layout,
                subscanlines: Int = 8, levels: SceneLevels = .gray) {
        precondition(width >= Rasterizer.minimumSide && height >= Rasterizer.minimumSide,
                     "Rasterizer: frame \(width)x\(height) is smaller than \(Rasterizer.minimumSide)x\(Rasterizer.minimumSide)")
        precondition(subscanlines >= 1, "Rasterizer: subscanlines must be at least 1")
        self.width = width
        self.height = height
        self.subscanlines = subscanlines
        self.levels = levels
        self.layout = layout
        paintLevels = layout.paintLevels(levels)
        fx = Double(width) / layout.width
        fy = Double(height) / layout.height
        let n = width * height
        canvas = .allocate(capacity: n)
        canvas.initialize(repeating: paintLevels[0], count: n)
        coverage = .allocate(capacity: n)
        coverage.initialize(repeating: 0, count: n)
        spanFirst = .allocate(capacity: height)
        spanFirst.initialize(repeating: width, count: height)
        spanLast = .allocate(capacity: height)
        spanLast.initialize(repeating: -1, count: height)
        accumulation = .allocate(capacity: (width + 2) * height)
        accumulation.initialize(repeating: 0, count: (width + 2) * height)
        clipScratch = .allocate(capacity: 64)
        clipScratch.initialize(repeating: .zero)
        background = .allocate(capacity: n)
        backgroundBytes = .allocate(capacity: n)
        dirty.reserveCapacity(64)
        // The static shapes never move: draw them once into the background.
        draw(layout.background)
        background.initialize(from: canvas, count: n)
        for i in 0..<n { backgroundBytes[i] = UInt8(canvas[i].rounded()) }
    }

    deinit {
        canvas.deallocate(); coverage.deallocate(); background.deallocate(); backgroundBytes.deallocate()
        spanFirst.deallocate(); spanLast.deallocate(); accumulation.deallocate(); clipScratch.deallocate()
    }

    /// Number of bytes in one frame (`width × height`).
    public var frameSize: Int { width * height }

    /// Draws `state` of `env`'s task into `frame` (`width × height` bytes, row-major).
    /// - Precondition: the rasterizer was made with the task's layout.
    public func render<E: Environment>(_ state: E.State, of env: E, into frame: UnsafeMutableBufferPointer<UInt8>) {
        scratch.removeAll()
        env.drawScene(state, into: &scratch)
        render(scratch, into: frame)
    }

    /// Draws `state` of `env`'s task into a new frame.
    public func render<E: Environment>(_ state: E.State, of env: E) -> [UInt8] {
        var frame = [UInt8](repeating: 0, count: frameSize)
        frame.withUnsafeMutableBufferPointer { render(state, of: env, into: $0) }
        return frame
    }

    /// Draws a CartPole state into a new frame (row-major, `height` rows of `width` bytes).
    public func render(_ state: CartPoleState) -> [UInt8] {
        var frame = [UInt8](repeating: 0, count: frameSize)
        frame.withUnsafeMutableBufferPointer { render(state, into: $0) }
        return frame
    }

    /// Draws a CartPole state into `frame`, which must hold exactly `width × height` bytes.
    public func render(_ state: CartPoleState, into frame: UnsafeMutableBufferPointer<UInt8>) {
        scratch.removeAll()
        CartPoleScene.draw(state, into: &scratch)
        render(scratch, into: frame)
    }

    /// Draws the static background and then `shapes` (in painter's order, each blended over what
    /// is below with its coverage as alpha) into `frame`.
    public func render(_ shapes: SceneShapes, into frame: UnsafeMutableBufferPointer<UInt8>) {
        precondition(frame.count == frameSize, "Rasterizer: frame holds \(frame.count) bytes, expected \(frameSize)")
        dirty.removeAll(keepingCapacity: true)
        draw(shapes)

        // The static background as bytes, then the touched region from the canvas, which is
        // restored to the background for the next frame.
        let out = frame.baseAddress!
        out.update(from: backgroundBytes, count: frameSize)
        // Boxes may overlap: read every box out before restoring any.
        for box in dirty {
            for j in box.j0...box.j1 {
                let row = j * width
                for i in box.i0...box.i1 { out[row + i] = UInt8(canvas[row + i].rounded()) }
            }
        }
        for box in dirty {
            for j in box.j0...box.j1 {
                let row = j * width
                for i in box.i0...box.i1 { canvas[row + i] = background[row + i] }
            }
        }
    }

    /// Composes `shapes` onto the canvas.
    private func draw(_ shapes: SceneShapes) {
        for shape in shapes.shapes {
            switch shape {
            case let .rect(x0, x1, y0, y1, paint):
                fillRect(x0, x1, y0, y1, gray: paintLevels[paint])
            case let .polygon(start, count, paint):
                if polygon.count < count { polygon = [SIMD2<Double>](repeating: .zero, count: count) }
                let scale = SIMD2(fx, fy)
                for k in 0..<count { polygon[k] = shapes.vertices[start + k] * scale }
                polygon.withUnsafeBufferPointer {
                    let corners = UnsafeBufferPointer(rebasing: $0[0..<count])
                    if layout.exactArea {
                        fillPolygonExactly(corners, gray: paintLevels[paint])
                    } else {
                        fillConvex(corners, gray: paintLevels[paint])
                    }
                }
            case let .circle(centre, radius, paint):
                fillCircle(centre: centre, radius: radius, gray: paintLevels[paint])
            }
        }
    }

    @inline(__always)
    func markDirty(_ i0: Int, _ i1: Int, _ j0: Int, _ j1: Int) {
        dirty.append((i0, i1, j0, j1))
    }
}
