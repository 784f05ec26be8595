#!/usr/bin/env python3
"""Write Gymnasium Acrobot-v1 and MountainCar-v0 reference fixtures for the Swift tests.

How to run (from the repository root; only needed to regenerate the fixtures):

    SDL_VIDEODRIVER=dummy python Scripts/gym_reference_tasks.py [--out Fixtures/gym/tasks]

Requires gymnasium[classic-control] 1.x (pygame-ce), opencv-python-headless and numpy. The
sibling of gym_reference.py (CartPole), with the same file layout and rules: every initial state
and action list is fixed here (random cases use fixed NumPy seeds), so re-running it rewrites
identical files while the library versions stay the same. Python is never needed when the Swift
code runs or is tested; the fixtures are committed.

What it writes (under --out, default Fixtures/gym/tasks):

  trajectories.json
      {"generator": ..., "cases": [{"name", "env": "Acrobot-v1" | "MountainCar-v0",
        "initial_state": [...], "actions": [...],
        "steps": [{"state": [...], "reward", "terminated", "truncated"}, ...]}]}
      The initial state is written into env.unwrapped.state (float64) right after reset();
      "state" is env.unwrapped.state after each step ([theta1, theta2, dtheta1, dtheta2] and
      [position, velocity]). Floats round-trip exactly (Python's repr). A case stops at the
      first terminated or truncated step, or when its actions run out.

  frames/<name>_rgb.png        full-size RGB render (Acrobot 500x500, MountainCar 600x400)
  frames/<name>_gray.png       cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY) (BT.601)
  frames/<name>_gray84.png     cv2.resize(gray, (84, 84), interpolation=cv2.INTER_AREA)
  frames/frames.json           {"generator": ..., "frames": [{"name", "env", "state"}, ...]}
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import cv2  # noqa: E402
import gymnasium as gym  # noqa: E402
import numpy as np  # noqa: E402
import pygame  # noqa: E402

MAX_STEPS = {"Acrobot-v1": 500, "MountainCar-v0": 200}
MAX_VEL = (4 * math.pi, 9 * math.pi)


def generator_string() -> str:
    return (
        f"Scripts/gym_reference_tasks.py; gymnasium {gym.__version__}, pygame-ce {pygame.version.ver}, "
        f"opencv {cv2.__version__}, numpy {np.__version__}, python {sys.version.split()[0]}"
    )


def run_case(env_id, name, initial_state, actions=None, policy=None, max_actions=None):
    """One case: a fixed action list, or a policy (state -> action) for up to max_actions."""
    env = gym.make(env_id)
    env.reset(seed=0)
    env.unwrapped.state = np.array(initial_state, dtype=np.float64)
    taken, steps = [], []
    limit = len(actions) if actions is not None else max_actions
    for i in range(limit):
        state_before = np.array(env.unwrapped.state, dtype=np.float64)
        a = actions[i] if actions is not None else policy(state_before)
        _, reward, terminated, truncated, _ = env.step(int(a))
        state = np.array(env.unwrapped.state, dtype=np.float64)
        assert truncated == ((i + 1) >= MAX_STEPS[env_id]), (name, i)
        taken.append(int(a))
        steps.append({"state": [float(v) for v in state], "reward": float(reward),
                      "terminated": bool(terminated), "truncated": bool(truncated)})
        if terminated or truncated:
            break
    env.close()
    return {"name": name, "env": env_id, "initial_state": [float(v) for v in initial_state],
            "actions": taken, "steps": steps}


def ending(case) -> str:
    last = case["steps"][-1]
    return "terminated" if last["terminated"] else "truncated" if last["truncated"] else "actions ran out"


def pumping(state) -> int:
    """Energy pumping: torque along the first link's swing."""
    return 0 if state[2] > 0 else 2


def momentum(state) -> int:
    """Push the way the car rolls."""
    return 2 if state[1] >= 0 else 0


