// The `train` command lines of a sweep: which train options the sweep sets itself, the threads
// each run gets, and shell quoting for --print-commands. Pure functions; starting processes is
// the command line's job.
import Foundation

public enum SweepLaunch {
    /// Train options the sweep sets for every run, and why they may not be passed through.
    public static let reservedOptions: [(name: String, reason: String)] = [
        ("--seed", "each run's seed comes from --seeds"),
        ("--output", "each run is written to <--output>/seed-<S>"),
        ("--resume", "a second call with the same --output resumes interrupted seeds"),
    ]

    /// Refuses pass-through options the sweep sets itself (as `--name value` or `--name=value`),
    /// naming each one.
    public static func checkPassThrough(_ options: [String]) throws {
        let found = reservedOptions.filter { r in options.contains { $0 == r.name || $0.hasPrefix(r.name + "=") } }
        guard found.isEmpty else {
            throw ConfigError(message: "the sweep sets " + found.map { "\($0.name) itself (\($0.reason))" }.joined(separator: ", and ")
                              + "; remove \(found.map(\.name).joined(separator: " and ")) from the train options")
        }
    }

    /// Numerics threads per run: the cores shared among `jobs` runs, 1 or 2 (train's range).
    public static func threads(jobs: Int, cores: Int) -> Int { max(1, min(2, cores / max(1, jobs))) }

    /// `train` arguments for a new run of `seed` in `folder`; `threads` nil when the pass-through
    /// options already hold --threads.
    public static func newRun(seed: UInt64, folder: String, threads: Int?, options: [String]) -> [String] {
        ["train", "--seed", "\(seed)", "--output", safeValue(folder)] + (threads.map { ["--threads", "\($0)"] } ?? []) + options
    }

    /// `train` arguments that continue the run in `folder` from its checkpoint.
    public static func resume(folder: String, threads: Int) -> [String] {
        ["train", "--resume", safeValue(folder), "--threads", "\(threads)"]
    }

    /// A relative path that starts with "-" as "./-…", so that it reads as an option's value.
    static func safeValue(_ path: String) -> String { path.hasPrefix("-") ? "./" + path : path }

    /// `s` as one word for a POSIX shell: unchanged when it holds only safe characters, else in
    /// single quotes (a quote inside becomes '\'').
    public static func shellQuote(_ s: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%")
        if !s.isEmpty && s.allSatisfy({ safe.contains($0) }) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// A command line for a shell.
    public static func commandLine(_ words: [String]) -> String { words.map(shellQuote).joined(separator: " ") }
}
