// UInt8 pixels to Floats in [0, 1]: the network's input scaling, x / 255 correctly rounded, eight
// lanes at a time with fused multiply-adds instead of the divider.

/// The division of a pixel by 255, as PyTorch computes `frames.float() / 255`.
///
/// A vector division costs several cycles per eight lanes here and made the scaling of a batch
/// divider-bound. Instead, q = x·(1/255) is corrected by one Newton step on the remainder,
/// e = x − 255·q and q' = q + e·(1/255), both fused multiply-adds. For every one of the 256
/// possible inputs q' equals the correctly rounded x / 255 (the test checks all of them), so the
/// network sees the same bits as with the division.
public enum PixelScale {
    static let reciprocal: Float = 1 / 255

    /// The scalar reference: the IEEE division.
    @inlinable
    public static func reference(_ byte: UInt8) -> Float { Float(byte) / 255 }

    /// One value by the multiply-and-correct route (the lane formula of `divideBy255`).
    @inline(__always)
    public static func corrected(_ byte: UInt8) -> Float {
        let x = Float(byte), q = x * reciprocal
        return q.addingProduct(x.addingProduct(-q, 255), reciprocal)
    }

    /// out[i] = bytes[i] / 255 for i in 0..<count.
    public static func divideBy255(_ bytes: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        let r = SIMD8<Float>(repeating: reciprocal), m255 = SIMD8<Float>(repeating: -255)
        var i = 0
        while i + 8 <= count {
            let raw = UnsafeRawPointer(bytes + i).loadUnaligned(as: SIMD8<UInt8>.self)
            let x = SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: raw))
            let q = x * r
            let e = x.addingProduct(q, m255)
            UnsafeMutableRawPointer(out + i).storeBytes(of: q.addingProduct(e, r), as: SIMD8<Float>.self)
            i += 8
        }
        while i < count { out[i] = corrected(bytes[i]); i += 1 }
    }
}