def acrobot_cases():
    env_id = "Acrobot-v1"
    cases = [
        run_case(env_id, "acrobot_pumping_to_termination", [0.05, -0.03, 0.02, -0.01], policy=pumping, max_actions=600),
        run_case(env_id, "acrobot_pumping_from_rest", [0.0, 0.0, 0.0, 0.0], policy=pumping, max_actions=600),
        run_case(env_id, "acrobot_no_torque_to_truncation", [0.08, -0.05, 0.03, 0.02], actions=[1] * 510),
        # Velocities beyond the bounds are clipped to 4π and 9π after the RK4 step.
        run_case(env_id, "acrobot_velocity_bounds", [0.0, 0.0, 20.0, 40.0], actions=[2, 0] * 30),
        run_case(env_id, "acrobot_velocity_bounds_negative", [0.3, -0.2, -13.0, -29.0], actions=[0] * 60),
        # Angles near ±π wrap at once.
        run_case(env_id, "acrobot_wrap", [3.1, -3.1, 3.0, -3.0], actions=[1, 2, 0] * 20),
    ]
    for seed in (1, 2, 3):
        rng = np.random.default_rng(2000 + seed)
        s0 = rng.uniform(-0.1, 0.1, size=4).astype(np.float32).astype(np.float64)
        acts = [int(a) for a in rng.integers(0, 3, size=510)]
        cases.append(run_case(env_id, f"acrobot_random_seed{seed}", s0, actions=acts))
    return cases


def mountain_car_cases():
    env_id = "MountainCar-v0"
    cases = [
        run_case(env_id, "mountaincar_momentum_to_termination", [-0.5, 0.0], policy=momentum, max_actions=300),
        run_case(env_id, "mountaincar_no_push_to_truncation", [-0.45, 0.0], actions=[1] * 210),
        # The left wall: the position stops at -1.2 and a negative velocity becomes 0.
        run_case(env_id, "mountaincar_left_wall", [-1.1, -0.06], actions=[0] * 40),
        # The velocity clip at ±0.07.
        run_case(env_id, "mountaincar_velocity_clip", [-0.5236, 0.0695], actions=[2] * 5),
        run_case(env_id, "mountaincar_velocity_clip_negative", [-0.5236, -0.0695], actions=[0] * 5),
        # At the goal position but rolling back: not terminated until the velocity is ≥ 0.
        run_case(env_id, "mountaincar_goal_rolling_back", [0.52, -0.012], actions=[2] * 30),
        # The right clip at 0.6.
        run_case(env_id, "mountaincar_right_clip", [0.59, 0.07], actions=[2]),
    ]
    for seed in (1, 2, 3):
        rng = np.random.default_rng(3000 + seed)
        s0 = [float(rng.uniform(-0.6, -0.4)), 0.0]
        acts = [int(a) for a in rng.integers(0, 3, size=210)]
        cases.append(run_case(env_id, f"mountaincar_random_seed{seed}", s0, actions=acts))
    return cases


def check_coverage(cases) -> None:
    """The fixtures must show every rule the tests are meant to check."""
    by_env = {}
    for c in cases:
        by_env.setdefault(c["env"], []).append(c)
    for env_id, group in by_env.items():
        endings = {ending(c) for c in group}
        assert {"terminated", "truncated"} <= endings, (env_id, endings)
    acro = [st["state"] for c in by_env["Acrobot-v1"] for st in c["steps"]]
    assert any(abs(s[2]) == MAX_VEL[0] for s in acro), "no step at the first velocity bound"
    assert any(abs(s[3]) == MAX_VEL[1] for s in acro), "no step at the second velocity bound"
    wraps = 0
    for c in by_env["Acrobot-v1"]:
        prev = c["initial_state"]
        for st in c["steps"]:
            s = st["state"]
            wraps += sum(1 for k in (0, 1) if abs(s[k] - prev[k]) > math.pi)
            prev = s
    assert wraps > 0, "no angle wrapped"
    car = [st["state"] for c in by_env["MountainCar-v0"] for st in c["steps"]]
    assert any(s[0] == -1.2 and s[1] == 0 for s in car), "no stop at the left wall"
    assert any(abs(s[1]) == 0.07 for s in car), "no clipped velocity"
    assert any(s[0] >= 0.5 and s[1] < 0 for s in car), "no goal position while rolling back"


