/*
 * rng.c - random streams keyed by (seed, stream, entity, slot).
 *
 * Each stream is Philox4x32-10 (Random123, Debian librandom123-dev) run in
 * counter mode: the key is the 64-bit seed, the counter is
 * (stream, entity, slot, block). Two ranks that ask for the same
 * (stream, entity, slot) get the same numbers, whichever rank they are and
 * whatever else they drew before: this is what makes runs identical for any
 * number of MPI ranks (DESIGN.md section 3).
 */
#include "dtfl.h"

#include <Random123/philox.h>
#include <math.h>

void dtfl_rng_init(dtfl_rng *r, uint64_t seed, uint32_t stream,
                   uint32_t entity, uint32_t slot)
{
    r->key[0] = (uint32_t)seed;
    r->key[1] = (uint32_t)(seed >> 32);
    r->ctr[0] = stream;
    r->ctr[1] = entity;
    r->ctr[2] = slot;
    r->ctr[3] = 0;
    r->used = 4; /* forces a fresh block on the first draw */
}

static void rng__refill(dtfl_rng *r)
{
    philox4x32_ctr_t c = {{r->ctr[0], r->ctr[1], r->ctr[2], r->ctr[3]}};
    philox4x32_key_t k = {{r->key[0], r->key[1]}};
    philox4x32_ctr_t out = philox4x32(c, k);
    for (int i = 0; i < 4; i++)
        r->buf[i] = out.v[i];
    r->ctr[3]++;
    r->used = 0;
}

uint32_t dtfl_rng_u32(dtfl_rng *r)
{
    if (r->used >= 4)
        rng__refill(r);
    return r->buf[r->used++];
}

double dtfl_rng_uniform(dtfl_rng *r)
{
    uint64_t hi = dtfl_rng_u32(r) >> 5; /* 27 bits */
    uint64_t lo = dtfl_rng_u32(r) >> 6; /* 26 bits */
    return (double)((hi << 26) | lo) * (1.0 / 9007199254740992.0);
}

double dtfl_rng_range(dtfl_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * dtfl_rng_uniform(r);
}

uint32_t dtfl_rng_below(dtfl_rng *r, uint32_t n)
{
    /* Lemire's method with rejection: unbiased for every n. */
    uint64_t m = (uint64_t)dtfl_rng_u32(r) * n;
    uint32_t low = (uint32_t)m;
    if (low < n) {
        uint32_t threshold = (uint32_t)(-n) % n;
        while (low < threshold) {
            m = (uint64_t)dtfl_rng_u32(r) * n;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

double dtfl_rng_normal(dtfl_rng *r)
{
    double u1 = dtfl_rng_uniform(r);
    double u2 = dtfl_rng_uniform(r);
    if (u1 < 1e-300)
        u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}
