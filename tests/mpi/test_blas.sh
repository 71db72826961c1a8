#!/usr/bin/env bash
# test_blas.sh DTFL SRC - who picks the OpenBLAS kernels (app/blas.c): on a
# CPU with AVX-512 the core in use is not Prescott (skipped elsewhere); the
# user's OPENBLAS_CORETYPE wins; run.blas_core names a core, dtfl restarts
# itself once with it, also as every rank under mpirun; keep leaves
# OpenBLAS's pick; summary.json and the run log name the core and who chose
# it; a name OpenBLAS does not know is a config error with its position.
set -u
DTFL=$1 SRC=$2
. "$SRC/tests/mpi/lib.sh"
unset OPENBLAS_CORETYPE
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dtfl-blas-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
CFG="$SRC/configs/toy.yaml"
value() { sed -n "s/^\t\"$1\":\t*\"\(.*\)\",*$/\1/p" "$2"; }

if grep -q avx512f /proc/cpuinfo; then
    "$DTFL" run "$CFG" mode=analytic out="$TMP/auto" >/dev/null 2>&1
    core=$(value blas_core "$TMP/auto/summary.json")
    [ -n "$core" ] && [ "$core" != Prescott ] && ok "AVX-512 CPU: core $core, not Prescott" \
        || bad "AVX-512 CPU runs on '$core'"
else
    echo "skip AVX-512 check: this CPU has no AVX-512"
fi
OPENBLAS_CORETYPE=Prescott "$DTFL" run "$CFG" mode=analytic run.blas_core=Haswell \
    out="$TMP/user" >/dev/null 2>&1
[ "$(value blas_core "$TMP/user/summary.json")" = Prescott ] \
    && value blas_chosen_by "$TMP/user/summary.json" | grep -q "^user" \
    && ok "the user's OPENBLAS_CORETYPE wins over run.blas_core" || bad "user's core"
"$DTFL" run "$CFG" mode=analytic run.blas_core=Haswell out="$TMP/named" >/dev/null 2>&1
[ "$(value blas_core "$TMP/named/summary.json")" = Haswell ] \
    && value blas_chosen_by "$TMP/named/summary.json" | grep -q "^config" \
    && ok "run.blas_core=Haswell: dtfl restarted on Haswell, chosen by config" \
    || bad "named core: $(value blas_core "$TMP/named/summary.json")"
"$DTFL" run "$CFG" mode=analytic run.blas_core=keep out="$TMP/keep" >/dev/null 2>&1
[ "$(value blas_chosen_by "$TMP/keep/summary.json")" = openblas ] \
    && ok "run.blas_core=keep: OpenBLAS's pick" || bad "keep"
$MPIRUN -np 2 "$DTFL" run "$SRC/configs/quick.yaml" world.slots=1 run.blas_core=Haswell \
    out="$TMP/mpi" >"$TMP/mpi.log" 2>&1
rc=$?
[ $rc -eq 0 ] && [ "$(value blas_core "$TMP/mpi/summary.json")" = Haswell ] \
    && grep -q "OpenBLAS core Haswell (chosen by config" "$TMP/mpi.log" \
    && ok "under mpirun every rank restarts on the named core; the log says so" \
    || { bad "mpirun with run.blas_core: exit $rc"; tail -3 "$TMP/mpi.log"; }
"$DTFL" validate "$CFG" run.blas_core=SapphireRapids >/dev/null 2>"$TMP/err"
rc=$?
[ $rc -eq 78 ] && grep -q "argv\[3\]:1:15: run.blas_core: 'SapphireRapids' is not" "$TMP/err" \
    && ok "an unknown core is a config error at its position (78)" || bad "unknown core: $rc"
echo "blas: $fails failed"
[ "$fails" -eq 0 ]
