#!/usr/bin/env bash
# test_resume.sh DTFL SRC - a run killed after a checkpoint, or in the middle
# of a slot's training, and resumed with --resume ends with the same per-slot
# and per-twin results as a run never interrupted; a damaged newest
# checkpoint falls back to the one before; one left half-written (a crash
# between write and rename) is passed over; a checkpoint of another rank
# count, another config or another format version is refused with a
# message; resuming a finished run does nothing.
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
for k in 2 3 4 5 6; do cp -r "$TMP/cut" "$TMP/cut$k"; done

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

# killed in the middle of slot 5's training: slots.csv ends at slot 4,
# the newest checkpoint is slot 3's, and --resume completes the run
$MPIRUN -np 2 "$DTFL" run "$CFG" out="$TMP/mid" $set_ckpt faults.kill_mid_slot=5 \
    faults.kill_rank=1 >"$TMP/mid.log" 2>&1
rc=$?
[ $rc -ne 0 ] && [ ! -f "$TMP/mid/summary.json" ] && [ "$(columns "$TMP/mid/slots.csv" slot | tail -1)" = 4 ] \
    && ok "killed mid-slot: exit $rc, slots.csv ends at slot 4, no summary.json" \
    || bad "killed mid-slot: exit $rc"
no_temporaries "$TMP/mid" "killed mid-slot: no temporary files left behind"
$MPIRUN -np 2 "$DTFL" run --resume "$TMP/mid" >"$TMP/mid-resume.log" 2>&1 && grep -q "from slot 4" "$TMP/mid-resume.log" \
    && ok "resume after a mid-slot kill, from slot 4" || { bad "resume after a mid-slot kill"; tail -3 "$TMP/mid-resume.log"; }
same_model_columns "$TMP/ref/slots.csv" "$TMP/mid/slots.csv" "mid-slot kill resumed: slots.csv = uninterrupted"
cmp -s "$TMP/ref/twins.csv" "$TMP/mid/twins.csv" && ok "mid-slot kill resumed: twins.csv = uninterrupted" \
    || bad "mid-slot kill resumed: twins.csv differs"

# a crash between write and rename: slot 5's files written, one still under
# its temporary name, COMPLETE never made; resume passes over it silently
mkdir "$TMP/cut3/ckpt/slot-5"
cp "$TMP/cut3/ckpt/slot-3/rank-0.bin" "$TMP/cut3/ckpt/slot-5/"
head -c 1000 "$TMP/cut3/ckpt/slot-3/state.bin" >"$TMP/cut3/ckpt/slot-5/state.bin.tmp.4242"
$MPIRUN -np 2 "$DTFL" run --resume "$TMP/cut3" >"$TMP/c3.log" 2>&1 && grep -q "from slot 4" "$TMP/c3.log" \
    && ! grep -q "unusable" "$TMP/c3.log" && ok "a checkpoint without COMPLETE is passed over" \
    || { bad "half-written checkpoint"; tail -3 "$TMP/c3.log"; }
same_model_columns "$TMP/ref/slots.csv" "$TMP/cut3/slots.csv" "... and the run completes as uninterrupted"

# fix_crc FILE: recompute the CRC-32 trailer (zlib's, little-endian: the
# first 4 bytes of gzip's trailer) after an edit
fix_crc() {
    local n=$(($(stat -c %s "$1") - 4))
    head -c "$n" "$1" | gzip -c | tail -c 8 | head -c 4 \
        | dd of="$1" bs=1 seek="$n" conv=notrunc 2>/dev/null
}
# another format version, checksum made right: refused, not loaded
printf '\x09' | dd of="$TMP/cut4/ckpt/slot-3/state.bin" bs=1 seek=8 conv=notrunc 2>/dev/null
fix_crc "$TMP/cut4/ckpt/slot-3/state.bin"
$MPIRUN -np 2 "$DTFL" run --resume "$TMP/cut4" >"$TMP/c4.log" 2>&1
rc=$?
[ $rc -eq 65 ] && grep -q "state.bin: checkpoint format 9, this dtfl reads 3" "$TMP/c4.log" \
    && ok "a checkpoint of another format version is refused (exit 65)" \
    || { bad "another format version: exit $rc"; grep dtfl "$TMP/c4.log" | tail -2; }
[ "$(columns "$TMP/cut4/slots.csv" slot | tail -1)" = 4 ] && ok "... and nothing was written" \
    || bad "another format version: slots.csv changed"

# a truncated newest checkpoint: fall back, as for a flipped byte
truncate -s 200 "$TMP/cut6/ckpt/slot-3/state.bin"
$MPIRUN -np 2 "$DTFL" run --resume "$TMP/cut6" >"$TMP/c6.log" 2>&1 \
    && grep -q "newest checkpoint is unusable (.*state.bin: damaged" "$TMP/c6.log" && grep -q "from slot 2" "$TMP/c6.log" \
    && ok "a truncated newest checkpoint falls back to slot 1's" || { bad "truncated checkpoint"; tail -3 "$TMP/c6.log"; }
same_model_columns "$TMP/ref/slots.csv" "$TMP/cut6/slots.csv" "... and the run completes as uninterrupted"

# another config: config.yaml of the results folder edited after the kill
sed -i 's/^  lr: .*/  lr: 0.07/' "$TMP/cut5/config.yaml"
$MPIRUN -np 2 "$DTFL" run --resume "$TMP/cut5" >"$TMP/c5.log" 2>&1
rc=$?
[ $rc -eq 78 ] && grep -q "made with another config than" "$TMP/c5.log" \
    && ok "a checkpoint of another config is refused (exit 78)" \
    || { bad "another config: exit $rc"; grep dtfl "$TMP/c5.log" | tail -2; }

# resuming a finished run does nothing
cp "$TMP/ref/slots.csv" "$TMP/ref-slots.csv"
before=$(stat -c %Y "$TMP/ref/summary.json")
$MPIRUN -np 2 "$DTFL" run --resume "$TMP/ref" >"$TMP/done.log" 2>&1 \
    && grep -q "is complete (it has summary.json); nothing to resume" "$TMP/done.log" \
    && cmp -s "$TMP/ref-slots.csv" "$TMP/ref/slots.csv" && [ "$(stat -c %Y "$TMP/ref/summary.json")" = "$before" ] \
    && ok "resuming a finished run does nothing (exit 0)" || { bad "resume of a finished run"; tail -3 "$TMP/done.log"; }
echo "$fails failure(s)"
[ "$fails" -eq 0 ]
