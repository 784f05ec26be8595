// Ctrl-C (SIGINT) and SIGTERM ask the training loop to stop at the next step boundary, where it
// writes a checkpoint and the metrics so far and returns normally (exit status 0). The flag is a
// lock-free atomic: safe to set in a signal handler, and never hoisted out of the loop.
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

public enum StopSignal {
    private static let flag = Atomic<Int>(0)

    /// Installs the handlers; a second Ctrl-C while stopping exits at once.
    public static func install() {
        // A parent may have started us with these signals blocked (blocked masks survive exec);
        // unblock them so Ctrl-C and kill reach the handler.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        signal(SIGINT) { _ in
            if StopSignal.flag.load(ordering: .relaxed) != 0 { _exit(130) }
            StopSignal.flag.store(1, ordering: .relaxed)
        }
        signal(SIGTERM) { _ in StopSignal.flag.store(1, ordering: .relaxed) }
    }

    public static var requested: Bool { flag.load(ordering: .relaxed) != 0 }

    /// For tools and tests: ask for a stop as a signal would, or clear the request.
    public static func request() { flag.store(1, ordering: .relaxed) }
    public static func clear() { flag.store(0, ordering: .relaxed) }
}
