#!/usr/bin/env bash
# central.sh [DTFL] [OUT] - centralised training of the three models on all of
# Fashion-MNIST (the ceilings federated runs are compared against), then a
# table of test accuracy and wall time against the targets of the foundation
# issue: softmax >= 0.82, 2nn >= 0.87, cnn >= 0.90.
# Set SMALL=1 for the CI-sized version (a 3,000-sample slice, one epoch).
set -eu
DTFL=${1:-build/dtfl}
OUT=${2:-results}
cd "$(dirname "$0")/.."
extra=()
if [ "${SMALL:-0}" = 1 ]; then
  extra=(data.train_limit=3000 data.test_limit=1000 central.epochs=1)
fi
mkdir -p "$OUT"
printf '| model | epochs | test accuracy | target | seconds |\n|---|---|---|---|---|\n' >"$OUT/central.md.tmp"
for m in softmax:0.82 2nn:0.87 cnn:0.90; do
  model=${m%%:*} target=${m#*:}
  "$DTFL" central "configs/central-$model.yaml" out="$OUT/central-$model" "${extra[@]}"
  s="$OUT/central-$model/summary.json"
  acc=$(/usr/bin/python3 -c "import json,sys;d=json.load(open('$s'));print('%.4f %d %.0f'%(d['test_accuracy'],d['epochs'],d['seconds']))")
  set -- $acc
  verdict=$(awk -v a="$1" -v t="$target" 'BEGIN{print (a>=t)?"met":"MISSED"}')
  printf '| %s | %s | %s | >= %s (%s) | %s |\n' "$model" "$2" "$1" "$target" "$verdict" "$3" >>"$OUT/central.md.tmp"
done
mv "$OUT/central.md.tmp" "$OUT/central.md"
cat "$OUT/central.md"
