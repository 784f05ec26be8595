"""DQN on CartPole-v1 from pixels in PyTorch: the same algorithm and settings as pixel-dqn.

Its defaults are pixel-dqn's pixel defaults. This is the baseline for comparing pixel-dqn's
end-to-end training speed (env steps per second, updates included) with PyTorch on the same
machine. Its structure follows CleanRL's dqn_atari.py (one file, argparse options, a flat
training loop); the details follow pixel-dqn's Trainer, DQNAgent, ReplayMemory and
TrainingConfig:

* Observation: Gymnasium CartPole-v1 (TimeLimit 500) with render_mode="rgb_array". Each frame
  is render() -> cv2 RGB2GRAY -> cv2.resize to 84x84 with INTER_AREA (uint8). phi is the last
  k = 4 frames, oldest first; after a reset it holds k-1 all-zero frames and the start frame.
* Replay memory: every frame is stored once in a uint8 ring; a sampled transition's two stacks
  are rebuilt from the ring with zero frames before the episode's first frame, as phi has them.
  Transitions are drawn uniformly with replacement.
* Acting: epsilon-greedy; one uniform draw decides, a second picks the random action. epsilon
  falls linearly from --start-e to --end-e over --exploration-fraction of the total steps.
* Learning: after each env step t (counted from 1), an update runs when t > learning_starts and
  t % train_frequency == 0: y = r + gamma * (1 - terminated) * max_a' Q_target(s', a') (a
  time-limit truncation bootstraps), Huber loss (smooth L1, mean) on Q(s, a), clip_grad_norm_,
  Adam. The target network is copied (tau = 1) when t > learning_starts and
  t % target_network_frequency == 0.
* Networks: `small` (Mnih et al. 2013) and `nature` (2015), uint8 input scaled by 1/255 inside
  forward, PyTorch's default initialisation.

There is no checkpointing or metrics file: the script measures the training loop and, with
--eval-every, when it solves. Evaluations are greedy episodes on a second env; one at the reward
threshold is confirmed at once on --final-eval-episodes episodes (the same start states each
time, as pixel-dqn's confirmations); the first confirmation at the threshold is the solve, and
--stop-when-solved ends the run there. Each evaluation prints a JSON line ("eval" or "confirm").
Every 10 s it prints a progress JSON line; at the end one JSON line with "final": true holds
steps/s (wall clock, everything included), the mean update time (online forward, target
forward, loss, backward, clipping, Adam step), the mean sampling time, the mean acting time (one
forward when greedy), the mean env time per step (step + render + gray + resize + phi, resets
included), the episodes finished and the mean return of the last 20 of them, with the load
average at that moment. OMP_WAIT_POLICY defaults to PASSIVE (see below).

    SDL_VIDEODRIVER=dummy /work/venv/bin/python Scripts/torch_dqn.py --total-timesteps 15000 \\
        --learning-starts 2000
    # to the solve, as `pixel-dqn train --seed 1 --stop-when-solved`:
    SDL_VIDEODRIVER=dummy /work/venv/bin/python Scripts/torch_dqn.py --seed 1 --eval-every 10000 \\
        --stop-when-solved
"""
import argparse
import json
import os
import time
from collections import deque

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
# OpenMP threads that spin at barriers collapse when the CPU is shared (a 2-thread forward of the
# small network took ~90 ms instead of ~0.5 ms next to other busy processes); sleeping waiters
# keep PyTorch's speed on a loaded machine. Set OMP_WAIT_POLICY=ACTIVE to override.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import cv2  # noqa: E402
import gymnasium as gym  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seed", type=int, default=1, help="seed of torch, numpy and the env")
    p.add_argument("--env-id", default="CartPole-v1", help="Gymnasium environment id")
    p.add_argument("--network", choices=["small", "nature"], default="small", help="Q-network preset")
    p.add_argument("--total-timesteps", type=int, default=300_000, help="env steps to train for")
    p.add_argument("--learning-rate", type=float, default=5e-4, help="Adam step size")
    p.add_argument("--adam-eps", type=float, default=1e-8, help="Adam epsilon")
    p.add_argument("--buffer-size", type=int, default=100_000, help="replay capacity in frames (~transitions)")
    p.add_argument("--gamma", type=float, default=0.99, help="discount factor")
    p.add_argument("--tau", type=float, default=1.0, help="target update rate (1 = hard copy)")
    p.add_argument("--target-network-frequency", type=int, default=250, help="env steps between target updates")
    p.add_argument("--batch-size", type=int, default=32, help="transitions per update")
    p.add_argument("--start-e", type=float, default=1.0, help="epsilon at the start")
    p.add_argument("--end-e", type=float, default=0.01, help="epsilon after exploration")
    p.add_argument("--exploration-fraction", type=float, default=0.1,
                   help="fraction of total steps over which epsilon falls linearly")
    p.add_argument("--learning-starts", type=int, default=5_000, help="env steps before the first update")
    p.add_argument("--train-frequency", type=int, default=2, help="env steps between updates")
    p.add_argument("--double", action=argparse.BooleanOptionalAction, default=True,
                   help="Double DQN targets (pixel-dqn's default; --no-double for plain DQN)")
    p.add_argument("--max-grad-norm", type=float, default=10.0, help="global gradient norm clip (0 = off)")
    p.add_argument("--frame-stack", type=int, default=4, help="k, frames in phi")
    p.add_argument("--frame-size", type=int, default=84, help="side of the square gray frame")
    p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    p.add_argument("--progress-every", type=float, default=10.0, help="seconds between progress lines (0 = off)")
    p.add_argument("--eval-every", type=int, default=10_000,
                   help="env steps between greedy evaluations (0 = none), as pixel-dqn")
    p.add_argument("--eval-episodes", type=int, default=10, help="episodes per periodic evaluation")
    p.add_argument("--final-eval-episodes", type=int, default=100,
                   help="episodes of a confirmation and of the final evaluation (0 = none)")
    p.add_argument("--reward-threshold", type=float, default=475.0, help="solved at this mean return")
    p.add_argument("--stop-when-solved", action="store_true",
                   help="stop at the first confirmation at the threshold, as pixel-dqn's --stop-when-solved")
    args = p.parse_args(argv)
    if args.batch_size > args.buffer_size or args.buffer_size <= args.frame_stack:
        p.error("--buffer-size must exceed --frame-stack and be at least --batch-size")
    if not 0 < args.exploration_fraction <= 1:
        p.error("--exploration-fraction must be in (0, 1]")
    if args.eval_every < 0 or args.eval_episodes < 1 or args.final_eval_episodes < 0:
        p.error("--eval-every must be >= 0, --eval-episodes >= 1, --final-eval-episodes >= 0")
    return args


