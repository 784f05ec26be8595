#!/usr/bin/env bash
# Behaviour kept across a change: the same short runs, one per task and observation, trained by two
# builds of pixel-dqn; their metrics.csv, model.safetensors and best.safetensors must be equal byte
# for byte. Prints one line per run and exits non-zero on any difference.
#   Scripts/compare_behaviour.sh OLD_BINARY NEW_BINARY [WORK_DIR]
# (for example a release build of the commit before the change, kept aside, against .build/release/pixel-dqn)
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 OLD_BINARY NEW_BINARY [WORK_DIR]" >&2; exit 64; }
old="$1"; new="$2"; work="${3:-$(mktemp -d)}"
for b in "$old" "$new"; do [ -x "$b" ] || { echo "$0: $b is not an executable" >&2; exit 64; }; done
mkdir -p "$work"
runs=(
  "cartpole-v1-pixels|--env CartPole-v1 --total-timesteps 3000 --learning-starts 500 --eval-every 1000 --final-eval-episodes 3"
  "cartpole-v0-state|--observation state --total-timesteps 3000 --eval-every 1000 --final-eval-episodes 3"
  "acrobot-v1-pixels|--env Acrobot-v1 --total-timesteps 2000 --learning-starts 500 --eval-every 1000 --eval-episodes 2 --final-eval-episodes 2"
  "acrobot-v1-state|--env Acrobot-v1 --observation state --total-timesteps 2000 --eval-every 1000 --eval-episodes 2 --final-eval-episodes 2"
  "mountaincar-v0-pixels|--env MountainCar-v0 --total-timesteps 2000 --learning-starts 500 --eval-every 1000 --eval-episodes 2 --final-eval-episodes 2"
  "mountaincar-v0-state|--env MountainCar-v0 --observation state --total-timesteps 2000 --eval-every 1000 --eval-episodes 2 --final-eval-episodes 2"
)
status=0
for r in "${runs[@]}"; do
  name="${r%%|*}"; options="${r#*|}"
  for side in old new; do
    bin="$old"; [ $side = new ] && bin="$new"
    rm -rf "$work/$name-$side"
    # shellcheck disable=SC2086
    "$bin" train $options --threads 1 --no-tensorboard --quiet --output "$work/$name-$side" >/dev/null
  done
  same=yes
  for f in metrics.csv model.safetensors best.safetensors; do
    cmp -s "$work/$name-old/$f" "$work/$name-new/$f" || { same=no; status=1; echo "$name: $f differs" >&2; }
  done
  echo "$name: $( [ $same = yes ] && echo "metrics.csv, model.safetensors, best.safetensors identical" || echo DIFFERENT) ($(sha256sum "$work/$name-new/metrics.csv" | cut -c1-16))"
done
exit $status
