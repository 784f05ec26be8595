#!/usr/bin/env bash
# A debug build (`swift run`, `swift test`) against release, in one sitting (run it on an idle
# machine; about 7 minutes):
#   1. the pixel observation path (`bench --no-network`: CartPole-v1's step, rasterizer and φ);
#   2. acting and the update of the `small` network (`bench-network --preset small`);
#   3. a whole training run of the CartPole-v1 pixel defaults (seed 7, STEPS steps, both threads),
#      whose metrics.csv must be the same bytes in both builds.
# Each figure is printed for debug and release with their ratio (debug speed ÷ release speed).
#   Scripts/debug_vs_release.sh [STEPS]      (default 30000)
set -euo pipefail
cd "$(dirname "$0")/.."
steps="${1:-30000}"
swift build --product pixel-dqn >/dev/null
swift build -c release --product pixel-dqn >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "== $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

field() { sed -n "s/.*\"$1\" *: *\([-0-9.e+]*\).*/\1/p" | head -1; }
ratio() { awk -v d="$1" -v r="$2" -v inv="${3:-0}" 'BEGIN{ printf "%.2f", inv ? r/d : d/r }'; }

declare -A pixel act update wall
for build in debug release; do
    bin=.build/$build/pixel-dqn
    pixel[$build]=$("$bin" bench --steps 200000 --repeats 5 --no-network | sed -n 's/^pixel path.* \([0-9][0-9]*\) steps\/s.*/\1/p')
    json=$("$bin" bench-network --preset small --repeats 30 --json)
    act[$build]=$(printf '%.3f' "$(echo "$json" | field actLatencyMs)")
    update[$build]=$(printf '%.3f' "$(echo "$json" | field updateMs)")
    start=$(date +%s.%N)
    "$bin" train --seed 7 --total-timesteps "$steps" --no-tensorboard --quiet --output "$work/$build" >/dev/null
    wall[$build]=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN{ printf "%.1f", e - s }')
done

cmp -s "$work/debug/metrics.csv" "$work/release/metrics.csv" && same="the same bytes" || same="DIFFERENT"
printf '%-44s %14s %14s %6s\n' "" debug release ratio
printf '%-44s %14s %14s %6s\n' "pixel path (steps/s)" "${pixel[debug]}" "${pixel[release]}" "$(ratio "${pixel[debug]}" "${pixel[release]}")"
printf '%-44s %14s %14s %6s\n' "small: acting, batch 1 (ms)" "${act[debug]}" "${act[release]}" "$(ratio "${act[debug]}" "${act[release]}" 1)"
printf '%-44s %14s %14s %6s\n' "small: update, batch 32 (ms)" "${update[debug]}" "${update[release]}" "$(ratio "${update[debug]}" "${update[release]}" 1)"
printf '%-44s %14s %14s %6s\n' "whole run, seed 7, $steps steps (s)" "${wall[debug]}" "${wall[release]}" "$(ratio "${wall[debug]}" "${wall[release]}" 1)"
echo "metrics.csv of the two runs: $same"
[ "$same" = "the same bytes" ]
