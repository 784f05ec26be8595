#!/usr/bin/env python3
"""Reads a pixel-dqn run folder with TensorBoard's own reader and checks it against metrics.csv.

    python Scripts/tensorboard_check.py RUN_DIR

Needs the `tensorboard` package (`pip install tensorboard`). The folder's event files are read by
`tensorboard.backend.event_processing.event_accumulator.EventAccumulator`, as `tensorboard
--logdir` reads them (in file-name order, dropping the points a resumed run plays again). It
checks that every tag is there with one point per row of metrics.csv (episode rows for `charts/*`
and `losses/*`, eval rows for `eval/mean_return` and `eval/std_return`, confirm rows for
`eval/confirm_*`), at the rows' steps and with their values (SPS against timing.csv), and that the
hyperparameters text summary holds config.json's fields. Prints one line per tag and exits 0 when
every check passes, 1 otherwise.
"""
import csv
import json
import math
import os
import sys

from tensorboard.backend.event_processing import event_accumulator
from tensorboard.util import tensor_util

EPISODE_COLUMNS = {
    "charts/episodic_return": "return",
    "charts/episodic_length": "length",
    "charts/epsilon": "epsilon",
    "losses/td_loss": "mean_loss",
    "losses/q_values": "mean_max_q",
}
EVAL_COLUMNS = {"mean_return": "eval_mean", "std_return": "eval_std"}


def close(a, b, tolerance):
    return math.isfinite(a) and abs(a - b) <= tolerance + 1e-7 * abs(b)


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    run = sys.argv[1]
    if not os.path.isfile(os.path.join(run, "metrics.csv")):
        print(f"{run}: no metrics.csv (not a pixel-dqn run folder)", file=sys.stderr)
        return 2
    files = sorted(f for f in os.listdir(run) if "tfevents" in f)
    if not files:
        print(f"{run}: no event files (trained with --no-tensorboard?)", file=sys.stderr)
        return 1

    with open(os.path.join(run, "metrics.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    with open(os.path.join(run, "timing.csv"), newline="") as f:
        timing = list(csv.DictReader(f))
    with open(os.path.join(run, "config.json")) as f:
        config = json.load(f)
    episodes = [r for r in rows if r["kind"] == "episode"]
    expected = {}  # tag -> [(step, value, tolerance)]
    for tag, column in EPISODE_COLUMNS.items():
        expected[tag] = [(int(r["step"]), float(r[column]), 1e-6) for r in episodes]
    expected["charts/SPS"] = [(int(r["step"]), float(r["steps_per_s"]), 0.05) for r in timing]
    for kind, prefix in (("eval", "eval/"), ("confirm", "eval/confirm_")):
        kept = [r for r in rows if r["kind"] == kind]
        if kind == "eval" or kept:
            for name, column in EVAL_COLUMNS.items():
                expected[prefix + name] = [(int(r["step"]), float(r[column]), 1e-6) for r in kept]

    acc = event_accumulator.EventAccumulator(
        run, size_guidance={event_accumulator.SCALARS: 0, event_accumulator.TENSORS: 0})
    acc.Reload()
    tags = acc.Tags()
    failures = 0
    print(f"run folder: {run}")
    print(f"event files: {len(files)} ({', '.join(files)})")
    print(f"metrics.csv: {len(episodes)} episode rows, "
          f"{sum(r['kind'] == 'eval' for r in rows)} eval rows, {sum(r['kind'] == 'confirm' for r in rows)} confirm rows")
    for tag, want in expected.items():
        got = acc.Scalars(tag) if tag in tags["scalars"] else []
        bad = [(e.step, e.value, s, v) for e, (s, v, tol) in zip(got, want) if e.step != s or not close(e.value, v, tol)]
        ok = len(got) == len(want) and not bad
        failures += not ok
        detail = "" if ok else f"  first mismatch (step, value, row step, row value): {bad[:1]}"
        print(f"{'ok  ' if ok else 'FAIL'} {tag:28s} {len(got):6d} points, {len(want):6d} rows{detail}")
    extra = sorted(set(tags["scalars"]) - set(expected))
    if extra:
        failures += 1
        print(f"FAIL unexpected scalar tags: {extra}")

    text_tag = "hyperparameters/text_summary"
    if text_tag not in tags["tensors"]:
        failures += 1
        print(f"FAIL {text_tag}: missing")
    else:
        plugin = acc.SummaryMetadata(text_tag).plugin_data.plugin_name
        events = acc.Tensors(text_tag)
        text = tensor_util.make_ndarray(events[0].tensor_proto).item().decode("utf-8") if events else ""
        lines = text.split("\n")
        missing = [k for k in config if not any(line.startswith(f"|{k}|") for line in lines[2:])]
        ok = plugin == "text" and len(events) == 1 and lines[:2] == ["|param|value|", "|-|-|"] and not missing
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {text_tag:28s} plugin {plugin!r}, {len(events)} summary, "
              f"{len(lines) - 2} rows for {len(config)} config.json fields" + (f", missing {missing}" if missing else ""))
    print("all checks passed" if failures == 0 else f"{failures} check(s) failed")
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
