#!/usr/bin/env bash
# test_ranks.sh DTFL SRC - the quick preset through mpirun with 1, 2 and 3
# ranks gives the same per-slot and per-twin results (execution measurements
# aside); twins do migrate between ranks; none is lost or rejected (every run
# checks twin conservation after each migration and stops if it fails).
# A copy started by srun without PMI (SLURM_NTASKS > 1, a world of one)
# stops with a message.
set -u
DTFL=$1 SRC=$2
. "$SRC/tests/mpi/lib.sh"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dtfl-ranks-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
for P in 1 2 3; do
    if $MPIRUN -np $P "$DTFL" run "$SRC/configs/quick.yaml" out="$TMP/p$P" >"$TMP/log$P" 2>&1; then
        ok "quick preset on $P rank(s)"
    else
        bad "quick preset on $P rank(s)"; tail -5 "$TMP/log$P"
    fi
done
for P in 2 3; do
    same_model_columns "$TMP/p1/slots.csv" "$TMP/p$P/slots.csv" "slots.csv: 1 rank = $P ranks"
    cmp -s "$TMP/p1/twins.csv" "$TMP/p$P/twins.csv" && ok "twins.csv: 1 rank = $P ranks" \
        || bad "twins.csv: 1 rank = $P ranks"
done
cross=$(column_sum "$TMP/p2/slots.csv" wire_cross_rank)
moves=$(column_sum "$TMP/p2/slots.csv" migrations)
[ "$cross" -gt 0 ] && ok "twins migrated between ranks ($cross of $moves moves)" \
    || bad "no migration crossed ranks"
[ "$(column_sum "$TMP/p2/slots.csv" failed)" -eq 0 ] && ok "no migration was rejected" \
    || bad "a migration was rejected"
[ "$(column_sum "$TMP/p1/slots.csv" wire_cross_rank)" -eq 0 ] && ok "one rank moves no bytes" \
    || bad "one rank moved bytes"
rows=$(($(wc -l <"$TMP/p2/twins.csv") - 1))
[ "$rows" -eq 36 ] && ok "twins.csv has 6 slots x 6 twins" || bad "twins.csv has $rows rows"
grep -q '"final_global_accuracy"' "$TMP/p2/summary.json" && ok "summary.json written" \
    || bad "summary.json missing"
# srun without PMI: several 1-rank copies; each notices and stops
SLURM_NTASKS=4 SLURM_PROCID=0 "$DTFL" run "$SRC/configs/quick.yaml" out="$TMP/srun" \
    >"$TMP/log_srun" 2>&1
st=$?
[ "$st" -eq 70 ] && grep -q "SLURM_NTASKS" "$TMP/log_srun" && [ ! -e "$TMP/srun" ] \
    && ok "a 1-rank copy started by srun stops (70) before writing anything" \
    || { bad "srun without PMI: exit $st"; tail -3 "$TMP/log_srun"; }
echo "$fails failure(s)"
[ "$fails" -eq 0 ]
