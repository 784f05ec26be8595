// Shrinks a gray screen the way OpenCV's `cv2.resize(…, interpolation=cv2.INTER_AREA)` does for
// a non-integer scale (210×160 → 84×84 in every Atari pipeline): each destination pixel is the
// area-weighted mean of the source pixels its cell covers. The arithmetic follows OpenCV's
// order exactly (weights from Double cell bounds, sums in Float): per destination row, each contributing source row's horizontal
// weighted sum (left to right), times the row's weight, added to the row's sum; then rounded
// half to even and clamped. Checked pixel for pixel against OpenCV (Fixtures/atari/inter_area).
import Foundation

/// Area-weighted downscaling of byte images with precomputed weights.
public struct AreaResize: Sendable {
    public let sourceWidth: Int, sourceHeight: Int, width: Int, height: Int
    /// Per destination column (and row): the source indices and weights that make it.
    private let columns: [[(index: Int, weight: Float)]]
    private let rows: [[(index: Int, weight: Float)]]

    /// - Precondition: the destination is no larger than the source on each axis.
    public init(sourceWidth: Int, sourceHeight: Int, width: Int, height: Int) {
        precondition(width >= 1 && height >= 1 && width <= sourceWidth && height <= sourceHeight,
                     "AreaResize: \(sourceWidth)×\(sourceHeight) → \(width)×\(height) is not a reduction")
        self.sourceWidth = sourceWidth; self.sourceHeight = sourceHeight
        self.width = width; self.height = height
        columns = AreaResize.weights(source: sourceWidth, destination: width)
        rows = AreaResize.weights(source: sourceHeight, destination: height)
    }

    /// OpenCV's area weights on one axis: destination cell d covers [d·scale, (d+1)·scale); a
    /// partly covered source pixel at either end counts by the covered fraction. Weights are
    /// divided by the cell's width, so each cell's weights sum to 1.
    static func weights(source: Int, destination: Int) -> [[(index: Int, weight: Float)]] {
        // OpenCV computes the cell bounds in Double (scale = 1 / (destination / source)) and
        // rounds each weight to Float once.
        let scale = 1 / (Double(destination) / Double(source))
        var table: [[(index: Int, weight: Float)]] = []
        for d in 0..<destination {
            let f1 = Double(d) * scale, f2 = f1 + scale
            let cell = min(scale, Double(source) - f1)
            var s2 = Int(f2.rounded(.down)), s1 = Int(f1.rounded(.up))
            s2 = min(s2, source - 1)
            s1 = min(s1, s2)
            var entry: [(index: Int, weight: Float)] = []
            if Double(s1) - f1 > 1e-3 { entry.append((s1 - 1, Float((Double(s1) - f1) / cell))) }
            for s in s1..<s2 { entry.append((s, Float(1 / cell))) }
            if f2 - Double(s2) > 1e-3 { entry.append((s2, Float(min(min(f2 - Double(s2), 1), cell) / cell))) }
            table.append(entry)
        }
        return table
    }

    /// Writes the `width × height` reduction of `source` (`sourceWidth × sourceHeight`, row-major).
    public func apply(_ source: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) {
        precondition(source.count == sourceWidth * sourceHeight && output.count == width * height,
                     "AreaResize.apply: \(source.count) → \(output.count) bytes, expected \(sourceWidth * sourceHeight) → \(width * height)")
        var rowSum = [Float](repeating: 0, count: width)
        var line = [Float](repeating: 0, count: width)
        for y in 0..<height {
            for x in 0..<width { rowSum[x] = 0 }
            for (sy, wy) in rows[y] {
                let base = sy * sourceWidth
                for x in 0..<width {
                    var sum: Float = 0
                    for (sx, wx) in columns[x] { sum += Float(source[base + sx]) * wx }
                    line[x] = sum
                }
                for x in 0..<width { rowSum[x] += line[x] * wy }
            }
            for x in 0..<width {
                output[y * width + x] = UInt8(max(0, min(255, rowSum[x].rounded(.toNearestOrEven))))
            }
        }
    }
}
