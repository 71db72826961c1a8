#!/usr/bin/env bash
# test_faults.sh DTFL SRC - faults of the edge network, simulated, and
# damaged migrations in flight, each with its message, exit status and files.
#   edge: the aggregation rule (no results, too few, just enough), servers
#         that drop out, stragglers and the round deadline, users that miss
#         a slot, the same with 1 and 2 ranks;
#   migration: a twin whose frames are damaged is resent within net.resend
#         and arrives; past it the run stops, naming the twin and servers.
set -u
DTFL=$1 SRC=$2
. "$SRC/tests/mpi/lib.sh"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dtfl-faults-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
CFG="$SRC/configs/quick.yaml"
run() { # run NAME P key=value... : a quick run into $TMP/NAME, log in NAME.log
    local name=$1 np=$2; shift 2
    $MPIRUN -np "$np" "$DTFL" run "$CFG" out="$TMP/$name" run.progress=none "$@" \
        >"$TMP/$name.log" 2>&1
}
# rows_where FILE EXPR: how many data rows of the CSV satisfy an awk
# expression over columns named c["name"]
rows_where() {
    awk -F, "NR == 1 { for (i = 1; i <= NF; i++) c[\$i] = i; next } ($2) { n++ } END { print n + 0 }" "$1"
}

# ---- the aggregation rule: one round per slot, 40% of servers drop out ----
edge="world.slots=10 fl.rounds_per_slot=1 faults.server_dropout=0.4"
for m in 2 3; do
    run "min$m" 2 $edge fl.min_servers=$m && ok "run with fl.min_servers=$m" \
        || { bad "run with fl.min_servers=$m"; tail -3 "$TMP/min$m.log"; }
    f="$TMP/min$m/slots.csv"
    wrong=$(rows_where "$f" "(\$c[\"servers_reported\"] < $m) != (\$c[\"rounds_kept\"] == 1)")
    [ "$wrong" -eq 0 ] && ok "min_servers=$m: a round aggregates exactly when $m or more reported" \
        || bad "min_servers=$m: $wrong rows break the rule"
    few=$(rows_where "$f" "\$c[\"servers_reported\"] == $((m - 1)) && \$c[\"rounds_kept\"] == 1")
    enough=$(rows_where "$f" "\$c[\"servers_reported\"] == $m && \$c[\"rounds_kept\"] == 0")
    [ "$few" -gt 0 ] && [ "$enough" -gt 0 ] \
        && ok "min_servers=$m: too few kept ($few rounds), just enough aggregated ($enough)" \
        || bad "min_servers=$m: too few $few, just enough $enough (the seed no longer shows both)"
    # a kept round leaves the global model as it was: same global accuracy
    moved=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        NR > 2 && $c["rounds_kept"] == 1 && $c["global_accuracy"] != prev { n++ }
        { prev = $c["global_accuracy"] } END { print n + 0 }' "$f")
    [ "$moved" -eq 0 ] && ok "min_servers=$m: kept rounds leave the global model unchanged" \
        || bad "min_servers=$m: $moved kept rounds changed the global model"
    empty=$(rows_where "$f" "(\$c[\"rounds_kept\"] == 1) != (\$c[\"took_part\"] == \"\")")
    [ "$empty" -eq 0 ] && ok "min_servers=$m: took_part lists servers only for aggregated rounds" \
        || bad "min_servers=$m: took_part wrong in $empty rows"
done
took=$(columns "$TMP/min2/slots.csv" servers_reported took_part | awk -F, 'NR > 1 && $2 != "" { if (split($2, a, " ") != $1) n++ } END { print n + 0 }')
[ "$took" -eq 0 ] && ok "took_part names as many servers as reported" || bad "took_part count in $took rows"

# no results at all: every server drops out, the initial model stays
run none 2 world.slots=4 faults.server_dropout=1 && ok "run where every server drops out" \
    || bad "run where every server drops out"
[ "$(columns "$TMP/none/slots.csv" global_accuracy | sed 1d | sort -u | wc -l)" -eq 1 ] \
    && ok "no results: the global model never changes" || bad "no results: the global model changed"
