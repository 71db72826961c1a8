/*
 * dt.c - the user digital twin DT_u^t = {w_u, D_twin, D_dat} (eq. 1 of
 * 003): personalised weights, the base twin blob, and the samples of this
 * slot and the last. Synchronisation shifts cur to prev; the training set
 * of eq. 3 is cur plus a share gamma of prev with prev's label mix. A
 * scenario that synchronises status (002) writes the last one applied.
 */
#include "twin.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void dt__buf_free(twin_buf *b)
{
    free(b->x);
    free(b->y);
    memset(b, 0, sizeof *b);
}

void twin_dt_destroy(twin_dt *dt)
{
    if (dt == NULL)
        return;
    free(dt->weights);
    free(dt->blob);
    dt__buf_free(&dt->cur);
    dt__buf_free(&dt->prev);
    free(dt);
}

int twin_dt_create(twin_dt **out, uint32_t user, int dim, size_t nweights,
                   double twin_bits, uint64_t seed, dtfl_err *err)
{
    *out = NULL;
    twin_dt *dt = calloc(1, sizeof *dt);
    if (dt == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "twin %u: out of memory", user);
    dt->user = user;
    dt->status.slot = -1;
    dt->dim = dim;
    dt->nweights = nweights;
    dt->blob_len = (size_t)ceil(twin_bits / 8.0);
    dt->weights = calloc(nweights ? nweights : 1, sizeof(float));
    dt->blob = malloc(dt->blob_len ? dt->blob_len : 1);
    if (dt->weights == NULL || dt->blob == NULL) {
        twin_dt_destroy(dt);
        return dtfl_err_set(err, DTFL_ENOMEM, "twin %u: out of memory", user);
    }
    /* the base twin's programs and data: opaque bytes, keyed by user */
    dtfl_rng r;
    dtfl_rng_init(&r, seed, DTFL_STREAM_TWIN, user, 0);
    for (size_t i = 0; i < dt->blob_len; i++)
        dt->blob[i] = (uint8_t)dtfl_rng_u32(&r);
    *out = dt;
    return 0;
}

void twin_dt_set_status(twin_dt *dt, const twin_status *st)
{
    dt->status = *st;
    dt->has_status = 1;
}

int64_t twin_dt_staleness(const twin_dt *dt, int64_t t)
{
    return dt->status.slot >= 0 ? t - dt->status.slot : t + 1;
}

int twin_dt_sync(twin_dt *dt, uint32_t t, int n, const uint8_t *x,
                 const uint8_t *y, dtfl_err *err)
{
    twin_buf nb = {n, malloc((size_t)n * dt->dim + 1), malloc((size_t)n + 1)};
    if (nb.x == NULL || nb.y == NULL) {
        dt__buf_free(&nb);
        return dtfl_err_set(err, DTFL_ENOMEM, "twin %u: out of memory",
                            dt->user);
    }
    memcpy(nb.x, x, (size_t)n * dt->dim);
    memcpy(nb.y, y, (size_t)n);
    dt__buf_free(&dt->prev);
    dt->prev = dt->cur;
    dt->cur = nb;
    dt->slot = t;
    return 0;
}

int twin_dt_training_set(const twin_dt *dt, double gamma, uint64_t seed,
                         int32_t *pick)
{
    int k = 0;
    for (int i = 0; i < dt->cur.n; i++)
        pick[k++] = i;
    const int np = dt->prev.n;
    if (np == 0 || gamma <= 0.0)
        return k;
    /* labels of prev: counts, and how many of each to keep so the total is
     * round(gamma * np) and the mix matches (largest remainder) */
    int count[256] = {0}, keep[256] = {0};
    double rem[256];
    for (int i = 0; i < np; i++)
        count[dt->prev.y[i]]++;
    int want = (int)lround(gamma * np), got = 0;
    for (int c = 0; c < 256; c++) {
        double share = gamma * count[c];
        keep[c] = (int)floor(share);
        rem[c] = count[c] ? share - keep[c] : -1.0;
        got += keep[c];
    }
    while (got < want) {
        int best = 0;
        for (int c = 1; c < 256; c++)
            if (rem[c] > rem[best])
                best = c;
        keep[best]++;
        rem[best] = -1.0;
        got++;
    }
    /* per label, keep[c] distinct samples, keyed by (seed, user, slot) */
    dtfl_rng r;
    dtfl_rng_init(&r, seed, DTFL_STREAM_HISTORY, dt->user, dt->slot);
    int32_t *of = malloc(sizeof(int32_t) * (size_t)np);
    uint8_t *taken = calloc((size_t)np, 1);
    if (of == NULL || taken == NULL) { /* fall back to the first ones */
        free(of);
        free(taken);
        for (int i = 0; i < want; i++)
            pick[k++] = dt->cur.n + i;
        return k;
    }
    for (int c = 0; c < 256; c++) {
        if (keep[c] == 0)
            continue;
        int m = 0;
        for (int i = 0; i < np; i++)
            if (dt->prev.y[i] == c)
                of[m++] = i;
        /* Floyd's algorithm over the m samples of label c */
        for (int j = m - keep[c]; j < m; j++) {
            int t = (int)dtfl_rng_below(&r, (uint32_t)j + 1);
            if (taken[of[t]])
                t = j;
            taken[of[t]] = 1;
        }
    }
    for (int i = 0; i < np; i++)
        if (taken[i])
            pick[k++] = dt->cur.n + i;
    free(of);
    free(taken);
    return k;
}
