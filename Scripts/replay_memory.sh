#!/usr/bin/env bash
# The memory a run with --save-replay takes when it writes its checkpoint and when it resumes from
# it: the peak resident size (GNU time's maximum RSS) of
#   1. a CartPole-v1 pixel run of 1,000 steps whose ring holds BUFFER frames (84x84), with
#      --save-replay, ending with a checkpoint that holds the whole ring;
#   2. `train --resume` of it to 2,000 steps (it reads the ring back, then writes it again);
# beside the ring's own size. Each BINARY given is measured in turn (default: this checkout's
# release build), so that two builds can be set side by side.
#   Scripts/replay_memory.sh [BUFFER] [BINARY …]   (default 300000, about 2.1 GB of frames; the
#   runs need about 3 × BUFFER × 7 KB of free disk)
set -euo pipefail
cd "$(dirname "$0")/.."
buffer="${1:-300000}"; shift || true
if [ $# -eq 0 ]; then
    swift build -c release --product pixel-dqn >/dev/null
    set -- .build/release/pixel-dqn
fi
echo "== $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; ring of $buffer frames: $(awk "BEGIN{printf \"%.2f\", $buffer * 84 * 84 / 1e9}") GB"
for bin in "$@"; do
    work=$(mktemp -d)
    peak() { /usr/bin/time -f '%M' -o "$work/rss" "$@" >/dev/null; awk '{printf "%.2f GB", $1 * 1024 / 1e9}' "$work/rss"; }
    first=$(peak "$bin" train --buffer-size "$buffer" --save-replay --total-timesteps 1000 --learning-starts 500 \
        --checkpoint-every 1000 --eval-every 0 --final-eval-episodes 0 --threads 1 --no-tensorboard --quiet --output "$work/run")
    file=$(awk "BEGIN{printf \"%.2f GB\", $(stat -c %s "$work/run/checkpoint.safetensors") / 1e9}")
    second=$(peak "$bin" train --resume "$work/run" --total-timesteps 2000 --quiet)
    echo "$bin: a run writing its checkpoint ($file) peaks at $first; its resume, reading it back and writing it again, at $second"
    rm -rf "$work"
done