class QNetwork(nn.Module):
    """small: conv 16 8x8/4, conv 32 4x4/2, fc 256; nature: conv 32 8x8/4, 64 4x4/2, 64 3x3/1, fc 512."""

    PRESETS = {"small": ([(16, 8, 4), (32, 4, 2)], 256),
               "nature": ([(32, 8, 4), (64, 4, 2), (64, 3, 1)], 512)}

    def __init__(self, preset, k, size, actions):
        super().__init__()
        convs, hidden = self.PRESETS[preset]
        layers, c, h = [], k, size
        for out, kernel, stride in convs:
            layers += [nn.Conv2d(c, out, kernel, stride=stride), nn.ReLU()]
            c, h = out, (h - kernel) // stride + 1
        self.body = nn.Sequential(*layers, nn.Flatten(),
                                  nn.Linear(c * h * h, hidden), nn.ReLU(), nn.Linear(hidden, actions))

    def forward(self, x):
        return self.body(x.float() / 255.0)


def linear_schedule(start_e, end_e, duration, t):
    """pixel-dqn's TrainingConfig.epsilon(atStep:)."""
    slope = (end_e - start_e) / duration
    return max(slope * t + start_e, min(start_e, end_e))


def evaluate(q_network, env, episodes, seed):
    """Greedy episodes on a separate env; its first reset takes `seed`, later ones continue its RNG."""
    env.seed = seed
    returns = []
    with torch.no_grad():
        for _ in range(episodes):
            env.reset()
            total, done = 0.0, False
            while not done:
                action = int(q_network(torch.from_numpy(env.observation()).unsqueeze(0)).argmax(dim=1).item())
                reward, terminated, truncated = env.step(action)
                total += reward
                done = terminated or truncated
            returns.append(total)
    returns = np.array(returns)
    return {"mean": round(float(returns.mean()), 2), "std": round(float(returns.std()), 2),
            "min": float(returns.min()), "max": float(returns.max()), "episodes": episodes}


