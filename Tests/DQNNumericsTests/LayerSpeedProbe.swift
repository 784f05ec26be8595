// An opt-in speed probe (DQN_LAYER_PROBE=1 swift test --filter LayerSpeedProbe): wall time of
// each layer of the `small` preset at batch 32, forward and backward, on 1 and 2 threads, and of
// one Adam step. Prints only; asserts nothing. Off by default (timing belongs to `bench`).
import Foundation
import Testing
import DQNNumerics

@Suite(.enabled(if: ProcessInfo.processInfo.environment["DQN_LAYER_PROBE"] == "1"), .serialized)
struct LayerSpeedProbe {
    @Test func smallPresetLayers() {
        let batch = 32
        let layers: [(String, any Layer)] = [
            ("conv1", Conv2D(geometry: ConvGeometry(channels: 4, height: 84, width: 84, kernelHeight: 8, kernelWidth: 8, stride: 4, padding: 0),
                             outChannels: 16, maxBatch: batch)),
            ("relu1", ReLU(size: 6400, maxBatch: batch)),
            ("conv2", Conv2D(geometry: ConvGeometry(channels: 16, height: 20, width: 20, kernelHeight: 4, kernelWidth: 4, stride: 2, padding: 0),
                             outChannels: 32, maxBatch: batch)),
            ("relu2", ReLU(size: 2592, maxBatch: batch)),
            ("fc1", Linear(inFeatures: 2592, outFeatures: 256, maxBatch: batch)),
            ("relu3", ReLU(size: 256, maxBatch: batch)),
            ("fc2", Linear(inFeatures: 256, outFeatures: 2, maxBatch: batch)),
        ]
        var rng = Xoshiro256(seed: 1)
        let clock = ContinuousClock()
        func us(_ d: Duration) -> Double { Double(d.components.attoseconds) * 1e-12 + Double(d.components.seconds) * 1e6 }
        for threads in [1, 2] {
            NumericsThreads.count = threads
            var total = (0.0, 0.0)
            for (name, layer) in layers {
                let x = randomFloats(batch * layer.inputSize, &rng, 0, 1), p = randomFloats(layer.parameterCount, &rng, -0.1, 0.1)
                var y = [Float](repeating: 0, count: batch * layer.outputSize)
                var dp = [Float](repeating: 0, count: max(1, layer.parameterCount))
                var dx = [Float](repeating: 0, count: batch * layer.inputSize)
                let dy = randomFloats(batch * layer.outputSize, &rng)
                var f: [Double] = [], b: [Double] = []
                for _ in 0..<30 {
                    x.withUnsafeBufferPointer { xp in p.withUnsafeBufferPointer { pp in
                        let pb = pp.baseAddress ?? UnsafePointer(bitPattern: 8)!
                        f.append(us(clock.measure { y.withUnsafeMutableBufferPointer { layer.forward(input: xp.baseAddress!, batch: batch, parameters: pb, output: $0.baseAddress!) } }))
                        b.append(us(clock.measure { dy.withUnsafeBufferPointer { g in dp.withUnsafeMutableBufferPointer { d in dx.withUnsafeMutableBufferPointer { dxp in
                            layer.backward(gradOutput: g.baseAddress!, parameters: pb, gradParameters: d.baseAddress!, gradInput: name == "conv1" ? nil : dxp.baseAddress!)
                        } } } }))
                    } }
                }
                let fm = f.sorted()[15], bm = b.sorted()[15]
                total.0 += fm; total.1 += bm
                print("threads \(threads) \(name): forward \(String(format: "%.0f", fm)) µs, backward \(String(format: "%.0f", bm)) µs")
            }
            let adam = Adam(parameterCount: 676_000)
            var params = randomFloats(676_000, &rng), grads = randomFloats(676_000, &rng)
            var a: [Double] = []
            for _ in 0..<30 { a.append(us(clock.measure { params.withUnsafeMutableBufferPointer { pp in grads.withUnsafeMutableBufferPointer { adam.update(parameters: pp, gradients: UnsafeBufferPointer($0)) } } })) }
            print("threads \(threads) total: forward \(String(format: "%.0f", total.0)) µs, backward \(String(format: "%.0f", total.1)) µs, adam \(String(format: "%.0f", a.sorted()[15])) µs")
        }
        NumericsThreads.count = 2
    }
}

