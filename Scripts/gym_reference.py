#!/usr/bin/env python3
"""Write Gymnasium CartPole reference fixtures for the Swift tests.

How to run (from the repository root; only needed to regenerate the fixtures):

    SDL_VIDEODRIVER=dummy /work/venv/bin/python Scripts/gym_reference.py [--out Fixtures/gym]

Requires gymnasium[classic-control] 1.x (pygame-ce), opencv-python-headless and numpy.
The script is deterministic: every initial state and action list is fixed in this file
(random cases use a fixed NumPy seed), so re-running it rewrites identical files as long as
the library versions stay the same. Python is never needed when the Swift code runs or is
tested; the fixtures are committed.

What it writes (under --out, default Fixtures/gym next to this Scripts/ folder):

  trajectories.json
      {"generator": "<script + library versions>",
       "cases": [{"name": str, "env": "CartPole-v1" | "CartPole-v0",
                  "initial_state": [x, x_dot, theta, theta_dot],
                  "actions": [0|1, ...],          # actions actually taken, one per step
                  "steps": [{"state": [4 floats], "reward": float,
                             "terminated": bool, "truncated": bool}, ...]}]}
      The initial state is written into env.unwrapped.state (float64) right after reset().
      "state" is env.unwrapped.state after each step: the float64 state that Gymnasium
      integrates (the observation it returns is the same values rounded to float32).
      Floats are written with Python's repr, i.e. they round-trip to the exact float64.
      A case stops at the first step with terminated or truncated, or when its actions run
      out; so len(steps) == len(actions).

  frames/<name>_rgb.png         600x400 RGB render (render_mode="rgb_array"), for people
  frames/<name>_gray600x400.png cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY) (BT.601 weights)
  frames/<name>_gray84.png      cv2.resize(gray, (84, 84), interpolation=cv2.INTER_AREA)
  frames/frames.json            {"generator": ..., "width": 600, "height": 400,
                                 "frames": [{"name": str, "state": [4 floats]}, ...]}
"""

from __future__ import annotations

import argparse
import json
import warnings
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

# CartPole thresholds (Gymnasium: terminate when |x| > 2.4 or |theta| > 12 degrees, strictly).
X_LIMIT = 2.4
THETA_LIMIT = 12 * 2 * math.pi / 360
MAX_STEPS = {"CartPole-v1": 500, "CartPole-v0": 200}


def generator_string() -> str:
    return (
        f"Scripts/gym_reference.py; gymnasium {gym.__version__}, pygame-ce {pygame.version.ver}, "
        f"opencv {cv2.__version__}, numpy {np.__version__}, python {sys.version.split()[0]}"
    )


# ---------------------------------------------------------------------------------------------
# Trajectories
# ---------------------------------------------------------------------------------------------

def balancing_action(state) -> int:
    """Simple hand-written controller used to make episodes that reach the time limit.

    Pushes towards the side the pole is falling to, with a small correction that keeps the
    cart near the centre (the cart drifts otherwise)."""
    x, x_dot, theta, theta_dot = (float(v) for v in state)
    return 1 if theta + 0.5 * theta_dot + 0.01 * x + 0.05 * x_dot > 0 else 0


def run_case(env_id: str, name: str, initial_state, actions=None, policy=None, max_actions=None):
    """Run one case. Either `actions` (a fixed list) or `policy` (state -> action) is given."""
    env = gym.make(env_id)
    env.reset(seed=0)
    env.unwrapped.state = np.array(initial_state, dtype=np.float64)
    taken: list[int] = []
    steps: list[dict] = []
    limit = len(actions) if actions is not None else max_actions
    for i in range(limit):
        a = actions[i] if actions is not None else policy(env.unwrapped.state)
        obs, reward, terminated, truncated, _ = env.step(int(a))
        state = np.array(env.unwrapped.state, dtype=np.float64)
        # The observation Gymnasium returns is the float64 state rounded to float32.
        assert np.array_equal(obs, state.astype(np.float32)), (name, i)
        # Gymnasium's terminated/truncated must match the documented rules.
        expect_term = bool(abs(state[0]) > X_LIMIT or abs(state[2]) > THETA_LIMIT)
        expect_trunc = (i + 1) >= MAX_STEPS[env_id]
        assert terminated == expect_term, (name, i, terminated)
        assert truncated == expect_trunc, (name, i, truncated)
        taken.append(int(a))
        steps.append({
            "state": [float(v) for v in state],
            "reward": float(reward),
            "terminated": bool(terminated),
            "truncated": bool(truncated),
        })
        if terminated or truncated:
            break
    env.close()
    return {
        "name": name,
        "env": env_id,
        "initial_state": [float(v) for v in initial_state],
        "actions": taken,
        "steps": steps,
    }


