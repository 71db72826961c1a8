#!/usr/bin/env bash
# test_taco.sh DTFL SRC - scenario taco (001) end to end on configs/taco-ci.yaml:
# every policy in analytic mode, the budget queues moving, the real driver
# on 1, 2 and 4 ranks (same decisions and modelled columns; twins migrate on
# handovers, get the cloud's knowledge at placements and train on it and
# their upload share), the modelled columns of a
# real run equal to the analytic run's, and a run killed mid-frame and
# resumed, which must end as an uninterrupted one.
set -u
DTFL=$1 SRC=$2
. "$SRC/tests/mpi/lib.sh"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dtfl-taco-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
CFG="$SRC/configs/taco-ci.yaml"
value() { sed -n "s/^\t\"$1\":\t*\(.*\),*$/\1/p" "$2" | tr -d ','; }

"$DTFL" run --scenarios | grep -q "^taco .*001_38e8dfa56ff79ffb.txt" \
    && ok "--scenarios lists taco with its paper" || bad "--scenarios: taco"
for p in taco lot cro taco-k1 taco-noy taco-pme local full; do
    "$DTFL" run "$CFG" mode=analytic sched.policy=$p out="$TMP/a-$p" >"$TMP/a-$p.log" 2>&1 \
        && [ -n "$(value mean_accuracy "$TMP/a-$p/summary.json")" ] \
        && ok "analytic $p" || { bad "analytic $p"; tail -3 "$TMP/a-$p.log"; }
done
[ "$(value mean_accuracy "$TMP/a-local/summary.json")" = "0.5" ] \
    && ok "local: accuracy g_local = 0.5" || bad "local accuracy"
awk -v t="$(value mean_accuracy "$TMP/a-taco/summary.json")" \
    -v c="$(value mean_accuracy "$TMP/a-cro/summary.json")" \
    -v l="$(value mean_accuracy "$TMP/a-lot/summary.json")" 'BEGIN { exit !(t > c && t > l) }' \
    && ok "TACO's accuracy above CRO's and LOT's" || bad "TACO not above the baselines"
[ "$(column_sum "$TMP/a-taco/slots.csv" queue_energy)" != "0" ] \
    && ok "the energy queue binds (9e4 J per frame)" || bad "energy queue never moved"

for P in 1 2 4; do
    $MPIRUN -np $P "$DTFL" run "$CFG" out="$TMP/r$P" >"$TMP/r$P.log" 2>&1 \
        && ok "real taco run on $P rank(s)" || { bad "real taco run on $P rank(s)"; tail -3 "$TMP/r$P.log"; }
done
for P in 2 4; do
    same_model_columns "$TMP/r1/slots.csv" "$TMP/r$P/slots.csv" "taco slots.csv: 1 rank = $P ranks"
    cmp -s "$TMP/r1/twins.csv" "$TMP/r$P/twins.csv" && ok "taco twins.csv: 1 rank = $P ranks" \
        || bad "taco twins.csv: 1 rank = $P ranks"
done
[ "$(column_sum "$TMP/r2/slots.csv" migrations)" -gt 0 ] \
    && [ "$(column_sum "$TMP/r2/slots.csv" migrations)" = "$(column_sum "$TMP/r2/slots.csv" handovers)" ] \
    && ok "every handover migrated a real twin ($(column_sum "$TMP/r2/slots.csv" migrations))" \
    || bad "migrations $(column_sum "$TMP/r2/slots.csv" migrations) vs handovers"
[ "$(columns "$TMP/r2/slots.csv" predicted_accuracy predicted_delay predicted_energy | tail -n +2)" = \
  "$(columns "$TMP/a-taco/slots.csv" accuracy delay energy | tail -n +2)" ] \
    && ok "real mode's modelled accuracy, delay, energy = analytic mode's" || bad "modelled columns"
[ "$(column_sum "$TMP/r2/slots.csv" train_samples)" -gt 0 ] \
    && ok "twins trained on real samples" || bad "no real training"
[ "$(column_sum "$TMP/r2/slots.csv" wire_transfer_bytes)" -gt 0 ] \
    && [ "$(column_sum "$TMP/r1/slots.csv" wire_transfer_bytes)" = 0 ] \
    && ok "the cloud (rank 0) sent the twins' knowledge across ranks at placements" \
    || bad "knowledge downloads"
$MPIRUN -np 2 "$DTFL" run "$CFG" taco.real.knowledge=false out="$TMP/nok" >/dev/null 2>&1
awk -v a="$(column_sum "$TMP/r2/slots.csv" train_samples)" \
    -v b="$(column_sum "$TMP/nok/slots.csv" train_samples)" 'BEGIN { exit !(a > b + 1000) }' \
    && [ "$(column_sum "$TMP/nok/slots.csv" wire_transfer_bytes)" = 0 ] \
    && ok "the twins' data holds the cloud's images ($(column_sum "$TMP/r2/slots.csv" train_samples) vs $(column_sum "$TMP/nok/slots.csv" train_samples) without)" \
    || bad "knowledge images in training"

killed_inside_frame taco "$CFG" "$TMP/r2" "$TMP/cut"

echo "taco: $fails failed"
[ "$fails" -eq 0 ]
