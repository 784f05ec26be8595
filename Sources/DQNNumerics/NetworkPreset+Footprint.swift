// What a preset can be built for, and how much memory a QNetwork of it allocates, answered without
// building one: the checks behind every input shape that comes from outside (options, metadata).

extension NetworkPreset {
    /// The largest height, width and channel count of an input, feature count and action count
    /// accepted from outside (a file's metadata): the trainer's own limits (frames up to 256x256,
    /// up to 32 of them, 4 numbers per state frame), so that a file cannot make a network's
    /// buffers absurdly large. The largest network they allow, `nature` on 32x256x256 at batch 1,
    /// allocates about 0.2 GB.
    public static let maximumSide = 256, maximumChannels = 32, maximumFeatures = 4096, maximumActions = 1024

    /// Why `inputShape` cannot feed this preset, or nil when it can: a conv preset needs [C, H, W]
    /// within the bounds above whose convolutions leave at least one output position; mlp needs
    /// [features].
    public func problem(inputShape: [Int]) -> String? {
        guard isConvolutional else {
            guard inputShape.count == 1, (1...Self.maximumFeatures).contains(inputShape[0]) else {
                return "expected [features] with 1 to \(Self.maximumFeatures) features for the mlp network, got \(inputShape)"
            }
            return nil
        }
        guard inputShape.count == 3, (1...Self.maximumChannels).contains(inputShape[0]),
              inputShape[1...].allSatisfy({ (1...Self.maximumSide).contains($0) }) else {
            return "expected [C, H, W] with C from 1 to \(Self.maximumChannels) and H, W from 1 to \(Self.maximumSide) for the \(rawValue) network, got \(inputShape)"
        }
        var (h, w) = (inputShape[1], inputShape[2])
        for conv in convolutions {
            guard h >= conv.kernel, w >= conv.kernel else {
                return "the \(rawValue) network's convolutions leave no output for a \(inputShape[1])x\(inputShape[2]) input (at least \(minimumSide)x\(minimumSide) needed)"
            }
            h = (h - conv.kernel) / conv.stride + 1; w = (w - conv.kernel) / conv.stride + 1
        }
        return nil
    }

    /// The smallest square input side the convolutions leave an output for (36 for both conv presets).
    public var minimumSide: Int {
        convolutions.reversed().reduce(1) { side, conv in (side - 1) * conv.stride + conv.kernel }
    }

    /// Floats a `QNetwork` of this preset allocates for `maxBatch` (parameters, gradients, the
    /// input, every layer's output, the backward scratch, each layer's own scratch), in Double
    /// so that no size overflows. For memory bounds checked before a network is built.
    /// - Precondition: `problem(inputShape:)` is nil.
    public func allocatedFloats(inputShape: [Int], actions: Int, maxBatch: Int, dueling: Bool) -> Double {
        precondition(problem(inputShape: inputShape) == nil, "allocatedFloats: \(problem(inputShape: inputShape) ?? "")")
        let batch = Double(maxBatch)
        var parameters = 0.0, outputs = 0.0, widest = Double(inputShape.reduce(1, *)), scratch = 0.0
        func linear(_ inputs: Double, _ outs: Double) {
            parameters += inputs * outs + outs
            outputs += outs                                       // the layer's output
            scratch += inputs * batch + outs * batch + inputs * outs + outs   // xT, yT, Wᵀ, bias sums
            widest = max(widest, outs)
        }
        var features = Double(inputShape.reduce(1, *))
        if isConvolutional {
            var (c, h, w) = (Double(inputShape[0]), inputShape[1], inputShape[2])
            for (i, conv) in convolutions.enumerated() {
                h = (h - conv.kernel) / conv.stride + 1; w = (w - conv.kernel) / conv.stride + 1
                let positions = Double(h * w), patch = c * Double(conv.kernel * conv.kernel), co = Double(conv.out)
                parameters += patch * co + co
                outputs += 2 * positions * co                     // the convolution's output and its ReLU's
                let lastConv = i == convolutions.count - 1
                let chunkSamples = lastConv ? (batch / 2).rounded(.up) : 1
                // Per chunk: patch rows, the output block, the weight-gradient partials, dy panels;
                // then Wᵀ panels, the combined gradient and (channels-last input) the reordered weight.
                scratch += 2 * (positions * patch + chunkSamples * positions * co + patch * co + co + positions * co)
                scratch += (i > 0 ? 3 : 2) * patch * co
                widest = max(widest, positions * co)
                c = co
            }
            features = c * Double(h * w)
            outputs += features                                   // Flatten's (unused) output buffer
        }
        let hidden = Double(hiddenWidth)
        linear(features, hidden)
        outputs += hidden                                         // fc1's ReLU
        linear(hidden, Double(dueling ? 1 + actions : actions))
        if dueling { outputs += Double(actions) }
        // Parameters and gradients; the input; every layer's output; two backward scratch buffers.
        return 2 * parameters + batch * Double(inputShape.reduce(1, *)) + batch * outputs + 2 * batch * widest + scratch
    }
}
