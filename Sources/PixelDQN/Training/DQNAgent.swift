// The learner of DQN (Mnih et al. 2015): an online Q-network, a target network, an optimizer,
// ε-greedy acting, and the minibatch update toward r + γ·max_a' Q_target(s', a') with no
// bootstrap on a terminal step (a time-limit truncation does bootstrap), optionally Double DQN.

/// Observation element types the Q-network can read: UInt8 pixels (scaled by 1/255 inside the
/// network) or Float state numbers.
public protocol NetworkInput: Numeric & Sendable {
    static func forward(_ network: QNetwork, _ input: UnsafeBufferPointer<Self>, batch: Int) -> UnsafeBufferPointer<Float>
    /// `QNetwork.forwardEach`: each observation's Q-values with the bits it gets alone.
    static func forwardEach(_ network: QNetwork, _ input: UnsafeBufferPointer<Self>, batch: Int) -> UnsafeBufferPointer<Float>
    /// The buffer as an input of `QNetwork.forwardSideBySide`.
    static func forwardInput(_ input: UnsafeBufferPointer<Self>) -> ForwardInput
}

extension UInt8: NetworkInput {
    public static func forward(_ network: QNetwork, _ input: UnsafeBufferPointer<UInt8>, batch: Int) -> UnsafeBufferPointer<Float> {
        network.forward(frames: input, batch: batch)
    }
    public static func forwardEach(_ network: QNetwork, _ input: UnsafeBufferPointer<UInt8>, batch: Int) -> UnsafeBufferPointer<Float> {
        network.forwardEach(frames: input, batch: batch)
    }
    public static func forwardInput(_ input: UnsafeBufferPointer<UInt8>) -> ForwardInput { .frames(input) }
}

extension Float: NetworkInput {
    public static func forward(_ network: QNetwork, _ input: UnsafeBufferPointer<Float>, batch: Int) -> UnsafeBufferPointer<Float> {
        network.forward(floats: input, batch: batch)
    }
    public static func forwardEach(_ network: QNetwork, _ input: UnsafeBufferPointer<Float>, batch: Int) -> UnsafeBufferPointer<Float> {
        network.forwardEach(floats: input, batch: batch)
    }
    public static func forwardInput(_ input: UnsafeBufferPointer<Float>) -> ForwardInput { .floats(input) }
}

/// TD targets y_i = r_i + d_i·v_i, where v_i is the value of the window's last state and
/// d_i = γ^m·(1 − terminated_i) its discount (`ReplayBatch.discounts`; with n = 1, γ·(1 − terminated_i)).
/// A truncated (time-limit) transition has terminated_i = 0 and so bootstraps.
public func tdTargets(rewards: UnsafeBufferPointer<Float>, discounts: UnsafeBufferPointer<Float>,
                      nextValues: UnsafeBufferPointer<Float>, into targets: UnsafeMutableBufferPointer<Float>) {
    precondition(rewards.count == discounts.count && rewards.count == nextValues.count && rewards.count == targets.count,
                 "tdTargets: batch sizes differ")
    for i in 0..<rewards.count {
        targets[i] = rewards[i] + discounts[i] * nextValues[i]
    }
}

/// Index of the largest of `q[0..<count]`; ties go to the lowest index (as torch.argmax).
@inline(__always)
func argmax(_ q: UnsafeBufferPointer<Float>, offset: Int, count: Int) -> Int {
    var best = 0
    var value = q[offset]
    for a in 1..<count where q[offset + a] > value { best = a; value = q[offset + a] }
    return best
}

/// ε-greedy's rule: with probability ε a uniformly random one of `actions`, else `greedy()`.
/// One uniform draw decides, a second picks the random action, so the RNG stream is easy to follow.
@inline(__always)
func epsilonGreedyChoice<G: RandomNumberGenerator>(actions: Int, epsilon: Double, using rng: inout G, greedy: () -> Int) -> Int {
    if rng.nextUnitDouble() < epsilon { return rng.nextIndex(below: actions) }
    return greedy()
}

/// ε-greedy with `network` (`epsilonGreedyChoice`); the forward pass runs only for a greedy action.
public func epsilonGreedyAction<E: NetworkInput, G: RandomNumberGenerator>(
    _ network: QNetwork, _ observation: UnsafeBufferPointer<E>, epsilon: Double, using rng: inout G
) -> Int {
    epsilonGreedyChoice(actions: network.actions, epsilon: epsilon, using: &rng) {
        argmax(E.forward(network, observation, batch: 1), offset: 0, count: network.actions)
    }
}

