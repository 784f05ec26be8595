#!/usr/bin/env python3
"""Play whole Atari games with a pixel-dqn model in PyTorch and Gymnasium, without pixel-dqn.

A reference check that a trained model.safetensors works outside pixel-dqn: the network is
rebuilt as a torch.nn module from the file's tensor names and __metadata__ (torch_qnetwork.py:
preset small or nature, dueling head or not, input shape, number of actions), loaded with the
`safetensors` package, and plays the Gymnasium game preprocessed as `pixel-dqn evaluate` does:

    gym.make(ENV) (after gym.register_envs(ale_py)), then
    AtariPreprocessing(env, noop_max=30, frame_skip=4, screen_size=84,
                       terminal_on_life_loss=False, grayscale_obs=True, scale_obs=False)
    → FIRE (action 1), then action 2, after each reset when the game needs it (action 1 is
      "FIRE" and there are ≥ 3 actions; SB3's FireResetEnv)
    → FrameStackObservation(env, 4, padding_type="zero"): φ = the last 4 frames, oldest first,
      zero frames before the first one after a reset
    → the network sees φ as float32 bytes / 255; ε-greedy (default ε = 0.01, as pixel-dqn
      evaluates Atari games).

Whole games: a lost life does not end an episode; a game ends at game over or at ALE's cap of
108,000 emulator frames. The score is the game's raw (unclipped) reward summed over the game.
Frame skip, stack depth and frame size come from the model's metadata (pixel-dqn writes
frame_skip, frame_stack and frame_size; 4, 4 and 84 when absent); the env defaults to the one
the model was trained on (metadata `env`), else PongNoFrameskip-v4.

Needs gymnasium 1.x, ale-py (0.12.1 tested; its wheel ships the ROMs), opencv-python-headless,
numpy, torch and safetensors:

    python -m venv VENV
    VENV/bin/pip install "gymnasium==1.4.*" ale-py==0.12.1 opencv-python-headless numpy torch safetensors
    VENV/bin/python Scripts/torch_play_atari.py --model RUN/model.safetensors \\
        [--env PongNoFrameskip-v4] [--games 10] [--seed 1] [--epsilon 0.01] [--threads 1]

Prints one line per game, then one JSON line:
{"env", "games", "mean", "std", "min", "max", "scores"} (std is the population std, as
pixel-dqn's evaluate reports). Exits 1 when the model does not fit the env.
"""
import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # spinning OpenMP threads stall a busy CPU

import ale_py  # noqa: E402
import gymnasium as gym  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from gymnasium.wrappers import AtariPreprocessing, FrameStackObservation  # noqa: E402
from safetensors import safe_open  # noqa: E402
from safetensors.torch import load_file  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from torch_qnetwork import from_metadata  # noqa: E402


class FireReset(gym.Wrapper):
    """SB3's FireResetEnv: after a reset, FIRE (action 1) then action 2, each one agent step;
    a game that ends meanwhile is reset again (pixel-dqn's FireReset stage)."""

    def reset(self, **kwargs):
        obs, info = self.env.reset(**kwargs)
        kwargs.pop("seed", None)  # a reset again within this one must not re-seed
        for action in (1, 2):
            obs, _, terminated, truncated, info = self.env.step(action)
            if terminated or truncated:
                obs, info = self.env.reset(**kwargs)
        return obs, info


def needs_fire(env) -> bool:
    meanings = env.unwrapped.get_action_meanings()
    return len(meanings) >= 3 and meanings[1] == "FIRE"


def make_env(env_id: str, frame_skip: int, frame_stack: int, frame_size: int):
    gym.register_envs(ale_py)
    env = gym.make(env_id)
    if getattr(env.unwrapped, "_frameskip", None) != 1:
        raise SystemExit(f"{env_id}: the env skips frames itself; use a <Game>NoFrameskip-v4 id "
                         "(or ALE/<Game>-v5 made with frameskip=1)")
    env = AtariPreprocessing(env, noop_max=30, frame_skip=frame_skip, screen_size=frame_size,
                             terminal_on_life_loss=False, grayscale_obs=True, scale_obs=False)
    fire = needs_fire(env)
    if fire:
        env = FireReset(env)
    return FrameStackObservation(env, frame_stack, padding_type="zero"), fire


