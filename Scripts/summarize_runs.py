"""Summarize pixel-dqn run folders as a Markdown table (reference only; reads the files a run
writes: config.json, metrics.csv, timing.csv, summary.json).

    python Scripts/summarize_runs.py runs/CartPole-v1-pixels-seed1 runs/...

Columns: the first periodic (10-episode) evaluation at the solve threshold, the first 100-episode
confirmation at it (the run is solved: summary.json's first_solved_*), and the final 100-episode
evaluations of the last weights and of best.safetensors.
"""
import csv
import json
import sys
from pathlib import Path


def minutes(seconds: float) -> str:
    if seconds is None or seconds < 0:
        return "—"
    m, s = divmod(int(round(seconds)), 60)
    return f"{m} min {s:02d} s"


def summarize(folder: Path) -> dict:
    config = json.loads((folder / "config.json").read_text())
    rows = list(csv.DictReader(open(folder / "metrics.csv")))
    evals = [(int(r["step"]), float(r["eval_mean"])) for r in rows if r["kind"] == "eval"]
    timing = [r for r in csv.DictReader(open(folder / "timing.csv"))]
    summary = json.loads((folder / "summary.json").read_text()) if (folder / "summary.json").exists() else {}
    # Without a confirmed stop, the last eval row is the final evaluation, not a periodic one.
    stopped_on_solve = summary.get("first_solved_step", -1) == summary.get("steps")
    periodic = evals if stopped_on_solve or not summary.get("final_eval") else evals[:-1]
    best = max(periodic, key=lambda e: e[1]) if periodic else (None, float("nan"))
    wall = float(timing[-1]["wall_s"]) if timing else float("nan")
    steps = int(timing[-1]["step"]) if timing else 0
    return {
        "run": folder.name, "seed": config["seed"], "steps": summary.get("steps", steps),
        "wall": summary.get("wall_seconds", wall),
        "steps_per_s": summary.get("steps_per_second", steps / wall if wall else float("nan")),
        "best": best,
        "reached": (summary.get("first_reached_step", -1), summary.get("first_reached_seconds", -1)),
        "solved": (summary.get("first_solved_step", -1), summary.get("first_solved_seconds", -1)),
        "final": summary.get("final_eval"), "best_model": summary.get("best_model_eval"),
    }


def main() -> None:
    print("| run | seed | first 10-episode eval ≥ solve | solved: first 100-episode confirmation ≥ solve | "
          "final 100 episodes, last weights | final 100 episodes, best weights | best 10-episode eval | steps run | wall | env steps/s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for arg in sys.argv[1:]:
        s = summarize(Path(arg))
        fmt = lambda e: f"{e['mean']:.1f} ± {e['std']:.1f}" if e else "—"
        at = lambda p: f"step {p[0]:,} ({minutes(p[1])})" if p[0] >= 0 else "not reached"
        print(f"| {s['run']} | {s['seed']} | {at(s['reached'])} | {at(s['solved'])} | {fmt(s['final'])} | "
              f"{fmt(s['best_model'])} | {s['best'][1]:.1f} at {s['best'][0]:,} | {s['steps']:,} | {minutes(s['wall'])} | "
              f"{s['steps_per_s']:.0f} |")


if __name__ == "__main__":
    main()
