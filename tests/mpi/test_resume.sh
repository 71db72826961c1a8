#!/usr/bin/env bash
# test_resume.sh DTFL SRC - a run killed after a checkpoint and resumed with
# --resume ends with the same per-slot and per-twin results as a run never
# interrupted; a damaged newest checkpoint falls back to the one before; a
# resume with another rank count is refused with a message.
set -u
DTFL=$1 SRC=$2
. "$SRC/tests/mpi/lib.sh"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dtfl-resume-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
CFG="$SRC/configs/quick.yaml"
set_ckpt="world.slots=8 run.checkpoint_every=2"
$MPIRUN -np 2 "$DTFL" run "$CFG" out="$TMP/ref" $set_ckpt >"$TMP/ref.log" 2>&1 \
    && ok "uninterrupted run" || { bad "uninterrupted run"; tail -5 "$TMP/ref.log"; }

# killed after slot 4: checkpoints exist for slots 1 and 3
$MPIRUN -np 2 "$DTFL" run "$CFG" out="$TMP/cut" $set_ckpt faults.kill_after_slot=4 \
    faults.kill_rank=1 >"$TMP/cut.log" 2>&1
rc=$?
[ $rc -ne 0 ] && ok "killed run ends with an error (exit $rc)" || bad "killed run exited 0"
[ -f "$TMP/cut/ckpt/slot-3/COMPLETE" ] && ok "checkpoint of slot 3 complete" \
    || bad "no checkpoint of slot 3"
[ ! -f "$TMP/cut/summary.json" ] && ok "no summary.json from the killed run" \
    || bad "killed run left summary.json"
ls "$TMP/cut" "$TMP/cut/ckpt"/* | grep -q '\.tmp\.' && bad "temporary files look whole" \
    || ok "no temporary files left behind"
cp -r "$TMP/cut" "$TMP/cut2"

$MPIRUN -np 2 "$DTFL" run --resume "$TMP/cut" >"$TMP/resume.log" 2>&1 \
    && ok "resume" || { bad "resume"; tail -5 "$TMP/resume.log"; }
grep -q "from slot 4" "$TMP/resume.log" && ok "resumed at slot 4" || bad "resume point"
same_model_columns "$TMP/ref/slots.csv" "$TMP/cut/slots.csv" "resumed slots.csv = uninterrupted"
cmp -s "$TMP/ref/twins.csv" "$TMP/cut/twins.csv" && ok "resumed twins.csv = uninterrupted" \
    || bad "resumed twins.csv differs"

# another rank count: refused, says how many
$MPIRUN -np 3 "$DTFL" run --resume "$TMP/cut2" >"$TMP/p3.log" 2>&1
rc=$?
[ $rc -eq 64 ] && ok "resume with 3 ranks refused (exit 64)" || bad "resume with 3 ranks: exit $rc"
grep -q "made by 2 ranks, this run has 3" "$TMP/p3.log" && ok "rank count named" \
    || { bad "rank count not named"; tail -3 "$TMP/p3.log"; }

# a flipped byte in the newest checkpoint: fall back to slot 1
printf '\x55' | dd of="$TMP/cut2/ckpt/slot-3/rank-0.bin" bs=1 seek=100 conv=notrunc 2>/dev/null
$MPIRUN -np 2 "$DTFL" run --resume "$TMP/cut2" >"$TMP/fb.log" 2>&1 \
    && ok "resume past a damaged checkpoint" || { bad "resume past a damaged checkpoint"; tail -5 "$TMP/fb.log"; }
grep -q "newest checkpoint is unusable" "$TMP/fb.log" && grep -q "from slot 2" "$TMP/fb.log" \
    && ok "fell back to slot 1's checkpoint" || bad "no fallback message"
same_model_columns "$TMP/ref/slots.csv" "$TMP/cut2/slots.csv" "fallback run = uninterrupted"
echo "$fails failure(s)"
[ "$fails" -eq 0 ]
