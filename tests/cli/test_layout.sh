#!/usr/bin/env bash
# test_layout.sh SRC - the module boundaries of DESIGN.md, checked on the
# sources: only net/mpi.c includes <mpi.h>; the algorithm library (sched/)
# names no scenario and includes nothing of scen/, net/ or app/; scenarios
# (scen/) include neither net/ nor app/; fl/ and twin/ know no scheduler,
# scenario or MPI.
set -u
SRC=$1
TMP_PREFIX=dtfl-layout
. "$(dirname "$0")/lib.sh"
cd "$SRC" || exit 1
# none PATTERN DESC FILES...: no line of FILES matches PATTERN
none() {
    local pat=$1 desc=$2
    shift 2
    local hits
    hits=$(grep -nE "$pat" "$@" 2>/dev/null | head -5)
    if [ -z "$hits" ]; then ok "$desc"; else bad "$desc:"; echo "$hits" | sed 's/^/     /'; fi
}
mpi=$(find base fl twin sched scen net app tests -name '*.[ch]' -print0 |
      xargs -0 grep -lE '#include *<mpi\.h>' | grep -v '^net/mpi\.c$')
[ -z "$mpi" ] && ok "only net/mpi.c includes <mpi.h>" || bad "<mpi.h> included by: $mpi"
none '#include *"\.\./(scen|net|app)/' "sched/ includes nothing of scen/, net/, app/" sched/*.[ch]
none '\b(scen_[a-z]|diten_|toy_)|"(diten|toy)"' "sched/ names no scenario or its functions" \
    sched/*.[ch]
none '#include *"\.\./(net|app)/' "scen/ includes nothing of net/, app/" scen/*.[ch]
none '\bMPI_' "scen/ calls no MPI" scen/*.[ch]
none '#include *"\.\./(sched|scen|net|app)/' "fl/ and twin/ know no scheduler, scenario or MPI" \
    fl/*.[ch] twin/*.[ch]
echo "layout: $fails failed"
[ "$fails" -eq 0 ]
