// The Q-network: a preset's layers over ONE flat parameter buffer (and one flat gradient buffer)
// with PyTorch-named views. Forward and backward allocate nothing; buffers are sized for maxBatch.

/// A Q-network Q(s, ·) for one `NetworkPreset`.
///
/// Shapes: input N×C×H×W (conv presets; UInt8 frames are divided by 255 inside) or N×features
/// (mlp); output N×actions, row-major. Parameters are one flat `Float` buffer in the order of
/// `namedTensors` (PyTorch names and layouts); `gradients` has the same layout.
public final class QNetwork {
    public let preset: NetworkPreset
    /// Whether the last layer is a dueling head (Wang et al. 2016): Q = V + A − mean(A), with V
    /// and A two Linear heads on fc1's ReLU output (`value`, `advantage`) instead of `fc2`.
    public let dueling: Bool
    /// [C, H, W] for conv presets, [features] for mlp.
    public let inputShape: [Int]
    public let actions: Int
    public let maxBatch: Int
    /// Threads this network's kernels use (1 or 2; default 2), its layers' included. Set it
    /// between computations; the results are the same bits for 1 and 2. Each network carries its
    /// own count, so networks with different counts can run at once in one process.
    public var threads: Int {
        didSet {
            NumericsThreads.check(threads, "QNetwork.threads")
            for layer in layers { layer.threads = threads }
        }
    }
    /// Total number of Float parameters.
    public let parameterCount: Int
    /// Every parameter, in `namedTensors` order. Owned by the network.
    public let parameters: UnsafeMutableBufferPointer<Float>
    /// dLoss/dParameters, same layout; `backward` adds into it (or overwrites it), `zeroGradients`
    /// clears it.
    public let gradients: UnsafeMutableBufferPointer<Float>
    /// PyTorch state-dict names, shapes and ranges in the flat buffers, in storage order.
    public let namedTensors: [(name: String, shape: [Int], range: Range<Int>)]

