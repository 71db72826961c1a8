/*
 * tmo_am.c - P4 of TMO by alternating minimisation (Sec. 4.3.2), and the
 * local search the spec adds after it (spec 4.3, E4).
 *
 * AM alternates P4-1 (the assignment with the shares fixed, tmo_p4.c) and
 * P4-2 (the shares with the assignment fixed). Each half-step solves its
 * block exactly, so the objective never rises (Theorem 3 holds for that
 * reason, not the one the paper gives, E8). But AM freezes: after P4-2
 * every used ES has sum u = sum f = 1, so the next P4-1 can only keep the
 * assignment, and the answer is set by the shares AM starts from. From
 * the previous slot's cohort shares it stays where the DTs are; from
 * balanced shares 1/ceil(I/M) it balances the load (E4 measured gaps of
 * 3-79 % on small instances, depending on the regime). So by default it
 * runs from both and keeps the better, then moves single PTs and swaps
 * pairs on the exact per-ES costs g_m while any such step lowers P4.
 * A move or swap is solved only when a lower bound of its change is
 * negative: PT i joining a set at ES m adds at least its a-only terms,
 * the band's price at the set's multiplier (the band's optimum is convex
 * in the band it has) and the square-root rule's exact rise.
 */
#include "tmo_int.h"

#include <math.h>
#include <string.h>

/* u and f every PT starts from (spec 4.3): 1 / |cohort of pi_i(t-1)|, or
 * 1 / ceil(I / M) */
static void tmo__start_shares(const scen_tmo_slot *s, scen_tmo_init init,
                              scen_tmo_work *w)
{
    const int I = s->I, M = s->M;
    const double bal = 1.0 / ((I + M - 1) / M);
    int *n = w->count;
    memset(n, 0, sizeof(int) * (size_t)M);
    for (int i = 0; i < I; i++)
        if (s->prev[i] >= 0)
            n[s->prev[i]]++;
    for (int i = 0; i < I; i++) {
        const int p = s->prev[i];
        w->u0[i] = init == SCEN_TMO_INIT_PREV && p >= 0 ? 1.0 / n[p] : bal;
        w->f0[i] = w->u0[i];
    }
}

static double tmo__pairs(const scen_tmo_slot *s, const int *a,
                         const double *u, const double *f)
{
    if (!tmo__fits(s, u, f, a))
        return INFINITY;
    double v = 0.0;
    for (int i = 0; i < s->I; i++)
        v += scen_tmo_pair(s, i, a[i], u[i], f[i]);
    return v;
}

/* One AM run from init: the assignment into a (from pi(t-1)), shares into
 * w->u0, w->f0; returns the objective. */
static int tmo__am_run(scen_tmo_work *w, const scen_tmo_slot *s,
                       const scen_tmo_am_opts *o, scen_tmo_init init, int *a,
                       double *obj, scen_tmo_am_info *info, dtfl_err *err)
{
    tmo__start_shares(s, init, w);
    memcpy(a, s->prev, sizeof(int) * (size_t)s->I);
    double v = INFINITY;
    int it = 0;
    while (it < o->iters) {
        it++;
        const double before = tmo__pairs(s, a, w->u0, w->f0);
        double v1;
        int rc = scen_tmo_assign(w, s, w->u0, w->f0, o->time_limit_s, o->gap,
                                 a, &v1, err);                     /* P4-1 */
        if (rc < 0)
            return rc;
        info->rising += v1 > before + 1e-12 * fabs(before);
        double v2 = scen_tmo_value(w, s, a, w->u0, w->f0);         /* P4-2 */
        info->rising += v2 > v1 + 1e-12 * fabs(v1);
        const int done = v - v2 <= o->tol * fabs(v2);
        v = v2;
        if (done)
            break;
    }
    info->iters = it;
    *obj = v;
    return 0;
}

/* ---- the local search on exact per-ES costs ---- */

/* The search's view of ES m under assignment a: its g_m, multiplier and
 * sum of sqrt of its CPU weights; for each of its PTs g_m without it. */
static void tmo__view_es(scen_tmo_work *w, const scen_tmo_slot *s, const int *a,
                         int m)
{
    w->g[m] = tmo__es_cost(w, s, a, m, -1, -1, NULL, NULL, &w->mu[m]);
    w->rootc[m] = 0.0;
    for (int i = 0; i < s->I; i++)
        if (a[i] == m) {
            w->rootc[m] += sqrt(scen_tmo_cpu_w(s, i));
            w->gout[i] = tmo__es_cost(w, s, a, m, i, -1, NULL, NULL, &w->muout[i]);
        }
}

/* The least PT i adds to a set at ES m whose band multiplier is mu and
 * whose CPU weights' square roots sum to root: its a-only terms, the
 * band's price (sched_band_join) and the square-root rule's exact rise.
 * Checked against `cut` (returns INFINITY when even the bound with the
 * whole band free, w->weak, reaches it). */
