// The three Q-network architectures, as named layer lists. Conv presets follow Mnih et al. 2013
// (small) and 2015 (nature); mlp is the one-hidden-layer baseline for state features.

/// A Q-network architecture.
///
/// - `small` (Mnih 2013): k×84×84 → conv 16 8×8/4 → ReLU → conv 32 4×4/2 → ReLU → fc 256 → ReLU → fc actions
/// - `nature` (Mnih 2015): conv 32 8×8/4 → ReLU → conv 64 4×4/2 → ReLU → conv 64 3×3/1 → ReLU →
///   fc 512 → ReLU → fc actions
/// - `mlp`: features → fc 256 → ReLU → fc actions
///
/// With `dueling` (Wang et al. 2016), the last `fc actions` becomes one Linear with 1 + actions
/// outputs (the value stream V, then the advantage stream A, both on fc1's ReLU output) and a
/// `DuelingHead`: Q = V + A − mean(A).
public enum NetworkPreset: String, CaseIterable, Sendable {
    case small, nature, mlp

    /// Whether the input is an image [C, H, W] (conv presets) or a feature vector [features].
    public var isConvolutional: Bool { self != .mlp }

    /// The input shape the benchmarks and the reference export use by default.
    public var defaultInputShape: [Int] { isConvolutional ? [4, 84, 84] : [4] }

    /// (out channels, kernel, stride) of each convolution, and the hidden fc width.
    var convolutions: [(out: Int, kernel: Int, stride: Int)] {
        switch self {
        case .small: return [(16, 8, 4), (32, 4, 2)]
        case .nature: return [(32, 8, 4), (64, 4, 2), (64, 3, 1)]
        case .mlp: return []
        }
    }

    var hiddenWidth: Int { self == .nature ? 512 : 256 }

    /// Builds the layers with their PyTorch module names (nil for parameter-free layers). The
    /// dueling streams' Linear is PyTorch's two modules `value` and `advantage`; its name here,
    /// "value+advantage", only labels per-layer reports (`QNetwork` names its four tensors).
    func makeLayers(inputShape: [Int], actions: Int, maxBatch: Int, dueling: Bool) -> [(name: String?, layer: any Layer)] {
        precondition(actions > 0, "QNetwork: actions must be positive, got \(actions)")
        var result: [(name: String?, layer: any Layer)] = []
        var features: Int
        if isConvolutional {
            precondition(inputShape.count == 3 && inputShape.allSatisfy { $0 > 0 },
                         "QNetwork(\(rawValue)): inputShape must be [C, H, W], got \(inputShape)")
            var (c, h, w) = (inputShape[0], inputShape[1], inputShape[2])
            for (i, conv) in convolutions.enumerated() {
                let g = ConvGeometry(channels: c, height: h, width: w, kernelHeight: conv.kernel,
                                     kernelWidth: conv.kernel, stride: conv.stride, padding: 0)
                // Activations between convolutions stay channels-last (no transposes); the last
                // convolution hands fc1 PyTorch's C, H, W flatten order.
                let layer = Conv2D(geometry: g, outChannels: conv.out, maxBatch: maxBatch,
                                   inputChannelsLast: i > 0, outputChannelsLast: i < convolutions.count - 1)
                result.append(("conv\(i + 1)", layer))
                result.append((nil, ReLU(size: layer.outputSize, maxBatch: maxBatch)))
                (c, h, w) = (conv.out, g.outputHeight, g.outputWidth)
            }
            features = c * h * w
            result.append((nil, Flatten(size: features, maxBatch: maxBatch)))
        } else {
            precondition(inputShape.count == 1 && inputShape[0] > 0,
                         "QNetwork(mlp): inputShape must be [features], got \(inputShape)")
            features = inputShape[0]
        }
        result.append(("fc1", Linear(inFeatures: features, outFeatures: hiddenWidth, maxBatch: maxBatch)))
        result.append((nil, ReLU(size: hiddenWidth, maxBatch: maxBatch)))
        if dueling {
            // One Linear with 1 + actions outputs is exactly the two heads on the shared hidden
            // layer: row 0 of its weight [1 + actions, hidden] is V's, the rest A's.
            result.append(("value+advantage", Linear(inFeatures: hiddenWidth, outFeatures: 1 + actions, maxBatch: maxBatch)))
            result.append((nil, DuelingHead(actions: actions, maxBatch: maxBatch)))
        } else {
            result.append(("fc2", Linear(inFeatures: hiddenWidth, outFeatures: actions, maxBatch: maxBatch)))
        }
        return result
    }
}
