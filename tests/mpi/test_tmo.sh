#!/usr/bin/env bash
# test_tmo.sh DTFL SRC - scenario tmo (000) in real mode on
# configs/tmo-ci.yaml: the real driver on 1, 2 and 4 ranks (the same
# decisions and modelled columns, and the same as the analytic run's);
# every migration the AM decides moves a real twin of D_i bits (its 2NN
# weights and blob); status uploads are real bytes to the cloud on rank 0;
# every DT classifies its task's images and nothing trains; a run with the
# GRU predictor killed inside a frame and resumed ends as an uninterrupted
# one (the bandit, the frame and the GRU's states are in the checkpoint).
set -u
DTFL=$1 SRC=$2
. "$SRC/tests/mpi/lib.sh"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dtfl-tmo-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
CFG="$SRC/configs/tmo-ci.yaml"

"$DTFL" run --scenarios | grep -q "^tmo .*000_d85991785682630a.txt" \
    && ok "--scenarios lists tmo with its paper" || bad "--scenarios: tmo"
"$DTFL" run "$CFG" out="$TMP/a" >"$TMP/a.log" 2>&1 && ok "analytic run" \
    || { bad "analytic run"; tail -3 "$TMP/a.log"; }
for P in 1 2 4; do
    $MPIRUN -np $P "$DTFL" run "$CFG" mode=real out="$TMP/r$P" >"$TMP/r$P.log" 2>&1 \
        && ok "real tmo run on $P rank(s)" || { bad "real tmo run on $P rank(s)"; tail -3 "$TMP/r$P.log"; }
done
for P in 2 4; do
    same_model_columns "$TMP/r1/slots.csv" "$TMP/r$P/slots.csv" "tmo slots.csv: 1 rank = $P ranks"
    cmp -s "$TMP/r1/twins.csv" "$TMP/r$P/twins.csv" && ok "tmo twins.csv: 1 rank = $P ranks" \
        || bad "tmo twins.csv: 1 rank = $P ranks"
done
[ "$(columns "$TMP/r2/slots.csv" predicted_latency predicted_energy predicted_energy_decision queue tau upload | tail -n +2)" = \
  "$(columns "$TMP/a/slots.csv" latency energy energy_decision queue tau upload | tail -n +2)" ] \
    && ok "real mode's modelled latency, energy, queue, tau = analytic mode's" || bad "modelled columns"
m=$(column_sum "$TMP/r2/slots.csv" migrations)
[ "$m" -gt 0 ] && [ "$m" = "$(column_sum "$TMP/a/slots.csv" migrations)" ] \
    && ok "every migration the AM decided moved a real twin ($m)" || bad "migrations $m"
awk -v b="$(column_sum "$TMP/r2/slots.csv" moved_bytes)" -v m="$m" \
    'BEGIN { exit !(b / m >= 1.0e6 && b / m <= 1.26e6) }' \
    && ok "a moved twin is 8-10 Mbit (D_i): $(column_sum "$TMP/r2/slots.csv" moved_bytes) bytes in $m moves" \
    || bad "moved bytes per twin"
[ "$(column_sum "$TMP/r2/slots.csv" wire_transfer_bytes)" -gt 0 ] \
    && [ "$(column_sum "$TMP/r1/slots.csv" wire_transfer_bytes)" = 0 ] \
    && ok "status uploads crossed to the cloud's rank on 2 ranks, not on 1" \
    || bad "status uploads"
[ "$(column_sum "$TMP/r2/slots.csv" infer_samples)" -gt 60000 ] \
    && [ "$(column_sum "$TMP/r2/slots.csv" train_samples)" = 0 ] \
    && ok "DTs classified $(column_sum "$TMP/r2/slots.csv" infer_samples) task images, none trained" \
    || bad "tasks or training"

"$DTFL" predict-train "$CFG" out="$TMP/pred" >/dev/null 2>&1 && ok "predict-train" || bad "predict-train"
G=(tmo.predictor=gru tmo.predictor_file="$TMP/pred/predictor.bin")
$MPIRUN -np 2 "$DTFL" run "$CFG" mode=real "${G[@]}" out="$TMP/g" >"$TMP/g.log" 2>&1 \
    && ok "real run on the GRU" || { bad "real run on the GRU"; tail -3 "$TMP/g.log"; }
killed_inside_frame tmo "$CFG" "$TMP/g" "$TMP/cut" mode=real "${G[@]}"

echo "tmo: $fails failed"
[ "$fails" -eq 0 ]
