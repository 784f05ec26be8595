// The command line's comma-separated number lists as users type them (negative numbers
// included): `--state` (a task's state numbers) and `--actions` (integers). The seeds of a sweep have
// their own grammar (Sweep/SeedList.swift). Here so that the fuzzers reach the same code.
import Foundation

package enum NumberLists {
    /// The largest magnitude of a `--state` number: far beyond CartPole's limits (|x| ≤ 2.4 m,
    /// |θ| ≤ 12°), small enough that the physics and the rasterizer stay finite.
    package static let stateBound = 1e6

    /// A list of finite numbers such as `-0.1,0,0.05,0`, or nil when an item is not one.
    package static func numbers(_ text: String) -> [Double]? {
        var out: [Double] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let v = Double(part.trimmingCharacters(in: .whitespaces)), v.isFinite else { return nil }
            out.append(v)
        }
        return out
    }

    /// A non-empty list of integers such as `0,1,1,0`, or nil.
    package static func integers(_ text: String) -> [Int]? {
        var out: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let v = Int(part.trimmingCharacters(in: .whitespaces)) else { return nil }
            out.append(v)
        }
        return out.isEmpty ? nil : out
    }

    /// A state of `env` from `--state` numbers, or a `ConfigError` naming `option`: exactly the
    /// task's count of numbers, each within its bound (±`stateBound`, tighter where the task needs
    /// it: `EnvironmentID.stateProblem`).
    package static func state(_ values: [Double], env: EnvironmentID, option: String = "--state") throws -> StateVector {
        if let problem = env.stateProblem(values) {
            throw ConfigError(message: values.count == env.stateCount ? "\(option): \(problem)" : "\(option) \(problem)")
        }
        return StateVector(values)
    }
}
