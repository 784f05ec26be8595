// Checkpointing optimizer state as safetensors tensors: Adam's m, v and step, RMSProp's square
// average and step, under a prefix, so a trainer can put them in the same file as the network.

extension SafetensorsFile {
    /// A Float tensor `name` of exactly `count` finite elements (shape [count]), each ≥ 0 when
    /// `nonNegative`, or a thrown error naming the tensor with expected versus found
    /// dtype/shape/value.
    public func floatVector(_ name: String, count: Int, file: String, nonNegative: Bool = false) throws -> [Float] {
        let t = try tensor(name, file: file)
        try t.require(.F32, name: name, file: file)
        guard t.shape == [count] else { throw SafetensorsError(file: file, "tensor \(name) has shape \(t.shape), expected [\(count)]") }
        let values = try t.floats(name: name, file: file)
        if let bad = values.firstIndex(where: { !$0.isFinite || (nonNegative && $0 < 0) }) {
            throw SafetensorsError(file: file, "tensor \(name) holds \(values[bad]) at element \(bad), expected \(nonNegative ? "finite values ≥ 0" : "finite values")")
        }
        return values
    }

    /// A scalar I64 tensor `name` (shape []) as an Int from 0 to `maximum`.
    public func nonNegativeScalar(_ name: String, file: String, maximum: Int = Int(Int32.max)) throws -> Int {
        let t = try tensor(name, file: file)
        guard t.dtype == .I64, t.shape == [] else {
            throw SafetensorsError(file: file, "tensor \(name) is \(t.dtype.rawValue) \(t.shape), expected I64 []")
        }
        let v = try t.int64s(name: name, file: file)[0]
        guard v >= 0 && v <= Int64(maximum) else { throw SafetensorsError(file: file, "tensor \(name) is \(v), expected a step from 0 to \(maximum)") }
        return Int(v)
    }
}

extension Adam {
    /// Adds `<prefix>.exp_avg` and `<prefix>.exp_avg_sq` (F32 [P]) and `<prefix>.step` (I64 []).
    public func addState(to file: inout SafetensorsFile, prefix: String = "adam") {
        file.set(prefix + ".exp_avg", SafetensorsTensor(floats: firstMoment))
        file.set(prefix + ".exp_avg_sq", SafetensorsTensor(floats: secondMoment))
        file.set(prefix + ".step", SafetensorsTensor(int64s: [Int64(step)], shape: []))
    }

    /// Restores the state written by `addState`, of at most `maxStep` updates; throws naming a
    /// missing, mis-shaped or out-of-range tensor.
    public func restoreState(from file: SafetensorsFile, prefix: String = "adam", fileName: String, maxStep: Int = Int(Int32.max)) throws {
        let n = firstMoment.count
        let m = try file.floatVector(prefix + ".exp_avg", count: n, file: fileName)
        let v = try file.floatVector(prefix + ".exp_avg_sq", count: n, file: fileName, nonNegative: true)
        restore(step: try file.nonNegativeScalar(prefix + ".step", file: fileName, maximum: maxStep), firstMoment: m, secondMoment: v)
    }
}

extension RMSProp {
    /// Adds `<prefix>.square_avg` (F32 [P]) and `<prefix>.step` (I64 []).
    public func addState(to file: inout SafetensorsFile, prefix: String = "rmsprop") {
        file.set(prefix + ".square_avg", SafetensorsTensor(floats: squareAverage))
        file.set(prefix + ".step", SafetensorsTensor(int64s: [Int64(step)], shape: []))
    }

    /// Restores the state written by `addState`, of at most `maxStep` updates; throws naming a
    /// missing, mis-shaped or out-of-range tensor.
    public func restoreState(from file: SafetensorsFile, prefix: String = "rmsprop", fileName: String, maxStep: Int = Int(Int32.max)) throws {
        let s = try file.floatVector(prefix + ".square_avg", count: squareAverage.count, file: fileName, nonNegative: true)
        restore(step: try file.nonNegativeScalar(prefix + ".step", file: fileName, maximum: maxStep), squareAverage: s)
    }
}