    let layers: [any Layer]
    /// Preset names of the layers ("conv1", "relu", "flatten", "fc1", ..., "fc2"; dueling:
    /// "value+advantage", "dueling"), for per-layer reports.
    let layerNames: [String]
    /// Layers that only reinterpret the shape (Flatten: N×C×H×W is already N×(C·H·W) in memory).
    /// The network skips them, as PyTorch's flatten returns a view, instead of copying.
    let isView: [Bool]
    /// The ReLUs whose previous layer applies them in its bias pass (`appliesReLU`), by layer
    /// index (nil elsewhere): in the forward pass they only note that layer's output for their
    /// backward, so no activation is read and written again just to clamp it.
    let fusedReLUs: [ReLU?]
    /// The fused ReLUs whose backward the next layer applies to its dx (`masksGradInputByReLU`):
    /// the backward pass skips them as well.
    let skipsBackward: [Bool]
    let parameterOffsets: [Int]
    private let input: UnsafeMutablePointer<Float>            // [maxBatch, inputSize]
    private let activations: [UnsafeMutablePointer<Float>]  // layer i's output, [maxBatch, outputSize_i]
    private let gradScratch: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>)
    private var lastBatch = 0

    /// Values per sample of the input (C·H·W or features).
    public var inputSize: Int { inputShape.reduce(1, *) }

    /// Builds the network and draws PyTorch's default initialisation from `rng`, layer by layer
    /// in storage order. Its kernels use `threads` threads (1 or 2). With `dueling`, the value and advantage heads are drawn as the one
    /// Linear(hidden, 1 + actions) they are stored as: weights, then biases, all U(±1/√hidden),
    /// the distribution PyTorch gives each head (fan_in = hidden for both). Without it, the
    /// network and its draws are what they were before the option existed.
    public init(preset: NetworkPreset, inputShape: [Int], actions: Int, maxBatch: Int, dueling: Bool = false,
                threads: Int = NumericsThreads.defaultCount, rng: inout Xoshiro256) {
        precondition(maxBatch > 0, "QNetwork: maxBatch must be positive, got \(maxBatch)")
        NumericsThreads.check(threads, "QNetwork")
        self.preset = preset; self.inputShape = inputShape; self.actions = actions; self.maxBatch = maxBatch
        self.dueling = dueling; self.threads = threads
        let named = preset.makeLayers(inputShape: inputShape, actions: actions, maxBatch: maxBatch, dueling: dueling)
        layers = named.map(\.layer)
        for layer in layers { layer.threads = threads }
        layerNames = named.map { entry in
            if let name = entry.name { return name }
            switch entry.layer {
            case is ReLU: return "relu"
            case is DuelingHead: return "dueling"
            default: return "flatten"
            }
        }
        isView = layers.map { $0 is Flatten }
        let built = named.map(\.layer)
        let fused: [ReLU?] = built.indices.map { i in
            guard i > 0, let relu = built[i] as? ReLU else { return nil }
            if let conv = built[i - 1] as? Conv2D { conv.appliesReLU = true; return relu }
            if let fc = built[i - 1] as? Linear { fc.appliesReLU = true; return relu }
            return nil
        }
        fusedReLUs = fused
        skipsBackward = built.indices.map { i in
            guard fused[i] != nil,
                  let next = built[(i + 1)...].first(where: { !($0 is Flatten) }) else { return false }
            if let conv = next as? Conv2D { conv.masksGradInputByReLU = true; return true }
            if let fc = next as? Linear { fc.masksGradInputByReLU = true; return true }
            return false
        }
        var offsets: [Int] = [], tensors: [(name: String, shape: [Int], range: Range<Int>)] = []
        var total = 0
        for (i, (name, layer)) in named.enumerated() {
            offsets.append(total)
            guard let name else { continue }
            let feedsDuelingHead = i + 1 < named.count && named[i + 1].layer is DuelingHead
            tensors += Self.tensorViews(name: name, layer: layer, feedsDuelingHead: feedsDuelingHead, offset: total)
            total += layer.parameterCount
        }
        parameterOffsets = offsets; namedTensors = tensors; parameterCount = total
        parameters = .allocate(capacity: total); parameters.initialize(repeating: 0)
        gradients = .allocate(capacity: total); gradients.initialize(repeating: 0)
        let inSize = inputShape.reduce(1, *)
        input = .allocate(capacity: maxBatch * inSize); input.initialize(repeating: 0, count: maxBatch * inSize)
        activations = layers.map { layer in
            let p = UnsafeMutablePointer<Float>.allocate(capacity: maxBatch * layer.outputSize)
            p.initialize(repeating: 0, count: maxBatch * layer.outputSize)
            return p
        }
        let widest = maxBatch * max(inSize, layers.map(\.outputSize).max() ?? 0)
        gradScratch = (.allocate(capacity: widest), .allocate(capacity: widest))
        gradScratch.0.initialize(repeating: 0, count: widest); gradScratch.1.initialize(repeating: 0, count: widest)
        for (layer, offset) in zip(layers, offsets) where layer.parameterCount > 0 {
            if let base = parameters.baseAddress { layer.initialize(parameters: base + offset, rng: &rng) }
        }
    }

    /// The PyTorch tensors of one parameter layer stored at `offset`: `name`.weight then
    /// `name`.bias. The Linear before a `DuelingHead` holds two PyTorch modules: its weight
    /// [1 + A, hidden] is `value.weight` [1, hidden] (row 0) followed by `advantage.weight`
    /// [A, hidden], and its bias [1 + A] is `value.bias` [1] followed by `advantage.bias` [A].
    /// Each tensor is a contiguous range; they are listed in storage order.
    static func tensorViews(name: String, layer: any Layer, feedsDuelingHead: Bool,
                            offset: Int) -> [(name: String, shape: [Int], range: Range<Int>)] {
        let weightShape: [Int], biasCount: Int
        if let conv = layer as? Conv2D {
            let g = conv.geometry
            weightShape = [conv.outChannels, g.channels, g.kernelHeight, g.kernelWidth]; biasCount = conv.outChannels
        } else if let fc = layer as? Linear {
            weightShape = [fc.outFeatures, fc.inFeatures]; biasCount = fc.outFeatures
        } else { preconditionFailure("QNetwork: unnamed parameter layer") }
        let wCount = weightShape.reduce(1, *), bias = offset + wCount
        guard feedsDuelingHead else {
            return [(name + ".weight", weightShape, offset..<bias),
                    (name + ".bias", [biasCount], bias..<(bias + biasCount))]
        }
        let hidden = weightShape[1], a = biasCount - 1
        return [("value.weight", [1, hidden], offset..<(offset + hidden)),
                ("advantage.weight", [a, hidden], (offset + hidden)..<bias),
                ("value.bias", [1], bias..<(bias + 1)),
                ("advantage.bias", [a], (bias + 1)..<(bias + 1 + a))]
    }

    deinit {
        parameters.deallocate(); gradients.deallocate(); input.deallocate()
        for a in activations { a.deallocate() }
        gradScratch.0.deallocate(); gradScratch.1.deallocate()
    }

    /// Q-values for a batch of UInt8 frames (N×C×H×W, or N×features), each divided by 255.
    /// The result (N×actions) is valid until the next `forward`.
    public func forward(frames: UnsafeBufferPointer<UInt8>, batch: Int) -> UnsafeBufferPointer<Float> {
        load(frames: frames, batch: batch)
        return run(batch: batch)
    }

    /// Q-values for a batch of Float inputs (N×features for mlp, or N×C×H×W already scaled).
    /// The input is copied, so it need not outlive the call. Valid until the next `forward`.
    public func forward(floats: UnsafeBufferPointer<Float>, batch: Int) -> UnsafeBufferPointer<Float> {
        checkInput(count: floats.count, batch: batch)
        if let src = floats.baseAddress { input.update(from: src, count: batch * inputSize) }
        return run(batch: batch)
    }

    /// Q-values for a batch of frames, each with the bits `forward(frames:batch: 1)` gives that
    /// observation alone: the convolutions' batched passes have them already, and the fully
    /// connected layers take their batch-1 order (`Gemm.multiplyVectors`). For acting on several
    /// observations at once, such as evaluation episodes side by side. Valid until the next
    /// forward; not for a `backward`.
    public func forwardEach(frames: UnsafeBufferPointer<UInt8>, batch: Int) -> UnsafeBufferPointer<Float> {
        load(frames: frames, batch: batch)
        return samplewise { run(batch: batch) }
    }

    /// `forwardEach(frames:batch:)` for Float inputs (`forward(floats:batch:)`).
    public func forwardEach(floats: UnsafeBufferPointer<Float>, batch: Int) -> UnsafeBufferPointer<Float> {
        checkInput(count: floats.count, batch: batch)
        if let src = floats.baseAddress { input.update(from: src, count: batch * inputSize) }
        return samplewise { run(batch: batch) }
    }

    private func samplewise<T>(_ body: () -> T) -> T {
        let linears = layers.compactMap { $0 as? Linear }
        for l in linears { l.samplewise = true }
        defer { for l in linears { l.samplewise = false } }
        return body()
    }

    /// Fills the network's input buffer with the frames divided by 255 (on both threads).
    func load(frames: UnsafeBufferPointer<UInt8>, batch: Int) {
        checkInput(count: frames.count, batch: batch)
        guard let src = frames.baseAddress else { preconditionFailure("QNetwork.forward: empty frames") }
        struct Scale: RangeJob {
            let bytes: UnsafePointer<UInt8>, x: UnsafeMutablePointer<Float>
            func run(range: Range<Int>) {
                PixelScale.divideBy255(bytes + range.lowerBound, x + range.lowerBound, count: range.count)
            }
        }
        NumericsThreads.forEachPart(total: batch * inputSize, threads: threads, work: 4 * batch * inputSize, granule: 64,
                                    Scale(bytes: src, x: input))
    }

    /// Array convenience for `forward(frames:batch:)`; returns a copy of the Q-values.
    public func forward(frames: [UInt8], batch: Int) -> [Float] {
        frames.withUnsafeBufferPointer { Array(forward(frames: $0, batch: batch)) }
    }

    /// Array convenience for `forward(floats:batch:)`; returns a copy of the Q-values.
    public func forward(floats: [Float], batch: Int) -> [Float] {
        floats.withUnsafeBufferPointer { Array(forward(floats: $0, batch: batch)) }
    }

    private func checkInput(count: Int, batch: Int) {
        precondition(batch > 0 && batch <= maxBatch, "QNetwork.forward: batch \(batch) outside 1...\(maxBatch)")
        precondition(count == batch * inputSize,
                     "QNetwork.forward: \(count) input values, expected \(batch)×\(inputShape) = \(batch * inputSize)")
    }

    /// The forward pass over the loaded input. With `layerSeconds` (one slot per layer), each
    /// layer's wall time is added to its slot (`NetworkBenchmark.layerBreakdown`).
    func run(batch: Int, layerSeconds: UnsafeMutablePointer<Double>? = nil) -> UnsafeBufferPointer<Float> {
        lastBatch = batch
        guard let params = parameters.baseAddress else { preconditionFailure("QNetwork: no parameters") }
        var x = UnsafePointer(input)
        for (i, layer) in layers.enumerated() where !isView[i] {
            if let relu = fusedReLUs[i] {
                relu.forwardFused(output: x, batch: batch)   // x already holds max(·, 0)
                continue
            }
            Self.timed(layerSeconds.map { $0 + i }) {
                layer.forward(input: x, batch: batch, parameters: params + parameterOffsets[i], output: activations[i])
            }
            x = UnsafePointer(activations[i])
        }
        return UnsafeBufferPointer(start: x, count: batch * actions)
    }

    /// Backpropagates dLoss/dQ (N×actions, N = the last forward's batch), ADDING into `gradients`
    /// (`accumulate`, the default) or OVERWRITING them: a training step that starts from zero
    /// gradients passes `accumulate: false` and skips `zeroGradients`, as PyTorch's
    /// `zero_grad(set_to_none=True)` does; the gradients have the same bits either way.
    public func backward(gradOutput: UnsafeBufferPointer<Float>, accumulate: Bool = true) {
        backward(gradOutput: gradOutput, accumulate: accumulate, layerSeconds: nil)
    }

    /// `backward`, adding each layer's wall time to `layerSeconds[layer]` when given.
    func backward(gradOutput: UnsafeBufferPointer<Float>, accumulate: Bool, layerSeconds: UnsafeMutablePointer<Double>?) {
        precondition(lastBatch > 0, "QNetwork.backward called without a forward")
        precondition(gradOutput.count == lastBatch * actions,
                     "QNetwork.backward: gradOutput has \(gradOutput.count) values, expected \(lastBatch)×\(actions)")
        guard let params = parameters.baseAddress, let grads = gradients.baseAddress,
              var g = gradOutput.baseAddress else { preconditionFailure("QNetwork: empty buffers") }
        var target = gradScratch.0
        // A fused ReLU's backward was applied by the layer after it (`skipsBackward`).
        for i in stride(from: layers.count - 1, through: 0, by: -1) where !isView[i] && !skipsBackward[i] {
            Self.timed(layerSeconds.map { $0 + i }) {
                layers[i].backward(gradOutput: g, parameters: params + parameterOffsets[i],
                                   gradParameters: grads + parameterOffsets[i], gradInput: i == 0 ? nil : target,
                                   accumulate: accumulate)
            }
            g = UnsafePointer(target)
            target = target == gradScratch.0 ? gradScratch.1 : gradScratch.0
        }
        lastBatch = 0
    }

    /// Runs `body`, adding its wall time in seconds to `seconds` when given.
    @inline(__always)
    static func timed(_ seconds: UnsafeMutablePointer<Double>?, _ body: () -> Void) {
        guard let seconds else { body(); return }
        let elapsed = ContinuousClock().measure(body)
        seconds.pointee += Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    /// Array convenience for `backward(gradOutput:)`.
    public func backward(gradOutput: [Float], accumulate: Bool = true) {
        gradOutput.withUnsafeBufferPointer { backward(gradOutput: $0, accumulate: accumulate) }
    }

    /// FLOPs of one forward pass per sample (2·M·N·K over the convolutions and linears).
    public var forwardFLOPsPerSample: Int { layers.reduce(0) { $0 + $1.forwardFLOPsPerSample } }

    /// FLOPs of one backward pass per sample: dW for every layer, dX for every layer but the first.
    public var backwardFLOPsPerSample: Int {
        layers.enumerated().reduce(0) { $0 + $1.element.forwardFLOPsPerSample * ($1.offset == 0 ? 1 : 2) }
    }
}
