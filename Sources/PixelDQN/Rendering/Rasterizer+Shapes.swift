// How Rasterizer scan-converts each shape: rectangles by exact overlap, convex polygons and
// circles by exact horizontal coverage on sub-scanlines; each shape's coverage is blended over
// what is below and cleared again.

extension Rasterizer {

    /// Length of the overlap of [a, b) with the unit pixel [i, i + 1).
    @inline(__always)
    static func overlap(_ a: Double, _ b: Double, _ i: Int) -> Double {
        max(0, min(b, Double(i + 1)) - max(a, Double(i)))
    }

    /// An axis-aligned rectangle in scene coordinates: coverage is the product of the exact
    /// horizontal and vertical overlaps, so no sampling is needed.
    func fillRect(_ sx0: Double, _ sx1: Double, _ sy0: Double, _ sy1: Double, gray: Float) {
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
    func addSpan(row: Int, _ xl: Double, _ xr: Double, weight: Double) {
        let l = max(xl, 0), r = min(xr, Double(width))
        guard r > l else { return }
        let il = Int(l), ir = min(Int(r), width - 1)
        let base = row * width
        spanFirst[row] = min(spanFirst[row], il)
        spanLast[row] = max(spanLast[row], ir)
        if il == ir {
            coverage[base + il] += Float((r - l) * weight)
            return
        }
        coverage[base + il] += Float((Double(il + 1) - l) * weight)
        if il + 1 < ir {
            let full = Float(weight)
            for i in (il + 1)..<ir { coverage[base + i] += full }
        }
        coverage[base + ir] += Float((r - Double(ir)) * weight)
    }

    /// Blends the accumulated coverage of rows `j0...j1`, columns `i0...i1` (the shape's box)
    /// into the canvas and clears it again; each row only where its spans touched it.
    func composite(_ i0: Int, _ i1: Int, _ j0: Int, _ j1: Int, gray: Float) {
        guard i0 <= i1, j0 <= j1 else { return }
        markDirty(i0, i1, j0, j1)
        for j in j0...j1 {
            let row = j * width
            let first = max(i0, spanFirst[j]), last = min(i1, spanLast[j])
            spanFirst[j] = width; spanLast[j] = -1
            guard first <= last else { continue }
            for i in first...last where coverage[row + i] > 0 {
                let a = min(coverage[row + i], 1)
                canvas[row + i] += (gray - canvas[row + i]) * a
                coverage[row + i] = 0
            }
        }
    }

    /// A convex polygon in output pixels: for each sub-scanline the covered x-interval is the
    /// intersection of the half-planes, found from the edges crossing that height.
    func fillConvex(_ p: UnsafeBufferPointer<SIMD2<Double>>, gray: Float) {
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
                var a = p[p.count - 1]
                for e in 0..<p.count {
                    let b = p[e]
                    if (a.y <= y && y <= b.y) || (b.y <= y && y <= a.y) {
                        let x = a.y == b.y ? min(a.x, b.x) : a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y)
                        let x2 = a.y == b.y ? max(a.x, b.x) : x
                        xl = min(xl, x); xr = max(xr, x2)
                    }
                    a = b
                }
                if xr > xl { addSpan(row: j, xl, xr, weight: w) }
            }
        }
        composite(i0, i1, j0, j1, gray: gray)
    }

    /// A disc (an ellipse in output pixels when the frame is not 3:2): the span of each
    /// sub-scanline is cx ± rx·√(1 − (dy/ry)²).
    func fillCircle(centre: SIMD2<Double>, radius: Double, gray: Float) {
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
