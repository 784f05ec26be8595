// Polygons by exact area coverage: each edge adds its signed area to an accumulation buffer, row
// by row, and a running sum along each row gives every pixel's covered fraction (the method of
// font-rs and stb_truetype). Exact for any simple polygon, convex or not, and cheaper than
// sub-scanlines; used by scenes whose layout asks for it (CartPole keeps its sub-scanline frames).

extension Rasterizer {
    /// A simple polygon in output pixels, filled by exact area coverage.
    func fillPolygonExactly(_ p: UnsafeBufferPointer<SIMD2<Double>>, gray: Float) {
        var minX = Double.infinity, maxX = -Double.infinity, minY = Double.infinity, maxY = -Double.infinity
        for v in p { minX = min(minX, v.x); maxX = max(maxX, v.x); minY = min(minY, v.y); maxY = max(maxY, v.y) }
        let w = Double(width), h = Double(height)
        guard maxX > 0, minX < w, maxY > 0, minY < h, minX.isFinite, maxX.isFinite, minY.isFinite, maxY.isFinite else { return }
        // Edges outside the frame's columns are clipped to them first (Sutherland–Hodgman against
        // x = 0 and x = width), so every column index below is inside the buffer.
        var points = p
        if minX < 0 || maxX > w {
            let clipped = clipToColumns(p)
            guard clipped.count >= 3 else { return }
            points = clipped
        }
        let j0 = max(0, Int(minY.rounded(.down))), j1 = min(height - 1, Int(maxY.rounded(.up)))
        let i0 = max(0, Int(minX.rounded(.down))), i1 = min(width - 1, Int(maxX.rounded(.up)))
        var a = points[points.count - 1]
        for b in points {
            accumulate(a, b)
            a = b
        }
        markDirty(i0, i1, j0, j1)
        let stride = width + 2
        for j in j0...j1 {
            let row = j * width, accRow = j * stride
            var sum = 0.0
            for i in i0...(i1 + 1) {
                sum += accumulation[accRow + i]
                accumulation[accRow + i] = 0
                guard i <= i1 else { continue }
                let cover = Float(min(abs(sum), 1))
                if cover > 0 { canvas[row + i] += (gray - canvas[row + i]) * cover }
            }
            // The last edge cells may lie one column beyond the box.
            accumulation[accRow + i1 + 2] = 0
        }
    }

    /// Adds the signed area the edge from `p0` to `p1` covers to the right of it, row by row:
    /// within a row the edge spans [x, x′]; the pixels it crosses get the trapezoid parts and
    /// the pixel after it the rest, so that a running sum along the row is the coverage.
    private func accumulate(_ p0: SIMD2<Double>, _ p1: SIMD2<Double>) {
        guard p0.y != p1.y else { return }
        let (dir, a, b) = p0.y < p1.y ? (1.0, p0, p1) : (-1.0, p1, p0)
        let dxdy = (b.x - a.x) / (b.y - a.y)
        let top = max(a.y, 0), bottom = min(b.y, Double(height))
        guard top < bottom else { return }
        var x = a.x + (top - a.y) * dxdy
        let stride = width + 2
        for j in Int(top.rounded(.down))..<Int(bottom.rounded(.up)) {
            let dy = min(Double(j + 1), bottom) - max(Double(j), top)
            let xNext = x + dxdy * dy
            let d = dy * dir
            let (x0, x1) = x < xNext ? (x, xNext) : (xNext, x)
            let x0Floor = x0.rounded(.down), x1Ceil = x1.rounded(.up)
            let i0 = Int(x0Floor), i1 = Int(x1Ceil)
            let base = j * stride
            if i1 <= i0 + 1 {
                // Within one pixel: its share is the part right of the edge's mean x.
                let mid = 0.5 * (x + xNext) - x0Floor
                accumulation[base + i0] += d - d * mid
                accumulation[base + i0 + 1] += d * mid
            } else {
                let s = 1 / (x1 - x0)
                let x0f = x0 - x0Floor
                let first = 0.5 * s * (1 - x0f) * (1 - x0f)
                let x1f = x1 - x1Ceil + 1
                let last = 0.5 * s * x1f * x1f
                accumulation[base + i0] += d * first
                if i1 == i0 + 2 {
                    accumulation[base + i0 + 1] += d * (1 - first - last)
                } else {
                    let second = s * (1.5 - x0f)
                    accumulation[base + i0 + 1] += d * (second - first)
                    if i0 + 2 < i1 - 1 {
                        for i in (i0 + 2)..<(i1 - 1) { accumulation[base + i] += d * s }
                    }
                    let before = second + Double(i1 - i0 - 3) * s
                    accumulation[base + i1 - 1] += d * (1 - before - last)
                }
                accumulation[base + i1] += d * last
            }
            x = xNext
        }
    }

    /// `p` clipped to 0 ≤ x ≤ width, into the reusable `clipScratch`.
    private func clipToColumns(_ p: UnsafeBufferPointer<SIMD2<Double>>) -> UnsafeBufferPointer<SIMD2<Double>> {
        let needed = 2 * p.count + 4
        if clipScratch.count < 2 * needed {
            clipScratch.deallocate()
            clipScratch = .allocate(capacity: 2 * needed)
            clipScratch.initialize(repeating: .zero)
        }
        let first = UnsafeMutableBufferPointer(rebasing: clipScratch[0..<needed])
        let second = UnsafeMutableBufferPointer(rebasing: clipScratch[needed..<(2 * needed)])
        let w = Double(width)
        let n1 = Rasterizer.clip(p, into: first, keep: { $0.x >= 0 }, boundary: 0)
        let n2 = Rasterizer.clip(UnsafeBufferPointer(rebasing: first[0..<n1]), into: second, keep: { $0.x <= w }, boundary: w)
        return UnsafeBufferPointer(rebasing: second[0..<n2])
    }

    /// One Sutherland–Hodgman pass against the vertical line x = `boundary`.
    private static func clip(_ p: UnsafeBufferPointer<SIMD2<Double>>, into out: UnsafeMutableBufferPointer<SIMD2<Double>>,
                             keep: (SIMD2<Double>) -> Bool, boundary: Double) -> Int {
        guard !p.isEmpty else { return 0 }
        var n = 0
        var a = p[p.count - 1]
        for b in p {
            let ka = keep(a), kb = keep(b)
            if ka != kb {
                let t = (boundary - a.x) / (b.x - a.x)
                out[n] = SIMD2(boundary, a.y + t * (b.y - a.y)); n += 1
            }
            if kb { out[n] = b; n += 1 }
            a = b
        }
        return n
    }
}
