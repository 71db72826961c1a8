/*
 * eco_cache.c - each edge server's cache of content outcomes (eq. 5 of 004
 * read as a byte capacity: sum of the held contents' sizes <= Z_i, spec
 * 2), least recently used evicted first. A content's use is a stamp of a
 * clock shared by the servers; the arrays are plain data so a checkpoint
 * can hold them.
 */
#include "eco.h"

#include <stdlib.h>
#include <string.h>

int scen_eco_cache_init(scen_eco_cache *c, int servers, int contents,
                        double capacity, dtfl_err *err)
{
    *c = (scen_eco_cache){servers, contents, capacity, NULL, NULL, 0};
    c->used = calloc((size_t)servers + 1, sizeof(double));
    c->stamp = calloc((size_t)servers * (size_t)contents + 1, sizeof(uint32_t));
    if (c->used == NULL || c->stamp == NULL) {
        scen_eco_cache_free(c);
        return dtfl_err_set(err, DTFL_ENOMEM, "caches: out of memory");
    }
    return 0;
}

void scen_eco_cache_free(scen_eco_cache *c)
{
    free(c->used);
    free(c->stamp);
    c->used = NULL;
    c->stamp = NULL;
}

void scen_eco_cache_clear(scen_eco_cache *c)
{
    memset(c->used, 0, sizeof(double) * (size_t)c->servers);
    memset(c->stamp, 0, sizeof(uint32_t) * (size_t)c->servers * (size_t)c->contents);
    c->clock = 0;
}

int scen_eco_cache_has(const scen_eco_cache *c, int server, int content)
{
    return c->stamp[(size_t)server * c->contents + content] != 0;
}

void scen_eco_cache_touch(scen_eco_cache *c, int server, int content)
{
    uint32_t *s = &c->stamp[(size_t)server * c->contents + content];
    if (*s != 0)
        *s = ++c->clock;
}

void scen_eco_cache_put(scen_eco_cache *c, int server, int content, double size,
                        const double *sizes)
{
    uint32_t *st = c->stamp + (size_t)server * c->contents;
    if (st[content] != 0) {
        st[content] = ++c->clock;
        return;
    }
    if (size > c->capacity)
        return;
    while (c->used[server] + size > c->capacity) { /* evict the LRU */
        int old = -1;
        for (int k = 0; k < c->contents; k++)
            if (st[k] != 0 && (old < 0 || st[k] < st[old]))
                old = k;
        if (old < 0) { /* nothing held: only rounding was left */
            c->used[server] = 0.0;
            break;
        }
        st[old] = 0;
        c->used[server] -= sizes[old];
    }
    st[content] = ++c->clock;
    c->used[server] += size;
}
