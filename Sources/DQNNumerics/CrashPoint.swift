// Fault injection for the crash-consistency tests (Tests/PixelDQNTests/CrashConsistencyTests.swift):
// named points in the code that writes a run folder and in the evaluation loops, at which the
// process can be made to kill itself with SIGKILL, the way a kill -9, an OOM kill or a power
// cut would stop it there.
//
// PIXEL_DQN_CRASH_AT=NAME@STEP#N kills the process at the N-th pass through the point NAME at
// agent step STEP, counted since the last checkpoint this process committed (a resumed process
// starts right after one, so the same instant has the same name in an uninterrupted run and in a
// resumed one). A process that reaches a later step without passing there is killed at once.
// PIXEL_DQN_CRASH_TRACE=FILE appends one line NAME@STEP#N per pass: the instants a run has.
// Without either variable a pass costs one test of a constant.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum CrashPoint {
    /// Where to crash: a point name, an agent step, and the pass at that step.
    struct Target: Equatable {
        var name: String
        var step: Int
        var pass: Int
    }

    private static let environment = ProcessInfo.processInfo.environment
    private static let parsed: (target: Target?, problem: String?) = parse(environment["PIXEL_DQN_CRASH_AT"])
    private static let tracePath: String? = environment["PIXEL_DQN_CRASH_TRACE"].flatMap { $0.isEmpty ? nil : $0 }
    /// Whether any point can act: false in every ordinary run.
    private static let active = parsed.target != nil || tracePath != nil

    /// The problem with PIXEL_DQN_CRASH_AT or PIXEL_DQN_CRASH_TRACE (the variable, the value and
    /// what was expected), nil when they are absent or well formed. `train` refuses to start on one.
    public static var environmentProblem: String? {
        if let problem = parsed.problem { return problem }
        if let tracePath, !tracePath.hasPrefix("/") {
            return "PIXEL_DQN_CRASH_TRACE is \"\(tracePath)\", expected an absolute file path"
        }
        return nil
    }

    /// Reads NAME@STEP#N: NAME non-empty without "@" or "#", STEP from 0, N from 1.
    static func parse(_ text: String?) -> (target: Target?, problem: String?) {
        guard let text, !text.isEmpty else { return (nil, nil) }
        let expected = "expected NAME@STEP#N (a crash point, an agent step from 0 and a pass from 1, e.g. renamed:checkpoint.safetensors@300#1)"
        let problem = "PIXEL_DQN_CRASH_AT is \"\(text)\", \(expected)"
        guard let at = text.lastIndex(of: "@"), let hash = text.lastIndex(of: "#"), at < hash else { return (nil, problem) }
        let name = String(text[..<at])
        guard !name.isEmpty, !name.contains("#"), !name.contains("@"),
              let step = Int(text[text.index(after: at)..<hash]), step >= 0,
              let pass = Int(text[text.index(after: hash)...]), pass >= 1 else { return (nil, problem) }
        return (Target(name: name, step: step, pass: pass), nil)
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var step = 0
    nonisolated(unsafe) private static var passes: [String: Int] = [:]

    /// The agent step the process is at; a process past the target's step dies here.
    public static func enter(step newStep: Int) {
        guard active else { return }
        lock.lock()
        step = newStep
        let beyond = parsed.target.map { newStep > $0.step } ?? false
        lock.unlock()
        if beyond { die() }
    }

    /// A pass through the point `name` (built only when a variable is set).
    public static func pass(_ name: @autoclosure () -> String) {
        guard active else { return }
        let name = name()
        lock.lock()
        let key = "\(name)@\(step)"
        let n = (passes[key] ?? 0) + 1
        passes[key] = n
        let hit = parsed.target == Target(name: name, step: step, pass: n)
        lock.unlock()
        if let tracePath {
            let line = Array("\(key)#\(n)\n".utf8)
            let fd = open(tracePath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            if fd >= 0 { _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }; close(fd) }
        }
        if hit { die() }
    }

    /// A checkpoint was committed: passes are counted from here, as a resumed process counts them.
    public static func committed() {
        guard active else { return }
        lock.lock()
        passes.removeAll()
        lock.unlock()
    }

    private static func die() -> Never {
        kill(getpid(), SIGKILL)
        while true { pause() }
    }
}
