#!/usr/bin/env bash
# Compares the network update of several commits in alternating rounds, so the machine's drift
# (its cores are shared) falls on all of them alike. Each commit is built in a worktree under
# /tmp/pixel-dqn-builds. Prints one line per round and the median of each commit.
#   ./Scripts/compare_builds.sh [--preset P] [--rounds N] [--threads T] REV [REV ...]
set -euo pipefail
cd "$(dirname "$0")/.."
preset=nature; rounds=9; threads=2
while [ $# -gt 0 ]; do
    case "$1" in
        --preset) preset=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        *) break ;;
    esac
done
[ $# -ge 1 ] || { echo "usage: $0 [--preset P] [--rounds N] [--threads T] REV [REV ...]" >&2; exit 2; }
bins=()
for rev in "$@"; do
    sha=$(git rev-parse --short "$rev")
    dir=/tmp/pixel-dqn-builds/$sha
    [ -d "$dir" ] || git worktree add --detach "$dir" "$sha" >/dev/null
    (cd "$dir" && swift build -c release --product pixel-dqn >/dev/null)
    bins+=("$dir/.build/release/pixel-dqn")
done
echo "preset $preset, threads $threads, update ms per round: $*"
declare -A all
for round in $(seq "$rounds"); do
    line="round $round:"
    for i in "${!bins[@]}"; do
        ms=$("${bins[$i]}" bench-network --preset "$preset" --threads "$threads" --repeats 30 --json |
             sed -n 's/.*"updateMs" *: *\([0-9.]*\).*/\1/p')
        all[$i]="${all[$i]:-} $ms"
        line="$line $ms"
    done
    echo "$line"
done
for i in "${!bins[@]}"; do
    median=$(echo ${all[$i]} | tr ' ' '\n' | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}')
    echo "median $(git rev-parse --short "${@:$((i+1)):1}"): $median ms"
done
