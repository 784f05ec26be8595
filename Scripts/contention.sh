#!/usr/bin/env bash
# A 2-thread training run alone and beside one busy process (`yes > /dev/null`, standing for a
# build, a browser or a second run), one after the other (start it on an otherwise idle machine):
#   the CartPole-v1 pixel defaults for STEPS steps, no evaluations, timed by the run's own
#   summary.json: on 1 thread alone, on 2 threads alone, then on 2 threads with the busy process
#   taking one of the two cores; the ratio says how much of its speed a run keeps when it does not
#   have the machine to itself. The three runs must write the same metrics.csv.
#   Scripts/contention.sh [STEPS] [BINARY…]   (default 6000 steps and this tree's release build;
#   further binaries, e.g. an older build, are measured the same way in turn; about 2 minutes each)
set -euo pipefail
cd "$(dirname "$0")/.."
steps="${1:-6000}"; shift || true
bins=("$@")
if [ ${#bins[@]} -eq 0 ]; then
    swift build -c release --product pixel-dqn >/dev/null
    bins=(.build/release/pixel-dqn)
fi
work=$(mktemp -d)
hog=""
cleanup() { [ -n "$hog" ] && kill "$hog" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
echo "== $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
seconds() {  # BINARY FOLDER [THREADS]: one run, its wall seconds from summary.json
    "$1" train --total-timesteps "$steps" --eval-every 0 --final-eval-episodes 0 --threads "${3:-2}" --no-tensorboard \
        --quiet --output "$2" >/dev/null
    tr -d '\n ' < "$2/summary.json" | sed -n 's/.*"wall_seconds":\([0-9.]*\).*/\1/p'
}
for bin in "${bins[@]}"; do
    rm -rf "$work/one" "$work/alone" "$work/beside"
    one=$(seconds "$bin" "$work/one" 1)
    alone=$(seconds "$bin" "$work/alone")
    yes > /dev/null & hog=$!
    beside=$(seconds "$bin" "$work/beside")
    kill "$hog"; wait "$hog" 2>/dev/null || true; hog=""
    echo "$bin: $steps steps on 2 threads alone $alone s, beside a busy process $beside s" \
         "(speed kept $(awk "BEGIN{printf \"%.2f\", $alone/$beside}")); on 1 thread alone $one s"
    # Which thread runs which part never changes a result: the three runs wrote the same rows.
    for run in alone beside; do
        cmp -s "$work/one/metrics.csv" "$work/$run/metrics.csv" || { echo "metrics.csv of the $run run differs from the 1-thread run's" >&2; exit 1; }
    done
    echo "  the three runs wrote the same metrics.csv"
done
