// The model that ships in Models/: it loads, its metadata describes the pixel observation, and
// a short greedy evaluation is far above what a random policy gets on the same episodes.
import Foundation
import Testing
import PixelDQN

@Suite struct ShippedModelTests {
    static let path = Fixtures.root.replacingOccurrences(of: "/Fixtures", with: "/Models/cartpole-v1-pixels.safetensors")

    @Test func shippedModelLoadsAndBeatsARandomPolicy() throws {
        let url = URL(fileURLWithPath: Self.path)
        let network = try QNetwork(contentsOf: url, maxBatch: 1)
        let meta = try SafetensorsFile(contentsOf: url).metadata
        #expect(network.preset == .small && network.inputShape == [4, 84, 84] && network.actions == 2)
        #expect(meta["observation"] == "pixels" && meta["env"] == "CartPole-v1")
        // It was trained on the default, inverted frames, and says so, as evaluate and play read it.
        #expect(meta["invert_frames"] == "true")

        let source = PixelObservation(id: .cartPoleV1, invert: true)
        let trained = try Evaluator.evaluate(network: network, source: source, episodes: 5, epsilon: 0, seed: 12, stream: 0)
        // ε = 1 is the uniformly random policy, on the same start states.
        let random = try Evaluator.evaluate(network: network, source: source, episodes: 5, epsilon: 1, seed: 12, stream: 0)
        // A random policy averages about 22 on CartPole; the shipped model must be far above it.
        #expect(trained.mean >= max(100, 4 * random.mean), "trained \(trained.mean) vs random \(random.mean)")
    }

    /// `SavedModel` reads the observation settings from the metadata, and evaluates the model on
    /// the observation built from them: the same returns as the hand-built source above.
    @Test func aSavedModelKnowsItsObservationAndEvaluatesOnIt() throws {
        let model = try SavedModel(path: Self.path)
        #expect(model.config.env == .cartPoleV1 && model.config.observation == .pixels && model.config.invertFrames)
        #expect(model.config.inputShape == [4, 84, 84] && model.config.frameSkip == 1)
        let source = PixelObservation(id: .cartPoleV1, invert: true)
        let byHand = try Evaluator.evaluate(network: model.network, source: source, episodes: 3, epsilon: 0.05, seed: 4, stream: 0)
        #expect(try model.evaluate(episodes: 3, epsilon: 0.05, seed: 4).returns == byHand.returns)
        // Another task than the model's is refused, naming the option; CartPole-v0 shares the model.
        #expect(throws: ConfigError.self) { _ = try SavedModel(path: Self.path, env: .acrobotV1) }
        #expect(try SavedModel(path: Self.path, env: .cartPoleV0).config.env == .cartPoleV0)
    }

    /// `EpisodePlayer` (what `play` shows) without the command line: the shipped model balances
    /// the pole to the time limit; φ and the Q-values come before each action, one more
    /// observation after the last step, and each step's outcome in order.
    @Test func theEpisodePlayerPlaysTheShippedModelToTheTimeLimit() throws {
        let model = try SavedModel(path: Self.path)
        let source = PixelObservation(id: .cartPoleV1, invert: true)
        var observed: [PlayedStep] = [], outcomes: [Int] = []
        let played = try EpisodePlayer.play(network: model.network, source: source, seed: 3, epsilon: 0, maxSteps: nil,
                                            observe: { observed.append($0) },
                                            stepped: { step, action, q, _ in
                                                outcomes.append(step)
                                                #expect(q.count == 2 && action == (q[1] > q[0] ? 1 : 0))
                                            })
        #expect(played.truncated && !played.terminated && played.steps == 500 && played.episodeReturn == 500)
        #expect(observed.count == 501 && observed.last?.action == nil && observed.dropLast().allSatisfy { $0.action != nil })
        #expect(observed.map(\.step) == Array(0...500) && outcomes == Array(1...500))
        #expect(observed[0].observation.count == 4 * 84 * 84 && observed[100].episodeReturn == 100)
        // A step limit stops it there, neither terminated nor truncated.
        let short = try EpisodePlayer.play(network: model.network, source: source, seed: 3, epsilon: 0, maxSteps: 7, observe: { _ in })
        #expect(short.stopped && short.steps == 7 && short.episodeReturn == 7)
    }

    /// The pixel models of Acrobot-v1 and MountainCar-v0 are what `evaluate --env E` loads with no
    /// --model; on the same start states they end episodes far sooner than random actions do
    /// (random: −500 and −200, the time limits, on almost every episode).
    @Test(arguments: [(EnvironmentID.acrobotV1, -300.0), (.mountainCarV0, -180.0)])
    func everyTaskHasAShippedModelThatBeatsRandomActions(env: EnvironmentID, floor: Double) throws {
        func mean(_ extra: [String]) throws -> Double {
            let r = try runTool(["evaluate", "--env", env.rawValue, "--episodes", "5", "--seed", "12", "--json"] + extra)
            #expect(r.status == 0, "\(r.err)")
            let object = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
            return object?["mean"] as? Double ?? .nan
        }
        let trained = try mean([]), random = try mean(["--epsilon", "1"])
        #expect(trained >= floor && trained >= random + 50, "trained \(trained) vs random \(random)")
    }
}
