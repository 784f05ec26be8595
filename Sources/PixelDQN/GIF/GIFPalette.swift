// The 256-colour palette of pixel-dqn's GIFs and the nearest-colour lookup into it. The palette is
// fixed, so every frame shares one global colour table and a colour never flickers between frames:
// 128 grays (φ is gray), the anti-aliasing ramps between CartPole's colours, and the colours the
// captions use. Index 0 is reserved for transparency (unchanged pixels of a frame).

public struct GIFPalette {
    /// The index GIFWriter uses for "unchanged since the previous frame"; never a colour match.
    public static let transparentIndex: UInt8 = 0
    /// 256 colours; entry 0 is a placeholder for the transparent index.
    public let colours: [RGB]
    /// Nearest-colour answers already computed, keyed by 0xRRGGBB.
    private var cache: [UInt32: UInt8] = [:]

    /// - Precondition: `colours` holds 2 to 256 entries.
    public init(colours: [RGB]) {
        precondition(colours.count >= 2 && colours.count <= 256, "GIFPalette: \(colours.count) colours, expected 2...256")
        self.colours = colours
    }

    /// The palette of the episode GIFs: `extra` (the captions' colours) are included exactly.
    /// `scene` is another task's palette (RGB triples); nil is CartPole's.
    public static func episode(extra: [RGB], scene: [[UInt8]]? = nil, colours given: [RGB]? = nil) -> GIFPalette {
        var list: [RGB] = [RGB(255, 0, 255)]   // index 0: transparent
        func add(_ c: RGB) { if !list.dropFirst().contains(c) { list.append(c) } }
        for c in extra { add(c) }
        // 128 grays, 0 and 255 included: φ to within one level in 2.
        for i in 0..<128 { let v = UInt8((Double(i) * 255 / 127).rounded()); add(RGB(v, v, v)) }
        // The scene's colours, and its edges, which mix two of them: 14 steps between each pair
        // that touch.
        func rgb(_ a: [UInt8]) -> RGB { RGB(a[0], a[1], a[2]) }
        var pairs: [(RGB, RGB)]
        if let given {
            // A picture of its own colours (an Atari screen): each as it is, while they fit.
            for c in given where list.count < 256 { add(c) }
            pairs = []
        } else if let scene {
            // Every colour, and the ramps between each two that are not both gray.
            var colours: [RGB] = []
            for c in scene.map(rgb) where !colours.contains(c) { colours.append(c) }
            for c in colours { add(c) }
            pairs = []
            for i in colours.indices {
                for j in colours.indices where j > i {
                    let (a, b) = (colours[i], colours[j])
                    if !(a.r == a.g && a.g == a.b && b.r == b.g && b.g == b.b) { pairs.append((a, b)) }
                }
            }
        } else {
            let s = CartPoleScene.self
            let (white, black, pole, axle) = (rgb(s.backgroundRGB), rgb(s.cartRGB), rgb(s.poleRGB), rgb(s.axleRGB))
            add(pole); add(axle)
            pairs = [(white, pole), (black, pole), (pole, axle), (black, axle), (white, axle)]
        }
        for (a, b) in pairs {
            for k in 1...14 {
                let t = Double(k) / 15
                func mix(_ x: UInt8, _ y: UInt8) -> UInt8 { UInt8((Double(x) * (1 - t) + Double(y) * t).rounded()) }
                add(RGB(mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b)))
            }
        }
        precondition(list.count <= 256, "GIFPalette.episode: \(list.count) colours")
        while list.count < 256 { list.append(.black) }
        return GIFPalette(colours: list)
    }

    /// The index of the colour nearest to (r, g, b) in squared RGB distance (ties: the lower
    /// index), never the transparent index.
    public mutating func index(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
        let key = UInt32(r) << 16 | UInt32(g) << 8 | UInt32(b)
        if let i = cache[key] { return i }
        var best = 1, bestDistance = Int.max
        for i in 1..<colours.count {
            let c = colours[i]
            let dr = Int(c.r) - Int(r), dg = Int(c.g) - Int(g), db = Int(c.b) - Int(b)
            let d = dr * dr + dg * dg + db * db
            if d < bestDistance { best = i; bestDistance = d }
        }
        cache[key] = UInt8(best)
        return UInt8(best)
    }

    /// Maps interleaved RGB pixels to palette indices.
    public mutating func indices(rgb: [UInt8]) -> [UInt8] {
        precondition(rgb.count % 3 == 0, "GIFPalette: \(rgb.count) bytes is not a whole number of RGB pixels")
        var out = [UInt8](repeating: 0, count: rgb.count / 3)
        var last: (UInt8, UInt8, UInt8, UInt8)?   // runs of one colour skip the lookup
        for p in 0..<out.count {
            let r = rgb[3 * p], g = rgb[3 * p + 1], b = rgb[3 * p + 2]
            if let l = last, l.0 == r, l.1 == g, l.2 == b { out[p] = l.3; continue }
            let i = index(r, g, b)
            last = (r, g, b, i)
            out[p] = i
        }
        return out
    }
}
