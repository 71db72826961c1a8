/*
 * run_cache.c - the outcome bytes the edge servers of one rank keep in
 * real mode (run_task.c): entries keyed by (server, key) holding the
 * outcome's bytes and their XXH3-64, checked again when a hit reads them;
 * cut to the scenario's modelled caches after every slot; encoded into this
 * rank's checkpoint and decoded with every field checked (fuzz_task).
 *
 * A rank holds a few hundred entries at most (servers x contents), so a
 * flat array searched in order is enough.
 *
 * Encoded: u32 count, then per entry u32 server, u32 key, u32 length, u64
 * XXH3-64, the bytes; entries in the order kept.
 */
#include "run.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define CACHE_MAX_BYTES (1u << 24) /* one outcome: labels of a task */

typedef struct cache_entry {
    int server, key;
    uint32_t len;
    uint64_t digest;
    uint8_t *bytes;
} cache_entry;

struct run_cache {
    cache_entry *e;
    int n, cap;
};

int run_cache_create(run_cache **out)
{
    *out = calloc(1, sizeof **out);
    return *out == NULL ? DTFL_ENOMEM : 0;
}

void run_cache_clear(run_cache *c)
{
    for (int i = 0; i < c->n; i++)
        free(c->e[i].bytes);
    c->n = 0;
}

void run_cache_destroy(run_cache *c)
{
    if (c == NULL)
        return;
    run_cache_clear(c);
    free(c->e);
    free(c);
}

int run_cache_count(const run_cache *c) { return c->n; }

static int cache__find(const run_cache *c, int server, int key)
{
    for (int i = 0; i < c->n; i++)
        if (c->e[i].server == server && c->e[i].key == key)
            return i;
    return -1;
}

int run_cache_put(run_cache *c, int server, int key, const uint8_t *bytes, uint32_t len,
                  dtfl_err *err)
{
    uint8_t *copy = malloc((size_t)len + 1);
    int at = cache__find(c, server, key);
    if (copy == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "cache: out of memory");
    if (at < 0 && c->n == c->cap) {
        int cap = c->cap ? 2 * c->cap : 16;
        cache_entry *e = realloc(c->e, sizeof *e * (size_t)cap);
        if (e == NULL) {
            free(copy);
            return dtfl_err_set(err, DTFL_ENOMEM, "cache: out of memory");
        }
        c->e = e, c->cap = cap;
    }
    if (at < 0)
        at = c->n++;
    else
        free(c->e[at].bytes);
    memcpy(copy, bytes, len);
    c->e[at] = (cache_entry){server, key, len, XXH3_64bits(copy, len), copy};
    return 0;
}

int run_cache_get(const run_cache *c, int server, int key, size_t *len, dtfl_err *err)
{
    int at = cache__find(c, server, key);
    if (at < 0)
        return dtfl_err_set(err, DTFL_EPROTOCOL, "server %d keeps no outcome of content "
                            "%d, which the model serves from its cache", server, key);
    const cache_entry *e = &c->e[at];
    if (XXH3_64bits(e->bytes, e->len) != e->digest)
        return dtfl_err_set(err, DTFL_ECORRUPT, "server %d's outcome of content %d: "
                            "its bytes changed since they were kept", server, key);
    *len = e->len;
    return 0;
}

/* Is (server, key) among the n pairs? */
static int cache__listed(const int *pairs, int n, int server, int key)
{
    for (int i = 0; i < n; i++)
        if (pairs[2 * i] == server && pairs[2 * i + 1] == key)
            return 1;
    return 0;
}

int run_cache_cut(run_cache *c, const int *pairs, int n, int P, int rank, dtfl_err *err)
{
    int kept = 0;
    for (int i = 0; i < c->n; i++) {
        if (cache__listed(pairs, n, c->e[i].server, c->e[i].key))
            c->e[kept++] = c->e[i];
        else
            free(c->e[i].bytes);
    }
    c->n = kept;
    for (int i = 0; i < n; i++)
        if (net_server_rank(pairs[2 * i], P) == rank &&
            cache__find(c, pairs[2 * i], pairs[2 * i + 1]) < 0)
            return dtfl_err_set(err, DTFL_EPROTOCOL, "the model caches content %d at "
                                "server %d, whose rank %d keeps no outcome of it",
                                pairs[2 * i + 1], pairs[2 * i], rank);
    return 0;
}

/* ---- checkpoints ---- */

size_t run_cache_encoded_size(const run_cache *c)
{
    size_t n = 4;
    for (int i = 0; i < c->n; i++)
        n += 20 + c->e[i].len;
    return n;
}

void run_cache_encode(const run_cache *c, uint8_t *p)
{
    dtfl_put_u32(p, (uint32_t)c->n);
    p += 4;
    for (int i = 0; i < c->n; i++) {
        const cache_entry *e = &c->e[i];
        dtfl_put_u32(p, (uint32_t)e->server);
        dtfl_put_u32(p + 4, (uint32_t)e->key);
        dtfl_put_u32(p + 8, e->len);
        dtfl_put_u64(p + 12, e->digest);
        memcpy(p + 20, e->bytes, e->len);
        p += 20 + e->len;
    }
}

int run_cache_decode(run_cache *c, const uint8_t *p, size_t len, int servers, int P,
                     int rank, const char *path, dtfl_err *err)
{
    size_t at = 4;
    const uint32_t n = len >= 4 ? dtfl_get_u32(p) : 0;
    if (len < 4 || n > len / 20)
        return dtfl_err_set(err, DTFL_EDATA, "%s: caches: truncated", path);
    for (uint32_t i = 0; i < n; i++) {
        if (len - at < 20)
            return dtfl_err_set(err, DTFL_EDATA, "%s: cache entry %u: truncated", path, i);
        const uint32_t server = dtfl_get_u32(p + at), key = dtfl_get_u32(p + at + 4);
        const uint32_t bytes = dtfl_get_u32(p + at + 8);
        const uint64_t digest = dtfl_get_u64(p + at + 12);
        at += 20;
        if (server >= (uint32_t)servers || net_server_rank((int)server, P) != rank ||
            key > INT32_MAX || bytes > CACHE_MAX_BYTES || bytes > len - at ||
            XXH3_64bits(p + at, bytes) != digest || cache__find(c, (int)server, (int)key) >= 0)
            return dtfl_err_set(err, DTFL_EDATA, "%s: cache entry %u (server %u, content "
                                "%u, %u bytes): not this rank's, too long, damaged or "
                                "twice", path, i, server, key, bytes);
        int rc = run_cache_put(c, (int)server, (int)key, p + at, bytes, err);
        if (rc < 0)
            return rc;
        at += bytes;
    }
    if (at != len)
        return dtfl_err_set(err, DTFL_EDATA, "%s: caches: %zu bytes past the last entry",
                            path, len - at);
    return 0;
}
