#!/usr/bin/env bash
# test_taco.sh DTFL SRC - scenario taco (001) end to end on configs/taco-ci.yaml:
# every policy in analytic mode, the budget queues moving, the real driver
# on 1, 2 and 4 ranks (same decisions and modelled columns; twins migrate on
# handovers, get the cloud's knowledge at placements and train on it and
# their upload share), the modelled columns of a
# real run equal to the analytic run's, a run killed mid-frame and
# resumed, which must end as an uninterrupted one, the delay queues fed by
# the modelled or the measured delay (taco.real.delay_source), and local
# tasks on one device model on any rank.
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
    same_model_columns "$TMP/r1/twins.csv" "$TMP/r$P/twins.csv" "taco twins.csv: 1 rank = $P ranks"
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

# taco.real.delay_source: with a budget of 1 s a slot (T_max 3 s, K 3) every
# delay queue follows eq. 21 on the delay the source names: the modelled one,
# or the one with each offloading twin's measured work
# queue_follows FILE COLUMN: queue_delay(t) = max(queue_delay(t-1) + COLUMN(t) - 1, 0)
queue_follows() {
    awk -F, -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        { u = $c["user"]; q = $c["queue_delay"]; w = (u in last ? last[u] : 0) + $c[col] - 1
          w = w < 0 ? 0 : w; if (q - w > 1e-4 * (1 + w) || w - q > 1e-4 * (1 + w)) bad = 1
          last[u] = q; moved += q > 0 }
        END { exit bad || !moved }' "$1"
}
for src in model measured; do
    $MPIRUN -np 2 "$DTFL" run "$CFG" taco.t_max_s=3 taco.real.delay_source=$src \
        out="$TMP/ds-$src" >"$TMP/ds-$src.log" 2>&1 || { bad "delay_source $src run"; tail -3 "$TMP/ds-$src.log"; }
done
queue_follows "$TMP/ds-model/twins.csv" predicted_delay \
    && ok "delay_source model: the queues take the modelled delay" || bad "queues on the modelled delay"
queue_follows "$TMP/ds-measured/twins.csv" measured_delay_s \
    && ok "delay_source measured: the queues take the measured delay" || bad "queues on the measured delay"
queue_follows "$TMP/ds-measured/twins.csv" predicted_delay \
    && bad "delay_source measured: the queues still follow the model" \
    || ok "... and not the modelled one"
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $c["work_s"] > 0 { n++ }
         END { exit !(n == NR - 1) }' "$TMP/ds-measured/twins.csv" \
    && ok "every twin's work was measured every slot" || bad "work_s missing"

# local tasks (z_i = 0) on the device model: trained once, the same on any
# rank, so a PT's measured accuracy is the same every slot and on 1 or 2 ranks
for P in 1 2; do
    $MPIRUN -np $P "$DTFL" run "$CFG" sched.policy=local out="$TMP/loc$P" >/dev/null 2>&1 \
        || bad "local policy on $P rank(s)"
done
same_model_columns "$TMP/loc1/twins.csv" "$TMP/loc2/twins.csv" "device model: 1 rank = 2 ranks"
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
         { u = $c["user"]; a = $c["accuracy"]; if ((u in seen) && seen[u] != a) bad = 1; seen[u] = a }
         END { exit bad }' "$TMP/loc2/twins.csv" \
    && ok "a local task is served by the device model (the same accuracy every slot)" \
    || bad "device model"
$MPIRUN -np 2 "$DTFL" run "$CFG" sched.policy=local taco.real.local_samples=0 out="$TMP/loc0" >/dev/null 2>&1
cmp -s <(columns "$TMP/loc2/twins.csv" accuracy) <(columns "$TMP/loc0/twins.csv" accuracy) \
    && bad "local_samples 0 should score the twin instead" || ok "local_samples 0 scores the twin"

echo "taco: $fails failed"
[ "$fails" -eq 0 ]
