// Unaligned 8-lane loads and stores of Float: the one memory access of DQNNumerics' elementwise
// loops and kernels.
//
// They are a module of their own for debug builds. `swift run` and `swift test` compile a
// module file by file, and a function defined in one file of DQNNumerics is then neither
// inlined nor specialized in another (not even when it is @_transparent); an out-of-line call per
// eight floats spills every accumulator of the loop around it. Another module's @inlinable
// functions are inlined into every file in every configuration, as the standard library's are.

/// The 8 floats at `p` (any alignment).
@inlinable @inline(__always)
public func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

/// Writes `v` to the 8 floats at `p` (any alignment).
@inlinable @inline(__always)
public func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}
