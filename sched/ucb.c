/*
 * ucb.c - UCB1 (Auer, Cesa-Bianchi and Fischer 2002) over K arms that
 * return losses, scenario-free. The first K plays try every arm once, in
 * order; then the arm of
 *     argmax_a  -(mean_a - lo) / max(hi - lo, eps) + c sqrt(2 ln n / n_a)
 * is played, ties to the smaller arm, where lo and hi are the least and
 * largest loss seen so far: UCB1's bonus assumes rewards in [0, 1], and raw
 * losses of another scale make it pure greed or pure round robin (000's
 * spec, E3). With discount < 1 the counts and sums decay by that factor at
 * every play (discounted UCB, for losses that drift). (TMO picks its
 * status-update period with it, eqs. 18-20 of 000.)
 */
#include "sched.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct sched_ucb {
    sched_ucb_params p;
    double *n, *sum;     /* (arms) plays and summed losses (discounted) */
    double plays;        /* all plays (discounted) */
    long rounds;         /* plays, undiscounted */
    double lo, hi;       /* range of losses seen */
};

int sched_ucb_create(sched_ucb **out, const sched_ucb_params *p, dtfl_err *err)
{
    *out = NULL;
    if (p->arms <= 0 || !(p->c >= 0) || !(p->discount > 0 && p->discount <= 1))
        return dtfl_err_set(err, DTFL_EINTERNAL, "ucb: %d arms, c %g, discount %g",
                            p->arms, p->c, p->discount);
    sched_ucb *u = calloc(1, sizeof *u);
    if (u == NULL || (u->n = calloc(2 * (size_t)p->arms, sizeof(double))) == NULL) {
        free(u);
        return dtfl_err_set(err, DTFL_ENOMEM, "ucb: out of memory");
    }
    u->p = *p;
    u->sum = u->n + p->arms;
    u->lo = INFINITY;
    u->hi = -INFINITY;
    *out = u;
    return 0;
}

void sched_ucb_destroy(sched_ucb *u)
{
    if (u == NULL)
        return;
    free(u->n);
    free(u);
}

int sched_ucb_select(const sched_ucb *u)
{
    const int K = u->p.arms;
    if (u->rounds < K)
        return (int)u->rounds; /* every arm once, in order */
    double span = u->hi - u->lo, best = -INFINITY;
    span = span > 1e-12 ? span : 1e-12;
    int arm = 0;
    for (int a = 0; a < K; a++) {
        double score = u->n[a] > 0
                           ? -(u->sum[a] / u->n[a] - u->lo) / span +
                                 u->p.c * sqrt(2.0 * log(u->plays) / u->n[a])
                           : INFINITY;
        if (score > best) {
            best = score;
            arm = a;
        }
    }
    return arm;
}

int sched_ucb_update(sched_ucb *u, int arm, double loss, dtfl_err *err)
{
    if (arm < 0 || arm >= u->p.arms || !isfinite(loss))
        return dtfl_err_set(err, DTFL_EINTERNAL, "ucb: arm %d, loss %g", arm, loss);
    if (u->p.discount < 1.0) {
        for (int a = 0; a < u->p.arms; a++) {
            u->n[a] *= u->p.discount;
            u->sum[a] *= u->p.discount;
        }
        u->plays *= u->p.discount;
    }
    u->n[arm] += 1.0;
    u->sum[arm] += loss;
    u->plays += 1.0;
    u->rounds++;
    u->lo = loss < u->lo ? loss : u->lo;
    u->hi = loss > u->hi ? loss : u->hi;
    return 0;
}

double sched_ucb_plays(const sched_ucb *u, int arm) { return u->n[arm]; }

double sched_ucb_mean(const sched_ucb *u, int arm)
{
    return u->n[arm] > 0 ? u->sum[arm] / u->n[arm] : NAN;
}

/* State: u32 arms, u64 rounds, then doubles plays, lo, hi and per arm n,
 * sum (little-endian, bit for bit). */
int sched_ucb_save(const sched_ucb *u, uint8_t *buf, size_t *len,
                   dtfl_err *err)
{
    const size_t K = (size_t)u->p.arms, need = 12 + 24 + 16 * K;
    if (buf != NULL) {
        if (*len < need)
            return dtfl_err_set(err, DTFL_ERANGE, "ucb: buffer");
        dtfl_put_u32(buf, (uint32_t)K);
        dtfl_put_u64(buf + 4, (uint64_t)u->rounds);
        dtfl_put_f64(buf + 12, u->plays);
        dtfl_put_f64(buf + 20, u->lo);
        dtfl_put_f64(buf + 28, u->hi);
        for (size_t a = 0; a < K; a++) {
            dtfl_put_f64(buf + 36 + 16 * a, u->n[a]);
            dtfl_put_f64(buf + 44 + 16 * a, u->sum[a]);
        }
    }
    *len = need;
    return 0;
}

int sched_ucb_load(sched_ucb *u, const uint8_t *buf, size_t len,
                   dtfl_err *err)
{
    const size_t K = (size_t)u->p.arms;
    if (len != 36 + 16 * K || dtfl_get_u32(buf) != (uint32_t)K)
        return dtfl_err_set(err, DTFL_EDATA, "ucb: %zu bytes for %zu arms", len, K);
    const uint64_t rounds = dtfl_get_u64(buf + 4);
    const double plays = dtfl_get_f64(buf + 12), lo = dtfl_get_f64(buf + 20), hi = dtfl_get_f64(buf + 28);
    int ok = rounds < ((uint64_t)1 << 62) && plays >= 0 && !isnan(lo) && !isnan(hi);
    for (size_t a = 0; ok && a < K; a++)
        ok = dtfl_get_f64(buf + 36 + 16 * a) >= 0 && isfinite(dtfl_get_f64(buf + 44 + 16 * a));
    if (!ok)
        return dtfl_err_set(err, DTFL_EDATA, "ucb: a count or sum out of range");
    u->rounds = (long)rounds;
    u->plays = plays, u->lo = lo, u->hi = hi;
    for (size_t a = 0; a < K; a++) {
        u->n[a] = dtfl_get_f64(buf + 36 + 16 * a);
        u->sum[a] = dtfl_get_f64(buf + 44 + 16 * a);
    }
    return 0;
}
