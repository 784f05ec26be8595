// Ctrl-C (SIGINT) and SIGTERM ask the training loop to stop at the next step boundary, where it
// writes a checkpoint and the metrics so far and returns normally (exit status 0).
#if canImport(Glibc)
import Glibc
#endif

public enum StopSignal {
    nonisolated(unsafe) private static var flag: sig_atomic_t = 0

    /// Installs the handlers; a second Ctrl-C while stopping exits at once.
    public static func install() {
        signal(SIGINT) { _ in
            if StopSignal.flag != 0 { _exit(130) }
            StopSignal.flag = 1
        }
        signal(SIGTERM) { _ in StopSignal.flag = 1 }
    }

    public static var requested: Bool { flag != 0 }

    /// For tests: ask for a stop as a signal would.
    public static func request() { flag = 1 }
    public static func clear() { flag = 0 }
}
