// Reading a GIF back through giflib (DGifSlurp): its size, colour table, looping and frames, and
// the pictures a viewer shows after each frame. For tests and checks of the files pixel-dqn writes;
// it handles the features GIFWriter uses (global colour table, transparency, disposal 0 or 1).
import CGIF

package struct GIFInfo {
    package struct Frame {
        package var left: Int, top: Int, width: Int, height: Int
        /// Hundredths of a second; 0 without a graphics control extension.
        package var delay: Int
        package var disposal: Int
        /// The transparent index, or nil.
        package var transparent: Int?
        /// `height` rows of `width` indices.
        package var indices: [UInt8]
    }

    package var width: Int
    package var height: Int
    package var palette: [RGB]
    /// The NETSCAPE2.0 loop count (0 = forever), nil when the file does not loop.
    package var loopCount: Int?
    package var frames: [Frame]

    /// The total of the frames' delays, in hundredths of a second.
    package var duration: Int { frames.reduce(0) { $0 + $1.delay } }

    /// Reads `path` with giflib.
    /// - Throws: `FileError` naming the file and giflib's message.
    package static func read(_ path: String) throws -> GIFInfo {
        var error: Int32 = 0
        guard let gif = DGifOpenFileName(path, &error) else {
            throw FileError(path: path, problem: "cannot open as a GIF (\(GIFError("giflib", code: error).message))")
        }
        defer { var e: Int32 = 0; DGifCloseFile(gif, &e) }
        guard DGifSlurp(gif) == GIF_OK else {
            throw FileError(path: path, problem: "not a readable GIF (\(GIFError("giflib", code: gif.pointee.Error).message))")
        }
        var info = GIFInfo(width: Int(gif.pointee.SWidth), height: Int(gif.pointee.SHeight), palette: [], loopCount: nil, frames: [])
        if let map = gif.pointee.SColorMap {
            info.palette = (0..<Int(map.pointee.ColorCount)).map {
                let c = map.pointee.Colors[$0]
                return RGB(c.Red, c.Green, c.Blue)
            }
        }
        for i in 0..<Int(gif.pointee.ImageCount) {
            let image = gif.pointee.SavedImages[i]
            let d = image.ImageDesc
            let count = Int(d.Width) * Int(d.Height)
            guard count > 0, let bits = image.RasterBits else { throw FileError(path: path, problem: "frame \(i) is empty") }
            var frame = Frame(left: Int(d.Left), top: Int(d.Top), width: Int(d.Width), height: Int(d.Height),
                              delay: 0, disposal: 0, transparent: nil, indices: Array(UnsafeBufferPointer(start: bits, count: count)))
            var control = GraphicsControlBlock()
            if DGifSavedExtensionToGCB(gif, Int32(i), &control) == GIF_OK {
                frame.delay = Int(control.DelayTime)
                frame.disposal = Int(control.DisposalMode)
                frame.transparent = control.TransparentColor == NO_TRANSPARENT_COLOR ? nil : Int(control.TransparentColor)
            }
            // NETSCAPE2.0: an application block naming it, then a sub-block [1, count low, count high].
            let blocks = UnsafeBufferPointer(start: image.ExtensionBlocks, count: Int(image.ExtensionBlockCount))
            for (k, block) in blocks.enumerated() where block.Function == APPLICATION_EXT_FUNC_CODE && k + 1 < blocks.count {
                let name = Array(UnsafeBufferPointer(start: block.Bytes, count: Int(block.ByteCount)))
                let next = blocks[k + 1]
                if name == Array("NETSCAPE2.0".utf8), next.ByteCount == 3, let b = next.Bytes, b[0] == 1 {
                    info.loopCount = Int(b[1]) | Int(b[2]) << 8
                }
            }
            info.frames.append(frame)
        }
        return info
    }

    /// The picture on screen after each frame (indices, `height` rows of `width`), starting from a
    /// canvas of index `background`: a frame's transparent pixels keep what was there.
    /// - Precondition: no frame asks for disposal 2 or 3 (GIFWriter uses 1).
    package func pictures(background: UInt8 = 0) -> [[UInt8]] {
        var canvas = [UInt8](repeating: background, count: width * height)
        var out: [[UInt8]] = []
        for f in frames {
            precondition(f.disposal <= 1, "GIFInfo.pictures: disposal \(f.disposal) is not handled")
            for y in 0..<f.height where f.top + y < height {
                for x in 0..<f.width where f.left + x < width {
                    let v = f.indices[y * f.width + x]
                    if let t = f.transparent, Int(v) == t { continue }
                    canvas[(f.top + y) * width + f.left + x] = v
                }
            }
            out.append(canvas)
        }
        return out
    }
}
