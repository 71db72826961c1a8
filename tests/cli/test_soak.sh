#!/usr/bin/env bash
# test_soak.sh DTFL SRC - memory stays flat over a long analytic run: 20,000
# slots of `dtfl bench soak` (PPO learning online, tables streamed to disk)
# may not grow the resident set by more than 512 KiB after warm-up. Rows
# kept in memory would grow it by about 1.4 MiB over these slots.
set -u
DTFL=$1
TMP_PREFIX=dtfl-soak
. "$2/tests/cli/lib.sh"
expect_status 0 "bench soak --slots 20000" "$DTFL" bench soak --slots 20000 --json
growth=$(sed -n 's/.*"growth_bytes":\s*\(-\?[0-9.e+]*\).*/\1/p' "$TMP/out")
warm=$(sed -n 's/.*"rss_warm_bytes":\s*\([0-9.e+]*\).*/\1/p' "$TMP/out")
[ -n "$growth" ] && [ -n "$warm" ] && awk -v g="$growth" -v w="$warm" 'BEGIN { exit !(w > 1e6 && g < 524288) }' \
    && ok "RSS flat after warm-up: growth $growth bytes over 19,000 slots (warm RSS $warm)" \
    || { bad "RSS grew: '$growth' bytes (warm '$warm')"; cat "$TMP/out"; }
expect_status 64 "fewer than 2000 slots refused" "$DTFL" bench soak --slots 10
echo "$fails failure(s)"
[ "$fails" -eq 0 ]
