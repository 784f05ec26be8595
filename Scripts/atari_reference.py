#!/usr/bin/env python3
"""Reference fixtures for the Atari preprocessing (Gymnasium 1.4 + ale-py 0.12.1).

Usage (from anywhere; the default output is Fixtures/atari next to this Scripts/ folder):

    python -m venv /tmp/refvenv
    /tmp/refvenv/bin/pip install "gymnasium==1.4.*" ale-py==0.12.1 \
        opencv-python-headless numpy pillow
    /tmp/refvenv/bin/python Scripts/atari_reference.py [--out DIR]

ale-py's wheel ships the ROMs, so nothing else is needed. The script is deterministic: running it
again writes byte-identical PNGs and text files. It checks its own output (see `verify_*` below)
and refuses to write fixtures that fail a check.

What it writes (all images are 8-bit grayscale PNGs, "L" mode, no alpha):

`<game>/` for PongNoFrameskip-v4 (`pong/`) and BreakoutNoFrameskip-v4 (`breakout/`):
    env = gym.make(ID) (after gym.register_envs(ale_py)), wrapped in
    AtariPreprocessing(env, noop_max=0, frame_skip=4, screen_size=84,
                       terminal_on_life_loss=False, grayscale_obs=True, scale_obs=False),
    reset(seed=RESET_SEED), then a fixed action sequence drawn from
    numpy.random.default_rng(ACTION_SEED).integers(n) (indices into the minimal action set)
    until `terminated` (game over; never truncation).
    - actions.txt  the actions, comma-separated, one line.
    - trace.jsonl  one object per agent step: {"step", "action", "reward", "terminated",
                   "truncated", "lives"} (step is 1-based; reward as int when integral).
    - obs.png      84 wide, 84*(N+1) tall: block 0 = reset observation, block i = the
                   observation after step i.
    - meta.json    env id, seeds (reset seed, the int32 ALE "random_seed" that AtariEnv derives
                   from it, the action seed), action set, step count, score, life-loss steps,
                   how many emulator frames the final step ran, whether the trace is
                   independent of the reset seed, library versions.

`inter_area/`: cv2.resize(img, (84, 84), interpolation=cv2.INTER_AREA) reference pairs,
    input_K.png (160 wide, 210 tall) and output_K.png (84x84). K = 0..5 are uniform random
    uint8 images from numpy.random.default_rng(INTER_AREA_SEED).integers(0, 256, (6, 210, 160));
    K = 6 is a raw Pong gray screen, K = 7 a raw Breakout gray screen (see meta.json).

`max_skip/`: Breakout raw emulator frames to test skip-and-max on its own. The env is the bare
    BreakoutNoFrameskip-v4 (frameskip 1), reset with the same seed as `breakout/`, then stepped
    once per emulator frame with the first MAX_SKIP_STEPS agent actions of `breakout/actions.txt`,
    each repeated 4 times.
    - raw.png      160 wide, 210*F tall, F = 4*MAX_SKIP_STEPS + 1; frame 0 = after reset,
                   frame j = the ALE gray screen after the j-th emulator frame.
    - actions.txt  F-1 per-frame actions (action j-1 produced frame j), comma-separated.
    - rewards.txt  F-1 per-frame rewards (reward of the frame that produced frame j).
    - lives.txt    F per-frame lives (lives.txt[j] = lives at frame j; [0] = after reset).
    - meta.json    describes the above. For agent step i (1-based) the preprocessed observation is
                   resize(max(frame 4i-1, frame 4i)), which equals block i of breakout/obs.png
                   (checked here).
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib import metadata
from pathlib import Path

import numpy as np
from PIL import Image

import cv2
import gymnasium as gym
import ale_py
from gymnasium.wrappers import AtariPreprocessing

gym.register_envs(ale_py)

GAMES = [
    # (env id, folder, reset seed, action seed)
    ("PongNoFrameskip-v4", "pong", 0, 0),
    ("BreakoutNoFrameskip-v4", "breakout", 0, 1),
]
# A second reset seed: the trace is replayed after reset(seed=OTHER_RESET_SEED) to see whether
# the seed changes anything (with repeat_action_probability 0 it should not).
OTHER_RESET_SEED = 12345
MAX_STEPS = 1200  # a game that has not ended by then is an error
INTER_AREA_SEED = 2024
INTER_AREA_RANDOM = 6
REAL_SCREEN_STEP = 100  # raw screens for inter_area are taken after this many agent steps
# 4*53 emulator frames (+ the reset frame): long enough to include breakout/'s first brick
# (step 32) and first life loss (step 53), so rewards.txt and lives.txt are not constant.
MAX_SKIP_STEPS = 53

WRAPPER_ARGS = dict(
    noop_max=0,
    frame_skip=4,
    screen_size=84,
    terminal_on_life_loss=False,
    grayscale_obs=True,
    scale_obs=False,
)


def make_env(env_id: str) -> AtariPreprocessing:
    return AtariPreprocessing(gym.make(env_id), **WRAPPER_ARGS)


def number(x) -> int | float:
    """The reward as JSON: an int when integral, else a float."""
    x = float(x)
    return int(x) if x.is_integer() else x


def ale_random_seed(reset_seed: int) -> tuple[int, int]:
    """What AtariEnv.seed_game(seed) computes: (np_seed, int32 value passed as "random_seed")."""
    ss = np.random.SeedSequence(reset_seed)
    np_seed, ale_seed = ss.generate_state(n_words=2)
    return int(np_seed), int(np.int32(ale_seed))  # uint32 -> int32 wraps, as in env.py


def save_gray_png(path: Path, arr: np.ndarray) -> None:
    arr = np.ascontiguousarray(arr, dtype=np.uint8)
    assert arr.ndim == 2
    Image.fromarray(arr).save(path, optimize=True)
    back = np.asarray(Image.open(path))
    with Image.open(path) as im:
        assert im.mode == "L", (path, im.mode)
    assert back.dtype == np.uint8 and back.shape == arr.shape, path
    assert np.array_equal(back, arr), f"{path} does not read back equal"


def write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="\n")


def run_episode(env_id: str, reset_seed: int, actions=None, action_seed=None):
    """Run the wrapped env; draw actions from the rng until termination if none are given."""
    env = make_env(env_id)
    n = int(env.action_space.n)
    obs, info = env.reset(seed=reset_seed)
    reset_lives = int(info["lives"])
    observations = [obs.copy()]
    rows = []
    frame_numbers = [info["episode_frame_number"]]
    rng = np.random.default_rng(action_seed) if actions is None else None
    taken = []
    raw_screens = {}
    step = 0
    while True:
        if actions is None:
            if step >= MAX_STEPS:
                raise SystemExit(f"{env_id}: no game over within {MAX_STEPS} steps")
            a = int(rng.integers(n))
        else:
            if step >= len(actions):
                break
            a = int(actions[step])
        obs, r, term, trunc, info = env.step(a)
        step += 1
        taken.append(a)
        observations.append(obs.copy())
        frame_numbers.append(info["episode_frame_number"])
        rows.append(
            {
                "step": step,
                "action": a,
                "reward": number(r),
                "terminated": bool(term),
                "truncated": bool(trunc),
                "lives": int(info["lives"]),
            }
        )
        if step == REAL_SCREEN_STEP:
            raw_screens["after_step"] = env.unwrapped.ale.getScreenGrayscale().copy()
        if actions is None and (term or trunc):
            break
    meta = {
        "n": n,
        "names": env.unwrapped.get_action_meanings(),
        "ale_actions": [int(x.value) for x in env.unwrapped._action_set],
        "ale_random_seed_read_back": int(env.unwrapped.ale.getInt("random_seed")),
        "reset_lives": reset_lives,
        "frame_numbers": frame_numbers,
    }
    env.close()
    return taken, rows, np.stack(observations), raw_screens, meta


def raw_frames(env_id: str, reset_seed: int, agent_actions, repeat: int = 4):
    """Bare frameskip-1 env: every emulator frame's gray screen, reward, lives, flags."""
    env = gym.make(env_id)
    assert env.unwrapped._frameskip == 1
    env.reset(seed=reset_seed)
    ale = env.unwrapped.ale
    frames = [ale.getScreenGrayscale().copy()]
    lives = [int(ale.lives())]
    per_frame_actions, rewards, terms, truncs = [], [], [], []
    for a in agent_actions:
        for _ in range(repeat):
            _, r, term, trunc, info = env.step(int(a))
            frames.append(ale.getScreenGrayscale().copy())
            per_frame_actions.append(int(a))
            rewards.append(number(r))
            lives.append(int(info["lives"]))
            terms.append(bool(term))
            truncs.append(bool(trunc))
    env.close()
    return np.stack(frames), per_frame_actions, rewards, lives, terms, truncs


