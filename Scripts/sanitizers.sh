#!/usr/bin/env bash
# Runs the whole test suite under ThreadSanitizer, then under AddressSanitizer with
# LeakSanitizer, each in its own build folder (.build-tsan, .build-asan). Fails on any test
# failure or any sanitizer report, including those of the pixel-dqn processes the tests start.
#   Scripts/sanitizers.sh            both
#   Scripts/sanitizers.sh thread     one of them (thread or address)
set -uo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

# Reports go to files (one per process, children included: a report written to a child's
# stderr would be read by the test that started it, not by this script).
logs="$(mktemp -d "${TMPDIR:-/tmp}/pixel-dqn-sanitizers.XXXXXX")"
trap 'rm -rf "$logs"' EXIT

[ $# -eq 0 ] && set -- thread address
failed=0
summary=()

for sanitizer in "$@"; do
    case "$sanitizer" in
        thread) scratch=.build-tsan ;;
        address) scratch=.build-asan ;;
        *) echo "Scripts/sanitizers.sh: unknown sanitizer '$sanitizer', expected thread or address" >&2; exit 2 ;;
    esac
    mkdir -p "$logs/$sanitizer"
    output="$logs/$sanitizer.out"
    echo "== swift test --sanitize=$sanitizer (build folder $scratch)"
    start=$(date +%s)
    # TSan: every race, not just the first per process; ASan: leaks checked at exit, toolchain
    # leaks suppressed (each line of the file says why). The crash-consistency tests kill at
    # every fourth of their instants only (the sanitized processes are several times slower).
    # Swift's crash backtracer is off: under AddressSanitizer its memory server reads other
    # threads' stacks (reported as a stack-buffer-underflow) and can hang; a crash then prints
    # the runtime's own message and ends the process.
    PIXEL_DQN_CRASH_EVERY=4 SWIFT_BACKTRACE=enable=no \
    TSAN_OPTIONS="halt_on_error=0:log_path=$logs/$sanitizer/report" \
    ASAN_OPTIONS="detect_leaks=1:log_path=$logs/$sanitizer/report" \
    LSAN_OPTIONS="suppressions=$root/Scripts/lsan-suppressions.txt:print_suppressions=0" \
        swift test --sanitize="$sanitizer" --scratch-path "$scratch" 2>&1 | tee "$output"
    status=${PIPESTATUS[0]}
    seconds=$(( $(date +%s) - start ))
    reports=$(cat "$logs/$sanitizer"/report* 2>/dev/null \
        | grep -cE '^(WARNING: ThreadSanitizer|==[0-9]+==ERROR: (AddressSanitizer|LeakSanitizer))')
    if [ "$reports" -gt 0 ]; then
        echo "== $sanitizer: sanitizer reports"
        cat "$logs/$sanitizer"/report*
    fi
    # Swift Testing's last line: "Test run with N tests in M suites passed after S seconds."
    tests=$(sed -n 's/.*Test run with \([0-9]*\) tests\{0,1\} .*/\1/p' "$output" | tail -1)
    result=passed
    if [ "$status" -ne 0 ] || [ "$reports" -ne 0 ] || [ -z "$tests" ]; then result=FAILED; failed=1; fi
    summary+=("$sanitizer: ${tests:-?} tests run, exit status $status, reports: $reports, ${seconds} s: $result")
done

echo "== summary"
printf '%s\n' "${summary[@]}"
exit $failed
