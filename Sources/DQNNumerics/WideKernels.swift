// Whether the convolution tiles use the 512-bit kernels of DQNWideKernels: only on a CPU with
// AVX-512 (read once from /proc/cpuinfo), and not when PIXEL_DQN_AVX512=0 is set.
import Foundation
import Synchronization

/// The switch between the 16-column (AVX2) and 32-column (AVX-512) convolution tiles. Both give
/// the same bits (each element is the same in-order FMA chain), so the switch changes speed only.
public enum WideKernels {
    /// The AVX-512 subsets the kernels are compiled for (`-target-cpu skylake-avx512`).
    static let requiredFlags = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]

    /// Whether this CPU can run the 512-bit kernels.
    public static let available: Bool = {
        #if arch(x86_64) && os(Linux)
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
        let flags = Set(line.split(separator: " ").map(String.init))
        return requiredFlags.allSatisfy(flags.contains)
        #else
        return false
        #endif
    }()

    private static let storedEnabled =
        Atomic<Bool>(available && ProcessInfo.processInfo.environment["PIXEL_DQN_AVX512"] != "0")

    /// Whether the 512-bit tiles are in use (default: when available and not turned off by
    /// PIXEL_DQN_AVX512=0). Turning them on where they are not available is a programmer error.
    ///
    /// A process-wide switch, read by kernels on any thread (the partner thread included): it is
    /// an atomic with relaxed ordering, so a change made while kernels run reaches each kernel
    /// at some tile boundary. Every element is the same FMA chain either way, so which width a
    /// tile used never changes a result; set it between computations to know which one ran.
    public static var enabled: Bool {
        get { storedEnabled.load(ordering: .relaxed) }
        set {
            precondition(!newValue || available, "WideKernels.enabled: this CPU has no AVX-512")
            storedEnabled.store(newValue, ordering: .relaxed)
        }
    }
}