def resize84(img: np.ndarray) -> np.ndarray:
    return cv2.resize(img, (84, 84), interpolation=cv2.INTER_AREA)


def verify_against_raw(env_id, reset_seed, actions, rows, observations):
    """Re-derive every wrapper observation from raw frames (an independent re-implementation of
    AtariPreprocessing.step, including its stale buffers when the game ends early in a step)."""
    frames, _, rewards, lives, terms, truncs = raw_frames(env_id, reset_seed, actions)
    buf0 = frames[0].copy()
    buf1 = np.zeros_like(buf0)
    expect = [resize84(np.maximum(buf0, buf1))]
    buf0 = np.maximum(buf0, buf1)  # the wrapper maxes in place into buffer 0
    last_frames = None
    for i, row in enumerate(rows):
        total = 0.0
        term = trunc = False
        for t in range(4):
            j = 4 * i + t + 1
            total += rewards[j - 1]
            term, trunc = terms[j - 1], truncs[j - 1]
            if term or trunc:
                last_frames = t + 1
                break
            if t == 2:
                buf1 = frames[j].copy()
            elif t == 3:
                buf0 = frames[j].copy()
        buf0 = np.maximum(buf0, buf1)
        expect.append(resize84(buf0))
        assert number(total) == row["reward"], (env_id, row)
        assert term == row["terminated"] and trunc == row["truncated"], (env_id, row)
        # lives after the step = lives after its last emulated frame
        j_last = 4 * i + (last_frames if (term or trunc) else 4)
        assert lives[j_last] == row["lives"], (env_id, row, lives[j_last])
    expect = np.stack(expect)
    assert np.array_equal(expect, observations), f"{env_id}: raw re-derivation differs"
    return last_frames if last_frames is not None else 4