[ "$(column_sum "$TMP/none/slots.csv" rounds_kept)" -eq 8 ] && grep -q '"rounds_kept":\s*8' "$TMP/none/summary.json" \
    && ok "no results: 8 of 8 rounds kept, in slots.csv and summary.json" || bad "no results: rounds_kept"

# a completion fraction: 1.0 means every server with twins must report
run frac 2 $edge fl.min_fraction=1 && ok "run with fl.min_fraction=1" || bad "run with min_fraction"
[ "$(rows_where "$TMP/frac/slots.csv" "(\$c[\"servers_dropped\"] > 0) != (\$c[\"rounds_kept\"] == 1)")" -eq 0 ] \
    && ok "min_fraction=1: a round with any dropout keeps the model, one without aggregates" \
    || bad "min_fraction=1 rule"

# stragglers: waited for without a deadline, dropped past it
strag="world.slots=6 faults.straggler=0.5 faults.straggler_slowdown=4"
run wait 2 $strag && run cut 2 $strag fl.deadline=2 && ok "straggler runs" || bad "straggler runs"
[ "$(column_sum "$TMP/wait/slots.csv" servers_late)" -eq 0 ] \
    && [ "$(rows_where "$TMP/wait/slots.csv" "\$c[\"round_time\"] > 2")" -gt 0 ] \
    && ok "no deadline: stragglers are waited for (rounds of 4 nominal times)" || bad "no deadline"
late=$(column_sum "$TMP/cut/slots.csv" servers_late)
[ "$late" -gt 0 ] && [ "$(rows_where "$TMP/cut/slots.csv" "\$c[\"round_time\"] > 4")" -eq 0 ] \
    && ok "deadline 2: $late late updates dropped, no round over 2 nominal times" || bad "deadline: late $late"

# users that miss a slot: their twins keep their data, twins.csv says so
run miss 2 world.slots=6 faults.user_miss=0.3 && ok "run with users missing slots" || bad "user_miss run"
missed=$(column_sum "$TMP/miss/slots.csv" users_missed)
rows=$(rows_where "$TMP/miss/twins.csv" "\$c[\"synced\"] == 0 && \$c[\"new_samples\"] == 0 && \$c[\"slot\"] > 0")
[ "$missed" -gt 0 ] && [ "$rows" -eq "$missed" ] \
    && ok "users_missed ($missed) = twins.csv rows with synced 0 and no new samples" \
    || bad "users missed: slots.csv $missed, twins.csv $rows"

# every fault at once: the same numbers with 1 and 2 ranks
all="world.slots=5 faults.server_dropout=0.3 faults.straggler=0.3 fl.deadline=2 faults.user_miss=0.3 fl.min_servers=2"
run all1 1 $all && run all2 2 $all && ok "runs with every edge fault on 1 and 2 ranks" || bad "all-faults runs"
same_model_columns "$TMP/all1/slots.csv" "$TMP/all2/slots.csv" "faults: slots.csv on 1 rank = on 2 ranks"
cmp -s "$TMP/all1/twins.csv" "$TMP/all2/twins.csv" && ok "faults: twins.csv on 1 rank = on 2 ranks" \
    || bad "faults: twins.csv differs between rank counts"

# ---- migrations damaged in flight (twin 1 crosses ranks in slot 3) ----
run clean 2 && ok "clean run" || bad "clean run"
for kind in flip truncate version; do
    run "resend_$kind" 2 faults.migration=$kind faults.migration_user=1 faults.migration_attempts=2
    rc=$?
    [ $rc -eq 0 ] && [ "$(column_sum "$TMP/resend_$kind/slots.csv" failed)" -eq 2 ] \
        && cmp -s "$TMP/clean/twins.csv" "$TMP/resend_$kind/twins.csv" \
        && ok "$kind twice, net.resend 2: rejected twice, arrives on the third send, results as a clean run" \
        || { bad "$kind resent (exit $rc)"; tail -3 "$TMP/resend_$kind.log"; }
done
grep -q "send 1: a twin stayed at its source: twin 1 from server 3: checksum mismatch" "$TMP/resend_flip.log" \
    && ok "each rejection is reported with its reason" || bad "rejection message"
run lost 2 faults.migration=flip faults.migration_user=1 faults.migration_attempts=3
rc=$?
[ $rc -eq 76 ] && ok "past net.resend the run stops (exit 76, EX_PROTOCOL)" || bad "past net.resend: exit $rc"
grep -q "slot 3: twin 1 could not move from server 3 to server 2: rejected 3 time(s)" "$TMP/lost.log" \
    && ok "the message names the slot, twin and servers" || { bad "stop message"; grep dtfl "$TMP/lost.log" | tail -2; }
[ "$(grep -c "could not move" "$TMP/lost.log")" -eq 1 ] && ! grep -q "MPI_ABORT" "$TMP/lost.log" \
    && ok "one message, no MPI_Abort: every rank stopped together" || bad "stop was not clean"
[ "$(columns "$TMP/lost/slots.csv" slot | tail -1)" = 2 ] && [ ! -f "$TMP/lost/summary.json" ] \
    && ok "slots.csv ends at slot 2, no summary.json" || bad "files after the stop"
no_temporaries "$TMP/lost" "no temporary files left behind"
run one 2 faults.migration=flip faults.migration_user=1 faults.migration_attempts=1 net.resend=0
[ $? -eq 76 ] && ok "net.resend=0: the first rejection stops the run" || bad "net.resend=0"

# ---- a results folder that fills up (a small tmpfs in a private mount
# namespace; needs user namespaces, which Debian 12 allows) ----
if unshare -rm true 2>/dev/null; then
    full() { # full SIZE NAME key=value...: a run whose results are on a SIZE tmpfs
        local size=$1 name=$2; shift 2
        mkdir -p "$TMP/$name"
        unshare -rm bash -c "mount -t tmpfs -o size=$size tmpfs '$TMP/$name' &&
            $MPIRUN -np 2 '$DTFL' run '$CFG' out='$TMP/$name/r' run.progress=none $* \
                >'$TMP/$name.log' 2>&1; echo \$? >'$TMP/$name.rc';
            find '$TMP/$name' -type f | sort >'$TMP/$name.files';
            cp '$TMP/$name/r/slots.csv' '$TMP/$name.slots' 2>/dev/null; true"
        cat "$TMP/$name.rc"
    }
    rc=$(full 4k start)
    [ "$rc" = 74 ] && grep -q "cannot take 1 MiB: .*No space left on device" "$TMP/start.log" \
        && ok "a full disk at the start: exit 74 before any work, the file named" \
        || { bad "full disk at the start: exit $rc"; grep dtfl "$TMP/start.log" | tail -2; }
    ! grep -q "slots from slot" "$TMP/start.log" && [ ! -s "$TMP/start.files" ] \
        && ok "... no data loaded, no file written" || { bad "full at start: files"; cat "$TMP/start.files"; }
    rc=$(full 2m mid run.checkpoint_every=1)
    [ "$rc" = 74 ] && grep -q "rank-[01].bin: write failed: No space left on device" "$TMP/mid.log" \
        && ok "a disk that fills with the first checkpoint: exit 74, the file named" \
        || { bad "disk filling mid-run: exit $rc"; grep dtfl "$TMP/mid.log" | tail -3; }
    ! grep -q "MPI_ABORT" "$TMP/mid.log" && ok "... every rank stopped together" || bad "mid-run full disk aborted"
    ! grep -q "summary.json\|\.tmp\.\|COMPLETE" "$TMP/mid.files" && [ "$(wc -l <"$TMP/mid.slots")" -eq 2 ] \
        && ok "... slots.csv whole up to slot 0; no summary.json, COMPLETE or temporary file" \
        || { bad "full mid-run: files"; cat "$TMP/mid.files"; }
else
    echo "SKIP full-disk tests: this machine allows no user namespaces (unshare -rm)"
fi
echo "$fails failure(s)"
[ "$fails" -eq 0 ]
