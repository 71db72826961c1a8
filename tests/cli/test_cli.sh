#!/usr/bin/env bash
# test_cli.sh DTFL SRC - the dtfl command end to end, as a user meets it:
# help and usage errors, every bad config of tests/configs/bad exits 78 at
# the position its first line expects with nothing on stdout, every preset
# in configs/ validates, `central` writes whole results, and bad data or an
# unwritable results folder end with their <sysexits.h> status and a message
# naming the file.
set -u
DTFL=$1
SRC=$2
DATA=/usr/share/datasets/fashion-mnist
TMP_PREFIX=dtfl-cli
. "$(dirname "$0")/lib.sh"

# ---- help and usage ----
expect_status 0 "dtfl --help" "$DTFL" --help
grep -q "validate" "$TMP/out" && ok "help lists commands" || bad "help lists commands"
for cmd in validate central bench; do
    expect_status 0 "dtfl $cmd --help" "$DTFL" "$cmd" --help
done
expect_status 64 "no command" "$DTFL"
expect_status 64 "unknown command" "$DTFL" valdate x.yaml
expect_err "did you mean 'validate'?" "unknown command suggests"
expect_status 64 "validate without CONFIG" "$DTFL" validate
expect_status 64 "unknown option" "$DTFL" validate --frobnicate x.yaml
expect_status 66 "missing config file" "$DTFL" validate "$TMP/nope.yaml"
expect_err "nope.yaml: cannot open" "missing config is named"
expect_status 64 "bench without WHAT" "$DTFL" bench