@Suite(.enabled(if: ProcessInfo.processInfo.environment["DQN_LAYER_PROBE"] == "1"), .serialized)
struct PartnerSpeedProbe {
    @Test func handOverCost() {
        NumericsThreads.count = 2
        let clock = ContinuousClock()
        var total = 0.0
        let rounds = 20_000
        struct Nothing: ParallelJob { func run(part: Int) {} }
        let t = clock.measure {
            for _ in 0..<rounds {
                NumericsThreads.probeRun(parts: 2, Nothing())
            }
        }
        total = Double(t.components.attoseconds) * 1e-12 + Double(t.components.seconds) * 1e6
        print("partner hand-over: \(String(format: "%.2f", total / Double(rounds))) µs per job")
    }
}

@Suite(.enabled(if: ProcessInfo.processInfo.environment["DQN_LAYER_PROBE"] == "1"), .serialized)
struct NatureLayerSpeedProbe {
    @Test func natureLayers() {
        let batch = 32
        let layers: [(String, Conv2D)] = [
            ("conv1", Conv2D(geometry: ConvGeometry(channels: 4, height: 84, width: 84, kernelHeight: 8, kernelWidth: 8, stride: 4, padding: 0),
                             outChannels: 32, maxBatch: batch, outputChannelsLast: true)),
            ("conv2", Conv2D(geometry: ConvGeometry(channels: 32, height: 20, width: 20, kernelHeight: 4, kernelWidth: 4, stride: 2, padding: 0),
                             outChannels: 64, maxBatch: batch, inputChannelsLast: true, outputChannelsLast: true)),
            ("conv3", Conv2D(geometry: ConvGeometry(channels: 64, height: 9, width: 9, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 0),
                             outChannels: 64, maxBatch: batch, inputChannelsLast: true)),
        ]
        var rng = Xoshiro256(seed: 1)
        let clock = ContinuousClock()
        func us(_ d: Duration) -> Double { Double(d.components.attoseconds) * 1e-12 + Double(d.components.seconds) * 1e6 }
        NumericsThreads.count = 2
        for (name, layer) in layers {
            let x = randomFloats(batch * layer.inputSize, &rng, 0, 1), p = randomFloats(layer.parameterCount, &rng, -0.1, 0.1)
            var y = [Float](repeating: 0, count: batch * layer.outputSize)
            var dp = [Float](repeating: 0, count: layer.parameterCount)
            var dx = [Float](repeating: 0, count: batch * layer.inputSize)
            let dy = randomFloats(batch * layer.outputSize, &rng)
            var f: [Double] = [], b: [Double] = []
            for _ in 0..<20 {
                x.withUnsafeBufferPointer { xp in p.withUnsafeBufferPointer { pp in
                    f.append(us(clock.measure { y.withUnsafeMutableBufferPointer { layer.forward(input: xp.baseAddress!, batch: batch, parameters: pp.baseAddress!, output: $0.baseAddress!) } }))
                    b.append(us(clock.measure { dy.withUnsafeBufferPointer { g in dp.withUnsafeMutableBufferPointer { d in dx.withUnsafeMutableBufferPointer { dxp in
                        layer.backward(gradOutput: g.baseAddress!, parameters: pp.baseAddress!, gradParameters: d.baseAddress!, gradInput: name == "conv1" ? nil : dxp.baseAddress!)
                    } } } }))
                } }
            }
            let flops = Double(batch * layer.forwardFLOPsPerSample)
            let fm = f.sorted()[10], bm = b.sorted()[10]
            print("nature \(name): forward \(String(format: "%.0f", fm)) µs (\(String(format: "%.0f", flops / fm / 1e3)) GFLOP/s), backward \(String(format: "%.0f", bm)) µs")
        }
    }
}
