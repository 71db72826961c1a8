#!/usr/bin/env bash
# run.sh SECONDS [TARGET...] - runs libFuzzer targets of dtfl for SECONDS
# each, FUZZ_JOBS at a time (default: the number of cores), and prints a
# table: target, seconds, executions, edges, features, crashes.
#
# Targets: every tests/fuzz/fuzz_<name>.c (a new file is a new target, here
# and in CMake). Builds build-fuzz/ with clang-14 (-DDTFL_FUZZ=ON) first,
# incrementally (FUZZ_REBUILD=1 configures it anew). Each
# target starts from its seed corpus tests/fuzz/corpus/<name> when that
# folder exists (the config target also from configs/ and
# tests/configs/bad/); new inputs go to a scratch corpus under
# build-fuzz/corpus/, crashes to build-fuzz/crashes/<name>/, where they are
# kept. A crash, or a target that fails to start, is a failure: add the
# input to tests/fuzz/corpus/<name> as a regression input once it is fixed.
#
# FUZZ_SKIP_MISSING=1 (make test's smoke): when clang-14 or libFuzzer cannot
# be installed, say so and exit 0 instead of failing.
set -u
SECONDS_EACH=${1:-60}
shift || true
SRC=$(cd "$(dirname "$0")/../.." && pwd)
B=${FUZZ_BUILD:-$SRC/build-fuzz}
JOBS=${FUZZ_JOBS:-$(nproc)}
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
    for f in "$SRC"/tests/fuzz/fuzz_*.c; do
        t=${f##*/fuzz_}
        TARGETS+=("${t%.c}")
    done
fi

# every run builds (incrementally): a target must never run stale code
if ! "$SRC/scripts/deps.sh" fuzz; then
    if [ -n "${FUZZ_SKIP_MISSING:-}" ]; then
        echo "fuzz: SKIPPED: clang-14 and libFuzzer (scripts/deps.sh fuzz) could not be installed"
        exit 0
    fi
    exit 1
fi
[ -n "${FUZZ_REBUILD:-}" ] && rm -f "$B/CMakeCache.txt"
# configured every run (a second or two): a new fuzz_*.c is a new target
cmake -S "$SRC" -B "$B" -DCMAKE_C_COMPILER=clang-14 -DDTFL_FUZZ=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 1
targets_make=()
for t in "${TARGETS[@]}"; do targets_make+=(--target "fuzz_$t"); done
cmake --build "$B" -j "$(nproc)" "${targets_make[@]}" >"$B/build.log" 2>&1 || {
    echo "FAIL fuzz build: see $B/build.log"; tail -5 "$B/build.log"; exit 1; }
export ASAN_OPTIONS=fast_unwind_on_malloc=0 UBSAN_OPTIONS=print_stacktrace=1

# fuzz_one TARGET: one libFuzzer run; writes its row to $B/fuzz-TARGET.row
fuzz_one() {
    local t=$1 work="$B/corpus/$1" crash="$B/crashes/$1" log="$B/fuzz-$1.log"
    mkdir -p "$work" "$crash"
    local seeds=()
    [ -d "$SRC/tests/fuzz/corpus/$t" ] && seeds+=("$SRC/tests/fuzz/corpus/$t")
    [ "$t" = config ] && seeds+=("$SRC/configs" "$SRC/tests/configs/bad")
    local before
    before=$(find "$crash" -type f | wc -l)
    "$B/fuzz_$t" -max_total_time="$SECONDS_EACH" -max_len=8192 -timeout=10 \
        -rss_limit_mb=2048 -artifact_prefix="$crash/" -print_final_stats=1 \
        "$work" "${seeds[@]}" >"$log" 2>&1
    local rc=$? execs cov ft crashes
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    crashes=$(( $(find "$crash" -type f | wc -l) - before ))
    local status=ok
    [ "$rc" -eq 0 ] && [ "$crashes" -eq 0 ] || status=FAIL
    printf '%s %s %s %s %s %s %s\n' "$status" "$t" "$SECONDS_EACH" \
        "${execs:-?}" "${cov:-?}" "${ft:-?}" "$crashes" >"$B/fuzz-$t.row"
}

mkdir -p "$B"
running=0
for t in "${TARGETS[@]}"; do
    if [ ! -x "$B/fuzz_$t" ]; then
        echo "FAIL fuzz_$t 0 ? ? ? 0" >"$B/fuzz-$t.row"
        continue
    fi
    rm -f "$B/fuzz-$t.row"
    fuzz_one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then
        wait -n
        running=$((running - 1))
    fi
done
wait

fails=0
printf '| target | seconds | executions | edges | features | crashes | result |\n'
printf '|---|---|---|---|---|---|---|\n'
for t in "${TARGETS[@]}"; do
    read -r status name secs execs cov ft crashes <"$B/fuzz-$t.row" ||
        status=FAIL
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$t" "$secs" "$execs" \
        "$cov" "$ft" "$crashes" "$status"
    [ "$status" = ok ] || fails=$((fails + 1))
done
for t in "${TARGETS[@]}"; do
    read -r status _ <"$B/fuzz-$t.row"
    [ "$status" = ok ] && continue
    echo "FAIL fuzz_$t: see $B/fuzz-$t.log and $B/crashes/$t/"
    [ -f "$B/fuzz-$t.log" ] &&
        grep -m3 -E "ERROR|SUMMARY|abort|No such" "$B/fuzz-$t.log" | sed 's/^/     /'
done
echo "fuzz: $(( ${#TARGETS[@]} - fails )) passed, $fails failed"
[ "$fails" -eq 0 ]
