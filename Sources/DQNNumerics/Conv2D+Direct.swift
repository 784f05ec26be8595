// Conv2D's direct path (see DirectConv.swift): no im2row for the forward pass or the weight
// gradient, and optional channels-last input and output so activations between convolutions are
// never transposed. Same chunking, chains and combine order as the im2row path: same bits.

extension Conv2D {
    /// Forward on the direct path. `weightT` already holds Wᵀ as panels (`DirectConv.weightPanels`).
    func forwardDirect(tables: UnsafeMutablePointer<Int>, input: UnsafePointer<Float>, batch: Int,
                       bias: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        if batch == 1 {
            // Acting: one sample, so the two threads split its positions (same bits).
            let out = outputChannelsLast ? output : outT[0]
            NumericsThreads.run(parts: 2, threads: threads, work: forwardFLOPsPerSample,
                                DirectForwardPositions(layer: self, tables: tables, input: input, out: out))
            Self.finishDirect(out: out, bias: bias, y: output, pos: geometry.positions, co: outChannels,
                              channelsLast: outputChannelsLast, relu: appliesReLU)
            return
        }
        NumericsThreads.run(parts: Self.chunks, threads: threads, work: batch * forwardFLOPsPerSample,
                            DirectForward(layer: self, tables: tables, input: input, batch: batch, bias: bias, output: output))
    }

    /// One sample's forward pass, its output positions split in two parts.
    private struct DirectForwardPositions: ParallelJob {
        let layer: Conv2D, tables: UnsafePointer<Int>, input: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>

        func run(part: Int) {
            let positions = NumericsThreads.range(part, of: 2, total: layer.geometry.positions, granule: 6)
            DirectConv.forwardRows(layer.geometry, tables: tables, input: input, weightT: layer.weightT,
                                   outChannels: layer.outChannels, rows: positions, out: out + positions.lowerBound * layer.outChannels)
        }
    }

    /// The batched forward pass, one chunk of samples per part.
    private struct DirectForward: ParallelJob {
        let layer: Conv2D, tables: UnsafePointer<Int>, input: UnsafePointer<Float>, batch: Int
        let bias: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>

        func run(part c: Int) {
            let g = layer.geometry, co = layer.outChannels, pos = g.positions, last = layer.outputChannelsLast
            let samples = Conv2D.samples(chunk: c, batch: batch)
            // The chunk's rows (sample, position) as one sequence, in blocks of about one sample
            // (a whole number of tiles) so each block's input stays in cache across the column
            // groups; a sample is finished (bias, layout) once its last row is computed.
            // out row i of the chunk: in place for a channels-last output, else in outT.
            let first = samples.lowerBound * pos, end = samples.upperBound * pos
            let out = last ? output + first * co : layer.outT[c]
            let blockRows = (pos + 5) / 6 * 6
            var next = samples.lowerBound, b = first
            while b < end {
                let e = min(end, b + blockRows)
                DirectConv.forwardRows(g, tables: tables, input: input, weightT: layer.weightT, outChannels: co,
                                       rows: b..<e, out: out + (b - first) * co)
                while next < samples.upperBound && (next + 1) * pos <= e {
                    Conv2D.finishDirect(out: out + (next * pos - first) * co, bias: bias, y: output + next * co * pos,
                                        pos: pos, co: co, channelsLast: last, relu: layer.appliesReLU)
                    next += 1
                }
                b = e
            }
        }
    }

    /// Adds the bias (then max(·, 0) with `relu`): in place on a channels-last output, else
    /// through the transpose to Cout×P.
    private static func finishDirect(out: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
                                     pos: Int, co: Int, channelsLast: Bool, relu: Bool) {
        guard channelsLast else { finishSample(outT: out, bias: bias, y: y, pos: pos, co: co, relu: relu); return }
        for p in 0..<pos {
            let row = out + p * co
            if relu {
                for o in 0..<co { row[o] = max(row[o] + bias[o], 0) }
            } else {
                for o in 0..<co { row[o] += bias[o] }
            }
        }
    }

