// Laying out several gray frames as one picture, for people: φ stacks side by side.

extension PNGImage {
    /// One gray image holding `count` frames of `width × height` side by side, the first
    /// (oldest, for φ) on the left. `frames` is count × height × width bytes.
    public static func sideBySide(_ frames: [UInt8], count: Int, width: Int, height: Int) -> PNGImage {
        precondition(frames.count == count * width * height,
                     "sideBySide: \(frames.count) bytes, expected \(count)x\(height)x\(width)")
        var image = PNGImage(width: count * width, height: height, fill: 0)
        for f in 0..<count {
            for y in 0..<height {
                let src = f * width * height + y * width
                let dst = y * count * width + f * width
                image.pixels[dst..<(dst + width)] = frames[src..<(src + width)]
            }
        }
        return image
    }
}
