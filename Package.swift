// swift-tools-version: 6.0
// pixel-dqn: Deep Q-learning from pixels, in Swift.
// Dependencies point one way: pixel-dqn (CLI) → PixelDQN (RL pipeline) → DQNNumerics (math) →
// DQNWideKernels (its AVX-512 tiles) and DQNSIMD (its vector load and store). Linux: built and
// tested on Debian (x86_64); no other platform is declared, because none is built here (the
// process and file code uses Glibc).
import PackageDescription

// The numeric code is compiled optimized, for AVX2/FMA, in every configuration (debug included),
// so `swift run` and `swift test` run the kernels optimized (a whole training run as fast as
// release, docs/benchmarks.md) and every build uses the same fused multiply-adds
// (bitwise-identical results across configurations).
#if arch(x86_64)
let optimized: [SwiftSetting] = [.unsafeFlags(["-O", "-target-cpu", "haswell", "-Xcc", "-fno-math-errno"])]
// DQNWideKernels alone is compiled for AVX-512; DQNNumerics calls it only on CPUs that have it.
let avx512: [SwiftSetting] = [.unsafeFlags(["-O", "-target-cpu", "skylake-avx512"])]
#else
let optimized: [SwiftSetting] = [.unsafeFlags(["-O"])]
let avx512: [SwiftSetting] = [.unsafeFlags(["-O"])]
#endif

let package = Package(
    name: "pixel-dqn",
    products: [
        .executable(name: "pixel-dqn", targets: ["pixel-dqn"]),
        .library(name: "PixelDQN", targets: ["PixelDQN"]),
        .library(name: "DQNNumerics", targets: ["DQNNumerics"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibPNG",
            pkgConfig: "libpng",
            providers: [.apt(["libpng-dev", "zlib1g-dev"])]
        ),
        // giflib's pkg-config file is a Debian addition, so the modulemap links "gif" itself.
        .systemLibrary(name: "CGIF", providers: [.apt(["libgif-dev"])]),
        .target(name: "DQNWideKernels", swiftSettings: avx512),
        // The unaligned 8-lane load and store every kernel uses, inlined into each file of
        // DQNNumerics even in debug builds (Sources/DQNSIMD/Unaligned.swift says why).
        .target(name: "DQNSIMD", swiftSettings: optimized),
        .target(
            name: "DQNNumerics",
            dependencies: ["DQNSIMD", "DQNWideKernels"],
            exclude: ["README.md"],
            swiftSettings: optimized
        ),
        .target(
            name: "PixelDQN",
            dependencies: ["DQNNumerics", "CLibPNG", "CGIF"],
            swiftSettings: optimized
        ),
        .executableTarget(
            name: "pixel-dqn",
            dependencies: [
                "PixelDQN", "DQNNumerics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The coverage-guided fuzzers of the readers (Scripts/fuzz.sh builds them with libFuzzer).
        .executableTarget(name: "pixel-dqn-fuzz", dependencies: ["PixelDQN"]),
        .testTarget(name: "DQNNumericsTests", dependencies: ["DQNNumerics"]),
        .testTarget(
            name: "PixelDQNTests",
            dependencies: ["PixelDQN", "DQNNumerics"],
            exclude: []
        ),
    ]
)