def game_fixture(out: Path, env_id: str, folder: str, reset_seed: int, action_seed: int):
    d = out / folder
    d.mkdir(parents=True, exist_ok=True)
    actions, rows, obs, raw_screens, info = run_episode(env_id, reset_seed, action_seed=action_seed)
    last = rows[-1]
    assert last["terminated"] and not last["truncated"], (env_id, last)
    assert not any(r["terminated"] or r["truncated"] for r in rows[:-1])
    assert obs.shape == (len(rows) + 1, 84, 84) and obs.dtype == np.uint8

    # Determinism: the same seed and actions again give the same trace.
    _, rows2, obs2, _, _ = run_episode(env_id, reset_seed, actions=actions)
    assert rows2 == rows and np.array_equal(obs2, obs), f"{env_id}: not deterministic"
    # Seed dependence: same actions after a different reset seed.
    _, rows3, obs3, _, _ = run_episode(env_id, OTHER_RESET_SEED, actions=actions)
    seed_independent = rows3 == rows and np.array_equal(obs3, obs)

    last_step_frames = verify_against_raw(env_id, reset_seed, actions, rows, obs)
    assert info["frame_numbers"][-1] == 4 * (len(rows) - 1) + last_step_frames

    write_text(d / "actions.txt", ",".join(str(a) for a in actions) + "\n")
    write_text(d / "trace.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    save_gray_png(d / "obs.png", obs.reshape(-1, 84))

    np_seed, ale_seed = ale_random_seed(reset_seed)
    assert ale_seed == info["ale_random_seed_read_back"], (ale_seed, info)
    lives = [r["lives"] for r in rows]
    reset_lives = info["reset_lives"]
    life_loss_steps = [r["step"] for r, p in zip(rows, [reset_lives] + lives[:-1]) if r["lives"] < p]
    if folder == "breakout":
        assert reset_lives == 5 and len(life_loss_steps) == 5 and lives[-1] == 0, life_loss_steps
    score = sum(float(r["reward"]) for r in rows)
    meta = {
        "env_id": env_id,
        "wrapper": "gymnasium.wrappers.AtariPreprocessing",
        "wrapper_args": WRAPPER_ARGS,
        "reset_seed": reset_seed,
        "ale_random_seed": ale_seed,
        "ale_random_seed_derivation": (
            "np_seed, ale_seed = np.random.SeedSequence(reset_seed).generate_state(n_words=2); "
            "ale.setInt('random_seed', np.int32(ale_seed))"
        ),
        "np_random_seed": np_seed,
        "action_seed": action_seed,
        "action_draw": "rng = np.random.default_rng(action_seed); a = int(rng.integers(n)) per step",
        "action_set_size": info["n"],
        "action_names": info["names"],
        "ale_action_ids": info["ale_actions"],
        "num_steps": len(rows),
        "total_score": number(score),
        "reset_lives": reset_lives,
        "life_loss_steps": life_loss_steps,
        "final_episode_frame_number": info["frame_numbers"][-1],
        "last_step_emulator_frames": last_step_frames,
        "obs_png": "84 wide, 84*(num_steps+1) tall; block 0 = reset obs, block i = obs after step i",
        "seed_independent": bool(seed_independent),
        "seed_independence_checked_with_reset_seed": OTHER_RESET_SEED,
        "versions": versions(),
    }
    write_text(d / "meta.json", json.dumps(meta, indent=2) + "\n")
    return actions, raw_screens["after_step"], meta


def versions() -> dict:
    def v(dist):
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return None

    return {
        "python": sys.version.split()[0],
        "gymnasium": gym.__version__,
        "ale_py": ale_py.__version__,
        "opencv": cv2.__version__,
        "opencv_python_headless": v("opencv-python-headless"),
        "numpy": np.__version__,
        "pillow": v("pillow"),
    }


def inter_area_fixture(out: Path, real_screens: list[tuple[str, np.ndarray]]):
    d = out / "inter_area"
    d.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(INTER_AREA_SEED)
    imgs = rng.integers(0, 256, size=(INTER_AREA_RANDOM, 210, 160), dtype=np.uint8)
    cases = []
    for k, img in enumerate(imgs):
        cases.append((k, f"random (default_rng({INTER_AREA_SEED}), index {k})", img))
    for k, (desc, img) in enumerate(real_screens, start=INTER_AREA_RANDOM):
        cases.append((k, desc, img))
    for k, _, img in cases:
        assert img.shape == (210, 160) and img.dtype == np.uint8
        save_gray_png(d / f"input_{k}.png", img)
        res = resize84(img)
        assert res.shape == (84, 84) and res.dtype == np.uint8
        save_gray_png(d / f"output_{k}.png", res)
    meta = {
        "resize": "cv2.resize(input, (84, 84), interpolation=cv2.INTER_AREA)",
        "seed": INTER_AREA_SEED,
        "random_draw": (
            f"np.random.default_rng({INTER_AREA_SEED}).integers(0, 256, "
            f"size=({INTER_AREA_RANDOM}, 210, 160), dtype=np.uint8)"
        ),
        "cases": {f"{k}": desc for k, desc, _ in cases},
        "versions": versions(),
    }
    write_text(d / "meta.json", json.dumps(meta, indent=2) + "\n")


def max_skip_fixture(out: Path, breakout_actions, breakout_obs_png: Path, reset_seed: int):
    d = out / "max_skip"
    d.mkdir(parents=True, exist_ok=True)
    env_id = "BreakoutNoFrameskip-v4"
    agent_actions = breakout_actions[:MAX_SKIP_STEPS]
    frames, acts, rewards, lives, terms, truncs = raw_frames(env_id, reset_seed, agent_actions)
    assert not any(terms) and not any(truncs)
    assert any(r != 0 for r in rewards) and lives[-1] < lives[0], "max_skip: no reward or life loss"
    # Cross-check with the wrapper's trace.
    obs = np.asarray(Image.open(breakout_obs_png)).reshape(-1, 84, 84)
    assert np.array_equal(resize84(frames[0]), obs[0])
    for i in range(1, MAX_SKIP_STEPS + 1):
        pooled = np.maximum(frames[4 * i - 1], frames[4 * i])
        assert np.array_equal(resize84(pooled), obs[i]), f"max_skip step {i}"
    save_gray_png(d / "raw.png", frames.reshape(-1, 160))
    write_text(d / "actions.txt", ",".join(map(str, acts)) + "\n")
    write_text(d / "rewards.txt", ",".join(map(str, rewards)) + "\n")
    write_text(d / "lives.txt", ",".join(map(str, lives)) + "\n")
    meta = {
        "env_id": env_id + " (bare, frameskip 1, no wrapper)",
        "reset_seed": reset_seed,
        "agent_actions": agent_actions,
        "repeat": 4,
        "num_frames": int(frames.shape[0]),
        "raw_png": "160 wide, 210*num_frames tall; frame 0 = after reset, frame j = after emulator frame j",
        "actions_txt": "num_frames-1 entries; entry j-1 is the action that produced frame j",
        "rewards_txt": "num_frames-1 entries; entry j-1 is the reward of the frame that produced frame j",
        "lives_txt": "num_frames entries; entry j = lives at frame j (entry 0 = after reset)",
        "check": (
            "resize(frame 0) == breakout/obs.png block 0; for step i in 1..agent steps, "
            "resize84(max(frame 4i-1, frame 4i)) == breakout/obs.png block i"
        ),
        "total_reward": number(sum(float(r) for r in rewards)),
        "reward_frames": [j + 1 for j, r in enumerate(rewards) if r != 0],
        "life_loss_frames": [j for j in range(1, len(lives)) if lives[j] < lives[j - 1]],
        "versions": versions(),
    }
    write_text(d / "meta.json", json.dumps(meta, indent=2) + "\n")


def main() -> None:
    default_out = Path(__file__).resolve().parent.parent / "Fixtures" / "atari"
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", type=Path, default=default_out, help="output folder")
    args = p.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    real_screens = []
    results = {}
    for env_id, folder, reset_seed, action_seed in GAMES:
        actions, screen, meta = game_fixture(out, env_id, folder, reset_seed, action_seed)
        results[folder] = (actions, reset_seed)
        real_screens.append(
            (f"{env_id} raw ALE gray screen after step {REAL_SCREEN_STEP} of {folder}/", screen)
        )
        print(
            f"{folder}: {meta['num_steps']} steps, score {meta['total_score']}, "
            f"life losses at {meta['life_loss_steps']}, last step ran "
            f"{meta['last_step_emulator_frames']} frames, seed_independent={meta['seed_independent']}"
        )
    inter_area_fixture(out, real_screens)
    b_actions, b_seed = results["breakout"]
    max_skip_fixture(out, b_actions, out / "breakout" / "obs.png", b_seed)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
