// Two independent forward passes at once, one per thread: a DQN update's target forward on s'
// beside the online forward on s. Each pass then runs whole on one core, with no hand-over
// between its layers; the results have the same bits as two passes one after the other.

/// The input of one forward pass: UInt8 frames (divided by 255 inside) or Floats.
public enum ForwardInput {
    case frames(UnsafeBufferPointer<UInt8>)
    case floats(UnsafeBufferPointer<Float>)
}

extension QNetwork {
    /// Q-values for `input` (N×C×H×W frames or N×features), as `forward(frames:)` or
    /// `forward(floats:)`.
    public func forward(_ input: ForwardInput, batch: Int) -> UnsafeBufferPointer<Float> {
        switch input {
        case .frames(let frames): forward(frames: frames, batch: batch)
        case .floats(let floats): forward(floats: floats, batch: batch)
        }
    }

    /// Runs `first.forward(firstInput)` and `second.forward(secondInput)` side by side: when both
    /// networks have `threads` 2 and there is enough work, the caller runs the first pass and the
    /// partner thread the second, each on one core (the kernels inside find the partner busy and
    /// run inline); otherwise one after the other, each split over its network's threads. Either way every
    /// Q-value has the same bits, since no kernel's arithmetic depends on the thread count.
    ///
    /// The two networks must be different objects (each pass writes its network's buffers, and
    /// the first network keeps its caches for a `backward`). The results are valid until the
    /// next forward of their network.
    ///
    /// Why: splitting each layer of one pass over two cores costs a hand-over per kernel and
    /// leaves cores idle at the ends of small kernels (fc2, a batch's last tile); two whole
    /// passes of the same size keep both cores busy with no hand-over at all.
    public static func forwardSideBySide(_ first: QNetwork, _ firstInput: ForwardInput,
                                         _ second: QNetwork, _ secondInput: ForwardInput,
                                         batch: Int) -> (first: UnsafeBufferPointer<Float>, second: UnsafeBufferPointer<Float>) {
        precondition(first !== second, "QNetwork.forwardSideBySide: the two passes need two networks")
        var outputs = (UnsafeBufferPointer<Float>(start: nil, count: 0), UnsafeBufferPointer<Float>(start: nil, count: 0))
        withUnsafeMutablePointer(to: &outputs) { out in
            struct Pair: ParallelJob {
                let networks: (QNetwork, QNetwork), inputs: (ForwardInput, ForwardInput), batch: Int
                let out: UnsafeMutablePointer<(UnsafeBufferPointer<Float>, UnsafeBufferPointer<Float>)>
                // Each part writes only its own network and its own slot of `out`.
                func run(part: Int) {
                    if part == 0 {
                        out.pointer(to: \.0)?.pointee = networks.0.forward(inputs.0, batch: batch)
                    } else {
                        out.pointer(to: \.1)?.pointee = networks.1.forward(inputs.1, batch: batch)
                    }
                }
            }
            let work = batch * (first.forwardFLOPsPerSample + second.forwardFLOPsPerSample)
            // Side by side only when both networks may use 2 threads.
            NumericsThreads.run(parts: 2, threads: min(first.threads, second.threads), work: work,
                                Pair(networks: (first, second), inputs: (firstInput, secondInput), batch: batch, out: out))
        }
        return outputs
    }
}
