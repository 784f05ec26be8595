#!/usr/bin/env bash
# A training run against the bound its own kernels set, in one sitting (run it on an idle machine):
#   1. `bench-network --as-trained`: the update `train` makes (DQNAgent.update) and acting, timed
#      alone on a random minibatch, with the FMA peak measured just after, before and after the
#      run (the bound takes the mean of the two);
#   2. a run of the task's pixel defaults (ENV, CartPole-v1 unless given) for STEPS steps without
#      evaluations, whose summary.json records where its time went (seconds_by_phase);
#   3. the bound: the run's updates at the benchmark's update time, its acts at the benchmark's
#      acting time, plus the run's own environment and replay time; and the run's share of it.
#   Scripts/training_bound.sh [STEPS] [THREADS] [ENV]   (defaults 15000, 2, CartPole-v1; about 2
#   minutes; for an Atari game, e.g. 60000 2 PongNoFrameskip-v4, about 3)
set -euo pipefail
cd "$(dirname "$0")/.."
steps="${1:-15000}"; threads="${2:-2}"; task="${3:-CartPole-v1}"
swift build -c release --product pixel-dqn >/dev/null
bin=.build/release/pixel-dqn
work=$(mktemp -d)
echo "== $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
field() { sed -n "s/.*\"$1\" *: *\([-0-9.e+]*\).*/\1/p"; }
# The benchmark runs before and after the training run (the machine's speed drifts from minute to
# minute); the bound uses the mean of the two.
bench_once() {  # prints "update_ms act_ms"; reports the round
    local bench update act share peak
    bench=$("$bin" bench-network --as-trained --env "$task" --threads "$threads" --repeats 50 --json)
    update=$(echo "$bench" | field updateMs); act=$(echo "$bench" | field actLatencyMs)
    share=$(echo "$bench" | field fractionOfPeak); peak=$(echo "$bench" | field peakGFLOPS)
    echo "update $1 the run (DQNAgent.update, median of 50): $update ms, $(awk "BEGIN{printf \"%.1f\", 100*$share}") % of the FMA peak $(awk "BEGIN{printf \"%.1f\", $peak}") GFLOP/s; act: $act ms" >&2
    echo "$update $act"
}
read -r update_before act_before < <(bench_once before)
"$bin" train --env "$task" --total-timesteps "$steps" --eval-every 0 --final-eval-episodes 0 --threads "$threads" --no-tensorboard \
    --quiet --output "$work/run" | grep -E '^time:'
read -r update_after act_after < <(bench_once after)
update_ms=$(awk "BEGIN{printf \"%.3f\", ($update_before + $update_after) / 2}")
act_ms=$(awk "BEGIN{printf \"%.4f\", ($act_before + $act_after) / 2}")
summary="$work/run/summary.json"
phase() { tr -d '\n ' < "$summary" | sed -n "s/.*\"seconds_by_phase\":{[^}]*\"$1\":\([-0-9.e+]*\).*/\1/p"; }
total=$(phase total); env=$(phase environment); store=$(phase replay_store); sample=$(phase replay_sample)
config() { tr -d '\n ' < "$work/run/config.json" | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
# An update (of --gradient-steps gradient steps) every --train-frequency steps after --learning-starts.
updates=$(awk -v s="$steps" -v ls="$(config learningStarts)" -v tf="$(config trainFrequency)" -v g="$(config gradientSteps)" 'BEGIN{
  n = 0; for (t = ls + 1; t <= s; t++) if (t % tf == 0) n += g; print n }')
bound=$(awk -v u="$updates" -v um="$update_ms" -v s="$steps" -v am="$act_ms" -v e="$env" -v r1="$store" -v r2="$sample" \
    'BEGIN{printf "%.2f", u*um/1000 + s*am/1000 + e + r1 + r2}')
echo "run: $steps steps in $total s ($(awk "BEGIN{printf \"%.1f\", $steps/$total}") steps/s), $updates updates"
echo "bound: $updates updates × $update_ms ms (mean of before and after) + $steps acts × $act_ms ms + environment $env s + replay $store + $sample s = $bound s"
echo "share of the bound: $(awk "BEGIN{printf \"%.1f\", 100*$bound/$total}") %"
rm -rf "$work"