def write_trajectories(path: Path, gen: str, cases) -> None:
    d = json.dumps
    parts = []
    for c in cases:
        steps = ",\n    ".join(d(st) for st in c["steps"])
        parts.append(
            f'  {{"name": {d(c["name"])}, "env": {d(c["env"])}, "initial_state": {d(c["initial_state"])},\n'
            f'   "actions": {d(c["actions"], separators=(",", ":"))},\n'
            f'   "steps": [\n    {steps}\n   ]}}')
    with open(path, "w") as f:
        f.write(f'{{"generator": {d(gen)},\n "cases": [\n' + ",\n".join(parts) + "\n ]}\n")
    with open(path) as f:
        assert json.load(f) == {"generator": gen, "cases": cases}


FRAME_STATES = [
    ("acrobot_hanging", "Acrobot-v1", [0.0, 0.0, 0.0, 0.0]),
    ("acrobot_quarter", "Acrobot-v1", [math.pi / 2, 0.0, 0.0, 0.0]),
    ("acrobot_bent", "Acrobot-v1", [1.0, 0.5, 0.0, 0.0]),
    ("acrobot_left_up", "Acrobot-v1", [-2.5, 1.2, 0.0, 0.0]),
    ("acrobot_upright", "Acrobot-v1", [math.pi, 0.0, 0.0, 0.0]),
    ("acrobot_folded", "Acrobot-v1", [0.3, -2.0, 0.0, 0.0]),
    ("acrobot_small", "Acrobot-v1", [0.07, -0.04, 0.0, 0.0]),
    ("mountaincar_left_wall", "MountainCar-v0", [-1.2, 0.0]),
    ("mountaincar_valley", "MountainCar-v0", [-0.5, 0.0]),
    ("mountaincar_left_slope", "MountainCar-v0", [-0.9, 0.0]),
    ("mountaincar_middle", "MountainCar-v0", [0.0, 0.0]),
    ("mountaincar_right_slope", "MountainCar-v0", [0.3, 0.0]),
    ("mountaincar_flag", "MountainCar-v0", [0.5, 0.0]),
    ("mountaincar_right_end", "MountainCar-v0", [0.6, 0.0]),
]


def write_png(path: Path, image: np.ndarray) -> None:
    data = cv2.cvtColor(image, cv2.COLOR_RGB2BGR) if image.ndim == 3 else image
    assert cv2.imwrite(str(path), data, [cv2.IMWRITE_PNG_COMPRESSION, 9]), path


def build_frames(out_dir: Path):
    out_dir.mkdir(parents=True, exist_ok=True)
    envs = {e: gym.make(e, render_mode="rgb_array") for e in MAX_STEPS}
    for env in envs.values():
        env.reset(seed=0)
    listing = []
    for name, env_id, state in FRAME_STATES:
        env = envs[env_id]
        env.unwrapped.state = np.array(state, dtype=np.float64)
        rgb = np.ascontiguousarray(env.render())
        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        small = cv2.resize(gray, (84, 84), interpolation=cv2.INTER_AREA)
        write_png(out_dir / f"{name}_rgb.png", rgb)
        write_png(out_dir / f"{name}_gray.png", gray)
        write_png(out_dir / f"{name}_gray84.png", small)
        assert np.array_equal(cv2.imread(str(out_dir / f"{name}_gray84.png"), cv2.IMREAD_UNCHANGED), small)
        listing.append({"name": name, "env": env_id, "width": int(rgb.shape[1]), "height": int(rgb.shape[0]),
                        "state": [float(v) for v in state]})
    for env in envs.values():
        env.close()
    return listing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).resolve().parent.parent / "Fixtures" / "gym" / "tasks")
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    gen = generator_string()

    cases = acrobot_cases() + mountain_car_cases()
    check_coverage(cases)
    write_trajectories(out / "trajectories.json", gen, cases)
    print(f"trajectories.json: {len(cases)} cases, {sum(len(c['steps']) for c in cases)} steps")
    for c in cases:
        print(f"  {c['name']:40s} {c['env']:15s} {len(c['steps']):4d} steps  {ending(c)}")

    listing = build_frames(out / "frames")
    with open(out / "frames" / "frames.json", "w") as f:
        rows = ",\n  ".join(json.dumps(item) for item in listing)
        f.write(f'{{"generator": {json.dumps(gen)},\n "frames": [\n  {rows}\n ]}}\n')
    json.load(open(out / "frames" / "frames.json"))
    print(f"frames: {len(listing)} states -> {out / 'frames'}")


if __name__ == "__main__":
    main()