def independent_step(state, action):
    """Plain-Python re-derivation of the CartPole Euler step (math.sin/cos from libm).

    Used only as a cross-check of the documented equations against Gymnasium's numbers."""
    gravity, masscart, masspole, half_length, force_mag, tau = 9.8, 1.0, 0.1, 0.5, 10.0, 0.02
    total = masscart + masspole
    pml = masspole * half_length
    x, x_dot, th, th_dot = state
    f = force_mag if action == 1 else -force_mag
    c, s = math.cos(th), math.sin(th)
    tmp = (f + pml * (th_dot * th_dot) * s) / total
    th_acc = (gravity * s - c * tmp) / (half_length * (4.0 / 3.0 - masspole * (c * c) / total))
    x_acc = tmp - pml * th_acc * c / total
    return (x + tau * x_dot, x_dot + tau * x_acc, th + tau * th_dot, th_dot + tau * th_acc)


def ulp_distance(a: float, b: float) -> int:
    ia = np.array(a, dtype=np.float64).view(np.int64)
    ib = np.array(b, dtype=np.float64).view(np.int64)
    return abs(int(ia) - int(ib))


def termination_reason(case) -> str:
    last = case["steps"][-1]
    x, _, th, _ = last["state"]
    if last["terminated"]:
        if x > X_LIMIT:
            return "x>2.4"
        if x < -X_LIMIT:
            return "x<-2.4"
        if th > THETA_LIMIT:
            return "theta>12deg"
        return "theta<-12deg"
    if last["truncated"]:
        return "truncated"
    return "actions ran out"


def build_trajectories():
    cases = []
    alternating = [1, 0] * 50
    for env_id in ("CartPole-v1", "CartPole-v0"):
        v = "v1" if env_id.endswith("v1") else "v0"
        spec = [
            # (name, initial state, actions, expected ending)
            (f"{v}_x_beyond_right", [2.30, 1.5, 0.0, 0.0], alternating, "x>2.4"),
            (f"{v}_x_beyond_left", [-2.30, -1.5, 0.0, 0.0], alternating, "x<-2.4"),
            (f"{v}_theta_beyond_right", [0.0, 0.0, 0.05, 0.3], [0] * 100, "theta>12deg"),
            (f"{v}_theta_beyond_left", [0.0, 0.0, -0.05, -0.3], [1] * 100, "theta<-12deg"),
            # Boundary: with x_dot = 0 the first step leaves x at exactly 2.4 (not > 2.4, so
            # not terminated); pushing right then carries it over the limit.
            (f"{v}_x_exactly_at_limit", [X_LIMIT, 0.0, 0.0, 0.0], [1] * 100, "x>2.4"),
            # Boundary: theta exactly 12 degrees with theta_dot = 0 stays exactly at the
            # threshold after one step (not terminated); pushing left tips it over.
            (f"{v}_theta_exactly_at_limit", [0.0, 0.0, THETA_LIMIT, 0.0], [0] * 100,
             "theta>12deg"),
            (f"{v}_short_no_termination", [0.01, -0.02, 0.03, -0.04],
             [1, 0, 0, 1, 1, 0, 1, 0, 0, 1], "actions ran out"),
        ]
        for name, s0, acts, expect in spec:
            case = run_case(env_id, name, s0, actions=acts)
            assert termination_reason(case) == expect, (name, termination_reason(case))
            cases.append(case)

        # Long balanced episode reaching the time limit; the controller's actions are recorded.
        case = run_case(env_id, f"{v}_balance_to_truncation", [0.02, 0.0, 0.03, 0.0],
                        policy=balancing_action, max_actions=MAX_STEPS[env_id] + 10)
        assert termination_reason(case) == "truncated", termination_reason(case)
        assert len(case["steps"]) == MAX_STEPS[env_id]
        cases.append(case)

        # Same controller with 25 % random actions (fixed seed): a less regular action list
        # that still reaches the time limit.
        noise = np.random.default_rng(7 if v == "v1" else 8)

        def noisy_policy(state, noise=noise):
            explore = noise.random() < 0.25
            random_action = int(noise.integers(0, 2))
            return random_action if explore else balancing_action(state)

        case = run_case(env_id, f"{v}_noisy_balance_to_truncation", [-0.03, 0.04, -0.02, 0.01],
                        policy=noisy_policy, max_actions=MAX_STEPS[env_id] + 10)
        assert termination_reason(case) == "truncated", termination_reason(case)
        cases.append(case)

        # Random actions from random initial states, fixed seeds.
        for seed in (1, 2, 3):
            rng = np.random.default_rng(1000 + seed + (0 if v == "v1" else 100))
            s0 = rng.uniform(-0.05, 0.05, size=4)
            acts = [int(a) for a in rng.integers(0, 2, size=MAX_STEPS[env_id])]
            cases.append(run_case(env_id, f"{v}_random_seed{seed}", s0, actions=acts))
    return cases


def write_trajectories(path: Path, gen: str, cases) -> None:
    """Plain JSON, laid out one step per line so that diffs stay readable."""
    d = json.dumps
    parts = []
    for c in cases:
        steps = ",\n    ".join(d(st) for st in c["steps"])
        parts.append(
            f'  {{"name": {d(c["name"])}, "env": {d(c["env"])}, '
            f'"initial_state": {d(c["initial_state"])},\n'
            f'   "actions": {d(c["actions"], separators=(",", ":"))},\n'
            f'   "steps": [\n    {steps}\n   ]}}')
    with open(path, "w") as f:
        f.write(f'{{"generator": {d(gen)},\n "cases": [\n' + ",\n".join(parts) + "\n ]}\n")
    with open(path) as f:
        assert json.load(f) == {"generator": gen, "cases": cases}  # valid and lossless


