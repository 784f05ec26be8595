import Testing
import PixelDQN

@Suite struct RandomTests {
    @Test func sameSeedSameStream() {
        var a = Xoshiro256(seed: 42), b = Xoshiro256(seed: 42), c = Xoshiro256(seed: 43)
        let xa = (0..<8).map { _ in a.next() }, xb = (0..<8).map { _ in b.next() }
        let xc = (0..<8).map { _ in c.next() }
        #expect(xa == xb)
        #expect(xa != xc)
    }

    @Test func stateRoundTrip() throws {
        var a = Xoshiro256(seed: 7)
        _ = a.next()
        var b = try #require(Xoshiro256(stateWords: a.stateWords))
        #expect(a.next() == b.next())
        #expect(Xoshiro256(stateWords: [0, 0, 0, 0]) == nil)
    }

    @Test func nextIndexStaysInRangeAndCoversIt() {
        var g = Xoshiro256(seed: 1)
        var seen = Set<Int>()
        for _ in 0..<2000 {
            let i = g.nextIndex(below: 7)
            #expect((0..<7).contains(i))
            seen.insert(i)
        }
        #expect(seen.count == 7)
    }
}
