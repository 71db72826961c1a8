#!/usr/bin/env bash
# test_eco.sh DTFL SRC - scenario ecoedgetwin (004) end to end on
# configs/ecoedgetwin-ci.yaml: every policy in analytic mode; the real
# driver on 1, 2 and 4 ranks with the same decisions and modelled columns,
# every modelled service migration a real twin moved (across ranks when the
# servers' ranks differ), the modelled columns equal to the analytic run's;
# eco-random's forwarded shares crossing ranks as their images, which the
# host classifies, the services classifying the edge's shares, every hit
# the model counts served from outcome bytes a server keeps, outcomes
# crossing ranks to the caching server, the measured busy time below the
# modelled; runs killed mid-episode and resumed (caches included) ending
# as uninterrupted ones.
set -u
DTFL=$1 SRC=$2
. "$SRC/tests/mpi/lib.sh"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dtfl-eco-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
CFG="$SRC/configs/ecoedgetwin-ci.yaml"

"$DTFL" run --scenarios | grep -q "^ecoedgetwin .*004_f278a938a6f2a03d.txt" \
    && ok "--scenarios lists ecoedgetwin with its paper" || bad "--scenarios: ecoedgetwin"
for p in eco-greedy eco-greedy-nodt eco-local eco-edge eco-random; do
    "$DTFL" run "$CFG" sched.policy=$p out="$TMP/a-$p" >"$TMP/a-$p.log" 2>&1 \
        && [ -s "$TMP/a-$p/summary.json" ] && ok "analytic $p" \
        || { bad "analytic $p"; tail -3 "$TMP/a-$p.log"; }
done
[ "$(column_sum "$TMP/a-eco-local/slots.csv" offloaded)" = 0 ] \
    && [ "$(column_sum "$TMP/a-eco-local/slots.csv" energy_fraction)" = 10 ] \
    && ok "eco-local: nothing offloaded, energy fraction 1" || bad "eco-local"

for P in 1 2 4; do
    $MPIRUN -np $P "$DTFL" run "$CFG" mode=real out="$TMP/r$P" >"$TMP/r$P.log" 2>&1 \
        && ok "real run on $P rank(s)" || { bad "real run on $P rank(s)"; tail -3 "$TMP/r$P.log"; }
done
for P in 2 4; do
    same_model_columns "$TMP/r1/slots.csv" "$TMP/r$P/slots.csv" "slots.csv: 1 rank = $P ranks"
done
[ "$(column_sum "$TMP/r2/slots.csv" migrations)" -gt 0 ] \
    && [ "$(column_sum "$TMP/r2/slots.csv" migrations)" = "$(column_sum "$TMP/r2/slots.csv" predicted_migrations)" ] \
    && [ "$(column_sum "$TMP/r2/slots.csv" wire_cross_rank)" -gt 0 ] \
    && ok "every service migration moved a real twin ($(column_sum "$TMP/r2/slots.csv" migrations), $(column_sum "$TMP/r2/slots.csv" wire_cross_rank) across ranks)" \
    || bad "migrations vs the model's"
[ "$(columns "$TMP/r2/slots.csv" predicted_latency predicted_energy predicted_qoe | tail -n +2)" = \
  "$(columns "$TMP/a-eco-greedy/slots.csv" latency energy qoe | tail -n +2)" ] \
    && ok "real mode's modelled latency, energy, QoE = analytic mode's" || bad "modelled columns"

# eco-random forwards and migrates: forwarded shares cross ranks as checked
# transfers, the edge's shares are classified by the services, and every
# migration the model counts after slot 0 moves a twin (at slot 0 a service
# is created where the model puts it)
for P in 1 2; do
    $MPIRUN -np $P "$DTFL" run "$CFG" mode=real sched.policy=eco-random out="$TMP/x$P" \
        >"$TMP/x$P.log" 2>&1 || { bad "eco-random real run on $P rank(s)"; tail -3 "$TMP/x$P.log"; }
