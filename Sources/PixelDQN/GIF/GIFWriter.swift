// An animated GIF encoder on giflib's low-level API (EGif*), into memory; the caller writes the
// bytes atomically. Frames are whole pictures of palette indices: each is stored as the rectangle
// where it differs from the picture on screen, with unchanged pixels transparent (disposal "leave
// in place"), and a frame equal to the one before only lengthens that one's delay.
import CGIF

/// A giflib failure, with giflib's message.
public struct GIFError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public var description: String { message }
    init(_ what: String, code: Int32) {
        let text = GifErrorString(code).map { String(cString: $0) } ?? "error \(code)"
        message = "\(what): \(text)"
    }
    init(_ message: String) { self.message = message }
}

/// Receives giflib's output through EGifOpen's write callback.
private final class ByteSink {
    var bytes: [UInt8] = []
}

public final class GIFWriter {
    public let width: Int
    public let height: Int
    /// The largest delay one frame can carry, in hundredths of a second (a 16-bit field).
    public static let maximumDelay = 65_535
    private var file: UnsafeMutablePointer<GifFileType>?
    private let sink = ByteSink()
    /// What a viewer shows after the frames written so far (nil before the first).
    private var screen: [UInt8]?
    /// The last frame given, not yet written: a following identical frame adds to its delay.
    private var pending: (indices: [UInt8], delay: Int)?
    /// Frames written to the file so far.
    public private(set) var framesWritten = 0

    /// Opens an animation of `width × height` with `palette` as its global colour table, looping
    /// `loopCount` times (0 = forever, written as a NETSCAPE2.0 application extension).
    /// - Precondition: the size is 1...65535 on each side and `palette` has at most 256 colours.
    public init(width: Int, height: Int, palette: [RGB], loopCount: Int = 0) throws {
        precondition((1...65_535).contains(width) && (1...65_535).contains(height), "GIFWriter: size \(width)x\(height)")
        precondition(palette.count <= 256 && (0...65_535).contains(loopCount), "GIFWriter: \(palette.count) colours, loop count \(loopCount)")
        self.width = width
        self.height = height
        var error: Int32 = 0
        let write: OutputFunc = { gif, data, count in
            guard let gif, let data, count >= 0, let user = gif.pointee.UserData else { return 0 }
            Unmanaged<ByteSink>.fromOpaque(user).takeUnretainedValue().bytes
                .append(contentsOf: UnsafeBufferPointer(start: data, count: Int(count)))
            return count
        }
        guard let gif = EGifOpen(Unmanaged.passUnretained(sink).toOpaque(), write, &error) else {
            throw GIFError("cannot start a GIF", code: error)
        }
        file = gif
        // giflib writes "GIF87a" unless told: the delays, transparency and looping are GIF89a's.
        EGifSetGifVersion(gif, true)
        var colours = palette.map { GifColorType(Red: $0.r, Green: $0.g, Blue: $0.b) }
        // A colour table holds a power of two entries.
        var size = 2
        while size < colours.count { size *= 2 }
        colours += Array(repeating: GifColorType(Red: 0, Green: 0, Blue: 0), count: size - colours.count)
        guard let map = GifMakeMapObject(Int32(size), &colours) else { throw GIFError("cannot allocate the colour table") }
        defer { GifFreeMapObject(map) }
        try check(EGifPutScreenDesc(gif, Int32(width), Int32(height), Int32(map.pointee.BitsPerPixel), 0, map), "screen descriptor")
        var netscape = Array("NETSCAPE2.0".utf8)
        var loop: [UInt8] = [1, UInt8(loopCount & 0xFF), UInt8(loopCount >> 8)]
        try check(EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE), "loop extension")
        try check(EGifPutExtensionBlock(gif, Int32(netscape.count), &netscape), "loop extension")
        try check(EGifPutExtensionBlock(gif, Int32(loop.count), &loop), "loop extension")
        try check(EGifPutExtensionTrailer(gif), "loop extension")
    }

    deinit {
        if let file { var error: Int32 = 0; EGifCloseFile(file, &error) }
    }

    private func check(_ status: Int32, _ what: String) throws {
        guard status == GIF_OK else { throw GIFError("writing the GIF's \(what)", code: file?.pointee.Error ?? 0) }
    }

    /// Adds a frame: `indices` holds `height` rows of `width` palette indices, none of them the
    /// transparent index 0 if the palette is GIFPalette's; `delay` is in hundredths of a second.
    public func add(_ indices: [UInt8], delay: Int) throws {
        precondition(indices.count == width * height, "GIFWriter: \(indices.count) pixels, expected \(width)x\(height)")
        precondition(delay >= 0 && delay <= GIFWriter.maximumDelay, "GIFWriter: delay \(delay)")
        if let p = pending, p.indices == indices, p.delay + delay <= GIFWriter.maximumDelay {
            pending = (p.indices, p.delay + delay)
            return
        }
        try writePending()
        pending = (indices, delay)
    }

    /// Writes the last frame and the trailer, and returns the file's bytes.
    public func finish() throws -> [UInt8] {
        try writePending()
        guard let gif = file else { throw GIFError("the GIF is already finished") }
        file = nil
        var error: Int32 = 0
        guard EGifCloseFile(gif, &error) == GIF_OK else { throw GIFError("closing the GIF", code: error) }
        return sink.bytes
    }

    private func writePending() throws {
        guard let (indices, delay) = pending, let gif = file else { return }
        pending = nil
        // The rectangle where the frame differs from the screen; unchanged pixels inside it are
        // transparent. The first frame is written whole.
        var x0 = 0, x1 = width - 1, y0 = 0, y1 = height - 1
        var pixels = indices
        if let screen {
            x0 = width; x1 = -1; y0 = height; y1 = -1
            for y in 0..<height {
                for x in 0..<width where indices[y * width + x] != screen[y * width + x] {
                    x0 = min(x0, x); x1 = max(x1, x); y0 = min(y0, y); y1 = max(y1, y)
                }
            }
            if x1 < 0 { x0 = 0; x1 = 0; y0 = 0; y1 = 0 }   // unreachable after merging equal frames
            pixels = indices.indices.map { indices[$0] == screen[$0] ? GIFPalette.transparentIndex : indices[$0] }
        }
        var control = GraphicsControlBlock(DisposalMode: DISPOSE_DO_NOT, UserInputFlag: false, DelayTime: Int32(delay),
                                           TransparentColor: Int32(GIFPalette.transparentIndex))
        var extensionBytes = [UInt8](repeating: 0, count: 4)
        let length = EGifGCBToExtension(&control, &extensionBytes)
        try check(EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, Int32(length), &extensionBytes), "frame \(framesWritten) delay")
        let w = x1 - x0 + 1
        try check(EGifPutImageDesc(gif, Int32(x0), Int32(y0), Int32(w), Int32(y1 - y0 + 1), false, nil), "frame \(framesWritten)")
        var row = [GifPixelType](repeating: 0, count: w)
        for y in y0...y1 {
            for x in 0..<w { row[x] = pixels[y * width + x0 + x] }
            try check(EGifPutLine(gif, &row, Int32(w)), "frame \(framesWritten)")
        }
        screen = indices
        framesWritten += 1
    }
}
