// The seeds of a sweep as users type them: seeds and inclusive ranges separated by commas
// ("1-10", "1,3,5", "1-3,7"). Checked where they enter; the order given is the order of launch.
import Foundation

public enum SeedList {
    /// The most seeds one sweep accepts (a typo such as 1-100000000 should not queue 10⁸ runs).
    public static let maximumCount = 10_000

    /// Parses `text`, or throws a `ConfigError` naming `option`, the value and what was expected:
    /// the list must be non-empty, every seed a non-negative integer, every range ascending, and
    /// no seed may appear twice.
    public static func parse(_ text: String, option: String = "--seeds") throws -> [UInt64] {
        func fail(_ problem: String) -> ConfigError {
            ConfigError(message: "\(option) \(text): \(problem); expected seeds and ranges such as 1-10, 1,3,5 or 1-3,7")
        }
        func number(_ s: Substring) throws -> UInt64 {
            let t = s.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("-") { throw fail("seeds are 0 or more, got \(t)") }
            guard !t.isEmpty, t.allSatisfy(\.isASCII), let v = UInt64(t) else { throw fail("\"\(t)\" is not a seed") }
            return v
        }
        var seeds: [UInt64] = []
        var seen = Set<UInt64>()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = item.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { throw fail("an empty item") }
            if trimmed.hasPrefix("-") { throw fail("seeds are 0 or more, got \(trimmed)") }
            let ends = trimmed.split(separator: "-", omittingEmptySubsequences: false)
            let range: ClosedRange<UInt64>
            switch ends.count {
            case 1:
                let v = try number(ends[0])
                range = v...v
            case 2:
                let lo = try number(ends[0]), hi = try number(ends[1])
                guard lo <= hi else { throw fail("the range \(trimmed) runs backwards") }
                range = lo...hi
            default:
                throw fail("\"\(trimmed)\" is neither a seed nor a range A-B")
            }
            // Checked before expanding, so a huge range costs nothing.
            guard range.upperBound - range.lowerBound < UInt64(maximumCount - seeds.count) else {
                throw fail("more than \(maximumCount) seeds")
            }
            for s in range {
                guard seen.insert(s).inserted else { throw fail("seed \(s) appears twice") }
                seeds.append(s)
            }
        }
        return seeds
    }
}
