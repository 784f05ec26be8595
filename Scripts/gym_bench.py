#!/usr/bin/env python3
"""Single-thread speed of a Gymnasium classic-control task, as a baseline for the Swift one.

How to run (from the repository root):

    SDL_VIDEODRIVER=dummy python Scripts/gym_bench.py [--env CartPole-v1] [--reps 5] [--scale 1.0] [--cpu N]

Writes nothing; prints a table of steps per second (median, min and max over --reps
repetitions) for:

  step                 gym.make(ENV) step(), random actions, reset() on done (ENV: --env,
                       CartPole-v1, CartPole-v0, Acrobot-v1 or MountainCar-v0)
  step (unwrapped)     the same on env.unwrapped (no PassiveEnvChecker/OrderEnforcing/TimeLimit)
  step+render          render_mode="rgb_array": step() + render() (CartPole and MountainCar
                       600x400x3 uint8, Acrobot 500x500x3)
  step+render+cv2 84   ... + cv2.cvtColor(RGB2GRAY) + cv2.resize(84x84, INTER_AREA)
  wrapper chain        AddRenderObservation(render_only=True) -> GrayscaleObservation
                       -> ResizeObservation((84, 84)) -> FrameStackObservation(4)

Random actions are drawn in advance from a fixed NumPy seed so that only the environment is
timed. Thread pools are limited to one thread (OMP/MKL/OpenBLAS env vars, cv2.setNumThreads).
--cpu pins the process to one core; --scale multiplies the number of steps per repetition.
The machine is shared: look at `top` first and compare ratios rather than absolute numbers.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import cv2  # noqa: E402
import gymnasium as gym  # noqa: E402
import numpy as np  # noqa: E402
import pygame  # noqa: E402
from gymnasium import wrappers  # noqa: E402

cv2.setNumThreads(1)


def timed_loop(env, n_steps: int, actions: np.ndarray, per_step=None) -> float:
    """Run n_steps steps (reset on terminated/truncated); return steps per second."""
    env.reset(seed=123)
    act = actions.tolist()
    n_act = len(act)
    start = time.perf_counter()
    for i in range(n_steps):
        obs, _, terminated, truncated, _ = env.step(act[i % n_act])
        if per_step is not None:
            per_step(env, obs)
        if terminated or truncated:
            env.reset()
    return n_steps / (time.perf_counter() - start)


ENV = "CartPole-v1"


def unwrapped_loop(n_steps: int, actions: np.ndarray) -> float:
    env = gym.make(ENV).unwrapped
    env.reset(seed=123)
    act = actions.tolist()
    n_act = len(act)
    start = time.perf_counter()
    for i in range(n_steps):
        _, _, terminated, _, _ = env.step(act[i % n_act])
        if terminated:
            env.reset()
    rate = n_steps / (time.perf_counter() - start)
    env.close()
    return rate


def make_plain():
    return gym.make(ENV)


def make_render():
    return gym.make(ENV, render_mode="rgb_array")


def make_chain():
    env = gym.make(ENV, render_mode="rgb_array")
    env = wrappers.AddRenderObservation(env, render_only=True)
    env = wrappers.GrayscaleObservation(env)
    env = wrappers.ResizeObservation(env, (84, 84))
    env = wrappers.FrameStackObservation(env, 4)
    return env


def render_only(env, _obs):
    env.render()


def render_gray84(env, _obs):
    rgb = env.render()
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    cv2.resize(gray, (84, 84), interpolation=cv2.INTER_AREA)


def main() -> None:
    global ENV
    parser = argparse.ArgumentParser(description="Gymnasium classic-control single-thread speed")
    parser.add_argument("--env", default="CartPole-v1",
                        choices=["CartPole-v1", "CartPole-v0", "Acrobot-v1", "MountainCar-v0"])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--cpu", type=int, default=None, help="pin to this CPU")
    args = parser.parse_args()
    ENV = args.env
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})

    actions = np.random.default_rng(0).integers(0, gym.make(ENV).action_space.n, size=10_000)

    def n(k: int) -> int:
        return max(100, int(k * args.scale))

    # Check the wrapper chain produces what it claims.
    chain = make_chain()
    obs, _ = chain.reset(seed=1)
    assert obs.shape == (4, 84, 84) and obs.dtype == np.uint8, obs.shape
    chain.close()

    benches = [
        ("step", n(100_000), lambda k: timed_loop(make_plain(), k, actions)),
        ("step (unwrapped)", n(100_000), lambda k: unwrapped_loop(k, actions)),
        ("step+render", n(3_000), lambda k: timed_loop(make_render(), k, actions, render_only)),
        ("step+render+cv2 gray+resize84", n(3_000),
         lambda k: timed_loop(make_render(), k, actions, render_gray84)),
        ("wrapper chain (render obs, gray, resize 84, stack 4)", n(1_000),
         lambda k: timed_loop(make_chain(), k, actions)),
    ]

    print(f"{ENV}: gymnasium {gym.__version__}, pygame-ce {pygame.version.ver}, opencv {cv2.__version__}, "
          f"numpy {np.__version__}, python {sys.version.split()[0]}; "
          f"cv2 threads {cv2.getNumThreads()}; {args.reps} reps; "
          f"cpus {sorted(os.sched_getaffinity(0))}; load {os.getloadavg()[0]:.2f}")
    print(f"{'benchmark':54s} {'steps/rep':>9s} {'median/s':>10s} {'min/s':>10s} {'max/s':>10s}"
          f" {'us/step':>8s}")
    for name, k, fn in benches:
        fn(max(100, k // 20))  # warm-up (pygame init, caches)
        rates = [fn(k) for _ in range(args.reps)]
        med = statistics.median(rates)
        print(f"{name:54s} {k:9d} {med:10.0f} {min(rates):10.0f} {max(rates):10.0f}"
              f" {1e6 / med:8.1f}", flush=True)


if __name__ == "__main__":
    main()
