import Testing
import DQNNumerics

@Test func generatorIsSeeded() {
    var a = Xoshiro256(seed: 3), b = Xoshiro256(seed: 3)
    #expect(a.next() == b.next())
}
