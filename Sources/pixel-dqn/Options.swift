// Option types shared by the subcommands: comma-separated number lists (negative numbers
// included, as users type them; parsed by PixelDQN's NumberLists) and the environment name.
import ArgumentParser
import Foundation
import PixelDQN

/// A comma-separated list of numbers, e.g. `-0.1,0,0.05,0`.
struct NumberList: ExpressibleByArgument {
    var values: [Double]
    init?(argument: String) {
        guard let values = NumberLists.numbers(argument) else { return nil }
        self.values = values
    }
    var defaultValueDescription: String { values.map { "\($0)" }.joined(separator: ",") }
}

/// A comma-separated list of actions, e.g. `0,1,1,0`.
struct ActionList: ExpressibleByArgument {
    var values: [Int]
    init?(argument: String) {
        guard let values = NumberLists.integers(argument) else { return nil }
        self.values = values
    }
}

extension CartPoleVersion: ExpressibleByArgument {}

/// Parses a `--state` value into a CartPole state, or throws a ValidationError naming the option.
func parseState(_ list: NumberList, option: String = "--state") throws -> CartPoleState {
    do { return try NumberLists.state(list.values, option: option) } catch let e as ConfigError {
        throw ValidationError(e.message)
    }
}
