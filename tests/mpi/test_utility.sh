#!/usr/bin/env bash
# test_utility.sh DTFL SRC - `dtfl utility-fit` on the CI grid
# (configs/utility-ci.yaml, real 2NN training on Fashion-MNIST): the points
# and the fit are the same on 1, 2 and 3 ranks (only the seconds differ),
# every user's label mix is at the requested EMD, accuracy at the largest n
# is above accuracy at the smallest for every phi, and the fit is usable.
set -u
DTFL=$1 SRC=$2
. "$SRC/tests/mpi/lib.sh"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dtfl-utility-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
CFG="$SRC/configs/utility-ci.yaml"

for P in 1 2 3; do
    $MPIRUN -np $P "$DTFL" utility-fit "$CFG" out="$TMP/p$P" >"$TMP/log$P" 2>&1 \
        && ok "utility-fit on $P rank(s)" || { bad "utility-fit on $P rank(s)"; tail -5 "$TMP/log$P"; }
done
for f in config.yaml points.csv fit.json summary.json; do
    [ -s "$TMP/p2/$f" ] && ok "wrote $f" || bad "wrote $f"
done
# every column but the seconds, and the fit, bit for bit
for P in 2 3; do
    if cmp -s <(cut -d, -f1-6 "$TMP/p1/points.csv") <(cut -d, -f1-6 "$TMP/p$P/points.csv"); then
        ok "points on $P ranks == on 1 rank"; else bad "points on $P ranks differ"
        diff <(cut -d, -f1-6 "$TMP/p1/points.csv") <(cut -d, -f1-6 "$TMP/p$P/points.csv") | head -4; fi
    cmp -s "$TMP/p1/fit.json" "$TMP/p$P/fit.json" && ok "fit on $P ranks == on 1 rank" \
        || bad "fit on $P ranks differs"
done
[ "$(wc -l <"$TMP/p1/points.csv")" -eq 21 ] && ok "20 points (5 n x 4 phi)" || bad "point count"
awk -F, 'NR > 1 && ($6 - $2 > 1e-3 || $2 - $6 > 1e-3) { bad = 1 } END { exit bad }' \
    "$TMP/p1/points.csv" && ok "every point's EMD is phi to 1e-3" || bad "EMD off target"
# accuracy rises with n: n = 1000 above n = 200 for every phi
awk -F, 'NR > 1 && $1 == 200 { lo[$2] = $4 } NR > 1 && $1 == 1000 { hi[$2] = $4 }
         END { for (p in lo) if (!(hi[p] > lo[p])) { print "phi " p ": " lo[p] " -> " hi[p]; bad = 1 }
               exit bad }' "$TMP/p1/points.csv" && ok "accuracy at n = 1000 above n = 200 for every phi" \
    || bad "accuracy does not rise with n"
grep -q '"r2"' "$TMP/p1/fit.json" && grep -q '"personal"' "$TMP/p1/fit.json" \
    && ok "fit.json has the global and the personal fit" || bad "fit.json fields"
"$DTFL" validate "$SRC/configs/diten-paper.yaml" utility.fit="$TMP/p1/fit.json" >/dev/null 2>&1 \
    && ok "the fit file is accepted as utility.fit" || bad "the fit file is refused"

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
