// The shape arithmetic of a 2-D convolution (one place for output sizes and patch layout).

/// Geometry of a 2-D convolution over an input of C×H×W (per sample), square stride and
/// symmetric zero padding. Output size follows PyTorch: ⌊(H + 2p − kh) / s⌋ + 1.
public struct ConvGeometry: Sendable, Equatable {
    public let channels: Int, height: Int, width: Int
    public let kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Int

    /// Output height Ho and width Wo.
    public var outputHeight: Int { (height + 2 * padding - kernelHeight) / stride + 1 }
    public var outputWidth: Int { (width + 2 * padding - kernelWidth) / stride + 1 }
    /// P = Ho·Wo output positions per sample (rows of the im2row matrix per sample).
    public var positions: Int { outputHeight * outputWidth }
    /// Kc = C·kh·kw entries per patch (columns of the im2row matrix), ordered (c, ky, kx) like
    /// PyTorch's weight [out, in, kh, kw].
    public var patchSize: Int { channels * kernelHeight * kernelWidth }
    /// C·H·W input values per sample.
    public var inputSize: Int { channels * height * width }

    public init(channels: Int, height: Int, width: Int, kernelHeight: Int, kernelWidth: Int,
                stride: Int, padding: Int) {
        precondition(channels > 0 && height > 0 && width > 0, "ConvGeometry: empty input \(channels)×\(height)×\(width)")
        precondition(kernelHeight > 0 && kernelWidth > 0 && stride > 0 && padding >= 0,
                     "ConvGeometry: bad kernel \(kernelHeight)×\(kernelWidth), stride \(stride), padding \(padding)")
        precondition(height + 2 * padding >= kernelHeight && width + 2 * padding >= kernelWidth,
                     "ConvGeometry: kernel \(kernelHeight)×\(kernelWidth) larger than padded input \(height)×\(width)")
        self.channels = channels; self.height = height; self.width = width
        self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.stride = stride; self.padding = padding
    }
}
