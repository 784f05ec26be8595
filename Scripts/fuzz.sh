#!/usr/bin/env bash
# Coverage-guided fuzzing of one reader with libFuzzer: builds pixel-dqn-fuzz with
# -sanitize=fuzzer,address (in .build-fuzz), seeds a corpus from Fixtures/ and Models/, runs the
# target and prints its executions, coverage and crashes.
#   Scripts/fuzz.sh TARGET [--seconds N] [--runs N] [-- libFuzzer options]
#   TARGET: safetensors, png, run-folder or number-lists (default: --seconds 60)
# Each input gets at most 10 s (-timeout, a hang is a failure) and the process at most 1 GB
# (-rss_limit_mb=1024; one allocation at most 512 MB, -malloc_limit_mb): an input that needs
# more is reported as a crash. LeakSanitizer checks every input that allocates.
# The corpus grows in .build-fuzz/corpus/TARGET; crashing inputs go to .build-fuzz/crashes/TARGET
# (keep each under Fixtures/fuzz/TARGET once fixed: `swift test` replays them).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

usage() { echo "usage: Scripts/fuzz.sh safetensors|png|run-folder|number-lists [--seconds N] [--runs N] [-- libFuzzer options]" >&2; exit 2; }
[ $# -ge 1 ] || usage
target="$1"; shift
case "$target" in safetensors|png|run-folder|number-lists) ;; *) usage ;; esac
limit=(-max_total_time=60)
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) [ $# -ge 2 ] || usage; limit=(-max_total_time="$2"); shift 2 ;;
        --runs) [ $# -ge 2 ] || usage; limit=(-runs="$2"); shift 2 ;;
        --) shift; extra=("$@"); break ;;
        *) usage ;;
    esac
done

# SwiftPM compiles every module with coverage instrumentation and ASan; -D LIBFUZZER gives the
# driver libFuzzer's entry points instead of its own main. lld: gold fails on this link.
echo "== building pixel-dqn-fuzz with libFuzzer (.build-fuzz)" >&2
swift build --scratch-path .build-fuzz --product pixel-dqn-fuzz --sanitize=fuzzer --sanitize=address \
    -Xswiftc -DLIBFUZZER -Xswiftc -use-ld=lld 2>&1 | grep -v "Cannot export local symbol" >&2
bin=.build-fuzz/debug/pixel-dqn-fuzz

seeds=.build-fuzz/seeds/$target corpus=.build-fuzz/corpus/$target crashes=.build-fuzz/crashes/$target
rm -rf "$seeds" .build-fuzz/work/$target
mkdir -p "$corpus" "$crashes" .build-fuzz/work
"$bin" seeds "$target" "$seeds" ".build-fuzz/work/$target" >&2

log=.build-fuzz/$target.log
export LSAN_OPTIONS="suppressions=$root/Scripts/lsan-suppressions.txt:print_suppressions=0"
set +e
"$bin" "$target" -timeout=10 -rss_limit_mb=1024 -malloc_limit_mb=512 -print_final_stats=1 \
    -artifact_prefix="$crashes/" "${limit[@]}" "${extra[@]}" "$corpus" "$seeds" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
coverage=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
found=$(find "$crashes" -type f | wc -l)
echo "== $target: ${executions:-?} executions, ${coverage:-cov: ? ft: ?}, crash/leak/timeout inputs in $crashes: $found, exit status $status"
# A binary without coverage instrumentation (seen after a build of .build-fuzz killed midway)
# runs blind: libFuzzer reports no cov at all. Say so instead of passing.
if [ -z "$coverage" ]; then
    echo "fuzz.sh: $bin reports no coverage, so it is not instrumented; remove .build-fuzz and run again" >&2
    [ "$status" = 0 ] && status=1
fi
exit "$status"
