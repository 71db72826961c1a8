#!/usr/bin/env bash
# run.sh SECONDS [TARGET...] - runs each libFuzzer target of dtfl for SECONDS
# (default: all five: config, idx, twin, frames, policy). Builds build-fuzz/ with
# clang-14 (-DDTFL_FUZZ=ON) when missing. Each target starts from its seed
# corpus in tests/fuzz/corpus/<target> (the config target also from configs/
# and tests/configs/bad/); new inputs go to a scratch corpus under
# build-fuzz/corpus/, crashes to build-fuzz/crashes/<target>/. A crash is a
# failure: add the input to tests/fuzz/corpus/<target> as a regression
# input once it is fixed. Prints executions and coverage per target.
set -u
SECONDS_EACH=${1:-60}
shift || true
SRC=$(cd "$(dirname "$0")/../.." && pwd)
B=${FUZZ_BUILD:-$SRC/build-fuzz}
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(config idx twin frames policy)
if [ ! -x "$B/fuzz_config" ] || [ -n "${FUZZ_REBUILD:-}" ]; then
    "$SRC/scripts/deps.sh" fuzz || exit 1
    cmake -S "$SRC" -B "$B" -DCMAKE_C_COMPILER=clang-14 -DDTFL_FUZZ=ON \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 1
    cmake --build "$B" -j "$(nproc)" >/dev/null || exit 1
fi
export ASAN_OPTIONS=fast_unwind_on_malloc=0 UBSAN_OPTIONS=print_stacktrace=1
fails=0
for t in "${TARGETS[@]}"; do
    work="$B/corpus/$t" crash="$B/crashes/$t"
    mkdir -p "$work" "$crash"
    seeds=("$SRC/tests/fuzz/corpus/$t")
    [ "$t" = config ] && seeds+=("$SRC/configs" "$SRC/tests/configs/bad")
    log="$B/fuzz-$t.log"
    "$B/fuzz_$t" -max_total_time="$SECONDS_EACH" -max_len=8192 -timeout=10 \
        -rss_limit_mb=2048 -artifact_prefix="$crash/" -print_final_stats=1 \
        "$work" "${seeds[@]}" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    if [ "$rc" -eq 0 ]; then
        echo "ok   fuzz_$t: ${SECONDS_EACH}s, ${execs:-?} executions, coverage ${cov:-?} edges, ${ft:-?} features"
    else
        echo "FAIL fuzz_$t (exit $rc): see $log and $crash/"
        grep -m3 -E "ERROR|SUMMARY|abort" "$log" | sed 's/^/     /'
        fails=$((fails + 1))
    fi
done
[ "$fails" -eq 0 ]
