// pixel-dqn-fuzz: the coverage-guided fuzzers of the readers (PixelDQN's FuzzTarget), run by
// Scripts/fuzz.sh. Built with -sanitize=fuzzer,address and -D LIBFUZZER it hands a target to
// libFuzzer; every build also writes seed corpora and replays inputs (e.g. a crash libFuzzer kept).
import Foundation
import PixelDQN
#if LIBFUZZER
import CLibFuzzer
#endif

/// The target libFuzzer's callback feeds (set once, before libFuzzer starts).
nonisolated(unsafe) var selectedTarget = FuzzTarget.png

@main enum FuzzMain {
    static let usage = """
        usage: pixel-dqn-fuzz TARGET [libFuzzer options] [CORPUS ...]   (a -D LIBFUZZER build)
               pixel-dqn-fuzz seeds TARGET CORPUS WORK    (run from the repository: seeds made from Fixtures/ and Models/)
               pixel-dqn-fuzz replay TARGET FILE ...      (exit 1 if an input is neither loaded nor refused cleanly)
        TARGET: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))
        """

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(2)
    }

    static func target(_ name: String) -> FuzzTarget {
        guard let t = FuzzTarget(rawValue: name) else { fail("pixel-dqn-fuzz: unknown target \"\(name)\"\n" + usage) }
        return t
    }

    static func main() {
        let args = CommandLine.arguments
        guard args.count >= 2 else { fail(usage) }
        switch args[1] {
        case "seeds":
            guard args.count == 5 else { fail(usage) }
            let t = target(args[2])
            do {
                try FileManager.default.createDirectory(atPath: args[3], withIntermediateDirectories: true)
                let seeds = try t.seeds(repository: FileManager.default.currentDirectoryPath, workFolder: args[4])
                for s in seeds { try Data(s.bytes).write(to: URL(fileURLWithPath: args[3] + "/" + s.name)) }
                print("\(t.rawValue): \(seeds.count) seeds in \(args[3])")
            } catch { fail("pixel-dqn-fuzz seeds: \(error)") }
        case "replay":
            guard args.count >= 3 else { fail(usage) }
            let t = target(args[2])
            var bad = 0
            for path in args.dropFirst(3) {
                guard let data = FileManager.default.contents(atPath: path) else { fail("pixel-dqn-fuzz: cannot read \(path)") }
                let outcome = t.feed([UInt8](data))
                print("\(path): \(outcome)")
                if case .unexpected = outcome { bad += 1 }
            }
            exit(bad == 0 ? 0 : 1)
        default:
            selectedTarget = target(args[1])
            runLibFuzzer(arguments: [args[0]] + args.dropFirst(2))
        }
    }

    #if LIBFUZZER
    /// Runs libFuzzer on `selectedTarget`; an unexpected outcome aborts, so that libFuzzer
    /// reports it and keeps the input.
    static func runLibFuzzer(arguments: [String]) -> Never {
        var argc = Int32(arguments.count)
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = .allocate(capacity: arguments.count + 1)
        for (i, a) in arguments.enumerated() { argv![i] = strdup(a) }
        argv![arguments.count] = nil
        let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            let bytes = size == 0 ? [] : [UInt8](UnsafeBufferPointer(start: data, count: size))
            if case .unexpected(let message) = selectedTarget.feed(bytes) {
                FileHandle.standardError.write(Data("pixel-dqn-fuzz \(selectedTarget.rawValue): \(message)\n".utf8))
                abort()
            }
            return 0
        }
        exit(status)
    }
    #else
    static func runLibFuzzer(arguments: [String]) -> Never {
        fail("pixel-dqn-fuzz: this build has no libFuzzer; Scripts/fuzz.sh builds one (swift build --sanitize=fuzzer,address -Xswiftc -DLIBFUZZER)")
    }
    #endif
}
