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
    init(values: [Double]) { self.values = values }
    var defaultValueDescription: String { values.map { "\($0)" }.joined(separator: ",") }

    /// The `transform` of a `--state` option: a message with what is expected when an item is
    /// not a finite number.
    static func parse(_ text: String) throws -> NumberList {
        guard let values = NumberLists.numbers(text) else {
            throw ValidationError("expected the task's state as comma-separated finite numbers, such as -0.1,0,0.05,0 (the task's numbers: \(EnvironmentID.stateHelp))")
        }
        return NumberList(values: values)
    }
}

/// A comma-separated list of actions, e.g. `0,1,1,0`.
struct ActionList: ExpressibleByArgument {
    var values: [Int]
    init?(argument: String) {
        guard let values = NumberLists.integers(argument) else { return nil }
        self.values = values
    }
    init(values: [Int]) { self.values = values }

    /// The `transform` of an `--actions` option: a message with what is expected.
    static func parse(_ text: String) throws -> ActionList {
        guard let values = NumberLists.integers(text) else {
            throw ValidationError("expected comma-separated actions, each a whole number such as 0,1,1,0 (\(EnvironmentID.actionHelp))")
        }
        return ActionList(values: values)
    }
}

/// Refuses an output path of `option` that does not end in `.extension` (any case): a PNG or a
/// GIF written under another name (say a run's metrics.csv, or the model just loaded) would
/// replace a file of another kind.
func checkExtension(_ path: String?, option: String, _ ext: String) throws {
    guard let path, !path.isEmpty else { return }
    if !path.lowercased().hasSuffix("." + ext) {
        throw ValidationError("\(option) \(path): expected a file name ending in .\(ext)")
    }
}

/// Refuses an empty path given to `option` (what the shell passes for '' or an unset variable).
func checkPath(_ path: String?, option: String, expected: String) throws {
    if path?.isEmpty == true { throw ValidationError("\(option): expected \(expected), got an empty path") }
}

extension EnvironmentID: ExpressibleByArgument {}

/// Parses a `--state` value into a state of `env`, or throws a ValidationError naming the option.
func parseState(_ list: NumberList, env: EnvironmentID, option: String = "--state") throws -> StateVector {
    do { return try NumberLists.state(list.values, env: env, option: option) } catch let e as ConfigError {
        throw ValidationError(e.message)
    }
}

/// Checks `--actions` against the task's action count.
func checkActions(_ list: ActionList, env: EnvironmentID, option: String = "--actions") throws {
    if let bad = list.values.first(where: { !(0..<env.actionCount).contains($0) }) {
        throw ValidationError("\(option) may hold only \((0..<env.actionCount).map(String.init).joined(separator: ", ")) for \(env.rawValue) (\(env.actionNames)); got \(bad)")
    }
}

