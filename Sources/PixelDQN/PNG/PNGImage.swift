// 8-bit grayscale and RGB images, and their PNG files through the system libpng's simplified
// API (png_image), which reports errors in a struct field rather than by longjmp.
import CLibPNG
import Foundation

/// An 8-bit image, row-major, `channels` bytes per pixel (1 = gray, 3 = RGB).
public struct PNGImage: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public var channels: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int = 1, pixels: [UInt8]) {
        precondition(channels == 1 || channels == 3, "PNGImage: channels must be 1 or 3, got \(channels)")
        precondition(pixels.count == width * height * channels,
                     "PNGImage: \(pixels.count) bytes for \(width)x\(height)x\(channels)")
        self.width = width; self.height = height; self.channels = channels; self.pixels = pixels
    }

    /// A blank image filled with `value`.
    public init(width: Int, height: Int, channels: Int = 1, fill value: UInt8) {
        self.init(width: width, height: height, channels: channels,
                  pixels: [UInt8](repeating: value, count: width * height * channels))
    }

    /// Largest image the reader accepts (guards against absurd sizes in hostile headers).
    public static let maximumPixels = 64 * 1024 * 1024
}

/// Why a PNG could not be read or written; every case names the file.
public struct PNGError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let problem: String
    public var description: String { "\(path): \(problem)" }
}

extension PNGImage {
    private static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Reads a PNG file of any colour type and bit depth, converted to 8-bit gray
    /// (`channels: 1`) or RGB (`channels: 3`).
    /// - Throws: `PNGError` when the file is missing, is not a PNG, is truncated or corrupt,
    ///   or is larger than `maximumPixels`.
    public static func read(_ path: String, channels: Int = 1) throws -> PNGImage {
        precondition(channels == 1 || channels == 3, "PNGImage.read: channels must be 1 or 3")
        let bytes: [UInt8]
        do { bytes = try AtomicFile.read(path) } catch let e as FileError {
            throw PNGError(path: path, problem: e.problem)
        }
        return try decode(bytes, channels: channels, name: path)
    }

    /// Decodes PNG bytes held in memory; `name` is used in error messages.
    public static func decode(_ bytes: [UInt8], channels: Int = 1, name: String = "<memory>") throws -> PNGImage {
        guard bytes.count >= 8, Array(bytes[0..<8]) == pngSignature else {
            throw PNGError(path: name, problem: "not a PNG file (the 8-byte PNG signature is missing; \(bytes.count) bytes)")
        }
        // libpng's memory reader keeps a pointer to the bytes from begin to finish, so both
        // calls happen inside one access to the array's storage.
        return try bytes.withUnsafeBytes { raw in
            var image = png_image()
            image.version = UInt32(PNG_IMAGE_VERSION)
            guard png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count) != 0 else {
                let message = libpngMessage(&image)
                png_image_free(&image)
                throw PNGError(path: name, problem: "cannot read the PNG header: \(message)")
            }
            let width = Int(image.width), height = Int(image.height)
            guard width > 0, height > 0, width * height <= maximumPixels else {
                png_image_free(&image)
                throw PNGError(path: name, problem: "image size \(width)x\(height) is outside the accepted range (at most \(maximumPixels) pixels)")
            }
            image.format = channels == 1 ? UInt32(PNG_FORMAT_GRAY) : UInt32(PNG_FORMAT_RGB)
            var pixels = [UInt8](repeating: 0, count: width * height * channels)
            let finished = pixels.withUnsafeMutableBytes { out in
                png_image_finish_read(&image, nil, out.baseAddress, Int32(width * channels), nil)
            }
            guard finished != 0 else {
                let message = libpngMessage(&image)
                png_image_free(&image)
                throw PNGError(path: name, problem: "truncated or corrupt PNG data: \(message)")
            }
            png_image_free(&image)
            return PNGImage(width: width, height: height, channels: channels, pixels: pixels)
        }
    }

    /// Encodes the image as PNG bytes.
    public func encoded() throws -> [UInt8] {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = channels == 1 ? UInt32(PNG_FORMAT_GRAY) : UInt32(PNG_FORMAT_RGB)
        var size: Int = 0
        // First call sizes the output, the second fills it.
        let sized = pixels.withUnsafeBytes { px in
            png_image_write_to_memory(&image, nil, &size, 0, px.baseAddress, Int32(width * channels), nil)
        }
        guard sized != 0 else {
            let message = PNGImage.libpngMessage(&image)
            png_image_free(&image)
            throw PNGError(path: "<memory>", problem: "PNG encoding failed: \(message)")
        }
        var out = [UInt8](repeating: 0, count: size)
        let ok = pixels.withUnsafeBytes { px in
            out.withUnsafeMutableBytes { o in
                png_image_write_to_memory(&image, o.baseAddress, &size, 0, px.baseAddress, Int32(width * channels), nil)
            }
        }
        guard ok != 0 else {
            let message = PNGImage.libpngMessage(&image)
            png_image_free(&image)
            throw PNGError(path: "<memory>", problem: "PNG encoding failed: \(message)")
        }
        png_image_free(&image)
        return Array(out[0..<size])
    }

    /// Writes the image as a PNG file, atomically (temporary file, then rename).
    public func write(to path: String) throws {
        let bytes = try encoded()
        do { try AtomicFile.write(bytes, to: path) } catch let e as FileError {
            throw PNGError(path: path, problem: e.problem)
        }
    }

    private static func libpngMessage(_ image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in
            let chars = raw.bindMemory(to: CChar.self)
            let end = chars.firstIndex(of: 0) ?? chars.count
            return String(decoding: raw[0..<end], as: UTF8.self)
        }
    }
}
