// Evaluation episodes side by side (`Evaluator`, `SideBySideEpisodes`) against the same episodes
// one at a time: the same returns, bit for bit, whatever the episodes' lengths.
import Foundation
import Testing
import PixelDQN

@Suite struct SideBySideEvaluationTests {
    /// `network`'s weights in a network taking `maxBatch` observations: with 1 the episodes run
    /// one at a time, with more side by side (greedy ones).
    func copy(_ network: QNetwork, maxBatch: Int) -> QNetwork {
        QNetwork(copying: network, maxBatch: maxBatch, threads: network.threads)
    }

    func bothWays<S: ObservationSource>(_ network: QNetwork, _ source: () -> S, episodes: Int, seed: UInt64,
                                        cutShort: @escaping ([Double]) -> Bool = { _ in false }) throws -> (one: [Double], side: [Double])
    where S.Element: NetworkInput {
        let one = try #require(try Evaluator.evaluate(network: copy(network, maxBatch: 1), source: source(), episodes: episodes,
                                                      epsilon: 0, seed: seed, stream: 999, shouldStop: { false }, cutShort: cutShort))
        let side = try #require(try Evaluator.evaluate(network: copy(network, maxBatch: 8), source: source(), episodes: episodes,
                                                       epsilon: 0, seed: seed, stream: 999, shouldStop: { false }, cutShort: cutShort))
        return (one.returns, side.returns)
    }

    /// Untrained networks end most episodes long before the time limit (so most lanes started
    /// in the wrong place and are played again), or hold on to it (Acrobot, MountainCar).
    @Test func untrainedNetworksGiveTheReturnsOfOneEpisodeAtATime() throws {
        for id in [EnvironmentID.cartPoleV1, .acrobotV1, .mountainCarV0] {
            var rng = Xoshiro256(seed: 5)
            let pixels = QNetwork(preset: .small, inputShape: [4, 84, 84], actions: id.actionCount, maxBatch: 1, dueling: true,
                                  threads: 2, rng: &rng)
            let r = try bothWays(pixels, { PixelObservation(id: id, frameStack: 4, frameSkip: 2) }, episodes: 9, seed: 3)
            #expect(r.side == r.one, "\(id.rawValue) from pixels")
            let mlp = QNetwork(preset: .mlp, inputShape: [id.observationCount], actions: id.actionCount, maxBatch: 1,
                               threads: 1, rng: &rng)
            let s = try bothWays(mlp, { StateObservation(id: id) }, episodes: 23, seed: 4)
            #expect(s.side == s.one, "\(id.rawValue) from the state")
        }
    }

    /// The shipped CartPole model holds most episodes to the time limit: the lanes hold and the
    /// waves widen; an episode it drops ends a wave early. Cutting the evaluation short after an
    /// episode stops both ways at the same one.
    @Test func aTrainedModelGivesTheReturnsOfOneEpisodeAtATime() throws {
        let model = try SavedModel(path: ShippedModelTests.path)
        let source = { PixelObservation(id: .cartPoleV0, invert: true) }
        let r = try bothWays(model.network, source, episodes: 20, seed: 8)
        #expect(r.side == r.one)
        #expect(r.one.filter { $0 == 200 }.count >= 10, "the model should hold most of CartPole-v0's episodes: \(r.one)")
        let cut = try bothWays(model.network, source, episodes: 20, seed: 8, cutShort: { $0.count == 13 })
        #expect(cut.one.count == 13 && cut.side == cut.one)
    }

    /// Stopped (Ctrl-C) between two steps, side by side as one at a time: no statistics.
    @Test func aStopEndsTheEpisodesSideBySide() throws {
        let model = try SavedModel(path: ShippedModelTests.path)
        var steps = 0
        let stats = try Evaluator.evaluate(network: copy(model.network, maxBatch: 8), source: PixelObservation(id: .cartPoleV1, invert: true),
                                           episodes: 10, epsilon: 0, seed: 1, stream: 0, shouldStop: { steps += 1; return steps > 50 })
        #expect(stats == nil && steps == 51)
    }
}