done
same_model_columns "$TMP/x1/slots.csv" "$TMP/x2/slots.csv" "eco-random slots.csv: 1 rank = 2 ranks"
[ "$(column_sum "$TMP/x2/slots.csv" wire_transfer_bytes)" -gt 0 ] \
    && [ "$(column_sum "$TMP/x2/slots.csv" predicted_forwards)" -gt 0 ] \
    && ok "forwarded shares crossed ranks ($(column_sum "$TMP/x2/slots.csv" wire_transfer_bytes) bytes)" \
    || bad "forwards"
[ "$(column_sum "$TMP/x2/slots.csv" infer_samples)" -gt 0 ] \
    && awk -v m="$(column_sum "$TMP/x2/slots.csv" predicted_compute)" 'BEGIN { exit !(m > 0) }' \
    && ok "the services classified $(column_sum "$TMP/x2/slots.csv" infer_samples) images (modelled compute $(column_sum "$TMP/x2/slots.csv" predicted_compute) s, measured $(column_sum "$TMP/x2/slots.csv" infer_s) s)" \
    || bad "no inference"
for P in 1 2; do
    [ "$(column_sum "$TMP/x$P/slots.csv" hits_served)" -gt 0 ] \
        && [ "$(column_sum "$TMP/x$P/slots.csv" hits_served)" = "$(column_sum "$TMP/x$P/slots.csv" predicted_hits)" ] \
        && [ "$(column_sum "$TMP/x$P/slots.csv" hit_bytes)" -gt 0 ] \
        && ok "$P rank(s): every modelled hit served from kept outcome bytes ($(column_sum "$TMP/x$P/slots.csv" hits_served), $(column_sum "$TMP/x$P/slots.csv" hit_bytes) bytes)" \
        || bad "$P rank(s): hits vs the model's"
done
[ "$(column_sum "$TMP/x2/slots.csv" forwarded_images)" -gt 0 ] \
    && ok "forwarded shares arrived as $(column_sum "$TMP/x2/slots.csv" forwarded_images) images and were classified (accuracy equal on 1 and 2 ranks above)" \
    || bad "forwarded images"
[ "$(column_sum "$TMP/x2/slots.csv" wire_outcome_bytes)" -gt 0 ] \
    && [ "$(column_sum "$TMP/x2/slots.csv" outcomes_kept)" -gt 0 ] \
    && ok "outcomes crossed ranks to their caches ($(column_sum "$TMP/x2/slots.csv" wire_outcome_bytes) bytes)" \
    || bad "outcomes"
awk -v m="$(column_sum "$TMP/x2/slots.csv" measured_compute)" -v e="$(column_sum "$TMP/x2/slots.csv" measured_energy)" \
    -v p="$(column_sum "$TMP/x2/slots.csv" predicted_energy)" 'BEGIN { exit !(m > 0 && e > 0 && e < p) }' \
    && ok "energy at the measured busy time ($(column_sum "$TMP/x2/slots.csv" measured_energy) J) below the modelled ($(column_sum "$TMP/x2/slots.csv" predicted_energy) J)" \
    || bad "measured energy"
after0() { awk -F, -v name="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next }
                                 $1 > 0 { s += $c } END { print s + 0 }' "$1"; }
[ "$(after0 "$TMP/x2/slots.csv" migrations)" = "$(after0 "$TMP/x2/slots.csv" predicted_migrations)" ] \
    && ok "every modelled migration after slot 0 moved a twin" || bad "migrations after slot 0"

killed_inside_frame ecoedgetwin "$CFG" "$TMP/r2" "$TMP/cut" mode=real
killed_inside_frame "ecoedgetwin eco-random (hits after the resume)" "$CFG" "$TMP/x2" \
    "$TMP/cutx" mode=real sched.policy=eco-random

echo "ecoedgetwin: $fails failed"
[ "$fails" -eq 0 ]
