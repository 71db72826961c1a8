#!/usr/bin/env bash
# test_tmo.sh DTFL SRC - the TMO commands end to end on configs/tmo-ci.yaml:
# every policy's analytic run with whole results and the same rows twice;
# `dtfl predict-train` writes a predictor file, its RMSE table and summary,
# and `dtfl run` takes the file (tmo.predictor: gru); a missing, damaged
# or truncated predictor file, a gru without one, and a SUMO trace that is
# not well-formed each end with their status and a message naming the
# file; a run along the SUMO trace of tests/data/fcd.
set -u
DTFL=$1
SRC=$2
TMP_PREFIX=dtfl-tmo
. "$(dirname "$0")/lib.sh"

CFG="$SRC/configs/tmo-ci.yaml"

# ---- every policy ----
for p in tmo so fto nearest tmo-oracle tmo-cv tmo-last; do
    expect_status 0 "analytic run of $p" "$DTFL" run "$CFG" sched.policy=$p out="$TMP/$p"
done
[ "$(lines "$TMP/tmo/slots.csv")" -eq 61 ] && ok "slots.csv: header + 60 slots" || bad "slots.csv rows"
[ "$(lines "$TMP/tmo/twins.csv")" -eq 361 ] && ok "twins.csv: header + 60 x 6" || bad "twins.csv rows"
head -1 "$TMP/tmo/slots.csv" | grep -q "tau,upload,latency,energy,energy_decision" \
    && ok "slots.csv has tau, upload, latency, energy" || bad "slots.csv columns"
grep -q '"mean_energy_decision"' "$TMP/tmo/summary.json" && ok "summary: decision energy" \
    || bad "summary"
"$DTFL" run "$CFG" out="$TMP/tmo2" >/dev/null 2>&1
cmp -s "$TMP/tmo/slots.csv" "$TMP/tmo2/slots.csv" && ok "the same rows twice" || bad "determinism"

# ---- the GRU predictor ----
expect_status 0 "predict-train" "$DTFL" predict-train "$CFG" out="$TMP/pred"
for f in predictor.bin train.csv rmse.csv summary.json config.yaml; do
    [ -s "$TMP/pred/$f" ] && ok "predict-train wrote $f" || bad "predict-train wrote $f"
done
[ "$(lines "$TMP/pred/rmse.csv")" -eq 8 ] && ok "rmse.csv: horizons 1..7" || bad "rmse.csv rows"
[ "$(lines "$TMP/pred/train.csv")" -eq 6 ] && ok "train.csv: header + 5 epochs" || bad "train.csv rows"
G=(tmo.predictor=gru tmo.predictor_file="$TMP/pred/predictor.bin")
expect_status 0 "a run on the GRU" "$DTFL" run "$CFG" "${G[@]}" out="$TMP/gru"
grep -q '"predictor":	"gru"\|"predictor": "gru"' "$TMP/gru/summary.json" 2>/dev/null \
    || grep -q gru "$TMP/gru/config.yaml" && ok "the run names its predictor" || bad "predictor named"
expect_status 78 "gru without a predictor file" "$DTFL" run "$CFG" tmo.predictor=gru out="$TMP/x1"
expect_err "tmo.predictor_file" "the missing key named"
expect_status 66 "a predictor file that is not there" "$DTFL" run "$CFG" tmo.predictor=gru \
    tmo.predictor_file="$TMP/none.bin" out="$TMP/x2"
expect_err "none.bin" "the file named"
head -c 300 "$TMP/pred/predictor.bin" >"$TMP/cut.bin"
expect_status 65 "a truncated predictor file" "$DTFL" run "$CFG" tmo.predictor=gru \
    tmo.predictor_file="$TMP/cut.bin" out="$TMP/x3"
expect_err "cut.bin" "the file named"
cp "$TMP/pred/predictor.bin" "$TMP/flip.bin"
printf '\xff' | dd of="$TMP/flip.bin" bs=1 seek=200 conv=notrunc 2>/dev/null
expect_status 65 "a damaged predictor file" "$DTFL" run "$CFG" tmo.predictor=gru \
    tmo.predictor_file="$TMP/flip.bin" out="$TMP/x4"
expect_err "CRC" "the damage named"

# ---- a SUMO trace ----
FCD=(mobility.model=trace mobility.trace_format=fcd world.width=2000 world.height=2000
     world.slots=100)
expect_status 0 "an analytic run along SUMO cars" "$DTFL" run "$CFG" "${FCD[@]}" \
    mobility.trace="$SRC/tests/data/fcd/small.xml" out="$TMP/fcd"
[ "$(lines "$TMP/fcd/slots.csv")" -eq 101 ] && ok "slots.csv: 100 slots" || bad "fcd rows"
sed '45s/<vehicle/<vehicle x="oops"/' "$SRC/tests/data/fcd/small.xml" >"$TMP/bad.xml"
expect_status 65 "a SUMO trace libxml2 refuses" "$DTFL" run "$CFG" "${FCD[@]}" \
    mobility.trace="$TMP/bad.xml" out="$TMP/fcd2"
expect_err "bad.xml:45:" "the file and line named"
expect_status 0 "predict-train on the SUMO cars" "$DTFL" predict-train "$CFG" "${FCD[@]}" \
    mobility.trace="$SRC/tests/data/fcd/small.xml" users.count=2 tmo.gru.slots=100 \
    tmo.gru.window=10 out="$TMP/pred2"

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