def cross_check(cases) -> tuple[int, int]:
    """Replay every case with independent_step; return (max ulp distance, number of steps)."""
    worst, n = 0, 0
    for case in cases:
        s = tuple(case["initial_state"])
        for a, st in zip(case["actions"], case["steps"]):
            s_ind = independent_step(s, a)
            for u, w in zip(s_ind, st["state"]):
                worst = max(worst, ulp_distance(u, w))
            n += 1
            s = tuple(st["state"])  # continue from Gymnasium's state (one-step comparison)
    return worst, n


# ---------------------------------------------------------------------------------------------
# Frames
# ---------------------------------------------------------------------------------------------

FRAME_STATES = [
    ("center", [0.0, 0.0, 0.0, 0.0]),
    ("left_edge", [-2.4, 0.0, 0.0, 0.0]),
    ("right_edge", [2.4, 0.0, 0.0, 0.0]),
    ("lean_right_12deg", [0.0, 0.0, THETA_LIMIT, 0.0]),
    ("lean_left_12deg", [0.0, 0.0, -THETA_LIMIT, 0.0]),
    ("x1.0_theta-0.1", [1.0, 0.0, -0.1, 0.0]),
    ("x-1.3_theta0.15", [-1.3, 0.0, 0.15, 0.0]),
    ("x0.5_theta0.05", [0.5, 0.0, 0.05, 0.0]),
    ("x-0.37_theta-0.03", [-0.37, 0.0, -0.03, 0.0]),
    # Beyond the screen edge: the cart centre is at x*125 + 300 px, the cart 50 px wide.
    ("partial_right_x2.5", [2.5, 0.0, 0.0, 0.0]),  # cart cut by the right border
    ("partial_left_x-2.55_theta0.2", [-2.55, 0.0, 0.2, 0.0]),  # cart cut, pole leaning in
    ("offscreen_right_x2.6", [2.6, 0.0, 0.0, 0.0]),  # cart spans 600..650 px: only the track
]


def write_png(path: Path, image: np.ndarray) -> None:
    # cv2 writes BGR for 3-channel images.
    data = cv2.cvtColor(image, cv2.COLOR_RGB2BGR) if image.ndim == 3 else image
    ok = cv2.imwrite(str(path), data, [cv2.IMWRITE_PNG_COMPRESSION, 9])
    assert ok, path


def build_frames(out_dir: Path):
    out_dir.mkdir(parents=True, exist_ok=True)
    env = gym.make("CartPole-v1", render_mode="rgb_array")
    env.reset(seed=0)
    listing = []
    for name, state in FRAME_STATES:
        env.unwrapped.state = np.array(state, dtype=np.float64)
        rgb = np.ascontiguousarray(env.render())
        assert rgb.shape == (400, 600, 3) and rgb.dtype == np.uint8, rgb.shape
        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        small = cv2.resize(gray, (84, 84), interpolation=cv2.INTER_AREA)
        write_png(out_dir / f"{name}_rgb.png", rgb)
        write_png(out_dir / f"{name}_gray600x400.png", gray)
        write_png(out_dir / f"{name}_gray84.png", small)
        # Check the PNGs read back bit-exactly.
        assert np.array_equal(cv2.imread(str(out_dir / f"{name}_gray84.png"),
                                         cv2.IMREAD_UNCHANGED), small)
        assert np.array_equal(cv2.cvtColor(cv2.imread(str(out_dir / f"{name}_rgb.png")),
                                           cv2.COLOR_BGR2RGB), rgb)
        listing.append({"name": name, "state": [float(v) for v in state]})
    env.close()
    return listing


# ---------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).resolve().parent.parent / "Fixtures" / "gym")
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    gen = generator_string()
    warnings.filterwarnings("ignore", message=".*CartPole-v0 is out of date.*")

    cases = build_trajectories()
    write_trajectories(out / "trajectories.json", gen, cases)
    worst, n = cross_check(cases)
    print(f"trajectories.json: {len(cases)} cases, {sum(len(c['steps']) for c in cases)} steps")
    for c in cases:
        print(f"  {c['name']:32s} {c['env']}  {len(c['steps']):4d} steps  {termination_reason(c)}")
    print(f"independent Euler step (math.sin/cos) vs Gymnasium: max {worst} ulp over {n} steps")

    listing = build_frames(out / "frames")
    with open(out / "frames" / "frames.json", "w") as f:
        # One frame per line, for readable diffs.
        rows = ",\n  ".join(json.dumps(item) for item in listing)
        f.write(f'{{"generator": {json.dumps(gen)}, "width": 600, "height": 400,\n'
                f' "frames": [\n  {rows}\n ]}}\n')
    json.load(open(out / "frames" / "frames.json"))  # still valid JSON
    print(f"frames: {len(listing)} states -> {out / 'frames'}")


if __name__ == "__main__":
    main()
