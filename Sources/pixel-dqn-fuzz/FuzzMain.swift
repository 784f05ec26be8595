// pixel-dqn-fuzz: the coverage-guided fuzzers of the readers (PixelDQN's FuzzTarget), run by
// Scripts/fuzz.sh. Built with -sanitize=fuzzer,address and -D LIBFUZZER, libFuzzer's own main
// runs and this file supplies its two entry points; every build also writes seed corpora and
// replays inputs (e.g. a crash libFuzzer kept).
import Foundation
import PixelDQN

enum FuzzCommandLine {
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

    /// Runs `seeds` and `replay` (and exits); for `TARGET …`, returns the target to fuzz.
    static func run(_ args: [String]) -> FuzzTarget {
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
            exit(0)
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
            return target(args[1])
        }
    }
}

#if LIBFUZZER
/// The target the callback feeds, chosen before libFuzzer starts.
nonisolated(unsafe) var selectedTarget = FuzzTarget.png

/// libFuzzer calls this first: the first argument names the target (or `seeds`, `replay`) and
/// is taken off, so that libFuzzer reads only its own options and corpus folders.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>) -> Int32 {
    let args = (0..<Int(argc.pointee)).map { argv.pointee[$0].map { String(cString: $0) } ?? "" }
    selectedTarget = FuzzCommandLine.run(args)
    argv.pointee[1] = argv.pointee[0]
    argv.pointee += 1
    argc.pointee -= 1
    return 0
}

/// One input; an unexpected outcome aborts, so that libFuzzer reports it and keeps the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size == 0 || data == nil ? [] : [UInt8](UnsafeBufferPointer(start: data, count: size))
    if case .unexpected(let message) = selectedTarget.feed(bytes) {
        FileHandle.standardError.write(Data("pixel-dqn-fuzz \(selectedTarget.rawValue): \(message)\n".utf8))
        abort()
    }
    return 0
}
#else
@main enum FuzzMain {
    static func main() {
        _ = FuzzCommandLine.run(CommandLine.arguments)
        FuzzCommandLine.fail("pixel-dqn-fuzz: this build has no libFuzzer; Scripts/fuzz.sh builds one (swift build --sanitize=fuzzer --sanitize=address -Xswiftc -DLIBFUZZER)")
    }
}
#endif