/// What one update reports.
public struct UpdateStats: Sendable {
    public var loss: Float
    /// Mean over the batch of max_a Q(s, a) of the online network.
    public var meanMaxQ: Float
    /// Global gradient norm before clipping.
    public var gradientNorm: Float
}

/// Online and target networks with their optimizer, and the buffers one update needs
/// (allocated once).
public final class DQNAgent<Element: NetworkInput> {
    public let online: QNetwork
    public let target: QNetwork
    /// The moving average of the online weights (--ema-tau), nil when off.
    public let average: QNetwork?
    public let adam: Adam?
    public let rmsprop: RMSProp?
    public let config: TrainingConfig
    public let actions: Int
    /// The buffers of one update, allocated once.
    private let scratch: UpdateScratch
    /// δ_i = y_i − Q(s_i, a_i) of the last update (prioritized replay's new priorities).
    public private(set) var tdErrors: [Float]

    public init(config: TrainingConfig, actions: Int? = nil, rng: inout Xoshiro256) {
        self.config = config
        let actions = actions ?? config.env.actionCount
        self.actions = actions
        let maxBatch = max(config.batchSize, 1)
        // Both networks and the optimizer carry the run's thread count down to their kernels.
        online = QNetwork(preset: config.network, inputShape: config.inputShape, actions: actions, maxBatch: maxBatch,
                          dueling: config.dueling, threads: config.threads, rng: &rng)
        target = QNetwork(preset: config.network, inputShape: config.inputShape, actions: actions, maxBatch: maxBatch,
                          dueling: config.dueling, threads: config.threads, rng: &rng)
        target.copyParameters(from: online)
        // A copy draws nothing from the run's RNG, so everything the run learns is the same with or
        // without the average.
        average = config.emaTau > 0 ? QNetwork(copying: online, maxBatch: 1, threads: config.threads) : nil
        switch config.optimizer {
        case .adam:
            adam = Adam(parameterCount: online.parameterCount, learningRate: config.learningRate, threads: config.threads)
            rmsprop = nil
        case .rmsprop:
            adam = nil
            rmsprop = RMSProp(parameterCount: online.parameterCount, learningRate: config.learningRate, threads: config.threads)
        }
        scratch = UpdateScratch(batch: maxBatch, actions: actions)
        tdErrors = [Float](repeating: 0, count: maxBatch)
    }

    /// The optimizer's step size from now on (a learning-rate schedule).
    public func setLearningRate(_ rate: Double) {
        adam?.learningRate = rate
        rmsprop?.learningRate = rate
    }

    /// The weights evaluated and saved: the moving average with --ema-tau, else the online network.
    public var policy: QNetwork { average ?? online }

    /// ε-greedy acting with the online network (see `epsilonGreedyAction`).
    public func act<G: RandomNumberGenerator>(_ observation: UnsafeBufferPointer<Element>, epsilon: Double, using rng: inout G) -> Int {
        epsilonGreedyAction(online, observation, epsilon: epsilon, using: &rng)
    }

    /// One gradient step on `batch`: targets from the target network (Double DQN: actions chosen
    /// by the online network), loss on Q(s, a), backward, clipping, optimizer step.
    public func update(_ batch: ReplayBatch<Element>) -> UpdateStats {
        var clock = PhaseClock()
        return update(batch, clock: &clock)
    }