class FrameReplay:
    """Frames stored once in a ring; slot i with episode_step > 0 closes (phi_{i-1}, a, r, phi_i)."""

    def __init__(self, capacity, k, size):
        self.capacity, self.k = capacity, k
        self.frames = np.zeros((capacity, size, size), dtype=np.uint8)
        self.episode_step = np.zeros(capacity, dtype=np.int64)
        self.actions = np.zeros(capacity, dtype=np.int64)
        self.rewards = np.zeros(capacity, dtype=np.float32)
        self.terminated = np.zeros(capacity, dtype=np.float32)
        self.written = 0

    def _store(self, frame, step, action, reward, terminated):
        s = self.written % self.capacity
        self.frames[s] = frame
        self.episode_step[s] = step
        self.actions[s] = action
        self.rewards[s] = reward
        self.terminated[s] = terminated
        self.written += 1

    def start_episode(self, frame):
        self._store(frame, 0, 0, 0.0, 0.0)

    def append(self, action, reward, terminated, next_frame):
        last = (self.written - 1) % self.capacity
        self._store(next_frame, self.episode_step[last] + 1, action, reward, float(terminated))

    def _sampleable(self, i):
        count = min(self.written, self.capacity)
        first = self.written - count
        step = self.episode_step[i % self.capacity]
        oldest = i - 1 - np.minimum(self.k - 1, step - 1)
        return (step > 0) & (oldest >= first)

    def sample(self, n, rng):
        count = min(self.written, self.capacity)
        first = self.written - count
        idx = first + rng.integers(0, count, size=n)
        bad = ~self._sampleable(idx)
        while bad.any():  # redraw the rejected ones, as pixel-dqn does one by one
            idx[bad] = first + rng.integers(0, count, size=int(bad.sum()))
            bad = ~self._sampleable(idx)
        slots = idx % self.capacity
        step = self.episode_step[slots]
        # One window of k+1 frames ending at i: s = window[:k], s' = window[1:].
        back = np.arange(self.k, -1, -1)                      # k, k-1, ..., 0 frames back from i
        valid = back[None, :] <= step[:, None]                # frames before the episode are zeros
        absolute = np.where(valid, idx[:, None] - back[None, :], idx[:, None])
        window = self.frames[absolute % self.capacity]        # n, k+1, H, W
        window *= valid[:, :, None, None]
        return (window[:, :-1], self.actions[slots], self.rewards[slots],
                window[:, 1:], self.terminated[slots])


