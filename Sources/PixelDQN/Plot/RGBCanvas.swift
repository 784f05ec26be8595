// A small RGB drawing surface for plots and GIF frames: filled rectangles, copied images,
// anti-aliased lines (Xiaolin Wu's algorithm), dots and bitmap text. It produces a PNGImage;
// nothing here knows about training.

public struct RGB: Equatable, Sendable {
    public var r: UInt8, g: UInt8, b: UInt8
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) { self.r = r; self.g = g; self.b = b }
    public static let white = RGB(255, 255, 255)
    public static let black = RGB(0, 0, 0)
}

public struct RGBCanvas {
    public let width: Int
    public let height: Int
    public private(set) var pixels: [UInt8]

    public init(width: Int, height: Int, background: RGB = .white) {
        self.width = width; self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        fill(x: 0, y: 0, w: width, h: height, background)
    }

    public var image: PNGImage { PNGImage(width: width, height: height, channels: 3, pixels: pixels) }

    /// Blends `c` over pixel (x, y) with opacity `a` in [0, 1]; outside the canvas is ignored.
    public mutating func blend(_ x: Int, _ y: Int, _ c: RGB, _ a: Double) {
        guard x >= 0, y >= 0, x < width, y < height, a > 0 else { return }
        let i = (y * width + x) * 3
        let t = min(a, 1)
        func mix(_ old: UInt8, _ new: UInt8) -> UInt8 { UInt8((Double(old) * (1 - t) + Double(new) * t).rounded()) }
        pixels[i] = mix(pixels[i], c.r); pixels[i + 1] = mix(pixels[i + 1], c.g); pixels[i + 2] = mix(pixels[i + 2], c.b)
    }

    public mutating func fill(x: Int, y: Int, w: Int, h: Int, _ c: RGB) {
        guard max(0, y) < min(height, y + h), max(0, x) < min(width, x + w) else { return }
        for yy in max(0, y)..<min(height, y + h) { for xx in max(0, x)..<min(width, x + w) { blend(xx, yy, c, 1) } }
    }

    /// Copies an image of `w × h` pixels with its top-left corner at (x, y), clipped to the
    /// canvas: interleaved RGB (`channels` 3) or gray (`channels` 1), row-major.
    public mutating func draw(image: ArraySlice<UInt8>, channels: Int, width w: Int, height h: Int, x: Int, y: Int) {
        precondition(channels == 1 || channels == 3, "RGBCanvas.draw: \(channels) channels, expected 1 or 3")
        precondition(image.count == w * h * channels, "RGBCanvas.draw: \(image.count) bytes, expected \(w)x\(h)x\(channels)")
        let base = image.startIndex
        for row in max(0, -y)..<min(h, height - y) {
            for col in max(0, -x)..<min(w, width - x) {
                let src = base + (row * w + col) * channels, dst = ((y + row) * width + x + col) * 3
                for c in 0..<3 { pixels[dst + c] = image[src + (channels == 3 ? c : 0)] }
            }
        }
    }

    /// An anti-aliased line of about `thickness` pixels (Wu's algorithm, widened perpendicular).
    public mutating func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, _ c: RGB, thickness: Double = 1) {
        let steep = abs(y1 - y0) > abs(x1 - x0)
        var (ax, ay, bx, by) = steep ? (y0, x0, y1, x1) : (x0, y0, x1, y1)
        if ax > bx { swap(&ax, &bx); swap(&ay, &by) }
        let dx = bx - ax
        let gradient = dx == 0 ? 0 : (by - ay) / dx
        let half = (thickness - 1) / 2
        var x = ax.rounded()
        while x <= bx.rounded() {
            let y = ay + gradient * (x - ax)
            let top = y - half
            let base = top.rounded(.down)
            let frac = top - base
            let xi = Int(x)
            let span = Int(thickness.rounded(.up))
            for k in 0...span {
                let yi = Int(base) + k
                var cover = 1.0
                if k == 0 { cover = 1 - frac } else if k == span { cover = frac }
                if steep { blend(yi, xi, c, cover) } else { blend(xi, yi, c, cover) }
            }
            x += 1
        }
    }

    /// A filled square dot of side `size` centred on (x, y).
    public mutating func dot(_ x: Double, _ y: Double, _ c: RGB, size: Int = 3) {
        let x0 = Int(x.rounded()) - size / 2, y0 = Int(y.rounded()) - size / 2
        fill(x: x0, y: y0, w: size, h: size, c)
    }

    /// Draws `text` with its top-left corner at (x, y); `vertical` rotates it to read bottom-up.
    public mutating func text(_ text: String, x: Int, y: Int, _ c: RGB, scale: Int = 1, vertical: Bool = false) {
        var pen = 0
        for ch in text.uppercased() {
            if let rows = BitmapFont.glyphs[ch] {
                for (r, bits) in rows.enumerated() {
                    for col in 0..<BitmapFont.glyphWidth where bits & (1 << (BitmapFont.glyphWidth - 1 - col)) != 0 {
                        for sy in 0..<scale { for sx in 0..<scale {
                            let gx = pen + col * scale + sx, gy = r * scale + sy
                            if vertical { blend(x + gy, y - gx, c, 1) } else { blend(x + gx, y + gy, c, 1) }
                        } }
                    }
                }
            }
            pen += (BitmapFont.glyphWidth + 1) * scale
        }
    }
}
