# lib.sh - shared by the CLI tests: a scratch folder removed on exit, ok/bad
# counters, checks of a command's exit status and of its stderr, and a
# file's line count.
# The sourcing script sets TMP_PREFIX first (the scratch folder's name).
TMP=$(mktemp -d "${TMPDIR:-/tmp}/${TMP_PREFIX:-dtfl-cli}-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
fails=0

ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fails=$((fails + 1)); }

# expect_status WANT DESC CMD... : runs CMD, keeps stdout/stderr in $TMP
expect_status() {
    local want=$1 desc=$2
    shift 2
    "$@" >"$TMP/out" 2>"$TMP/err"
    local got=$?
    if [ "$got" -eq "$want" ]; then ok "$desc"; else
        bad "$desc: exit $got, want $want"; sed 's/^/     /' "$TMP/err" | head -5; fi
}

expect_err() { # expect_err NEEDLE DESC
    if grep -qF -- "$1" "$TMP/err"; then ok "$2"; else
        bad "$2: stderr lacks '$1'"; sed 's/^/     /' "$TMP/err" | head -5; fi
}

lines() { wc -l <"$1" | tr -d ' '; } # lines FILE
