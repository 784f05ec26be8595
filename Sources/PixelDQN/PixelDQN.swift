// PixelDQN: the reinforcement-learning pipeline of pixel-dqn (CartPole, rasterizer, φ, replay,
// agent, trainer, PNG). It builds on DQNNumerics and knows nothing of the command line.
@_exported import DQNNumerics

/// The version written into run folders and checkpoints.
public let pixelDQNVersion = "0.2.0"
