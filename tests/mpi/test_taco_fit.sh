#!/usr/bin/env bash
# test_taco_fit.sh DTFL SRC - `dtfl taco-fit` on configs/taco-ci.yaml (real
# softmax twins on Fashion-MNIST, D and S at a fifth): the points and the fit
# are the same on 1 and 2 ranks (only the seconds differ), a twin with all
# its data beats one with none for every seed, the fit file is accepted as
# taco.acc.fit and changes the curve a run uses, and a fit file out of range
# is refused with a message and EX_DATAERR.
set -u
DTFL=$1 SRC=$2
. "$SRC/tests/mpi/lib.sh"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dtfl-taco-fit-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
CFG="$SRC/configs/taco-ci.yaml"
FIT="taco.fit.scale=0.2 taco.fit.x_points=3 taco.fit.y_points=2 taco.fit.seeds=2"

for P in 1 2; do
    $MPIRUN -np $P "$DTFL" taco-fit "$CFG" $FIT out="$TMP/p$P" >"$TMP/log$P" 2>&1 \
        && ok "taco-fit on $P rank(s)" || { bad "taco-fit on $P rank(s)"; tail -5 "$TMP/log$P"; }
done
for f in config.yaml points.csv fit.json summary.json; do
    [ -s "$TMP/p2/$f" ] && ok "wrote $f" || bad "wrote $f"
done
if cmp -s <(cut -d, -f1-7 "$TMP/p1/points.csv") <(cut -d, -f1-7 "$TMP/p2/points.csv"); then
    ok "points on 2 ranks == on 1 rank"; else bad "points on 2 ranks differ"; fi
cmp -s "$TMP/p1/fit.json" "$TMP/p2/fit.json" && ok "fit on 2 ranks == on 1 rank" \
    || bad "fit on 2 ranks differs"
[ "$(wc -l <"$TMP/p1/points.csv")" -eq 13 ] && ok "12 points (3 x by 2 y by 2 seeds)" \
    || bad "point count"
# x = y = 0 is the initial model; x = y = 1 all the data (s = 1)
awk -F, 'NR > 1 && $1 == 0 && $2 == 0 { lo[$3] = $7 } NR > 1 && $1 == 1 && $2 == 1 { hi[$3] = $7; s[$3] = $6 }
         END { for (k in lo) if (!(hi[k] > lo[k] + 0.3) || s[k] != 1) { print k ": " lo[k] " -> " hi[k]; bad = 1 }
               exit bad }' "$TMP/p1/points.csv" \
    && ok "all the data beats none by 0.3 for every seed, at s = 1" || bad "accuracy does not rise with the data"
grep -q '"acc":' "$TMP/p1/fit.json" && grep -q '"kappa2"' "$TMP/p1/fit.json" \
    && grep -q '"paper"' "$TMP/p1/fit.json" && ok "fit.json: acc, kappa2, paper" || bad "fit.json fields"

# the fit drives a run: its curve is in the run's accuracies
"$DTFL" run "$CFG" mode=analytic taco.acc.fit="$TMP/p1/fit.json" out="$TMP/fit-run" >/dev/null 2>&1 \
    && ok "a run on taco.acc.fit" || bad "a run on taco.acc.fit"
"$DTFL" run "$CFG" mode=analytic out="$TMP/paper-run" >/dev/null 2>&1
cmp -s "$TMP/fit-run/twins.csv" "$TMP/paper-run/twins.csv" \
    && bad "the fitted curve changed nothing" || ok "the fitted curve changes the run"
# refused_fit JSON NEEDLE DESC: validate refuses the file with EX_DATAERR
refused_fit() {
    printf '%s\n' "$1" >"$TMP/bad.json"
    "$DTFL" validate "$CFG" taco.acc.fit="$TMP/bad.json" >/dev/null 2>"$TMP/err"
    local got=$?
    [ $got -eq 65 ] && grep -qF -- "$2" "$TMP/err" && ok "$3" \
        || { bad "$3: exit $got"; head -3 "$TMP/err"; }
}
refused_fit '{"acc": [0.1, 0.7, 0.5]}' "kappa = 0.5 must be in [1, 100]" \
    "a kappa below 1 is refused (EX_DATAERR, naming kappa)"
refused_fit '{"acc": [0.1, 0.7]}' '"acc" must be an array of 3 numbers' \
    "two numbers are refused"
refused_fit '{"acc": [0.1, 0.7, 2' "not JSON" "a cut file is refused"

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