    /// `update`, charging each of its phases to `clock` (targets, forward and loss, backward,
    /// optimizer, average).
    public func update(_ batch: ReplayBatch<Element>, clock: inout PhaseClock) -> UpdateStats {
        let n = batch.size, s = scratch
        return batch.withBuffers { b in
            // Phase 1: the value of s' (no gradients flow through it). Two independent forward
            // passes run side by side, one per thread (`QNetwork.forwardSideBySide`; same bits as
            // in turn): Double DQN's online and target passes on s'; plain DQN's target pass on s'
            // beside the online pass on s, whose caches the backward pass then uses (phase 2
            // reuses its output).
            var qStates: UnsafeBufferPointer<Float>?
            if config.double {
                let (qOnline, qTarget) = QNetwork.forwardSideBySide(online, Element.forwardInput(b.nextStates),
                                                                    target, Element.forwardInput(b.nextStates), batch: n)
                for i in 0..<n { s.nextActions[i] = argmax(qOnline, offset: i * actions, count: actions) }
                for i in 0..<n { s.nextValues[i] = qTarget[i * actions + s.nextActions[i]] }
            } else {
                let (q, qTarget) = QNetwork.forwardSideBySide(online, Element.forwardInput(b.states),
                                                              target, Element.forwardInput(b.nextStates), batch: n)
                qStates = q
                for i in 0..<n { s.nextValues[i] = qTarget[i * actions + argmax(qTarget, offset: i * actions, count: actions)] }
            }
            let targets = s.targets.first(n)
            tdTargets(rewards: b.rewards, discounts: b.discounts, nextValues: UnsafeBufferPointer(s.nextValues.first(n)), into: targets)
            for i in 0..<n { s.batchActions[i] = Int(batch.actions[i]) }
            clock.lap(\.updateTargets)

            // Phase 2: Q(s, ·) with caches for the backward pass (plain DQN has it from phase 1),
            // then the loss and its gradient.
            var stats = UpdateStats(loss: 0, meanMaxQ: 0, gradientNorm: 0)
            let q = qStates ?? Element.forward(online, b.states, batch: n)
            var sumMax: Float = 0
            for i in 0..<n { sumMax += q[i * actions + argmax(q, offset: i * actions, count: actions)] }
            stats.meanMaxQ = sumMax / Float(n)
            for i in 0..<n { tdErrors[i] = targets[i] - q[i * actions + s.batchActions[i]] }
            let gradQ = s.gradQ.first(n * actions)
            stats.loss = config.loss.loss(q: q, actionCount: actions, actions: UnsafeBufferPointer(s.batchActions.first(n)),
                                          targets: UnsafeBufferPointer(targets), weights: config.prioritized ? b.weights : nil,
                                          gradQ: gradQ)
            clock.lap(\.updateForwardLoss)

            // Phase 3: backward, clip, step. The backward pass writes the gradients (no zeroing
            // pass; the same bits as adding into zeros).
            online.backward(gradOutput: UnsafeBufferPointer(gradQ), accumulate: false)
            clock.lap(\.updateBackward)
            // Clipping is applied inside the optimizer step (the same products, one pass less).
            let (norm, scale) = config.maxGradNorm > 0 ? online.clipScale(maxNorm: Float(config.maxGradNorm)) : (online.gradientNorm, 1)
            stats.gradientNorm = norm
            if let adam { adam.update(online, gradientScale: scale) } else if let rmsprop { rmsprop.update(online, gradientScale: scale) }
            clock.lap(\.updateOptimizer)
            if let average {
                average.polyakUpdate(from: online, tau: Float(config.emaTau))
                clock.lap(\.updateAverage)
            }
            return stats
        }
    }

    /// Hard copy (τ = 1) or Polyak average of the online weights into the target network.
    public func updateTarget() {
        if config.tau >= 1 { target.copyParameters(from: online) } else { target.polyakUpdate(from: online, tau: Float(config.tau)) }
    }
}

/// The per-update buffers of a `DQNAgent`: allocated once at the largest batch, freed with it.
private final class UpdateScratch {
    let nextValues: UnsafeMutableBufferPointer<Float>
    let targets: UnsafeMutableBufferPointer<Float>
    /// ∂loss/∂Q, batch × actions.
    let gradQ: UnsafeMutableBufferPointer<Float>
    let nextActions: UnsafeMutableBufferPointer<Int>
    let batchActions: UnsafeMutableBufferPointer<Int>

    init(batch: Int, actions: Int) {
        func zeros<T: Numeric>(_ count: Int) -> UnsafeMutableBufferPointer<T> {
            let p = UnsafeMutableBufferPointer<T>.allocate(capacity: count)
            p.initialize(repeating: 0)
            return p
        }
        nextValues = zeros(batch)
        targets = zeros(batch)
        gradQ = zeros(batch * actions)
        nextActions = zeros(batch)
        batchActions = zeros(batch)
    }

    deinit {
        nextValues.deallocate(); targets.deallocate(); gradQ.deallocate(); nextActions.deallocate(); batchActions.deallocate()
    }
}

extension UnsafeMutableBufferPointer {
    /// The first `count` elements.
    func first(_ count: Int) -> UnsafeMutableBufferPointer { UnsafeMutableBufferPointer(rebasing: self[0..<count]) }
}
