// Option types shared by the subcommands: comma-separated number lists (negative numbers
// included, as users type them) and the environment name.
import ArgumentParser
import Foundation
import PixelDQN

/// A comma-separated list of numbers, e.g. `-0.1,0,0.05,0`.
struct NumberList: ExpressibleByArgument {
    var values: [Double]
    init?(argument: String) {
        var out: [Double] = []
        for part in argument.split(separator: ",", omittingEmptySubsequences: false) {
            guard let v = Double(part.trimmingCharacters(in: .whitespaces)), v.isFinite else { return nil }
            out.append(v)
        }
        values = out
    }
    var defaultValueDescription: String { values.map { "\($0)" }.joined(separator: ",") }
}

/// A comma-separated list of actions, e.g. `0,1,1,0`.
struct ActionList: ExpressibleByArgument {
    var values: [Int]
    init?(argument: String) {
        var out: [Int] = []
        for part in argument.split(separator: ",", omittingEmptySubsequences: false) {
            guard let v = Int(part.trimmingCharacters(in: .whitespaces)) else { return nil }
            out.append(v)
        }
        guard !out.isEmpty else { return nil }
        values = out
    }
}

extension CartPoleVersion: ExpressibleByArgument {}

/// The largest magnitude of a `--state` number: far beyond CartPole's limits (|x| ≤ 2.4 m,
/// |θ| ≤ 12°), small enough that the physics and the rasterizer stay finite.
let stateBound = 1e6

/// Parses a `--state` value into a CartPole state, or throws a ValidationError naming the option.
func parseState(_ list: NumberList, option: String = "--state") throws -> CartPoleState {
    guard let s = CartPoleState(list.values) else {
        throw ValidationError("\(option) needs 4 numbers X,XDOT,THETA,THETADOT; got \(list.values.count)")
    }
    if let bad = list.values.first(where: { abs($0) > stateBound }) {
        throw ValidationError("\(option): expected numbers from -1e6 to 1e6, got \(bad)")
    }
    return s
}
