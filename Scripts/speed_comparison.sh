#!/usr/bin/env bash
# Every speed figure in README.md, pixel-dqn and PyTorch/Gymnasium side by side, one after the other.
# Run on an idle machine (check `top`): ./Scripts/speed_comparison.sh [python]   (~11 minutes)
# Needs a Python with torch, gymnasium[classic-control], opencv-python-headless (reference only).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${1:-python3}
export SDL_VIDEODRIVER=dummy
swift build -c release --product pixel-dqn >/dev/null
BIN=.build/release/pixel-dqn
OUT=$(mktemp -d)
echo "== load before: $(cat /proc/loadavg)"
# Warm-up (not reported): CPU clocks and the partner thread's placement settle in the first second.
$BIN bench-network --preset small --repeats 30 >/dev/null
echo "== pixel-dqn bench (environment on one thread; networks on 2 threads)"
$BIN bench --steps 200000 --repeats 5 --network-repeats 30
echo "== PyTorch networks (Scripts/torch_bench.py, 2 threads)"
$PY Scripts/torch_bench.py --preset all --repeats 30
# This machine's speed drifts (shared cores), so the networks are measured in three alternating
# rounds; README.md quotes the median round of each.
for round in 2 3; do
    echo "== round $round: pixel-dqn networks, then PyTorch"
    for preset in small nature mlp; do $BIN bench-network --preset $preset --repeats 30 | grep -E "preset|act|update"; done
    $PY Scripts/torch_bench.py --preset all --repeats 30
done
# The nature update is the closest call, and the machine's speed can change from one minute to
# the next, so it gets nine more rounds that alternate the two within seconds of each other.
echo "== nature update, nine alternating rounds (ms): pixel-dqn, PyTorch, ratio"
for round in 1 2 3 4 5 6 7 8 9; do
    p=$($BIN bench-network --preset nature --repeats 30 --json | $PY -c "import json,sys; print(json.load(sys.stdin)['updateMs'])")
    t=$($PY Scripts/torch_bench.py --preset nature --repeats 30 | $PY -c "import json,sys; print(json.load(sys.stdin)['updateMs'])")
    $PY -c "print(f'round $round: {$p:.2f} {$t:.2f} {$t / $p:.2f}x')"
done
echo "== where an update's time goes (pixel-dqn, 2 threads, each layer timed inside the network's passes)"
for preset in small nature; do $BIN bench-network --preset $preset --repeats 30 --layers | sed -n '/^stage/,$p'; done
echo "== Gymnasium environment (Scripts/gym_bench.py, one thread)"
$PY Scripts/gym_bench.py --reps 3
echo "== end to end, 15000 env steps of plain Double DQN on frames as drawn (what torch_dqn.py runs), updates from step 2000"
$BIN train --n-step 1 --no-dueling --no-prioritized --no-invert-frames --no-tensorboard \
    --total-timesteps 15000 --learning-starts 2000 --eval-every 0 --final-eval-episodes 0 --ema-tau 0 --gamma 0.99 --learning-rate 5e-4 --exploration-fraction 0.1 \
    --checkpoint-every 1000000 --output "$OUT/swift" --quiet
cat "$OUT/swift/summary.json"
$PY Scripts/torch_dqn.py --total-timesteps 15000 --learning-starts 2000 --eval-every 0 --progress-every 0
echo "== debug build (what \`swift run\` uses) vs release: pixel path and small network"
swift build --product pixel-dqn >/dev/null
.build/debug/pixel-dqn bench --steps 200000 --repeats 5 --no-network
.build/debug/pixel-dqn bench-network --preset small --repeats 30
$BIN bench-network --preset small --repeats 30
echo "== load after: $(cat /proc/loadavg)"
rm -rf "$OUT"
