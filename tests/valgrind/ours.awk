# ours.awk - the errors of a valgrind memcheck log that belong to dtfl.
#
#   awk -v src=/path/to/checkout -f ours.awk LOG...
#
# Valgrind prints each error as a description and a stack (innermost frame
# first); logs made with --fullpath-after= give our frames as full paths
# under `src`. An error is ours when, after skipping frames of the allocator,
# the C library and the libraries dtfl calls directly (cJSON, libyaml, LZ4,
# zlib, GSL, OpenBLAS), the first frame left is in our sources. So a leak of
# a cJSON object we never freed is ours; a leak inside Open MPI, PMIx or
# libevent (frames in their .so files or "???") is not, even when MPI_Init
# was called by us. Prints each of our errors whole; the exit status is 1
# when there is one.
function skip(line) {
    return line ~ /vgpreload|\/libc\.so|\/libm\.so|\/ld-linux/ ||
           line ~ /\(\.\// ||          # glibc's own sources: (./string/...)
           line ~ /libcjson|libyaml|liblz4|libz\.so|libgsl|libopenblas|libblas/
}
function judge() {
    if (block != "" && first != "" && index(first, "(" src "/") > 0) {
        printf "%s\n", block
        found++
    }
    block = ""; first = ""; inframes = 0; done = 0
}
{
    line = $0
    sub(/^==[0-9]+== ?/, "", line)
    if (line == "") { judge(); next }
    if (line ~ /^(HEAP|LEAK|ERROR) SUMMARY|^ +(in use|total heap|definitely|indirectly|possibly|still|suppressed)|^For lists|^Reachable|^To see|^Memcheck|^Copyright|^Using Valgrind|^Command:|^Parent PID|^Thread [0-9]+:?$|^Rerun with/) next
    block = block "\n" line
    if (line ~ /^ +(at|by) 0x/) {
        inframes = 1
        if (!done && !skip(line)) { first = line; done = 1 }
    } else if (inframes) {
        done = 1                     # a second stack (where it was allocated)
    }
}
END { judge(); exit found > 0 }
