#!/usr/bin/env bash
# test_memcheck.sh DTFL SRC - the quick preset, cut down (2 slots, small
# data slices, a checkpoint each slot, migrations between ranks), run on 2
# ranks under valgrind memcheck with Open MPI's suppression file: no invalid
# read or write, no use of uninitialised memory and no definite leak whose
# stack leads into our sources (ours.awk says which errors are ours; Open
# MPI's and PMIx's own are not). Takes about a minute.
set -u
DTFL=$1 SRC=$2
. "$SRC/tests/mpi/lib.sh"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dtfl-memcheck-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
OURS="$SRC/tests/valgrind/ours.awk"

# the checker itself: an error under our sources is found, one in Open MPI is not
cat >"$TMP/fixture.log" <<LOG
==1== Invalid read of size 4
==1==    at 0x10: net_fedavg ($SRC/net/fedavg.c:40)
==1==    by 0x20: main ($SRC/app/main.c:10)
==1== 
==1== 2 bytes in 1 blocks are definitely lost in loss record 1 of 50
==1==    at 0x30: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)
==1==    by 0x40: strdup (./string/strdup.c:42)
==1==    by 0x50: ???
==1==    by 0x60: net_mpi_create ($SRC/net/mpi.c:152)
==1== 
LOG
n=$(awk -v src="$SRC" -f "$OURS" "$TMP/fixture.log" | grep -c "Invalid read")
[ "$n" -eq 1 ] && ! awk -v src="$SRC" -f "$OURS" "$TMP/fixture.log" | grep -q strdup \
    && ok "the checker finds our error and passes over Open MPI's" || bad "the checker"

SUPP=/usr/share/openmpi/openmpi-valgrind.supp
$MPIRUN -np 2 valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite \
    --errors-for-leak-kinds=definite --track-origins=no --num-callers=40 \
    --fullpath-after= --suppressions="$SUPP" --log-file="$TMP/vg.%p.log" \
    "$DTFL" run "$SRC/configs/quick.yaml" out="$TMP/out" world.slots=2 \
    data.train_limit=2000 data.test_limit=500 users.samples=[50,80] \
    users.test_samples=50 run.checkpoint_every=1 run.progress=none \
    >"$TMP/run.log" 2>&1 && ok "the run under valgrind" \
    || { bad "the run under valgrind"; tail -5 "$TMP/run.log"; }
logs=$(ls "$TMP"/vg.*.log 2>/dev/null | wc -l)
[ "$logs" -eq 2 ] && grep -q "ERROR SUMMARY" "$TMP"/vg.*.log && ok "memcheck watched both ranks" \
    || bad "memcheck logs: $logs"
[ -f "$TMP/out/summary.json" ] && ok "the run finished" || bad "no summary.json"
if awk -v src="$(cd "$SRC" && pwd -P)" -f "$OURS" "$TMP"/vg.*.log >"$TMP/ours.txt"; then
    ok "no invalid access, uninitialised use or definite leak in our code"
else
    bad "memcheck errors in our code:"; head -60 "$TMP/ours.txt"
fi
echo "$fails failure(s)"
[ "$fails" -eq 0 ]
