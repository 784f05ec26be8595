// The general rasterizer on shapes of known area: the ink it lays down (255 − gray, summed over
// the frame) is each shape's area in output pixels, whatever the frame's size, and shapes are
// painted in order over the static background.
import Foundation
import Testing
import PixelDQN

@Suite struct SceneShapesTests {
    /// A 100x100 scene, white with black ink, no static shapes.
    static let layout = SceneLayout(width: 100, height: 100, palette: [[255, 255, 255], [0, 0, 0], [128, 128, 128]],
                                    background: SceneShapes())

    /// The area of ink in a frame, in output pixels (each level of 255 − gray is 1/255 of a pixel).
    static func inkArea(_ frame: [UInt8]) -> Double { frame.reduce(0.0) { $0 + Double(255 - Int($1)) } / 255 }

    static func draw(_ build: (inout SceneShapes) -> Void, width: Int = 100, height: Int = 100) -> [UInt8] {
        var shapes = SceneShapes()
        build(&shapes)
        let raster = Rasterizer(width: width, height: height, layout: layout)
        var frame = [UInt8](repeating: 0, count: width * height)
        frame.withUnsafeMutableBufferPointer { raster.render(shapes, into: $0) }
        return frame
    }

    @Test func eachShapeInksItsArea() {
        let r = 12.3, length = 50.0, width = 3.0
        let cases: [(String, Double, (inout SceneShapes) -> Void)] = [
            ("rect", 20.25 * 10.5, { $0.rect(x0: 10.25, x1: 30.5, y0: 40.5, y1: 51, paint: 1) }),
            ("triangle", 0.5 * 40 * 30, { $0.triangle(SIMD2(10, 10), SIMD2(50, 10), SIMD2(23.3, 40), paint: 1) }),
            ("rotated square", 2 * 15 * 15, { $0.quad(SIMD2(50, 35), SIMD2(65, 50), SIMD2(50, 65), SIMD2(35, 50), paint: 1) }),
            ("circle", Double.pi * r * r, { $0.circle(centre: SIMD2(47.3, 52.9), radius: r, paint: 1) }),
            ("thick segment", length * width, { $0.segment(SIMD2(20, 30), SIMD2(20 + length * 0.6, 30 + length * 0.8), width: width, paint: 1) }),
            ("pygame line", 40, { $0.line(SIMD2(10.5, 20.5), SIMD2(50.5, 35.5), paint: 1) }),
        ]
        for (name, area, build) in cases {
            let ink = Self.inkArea(Self.draw(build))
            // Rounding each pixel to a byte costs at most half a level per edge pixel.
            #expect(abs(ink - area) <= 0.01 * area + 0.5, "\(name): ink \(ink), area \(area)")
        }
    }

    @Test func polygonsAreClippedToTheFrameAndMayBeConcave() {
        // A triangle half beyond the left edge and one beyond the right: only the visible parts ink.
        let left = Self.inkArea(Self.draw { $0.triangle(SIMD2(-20, 10), SIMD2(20, 10), SIMD2(-20, 50), paint: 1) })
        #expect(abs(left - 0.5 * 20 * 20) <= 0.5, "left \(left)")
        let right = Self.inkArea(Self.draw { $0.quad(SIMD2(90, 0), SIMD2(130, 0), SIMD2(130, 10), SIMD2(90, 10), paint: 1) })
        #expect(abs(right - 100) <= 0.5, "right \(right)")
        // An L of area 30 × 10 + 10 × 20 = 500.
        let l: [SIMD2<Double>] = [SIMD2(10, 10), SIMD2(40, 10), SIMD2(40, 20), SIMD2(20.5, 20), SIMD2(20.5, 40), SIMD2(10.5, 40), SIMD2(10.5, 20), SIMD2(10, 20)]
        let ink = Self.inkArea(Self.draw { s in l.withUnsafeBufferPointer { s.polygon($0, paint: 1) } })
        #expect(abs(ink - (300 + 10 * 20)) <= 0.5, "L \(ink)")
        // Entirely outside: nothing.
        #expect(Self.inkArea(Self.draw { $0.triangle(SIMD2(-50, 10), SIMD2(-10, 10), SIMD2(-30, 50), paint: 1) }) == 0)
    }

    @Test func polylinesJoinSegments() {
        let points: [SIMD2<Double>] = [SIMD2(10, 10), SIMD2(90, 10), SIMD2(90, 90)]
        let ink = Self.inkArea(Self.draw { s in points.withUnsafeBufferPointer { s.polyline($0, width: 2, paint: 1) } })
        // Two 80 × 2 bars meeting at a corner (butt ends: the 1 × 1 corner square is left out).
        #expect(abs(ink - 2 * 80 * 2) <= 3, "ink \(ink)")
    }

    @Test func areaScalesWithTheFrame() {
        // The same rect at 50x50 covers a quarter of the output pixels it covers at 100x100.
        let build: (inout SceneShapes) -> Void = { $0.rect(x0: 10, x1: 60, y0: 20, y1: 40, paint: 1) }
        let full = Self.inkArea(Self.draw(build)), half = Self.inkArea(Self.draw(build, width: 50, height: 50))
        #expect(abs(full - 1000) <= 0.5 && abs(half - 250) <= 0.5, "full \(full), half \(half)")
    }

    @Test func laterShapesPaintOverEarlierOnesAndFramesDoNotLeak() {
        let raster = Rasterizer(width: 100, height: 100, layout: Self.layout)
        var a = SceneShapes(), b = SceneShapes()
        a.rect(x0: 10, x1: 50, y0: 10, y1: 50, paint: 1)
        a.circle(centre: SIMD2(30, 30), radius: 5, paint: 2)
        b.triangle(SIMD2(60, 60), SIMD2(95, 60), SIMD2(60, 95), paint: 2)
        var first = [UInt8](repeating: 0, count: 10_000), other = first, again = first
        first.withUnsafeMutableBufferPointer { raster.render(a, into: $0) }
        other.withUnsafeMutableBufferPointer { raster.render(b, into: $0) }
        again.withUnsafeMutableBufferPointer { raster.render(a, into: $0) }
        #expect(first[30 * 100 + 30] == 128 && first[12 * 100 + 12] == 0 && first[80 * 100 + 80] == 255)
        #expect(other[12 * 100 + 12] == 255 && other[65 * 100 + 65] == 128, "nothing of the previous frame is left")
        #expect(again == first)
    }
}