class PixelCartPole:
    """Gymnasium CartPole rendered, grayed, resized, stacked into phi with zero padding."""

    def __init__(self, env_id, k, size, seed):
        self.env = gym.make(env_id, render_mode="rgb_array")
        self.size = size
        self.zero = np.zeros((size, size), np.uint8)  # shared, never written
        self.phi = deque([self.zero] * k, maxlen=k)
        self.seed = seed
        self.frame = None

    def _grab(self):
        gray = cv2.cvtColor(self.env.render(), cv2.COLOR_RGB2GRAY)
        self.frame = cv2.resize(gray, (self.size, self.size), interpolation=cv2.INTER_AREA)
        self.phi.append(self.frame)

    def reset(self):
        self.env.reset(seed=self.seed)
        self.seed = None  # seed the first reset only, later ones continue the env's RNG
        self.phi.extend(self.zero for _ in range(self.phi.maxlen - 1))  # k-1 zero frames ...
        self._grab()                                                     # ... then the start frame

    def step(self, action):
        _, reward, terminated, truncated, _ = self.env.step(action)
        self._grab()
        return reward, terminated, truncated

    def observation(self):
        return np.stack(self.phi)


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    env = PixelCartPole(args.env_id, args.frame_stack, args.frame_size, args.seed)
    actions = env.env.action_space.n
    q_network = QNetwork(args.network, args.frame_stack, args.frame_size, actions)
    target_network = QNetwork(args.network, args.frame_stack, args.frame_size, actions)
    target_network.load_state_dict(q_network.state_dict())
    optimizer = torch.optim.Adam(q_network.parameters(), lr=args.learning_rate, eps=args.adam_eps)
    memory = FrameReplay(args.buffer_size, args.frame_stack, args.frame_size)
    exploration_steps = max(1, int(args.exploration_fraction * args.total_timesteps))

    eval_env = PixelCartPole(args.env_id, args.frame_stack, args.frame_size, None)
    # Evaluation episodes never touch the training RNGs: the eval env is its own, seeded per
    # evaluation; confirmations and the final evaluation share one seed, so they see the same
    # start states (pixel-dqn derives its evaluation streams the same way, with its own RNG).
    confirm_seed = 1_000_000 * args.seed + 999
    solved = {"first_reached_step": None, "first_reached_seconds": None,
              "first_solved_step": None, "first_solved_seconds": None, "final_eval": None}
    evaluations = 0
    timing = {"env": 0.0, "act": 0.0, "update": 0.0, "sample": 0.0, "eval": 0.0}
    counts = {"act": 0, "update": 0}
    returns = deque(maxlen=20)
    episodes, episode_return, needs_reset = 0, 0.0, True
    clock = time.perf_counter
    start = last_progress = clock()
    last_progress_step = 0

    def report(step, final):
        now = clock()
        wall = now - start
        line = {
            "final": final, "impl": "pytorch", "torch": torch.__version__, "network": args.network,
            "threads": args.threads, "steps": step, "updates": counts["update"], "episodes": episodes,
            "wall_seconds": round(wall, 2),
            "steps_per_second": round(step / max(wall, 1e-9), 1),
            "update_ms": round(1e3 * timing["update"] / max(counts["update"], 1), 3),
            "sample_us": round(1e6 * timing["sample"] / max(counts["update"], 1), 1),
            "act_us": round(1e6 * timing["act"] / max(counts["act"], 1), 1),
            "greedy_actions": counts["act"],
            "env_us": round(1e6 * timing["env"] / max(step, 1), 1),
            "mean_return_20": round(float(np.mean(returns)), 2) if returns else None,
            "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
            "loadavg": [round(x, 2) for x in os.getloadavg()],
            "epsilon": round(linear_schedule(args.start_e, args.end_e, exploration_steps, step), 4),
            "eval_seconds": round(timing["eval"], 2),
        }
        if final:
            line.update(solved)
        if not final:
            line["recent_steps_per_second"] = round((step - last_progress_step) / max(now - last_progress, 1e-9), 1)
        print(json.dumps(line), flush=True)

    last_step = args.total_timesteps  # unless --stop-when-solved ends the run early
    for step in range(1, args.total_timesteps + 1):
        # Phase 1: start an episode if needed.
        if needs_reset:
            t0 = clock()
            env.reset()
            timing["env"] += clock() - t0
            memory.start_episode(env.frame)
            episode_return, needs_reset = 0.0, False
        # Phase 2: act epsilon-greedily on phi (epsilon at the step count before this step).
        epsilon = linear_schedule(args.start_e, args.end_e, exploration_steps, step - 1)
        if rng.random() < epsilon:
            action = int(rng.integers(actions))
        else:
            t0 = clock()
            with torch.no_grad():
                q = q_network(torch.from_numpy(env.observation()).unsqueeze(0))
            action = int(q.argmax(dim=1).item())
            timing["act"] += clock() - t0
            counts["act"] += 1
        t0 = clock()
        reward, terminated, truncated = env.step(action)
        timing["env"] += clock() - t0
        memory.append(action, reward, terminated, env.frame)
        episode_return += reward
        if terminated or truncated:
            returns.append(episode_return)
            episodes += 1
            needs_reset = True
        # Phase 3: learn from a replayed minibatch.
        if step > args.learning_starts and step % args.train_frequency == 0:
            t0 = clock()
            s, a, r, s2, term = memory.sample(args.batch_size, rng)
            s, s2 = torch.from_numpy(s), torch.from_numpy(s2)
            a, r, term = torch.from_numpy(a), torch.from_numpy(r), torch.from_numpy(term)
            t1 = clock()
            with torch.no_grad():
                if args.double:
                    # Double DQN: the online network picks a', the target network values it.
                    best = q_network(s2).argmax(dim=1, keepdim=True)
                    target_max = target_network(s2).gather(1, best).squeeze(1)
                else:
                    target_max = target_network(s2).max(dim=1).values
                td_target = r + args.gamma * (1.0 - term) * target_max
            old_val = q_network(s).gather(1, a.unsqueeze(1)).squeeze(1)
            loss = F.smooth_l1_loss(old_val, td_target)
            optimizer.zero_grad()
            loss.backward()
            if args.max_grad_norm > 0:
                nn.utils.clip_grad_norm_(q_network.parameters(), args.max_grad_norm)
            optimizer.step()
            t2 = clock()
            timing["sample"] += t1 - t0
            timing["update"] += t2 - t1
            counts["update"] += 1
            if not torch.isfinite(loss):
                raise SystemExit(f"training stopped at step {step}: the loss is {loss.item()}")
        # Phase 4: refresh the target network.
        if step > args.learning_starts and step % args.target_network_frequency == 0:
            with torch.no_grad():
                for tp, qp in zip(target_network.parameters(), q_network.parameters()):
                    tp.copy_(args.tau * qp + (1.0 - args.tau) * tp)
        # Phase 5: evaluate; an evaluation at the threshold is confirmed on the final episodes.
        if args.eval_every > 0 and step % args.eval_every == 0:
            t0 = clock()
            stats = evaluate(q_network, eval_env, args.eval_episodes, 1_000_000 * args.seed + 1_000 + evaluations)
            evaluations += 1
            print(json.dumps({"eval": True, "step": step, "wall_seconds": round(clock() - start, 2), **stats}), flush=True)
            if stats["mean"] >= args.reward_threshold and solved["first_reached_step"] is None:
                solved["first_reached_step"], solved["first_reached_seconds"] = step, round(clock() - start, 2)
            if stats["mean"] >= args.reward_threshold and args.final_eval_episodes > 0:
                confirmed = evaluate(q_network, eval_env, args.final_eval_episodes, confirm_seed)
                print(json.dumps({"confirm": True, "step": step, "wall_seconds": round(clock() - start, 2), **confirmed}),
                      flush=True)
                if confirmed["mean"] >= args.reward_threshold and solved["first_solved_step"] is None:
                    solved["first_solved_step"], solved["first_solved_seconds"] = step, round(clock() - start, 2)
                if args.stop_when_solved and confirmed["mean"] >= args.reward_threshold:
                    solved["final_eval"] = confirmed  # the confirmation is the final evaluation
            timing["eval"] += clock() - t0
            if solved["final_eval"] is not None:
                last_step = step
                break
        # Phase 6: progress.
        if args.progress_every > 0 and clock() - last_progress >= args.progress_every:
            report(step, False)
            last_progress, last_progress_step = clock(), step

    if solved["final_eval"] is None and args.final_eval_episodes > 0 and args.eval_every > 0:
        t0 = clock()
        solved["final_eval"] = evaluate(q_network, eval_env, args.final_eval_episodes, confirm_seed)
        timing["eval"] += clock() - t0
    report(last_step, True)
    env.env.close()
    eval_env.env.close()


if __name__ == "__main__":
    main()
