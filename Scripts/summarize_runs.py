"""Summarize pixel-dqn run folders as a Markdown table (reference only; reads the files a run
writes: config.json, metrics.csv, timing.csv, summary.json).

    python Scripts/summarize_runs.py runs/CartPole-v1-pixels-seed1 runs/...
"""
import csv
import json
import sys
from pathlib import Path


def summarize(folder: Path) -> dict:
    config = json.loads((folder / "config.json").read_text())
    rows = list(csv.DictReader(open(folder / "metrics.csv")))
    evals = [(int(r["step"]), float(r["eval_mean"])) for r in rows if r["kind"] == "eval"]
    timing = [r for r in csv.DictReader(open(folder / "timing.csv"))]
    summary = json.loads((folder / "summary.json").read_text()) if (folder / "summary.json").exists() else {}
    threshold = 475 if config["env"] == "CartPole-v1" else 195
    periodic = evals[:-1] if summary.get("final_eval") else evals
    best = max(periodic, key=lambda e: e[1]) if periodic else (None, float("nan"))
    solved = next((e for e in periodic if e[1] >= threshold), None)
    wall = float(timing[-1]["wall_s"]) if timing else float("nan")
    steps = int(timing[-1]["step"]) if timing else 0
    return {
        "run": folder.name, "seed": config["seed"], "steps": summary.get("steps", steps),
        "wall_min": summary.get("wall_seconds", wall) / 60,
        "steps_per_s": summary.get("steps_per_second", steps / wall if wall else float("nan")),
        "best": best, "solved": solved, "final": summary.get("final_eval"), "best_model": summary.get("best_model_eval"),
    }


def main() -> None:
    print("| run | seed | steps | wall (min) | env steps/s | best 10-episode eval | first eval ≥ solve | final 100-episode eval (last model) | final 100-episode eval (best model) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for arg in sys.argv[1:]:
        s = summarize(Path(arg))
        fmt = lambda e: f"{e['mean']:.1f} ± {e['std']:.1f}" if e else "—"
        solved = f"step {s['solved'][0]}" if s["solved"] else "not reached"
        print(f"| {s['run']} | {s['seed']} | {s['steps']} | {s['wall_min']:.1f} | {s['steps_per_s']:.0f} | "
              f"{s['best'][1]:.1f} at {s['best'][0]} | {solved} | {fmt(s['final'])} | {fmt(s['best_model'])} |")


if __name__ == "__main__":
    main()