# ---- the catalogue of bad configs ----
for f in "$SRC"/tests/configs/bad/*.yaml; do
    name=$(basename "$f")
    exp=$(head -1 "$f" | sed 's/^# expect: //')
    pos=${exp%%: *}
    txt=${exp#*: }
    "$DTFL" validate "$f" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    first=$(head -1 "$TMP/err")
    if [ $rc -ne 78 ]; then bad "bad/$name: exit $rc, want 78"
    elif [ -s "$TMP/out" ]; then bad "bad/$name: wrote to stdout"
    else
        case "$first" in
        "$f:$pos: "*"$txt"*) ok "bad/$name -> $pos" ;;
        *) bad "bad/$name: got '$first', want '$pos: ...$txt'" ;;
        esac
    fi
done
# a config over the 1 MiB limit (generated: too big to keep in git)
{ echo "model: {kind: 2nn}"; head -c 1100000 /dev/zero | tr '\0' '#'; } >"$TMP/big.yaml"
expect_status 78 "config over 1 MiB" "$DTFL" validate "$TMP/big.yaml"
expect_err "larger than the limit" "config over 1 MiB is named"

# ---- presets and overrides ----
for f in "$SRC"/configs/*.yaml; do
    expect_status 0 "preset $(basename "$f") validates" "$DTFL" validate "$f"
done
expect_status 0 "override applies" "$DTFL" validate "$SRC/configs/quick.yaml" fl.lr=0.25
grep -q "lr: 0.25" "$TMP/out" && ok "override shows in the dump" || bad "override shows in the dump"
expect_status 78 "bad override" "$DTFL" validate "$SRC/configs/quick.yaml" fl.lr=0.1x
expect_err "argv[3]:1:7: fl.lr: expected a number, got '0.1x'" "bad override position"

# docs/config.md carries the schema table: it must match the binary
"$DTFL" validate --keys >"$TMP/keys.md"
if grep -qxF -f "$TMP/keys.md" "$SRC/docs/config.md" && \
   [ "$(grep -cFx -f "$TMP/keys.md" "$SRC/docs/config.md")" -eq "$(wc -l <"$TMP/keys.md")" ]; then
    ok "docs/config.md lists every key as the binary does"
else
    bad "docs/config.md is out of date: regenerate its table with 'dtfl validate --keys'"
fi

# ---- central on a small real slice ----
if [ -r "$DATA/train-images-idx3-ubyte.gz" ]; then
    out="$TMP/central"
    expect_status 0 "central on 3000 samples" "$DTFL" central "$SRC/configs/quick.yaml" \
        out="$out" data.train_limit=3000 data.test_limit=1000 central.epochs=2 model.kind=softmax fl.lr=0.1
    for f in config.yaml epochs.csv summary.json model.bin; do
        [ -s "$out/$f" ] && ok "central wrote $f" || bad "central wrote $f"
    done
    [ "$(wc -l <"$out/epochs.csv")" -eq 3 ] && ok "epochs.csv has header + 2 rows" || bad "epochs.csv rows"
    ls "$out" | grep -q '\.tmp\.' && bad "temporary files left" || ok "no temporary files left"
    acc=$(sed -n 's/.*"test_accuracy":[[:space:]]*\([0-9.]*\).*/\1/p' "$out/summary.json")
    awk -v a="$acc" 'BEGIN{exit !(a > 0.6)}' && ok "softmax learns (test accuracy $acc > 0.6)" \
        || bad "softmax learns (test accuracy '$acc')"
    "$DTFL" validate "$out/config.yaml" >/dev/null 2>&1 && ok "resolved config re-validates" \
        || bad "resolved config re-validates"

    # bad data: missing folder (66), truncated and mismatched files (65)
    expect_status 66 "missing dataset" "$DTFL" central "$SRC/configs/quick.yaml" out="$TMP/x" data.dir="$TMP/none"
    expect_err "$TMP/none/train-images-idx3-ubyte.gz: cannot open" "missing dataset file named"
    mkdir -p "$TMP/data"
    cp "$DATA"/*.gz "$TMP/data/"
    head -c 1000000 "$DATA/train-images-idx3-ubyte.gz" >"$TMP/data/train-images-idx3-ubyte.gz"
    expect_status 65 "truncated gzip dataset" "$DTFL" central "$SRC/configs/quick.yaml" out="$TMP/x" data.dir="$TMP/data"
    expect_err "train-images-idx3-ubyte.gz" "truncated dataset file named"
    cp "$DATA/train-images-idx3-ubyte.gz" "$TMP/data/"
    cp "$DATA/t10k-labels-idx1-ubyte.gz" "$TMP/data/train-labels-idx1-ubyte.gz"
    expect_status 65 "images and labels disagree" "$DTFL" central "$SRC/configs/quick.yaml" out="$TMP/x" data.dir="$TMP/data"
    expect_err "60000 images but" "count mismatch explained"
    # an unwritable results folder is found before any training
    expect_status 73 "unwritable results folder" "$DTFL" central "$SRC/configs/quick.yaml" out=/proc/dtfl-cannot
    expect_err "cannot create" "unwritable folder explained"
    # a results folder that is a file (/dev/full): refused before any work
    expect_status 73 "results folder /dev/full" "$DTFL" central "$SRC/configs/quick.yaml" out=/dev/full
    expect_err "/dev/full: not a directory" "results folder /dev/full explained"
    # a stale summary.json of an earlier run goes before the new run starts
    mkdir -p "$TMP/stale" && echo '{"old": 1}' >"$TMP/stale/summary.json"
    "$DTFL" central "$SRC/configs/quick.yaml" out="$TMP/stale" data.dir="$TMP/nowhere" >/dev/null 2>&1
    [ ! -f "$TMP/stale/summary.json" ] && ok "an earlier run's summary.json is removed at the start" \
        || bad "a stale summary.json survived a new run's start"
else
    bad "Fashion-MNIST not installed at $DATA (make deps installs dataset-fashion-mnist)"
fi

# standard output on a full disk: an error, not a silent success
"$DTFL" validate "$SRC/configs/quick.yaml" >/dev/full 2>"$TMP/err"
rc=$?
[ $rc -eq 74 ] && ok "stdout on /dev/full: exit 74" || bad "stdout on /dev/full: exit $rc"
expect_err "standard output: No space left on device" "stdout on /dev/full explained"

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
