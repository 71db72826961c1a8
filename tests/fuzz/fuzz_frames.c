/*
 * fuzz_frames.c - libFuzzer target: the receive path of a migration
 * (net_frames_open): a header message and chunk messages, raw or LZ4, as
 * they arrive from another rank, split from one input by fuzz_split. Any
 * damage must be an error, never a read outside the messages.
 */
#include "fuzz.h"

#include "../../net/net.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *msg[FUZZ_MAX_MSGS];
    size_t len[FUZZ_MAX_MSGS];
    int n = fuzz_split(data, size, msg, len);
    if (n == 0)
        return 0;
    net_migrate_params p = {0};
    p.compression = NET_COMPRESS_AUTO;
    p.chunk_bytes = 256;
    p.expect = fuzz_expect;
    net_move mv = {3, 1, 2};
    twin_dt *dt = NULL;
    dtfl_err err = {0};
    if (net_frames_open(msg, len, n, &mv, &p, &dt, &err) == 0)
        twin_dt_destroy(dt);
    return 0;
}
