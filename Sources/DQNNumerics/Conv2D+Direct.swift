// Conv2D's direct path (see DirectConv.swift): no im2row for the forward pass or the weight
// gradient, and optional channels-last input and output so activations between convolutions are
// never transposed. Same chunking, chains and combine order as the im2row path: same bits.

extension Conv2D {
    /// Forward on the direct path. `weightT` already holds Wᵀ [Kc, Cout].
    func forwardDirect(tables: UnsafeMutablePointer<Int>, input: UnsafePointer<Float>, batch: Int,
                       bias: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        let g = geometry, co = outChannels, pos = g.positions, last = outputChannelsLast
        let t = SendableConstPointer(UnsafePointer(tables)), x = SendableConstPointer(input), y = SendablePointer(output)
        let b = SendableConstPointer(bias), wT = SendableConstPointer(UnsafePointer(weightT)), outP = outT
        if batch == 1 {
            // Acting: one sample, so the two threads split its positions (same bits).
            let out = SendablePointer(last ? output : outP[0].base)
            NumericsThreads.run(parts: 2, work: forwardFLOPsPerSample) { part in
                let positions = NumericsThreads.range(part, of: 2, total: pos, granule: 6)
                DirectConv.forwardSample(g, tables: t.base, input: x.base, weightT: wT.base, outChannels: co,
                                         positions: positions, out: out.base)
            }
            Self.finishDirect(out: out.base, bias: bias, y: output, pos: pos, co: co, channelsLast: last)
            return
        }
        NumericsThreads.run(parts: Self.chunks, work: batch * forwardFLOPsPerSample) { c in
            for n in Self.samples(chunk: c, batch: batch) {
                let yn = y.base + n * co * pos, out = last ? yn : outP[c].base
                DirectConv.forwardSample(g, tables: t.base, input: x.base + n * g.inputSize, weightT: wT.base,
                                         outChannels: co, positions: 0..<pos, out: out)
                Self.finishDirect(out: out, bias: b.base, y: yn, pos: pos, co: co, channelsLast: last)
            }
        }
    }

    /// Adds the bias: in place on a channels-last output, else through the transpose to Cout×P.
    private static func finishDirect(out: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
                                     pos: Int, co: Int, channelsLast: Bool) {
        guard channelsLast else { finishSample(outT: out, bias: bias, y: y, pos: pos, co: co); return }
        for p in 0..<pos {
            let row = out + p * co
            for o in 0..<co { row[o] += bias[o] }
        }
    }

    /// Backward on the direct path: fills `partial` (dWᵀ and db per chunk) and, when asked, dx in
    /// the input's layout. The caller combines the partials.
    func backwardDirect(tables: UnsafeMutablePointer<Int>, input: UnsafePointer<Float>, batch: Int,
                        gradOutput: UnsafePointer<Float>, parameters: UnsafePointer<Float>,
                        gradInput: UnsafeMutablePointer<Float>?) {
        let g = geometry, kc = g.patchSize, co = outChannels, pos = g.positions, wo = g.outputWidth
        let outLast = outputChannelsLast, inLast = inputChannelsLast
        // dx's GEMM uses W with columns in (ky, kx, c) order for a channels-last input.
        var dxWeight = parameters
        if inLast, gradInput != nil, let wcl = weightChannelsLast {
            let kh = g.kernelHeight, kw = g.kernelWidth, c0 = g.channels
            for o in 0..<co {
                let src = parameters + o * kc, dst = wcl + o * kc
                for c in 0..<c0 {
                    for ky in 0..<kh {
                        for kx in 0..<kw { dst[(ky * kw + kx) * c0 + c] = src[(c * kh + ky) * kw + kx] }
                    }
                }
            }
            dxWeight = UnsafePointer(wcl)
        }
        let t = SendableConstPointer(UnsafePointer(tables)), x = SendableConstPointer(input)
        let dy = SendableConstPointer(gradOutput), w = SendableConstPointer(dxWeight)
        let dx = gradInput.map { SendablePointer($0) }
        let rowsP = rows, outP = outT, partP = partial, block = linesPerBlock
        NumericsThreads.run(parts: Self.chunks, work: batch * 3 * forwardFLOPsPerSample) { c in
            let part = partP[c].base, biasPart = part + kc * co
            part.update(repeating: 0, count: kc * co + co)
            withUnsafeTemporaryAllocation(of: Float.self, capacity: co) { sums in
                guard let s = sums.baseAddress else { return }
                for n in Self.samples(chunk: c, batch: batch) {
                    let gradOut = dy.base + n * co * pos
                    // gT = dy as [P, Cout]; db[o] += Σ_p dy[o, p], each sum from 0 in p order.
                    let gT: UnsafePointer<Float>
                    if outLast {
                        gT = gradOut
                        s.update(repeating: 0, count: co)
                        for p in 0..<pos {
                            let row = gradOut + p * co
                            for o in 0..<co { s[o] += row[o] }
                        }
                    } else {
                        transpose(rows: co, cols: pos, src: gradOut, dst: outP[c].base)
                        gT = UnsafePointer(outP[c].base)
                        for o in 0..<co {
                            let plane = gradOut + o * pos
                            var sum: Float = 0
                            for p in 0..<pos { sum += plane[p] }
                            s[o] = sum
                        }
                    }
                    for o in 0..<co { biasPart[o] += s[o] }
                    DirectConv.weightGradientSample(g, tables: t.base, input: x.base + n * g.inputSize,
                                                    gradT: gT, outChannels: co, partial: part)
                    guard let dxn = dx.map({ $0.base + n * g.inputSize }) else { continue }
                    dxn.update(repeating: 0, count: g.inputSize)
                    var oy = 0
                    while oy < g.outputHeight {
                        // d rows [lines·Wo, Kc] = g·W, then scatter-add the patches back.
                        let lines = oy..<min(g.outputHeight, oy + block)
                        Gemm.multiplySerial(transposeA: false, m: lines.count * wo, n: kc, k: co, a: gT + oy * wo * co,
                                            lda: co, b: w.base, ldb: kc, c: rowsP[c].base, ldc: kc, accumulate: false)
                        if inLast {
                            DirectConv.addPatchesChannelsLast(g, rows: rowsP[c].base, gradInput: dxn, outputLines: lines)
                        } else {
                            Im2Row.addSample(g, rows: rowsP[c].base, gradInput: dxn, outputLines: lines)
                        }
                        oy = lines.upperBound
                    }
                }
            }
        }
    }
}