    /// Backward on the direct path: fills `partial` (dWᵀ and db per chunk) and, when asked, dx in
    /// the input's layout. The caller combines the partials.
    func backwardDirect(tables: UnsafeMutablePointer<Int>, input: UnsafePointer<Float>, batch: Int,
                        gradOutput: UnsafePointer<Float>, parameters: UnsafePointer<Float>,
                        gradInput: UnsafeMutablePointer<Float>?) {
        let kc = geometry.patchSize
        // dx's GEMM uses W with columns in (ky, kx, c) order for a channels-last input.
        var dxWeight = parameters
        if inputChannelsLast, gradInput != nil, let wcl = weightChannelsLast {
            let columnOf = channelsLastIndex
            for o in 0..<outChannels {
                let src = parameters + o * kc, dst = wcl + o * kc
                for k in 0..<kc { dst[columnOf[k]] = src[k] }
            }
            dxWeight = UnsafePointer(wcl)
        }
        NumericsThreads.run(parts: Self.chunks, threads: threads, work: batch * 3 * forwardFLOPsPerSample,
                            DirectBackward(layer: self, tables: tables, input: input, batch: batch, gradOutput: gradOutput,
                                           dxWeight: dxWeight, gradInput: gradInput))
    }

    /// The direct backward pass, one chunk of samples per part: the chunk's dWᵀ and db partial, and
    /// dx of its samples when asked.
    private struct DirectBackward: ParallelJob {
        let layer: Conv2D, tables: UnsafePointer<Int>, input: UnsafePointer<Float>, batch: Int
        let gradOutput: UnsafePointer<Float>, dxWeight: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>?

        func run(part c: Int) {
            let g = layer.geometry, kc = g.patchSize, co = layer.outChannels, pos = g.positions, wo = g.outputWidth
            let outLast = layer.outputChannelsLast, inLast = layer.inputChannelsLast
            let part = layer.partial[c], biasPart = part + kc * co, rows = layer.rows[c], outT = layer.outT[c]
            let rowOffsets = DirectConv.gradientRowOffsets(g, tables: tables, channelsLast: inLast)
            part.update(repeating: 0, count: kc * co + co)
            withUnsafeTemporaryAllocation(of: Float.self, capacity: co) { sums in
                guard let s = sums.baseAddress else { return }
                for n in Conv2D.samples(chunk: c, batch: batch) {
                    let gradOut = gradOutput + n * co * pos
                    // gT = dy as [P, Cout]; db[o] += Σ_p dy[o, p], each sum from 0 in p order.
                    let gT: UnsafePointer<Float>
                    if outLast {
                        gT = gradOut
                        s.update(repeating: 0, count: co)
                        for p in 0..<pos {
                            let row = gradOut + p * co
                            for o in 0..<co { s[o] += row[o] }
                        }
                        for o in 0..<co { biasPart[o] += s[o] }
                    } else {
                        transpose(rows: co, cols: pos, src: gradOut, dst: outT)
                        gT = UnsafePointer(outT)
                        Conv2D.addPlaneSums(gradOut, channels: co, positions: pos, to: biasPart)
                    }
                    DirectConv.gradientPanels(gT, ld: co, positions: pos, outChannels: co, into: layer.gradPanels[c])
                    DirectConv.weightGradientSample(g, tables: tables, rowOffsets: rowOffsets, input: input + n * g.inputSize,
                                                    gradPanels: layer.gradPanels[c], outChannels: co, partial: part)
                    guard let dxn = gradInput.map({ $0 + n * g.inputSize }) else { continue }
                    dxn.update(repeating: 0, count: g.inputSize)
                    var oy = 0
                    while oy < g.outputHeight {
                        // d rows [lines·Wo, Kc] = g·W, then scatter-add the patches back.
                        let lines = oy..<min(g.outputHeight, oy + layer.linesPerBlock)
                        Gemm.multiplySerial(transposeA: false, m: lines.count * wo, n: kc, k: co, a: gT + oy * wo * co,
                                            lda: co, b: dxWeight, ldb: kc, c: rows, ldc: kc, accumulate: false)
                        if inLast {
                            DirectConv.addPatchesChannelsLast(g, rows: rows, gradInput: dxn, outputLines: lines)
                        } else {
                            Im2Row.addSample(g, rows: rows, gradInput: dxn, outputLines: lines)
                        }
                        oy = lines.upperBound
                    }
                    if layer.masksGradInputByReLU {
                        ReLU.gradient(x: input + n * g.inputSize, dy: dxn, dx: dxn, count: g.inputSize)
                    }
                }
            }
        }
    }
}