def load_model(path: str):
    with safe_open(path, "pt") as f:
        metadata = f.metadata() or {}
    for key in ("pixel_dqn.preset", "pixel_dqn.input_shape", "pixel_dqn.actions"):
        if key not in metadata:
            raise SystemExit(f"{path}: __metadata__ has no {key}; not a pixel-dqn model")
    net = from_metadata(metadata)
    if net.preset not in ("small", "nature"):
        raise SystemExit(f"{path}: a '{net.preset}' network reads state vectors, not Atari frames")
    # strict: every module tensor must be in the file and every file tensor in the module.
    net.load_state_dict(load_file(path), strict=True)
    net.eval()
    return net, metadata


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="a pixel-dqn model.safetensors of an Atari game")
    parser.add_argument("--env", help="Gymnasium id (default: the model's env, else PongNoFrameskip-v4)")
    parser.add_argument("--games", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1, help="seeds the first reset and the ε draws")
    parser.add_argument("--epsilon", type=float, default=0.01)
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    args = parser.parse_args()
    if args.games < 1:
        parser.error("--games: expected 1 or more")
    if not 0 <= args.epsilon <= 1:
        parser.error("--epsilon: expected a number in [0, 1]")
    torch.set_num_threads(args.threads)

    net, metadata = load_model(args.model)
    env_id = args.env or metadata.get("env") or "PongNoFrameskip-v4"
    if metadata.get("env") and metadata["env"] != env_id:
        print(f"warning: the model was trained on {metadata['env']}, playing {env_id}", file=sys.stderr)
    frame_skip = int(metadata.get("frame_skip", 4))
    frame_stack = int(metadata.get("frame_stack", 4))
    frame_size = int(metadata.get("frame_size", 84))
    shape = [int(v) for v in metadata["pixel_dqn.input_shape"].split(",")]
    if shape != [frame_stack, frame_size, frame_size]:
        raise SystemExit(f"{args.model}: input shape {shape}, expected [{frame_stack}, {frame_size}, {frame_size}]")

    env, fire = make_env(env_id, frame_skip, frame_stack, frame_size)
    actions = int(metadata["pixel_dqn.actions"])
    if env.action_space.n != actions:
        print(f"{args.model}: {actions} actions, but {env_id} has {env.action_space.n}", file=sys.stderr)
        return 1
    print(f"model {args.model}: {net.preset}{' dueling' if net.dueling else ''}, input {shape}, "
          f"{actions} actions; env {env_id}, ε = {args.epsilon}, seed {args.seed}"
          f"{', FIRE after resets' if fire else ''}", flush=True)

    rng = np.random.default_rng(args.seed)
    scores = []
    for game in range(1, args.games + 1):
        start = time.perf_counter()
        obs, _ = env.reset(seed=args.seed if game == 1 else None)
        score, steps, done = 0.0, 0, False
        while not done:
            if rng.random() < args.epsilon:
                action = int(rng.integers(actions))
            else:
                with torch.no_grad():
                    x = torch.from_numpy(np.asarray(obs)).unsqueeze(0).float() / 255.0
                    action = int(net(x).argmax(1).item())
            obs, reward, terminated, truncated, _ = env.step(action)
            score += float(reward)
            steps += 1
            done = terminated or truncated
        scores.append(score)
        frames = env.unwrapped.ale.getEpisodeFrameNumber()
        print(f"game {game}: score {score:g}, {steps} steps, {frames} frames, "
              f"{'terminated' if terminated else 'truncated'}, {time.perf_counter() - start:.1f} s", flush=True)
    env.close()
    s = np.array(scores)
    print(json.dumps({"env": env_id, "games": len(scores), "mean": float(s.mean()), "std": float(s.std()),
                      "min": float(s.min()), "max": float(s.max()), "scores": scores}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