static double tmo__join(const scen_tmo_work *w, const scen_tmo_slot *s, int i,
                        int m, double mu, double root, double cut)
{
    const size_t k = (size_t)i * s->M + m;
    const double rc = sqrt(scen_tmo_cpu_w(s, i)), cpu = rc * (2.0 * root + rc);
    if (w->weak[k] + cpu >= cut)
        return INFINITY;
    return scen_tmo_fixed(s, i, m) + cpu +
           sched_band_join(mu, scen_tmo_radio_w(s, i), s->snr[k], s->model->bw);
}

/* A pass of single moves: each that lowers P4 by more than eps is made at
 * once and the pass goes on; returns the moves made. */
static int tmo__moves(scen_tmo_work *w, const scen_tmo_slot *s, int *a,
                      double eps)
{
    int made = 0;
    for (int i = 0; i < s->I; i++)
        for (int m = 0; m < s->M; m++) {
            const int from = a[i];
            const double out = w->gout[i] - w->g[from];
            if (m == from || out + tmo__join(w, s, i, m, w->mu[m], w->rootc[m], -eps - out) >= -eps)
                continue;
            double gt = tmo__es_cost(w, s, a, m, -1, i, NULL, NULL, NULL);
            if (out + gt - w->g[m] < -eps) {
                a[i] = m;
                tmo__view_es(w, s, a, from);
                tmo__view_es(w, s, a, m);
                made++;
            }
        }
    return made;
}

/* A pass of swaps of two PTs on different ESs, made as moves are. */
static int tmo__swaps(scen_tmo_work *w, const scen_tmo_slot *s, int *a,
                      double eps)
{
    int made = 0;
    for (int i = 0; i < s->I; i++)
        for (int j = i + 1; j < s->I; j++) {
            const int mi = a[i], mj = a[j];
            if (mi == mj)
                continue;
            const double ri = sqrt(scen_tmo_cpu_w(s, i)), rj = sqrt(scen_tmo_cpu_w(s, j));
            const double out = w->gout[i] - w->g[mi] + w->gout[j] - w->g[mj];
            /* each join is at least its bound with the whole band free */
            const double ji = tmo__join(w, s, j, mi, w->muout[i], w->rootc[mi] - ri,
                                        -eps - out - w->weak[(size_t)i * s->M + mj]);
            if (out + ji + tmo__join(w, s, i, mj, w->muout[j], w->rootc[mj] - rj,
                                     -eps - out - ji) >= -eps)
                continue;
            double gi = tmo__es_cost(w, s, a, mi, i, j, NULL, NULL, NULL);
            double gj = tmo__es_cost(w, s, a, mj, j, i, NULL, NULL, NULL);
            if (gi + gj - w->g[mi] - w->g[mj] < -eps) {
                a[i] = mj, a[j] = mi;
                tmo__view_es(w, s, a, mi);
                tmo__view_es(w, s, a, mj);
                made++;
            }
        }
    return made;
}

/* Passes of moves, then of swaps when no move helps, until a pass of each
 * finds nothing; returns the steps made. */
static int tmo__local_search(scen_tmo_work *w, const scen_tmo_slot *s, int *a)
{
    for (int i = 0; i < s->I; i++)
        for (int m = 0; m < s->M; m++) {
            const size_t k = (size_t)i * s->M + m;
            w->weak[k] = scen_tmo_fixed(s, i, m) + scen_tmo_radio_w(s, i) /
                                                       scen_tmo_rate(s->model, s->snr[k], 1.0);
        }
    double total = 0.0;
    for (int m = 0; m < s->M; m++) {
        tmo__view_es(w, s, a, m);
        total += w->g[m];
    }
    const double eps = 1e-12 * fabs(total);
    int steps = 0, made;
    do {
        made = tmo__moves(w, s, a, eps);
        if (made == 0)
            made = tmo__swaps(w, s, a, eps);
        steps += made;
    } while (made > 0);
    return steps;
}

int scen_tmo_am(scen_tmo_work *w, const scen_tmo_slot *s,
                const scen_tmo_am_opts *o, int *access, double *u, double *f,
                double *value, scen_tmo_am_info *info, dtfl_err *err)
{
    scen_tmo_am_info local, run;
    info = info != NULL ? info : &local;
    memset(info, 0, sizeof *info);
    const scen_tmo_init both[2] = {SCEN_TMO_INIT_PREV, SCEN_TMO_INIT_BALANCED};
    const int runs = o->init == SCEN_TMO_INIT_BOTH ? 2 : 1;
    double best = INFINITY;
    for (int r = 0; r < runs; r++) {
        const scen_tmo_init init = runs == 2 ? both[r] : o->init;
        memset(&run, 0, sizeof run);
        double v;
        int rc = tmo__am_run(w, s, o, init, w->a0, &v, &run, err);
        if (rc < 0)
            return rc;
        info->rising += run.rising;
        if (v < best) {
            best = v;
            info->iters = run.iters;
            memcpy(access, w->a0, sizeof(int) * (size_t)s->I);
        }
    }
    info->am_value = best;
    if (o->local_search)
        info->moves = tmo__local_search(w, s, access);
    *value = scen_tmo_value(w, s, access, u, f);
    return 0;
}
