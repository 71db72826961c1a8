# lib.sh - shared by the MPI tests: mpirun settings for root and for more
# ranks than cores, a hang limit, and CSV comparison without the columns that
# measure the execution (seconds *_s, a scenario's measured_*, and wire_*
# which depend on how servers fall onto ranks and on timing-driven
# compression choices).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OPENBLAS_NUM_THREADS=1
# keep Open MPI from probing networks a sandbox does not have
export OMPI_MCA_btl=self,vader OMPI_MCA_pml=ob1
MPIRUN="mpirun --timeout ${MPI_TIMEOUT:-120}"
fails=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fails=$((fails + 1)); }

# model_columns FILE: the CSV without *_s, measured_* and wire_* columns
model_columns() {
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++)
                           keep[i] = ($i !~ /_s$/ && $i !~ /^wire_/ && $i !~ /^measured_/) }
             { out = ""; for (i = 1; i <= NF; i++) if (keep[i]) out = out (out == "" ? "" : ",") $i; print out }' "$1"
}

# same_model_columns A B DESC
same_model_columns() {
    if cmp -s <(model_columns "$1") <(model_columns "$2"); then ok "$3"; else
        bad "$3"; diff <(model_columns "$1") <(model_columns "$2") | head -5; fi
}

# column_sum FILE NAME
column_sum() {
    awk -F, -v name="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next }
                         { s += $c } END { print s + 0 }' "$1"
}

# columns FILE NAME... : those columns of a CSV, by name
columns() {
    local f=$1; shift
    awk -F, -v names="$*" 'NR == 1 { n = split(names, want, " ");
        for (j = 1; j <= n; j++) for (i = 1; i <= NF; i++) if ($i == want[j]) c[j] = i }
        { out = ""; for (j = 1; j <= n; j++) out = out (j > 1 ? "," : "") $(c[j]); print out }' "$f"
}

# no_temporaries DIR DESC: no file under DIR has the temporary-name marker
no_temporaries() {
    if find "$1" -name '*.tmp.*' | grep -q .; then bad "$2"; find "$1" -name '*.tmp.*' | head -3
    else ok "$2"; fi
}

# killed_inside_frame NAME CFG UNCUT DIR [KEY=VALUE...]: a 2-rank run of CFG
# checkpointing every 2 slots, killed after slot 4 (inside a frame of 3),
# is resumed from DIR and must end as the uninterrupted run UNCUT
killed_inside_frame() {
    local name=$1 cfg=$2 uncut=$3 dir=$4
    shift 4
    $MPIRUN -np 2 "$DTFL" run "$cfg" run.checkpoint_every=2 "$@" out="$dir" \
        faults.kill_after_slot=4 faults.kill_rank=1 >/dev/null 2>&1
    [ -f "$dir/ckpt/slot-3/COMPLETE" ] && ok "$name: checkpoint after slot 3 (inside frame 1)" \
        || bad "$name: no checkpoint of slot 3"
    $MPIRUN -np 2 "$DTFL" run --resume "$dir" >"$dir.resume.log" 2>&1 \
        && ok "$name: resume" || { bad "$name: resume"; tail -3 "$dir.resume.log"; }
    same_model_columns "$uncut/slots.csv" "$dir/slots.csv" "resumed $name slots.csv = uninterrupted"
    same_model_columns "$uncut/twins.csv" "$dir/twins.csv" "resumed $name twins.csv = uninterrupted"
}
