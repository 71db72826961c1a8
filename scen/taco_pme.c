/*
 * taco_pme.c - P4 by the paper's route (001, Algorithm 1 and P4-3; spec
 * 4.3), beside the exact route of taco_p4.c, for comparison.
 *
 * P4-3 relaxes a_im to a~_im in [0, 1] and each bilinear u_im = a~_im x_i
 * by piecewise McCormick (sched/mccormick.c: N pieces of x_i, one set of
 * piece binaries per PT shared by its M terms, the hull rows summed over
 * pieces, spec 7.2), and the accuracy term phi_i(x_i) = V c1 z_i (1 - s_i)^kappa
 * by an epigraph w_i over tangents:
 *
 *   min  sum_im c_im a~_im + sum_im k_im u_im + sum_i w_i
 *   s.t. sum_m a~_im = 1, the capacity rows on a~ (as the exact route's),
 *        w_i >= phi_i(x_j) + phi_i'(x_j) (x_i - x_j) at tangent points x_j.
 *
 * GLPK's branch and bound solves it from the current assignment; its
 * optimum is a lower bound of P4 (relaxed a, under-estimated u and phi)
 * that rises with N. Then a_i = argmax_m a~_im, x_i re-optimised at a_i
 * (or the MILP's x_i, Algorithm 1 as printed), and, since rounding can
 * break a capacity row (the paper says it cannot; spec 7.4), PTs moved
 * off over-full ESs by least regret. PTs that run locally (z_i = 0) have
 * no x: only their a~ columns.
 */
#include "taco_int.h"
#include "../sched/sched.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#define PME_GAP 1e-6



/* P4-3 as built: columns of x_i, w_i per PT (-1 without), the terms. */
typedef struct pme_prob {
    sched_lp *lp;
    int N, T, binaries;
    int *xcol, *wcol;   /* (I) */
    int *lam;           /* (I x N) */
    int *ucol;          /* (I x M) */
    sched_pme *terms;   /* (I x M) */
    double *least;      /* (I) the constant taken off each PT's costs */
    double spread;      /* what the objective is divided by */
} pme_prob;

static void pme__free(pme_prob *q, int IM)
{
    if (q->terms != NULL)
        for (int k = 0; k < IM; k++)
            sched_pme_free(&q->terms[k]);
    free(q->terms);
    free(q->xcol);
    free(q->least);
    sched_lp_destroy(q->lp);
}

/* A PT with a choice of x: it offloads and no pair's cost is infinite. */
static int pme__has_x(const scen_taco_work *w, const scen_taco_dec *d, int i)
{
    if (!d->z[i])
        return 0;
    for (int m = 0; m < w->M; m++)
        if (!isfinite(w->kpart[(size_t)i * w->M + m]))
            return 0;
    return 1;
}

/* Objective scale: GLPK sees each PT's costs less their least, over the
 * largest spread of a pair's cost or of phi (as the exact route does). */
static void pme__scale(const scen_taco_work *w, const scen_taco_obs *o,
                       const scen_taco_dec *d, pme_prob *q)
{
    const int I = o->I, M = o->M;
    q->spread = 0.0;
    for (int i = 0; i < I; i++) {
        q->least[i] = INFINITY;
        for (int m = 0; m < M; m++)
            q->least[i] = fmin(q->least[i], w->cost[(size_t)i * M + m]);
        for (int m = 0; m < M; m++)
            q->spread = fmax(q->spread, w->cost[(size_t)i * M + m] - q->least[i]);
        q->spread = fmax(q->spread, taco__phi(o, d, i, 0.0, NULL));
    }
    q->spread = q->spread > 0.0 && isfinite(q->spread) ? q->spread : 1.0;
}

/* The a~ columns (first, at i M + m, so the exact route's rows fit). */
static int pme__assign_cols(const scen_taco_work *w, const scen_taco_obs *o,
                            pme_prob *q, dtfl_err *err)
{
    const int I = o->I, M = o->M;
    int rc = 0;
    for (int i = 0; rc == 0 && i < I; i++)
        for (int m = 0; rc == 0 && m < M; m++) {
            size_t k = (size_t)i * M + m;
            double c = (w->cpart[k] - q->least[i]) / q->spread;
            int off = (w->fixed[i] && m != w->cur[i]) || !isfinite(c);
            int col = sched_lp_add_col(q->lp, 0.0, off ? 0.0 : 1.0,
                                       isfinite(c) ? c : 0.0, 0, err);
            rc = col < 0 ? col : 0;
        }
    return rc;
}

/* w_i >= phi(x_j) + phi'(x_j) (x_i - x_j) at T points of [0, 1]. */
static int pme__tangents(const scen_taco_obs *o, const scen_taco_dec *d,
                         pme_prob *q, int i, dtfl_err *err)
{
    int rc = 0;
    for (int j = 0; rc >= 0 && j < q->T; j++) {
        double xj = q->T > 1 ? (double)j / (q->T - 1) : 0.5, g;
        double v = taco__phi(o, d, i, xj, &g);
        const int cols[2] = {q->wcol[i], q->xcol[i]};
        const double vals[2] = {1.0, -g / q->spread};
        rc = sched_lp_add_row(q->lp, 2, cols, vals, (v - g * xj) / q->spread,
                              INFINITY, err);
    }
    return rc < 0 ? rc : 0;
}

/* x_i, w_i, the pieces of x_i, and per ES u_im with its relaxation. */
static int pme__pt(const scen_taco_work *w, const scen_taco_obs *o,
                   const scen_taco_dec *d, pme_prob *q, int i, dtfl_err *err)
{
    const int M = o->M;
    int rc = q->xcol[i] = sched_lp_add_col(q->lp, 0.0, 1.0, 0.0, 0, err);
    if (rc >= 0)
        rc = q->wcol[i] = sched_lp_add_col(q->lp, -INFINITY, INFINITY, 1.0, 0, err);
    if (rc >= 0)
        rc = sched_pme_pieces(q->lp, q->N, q->lam + (size_t)i * q->N, err);
    q->binaries += q->N;
    for (int m = 0; rc >= 0 && m < M; m++) {
        size_t k = (size_t)i * M + m;
        rc = q->ucol[k] = sched_lp_add_col(q->lp, 0.0, 1.0,
                                           w->kpart[k] / q->spread, 0, err);
        if (rc >= 0) /* eqs. 28a-d on the pieces of x_i */
            rc = sched_pme_add_shared(q->lp, q->ucol[k], (int)k, q->xcol[i],
                                      0.0, 1.0, 0.0, 1.0, q->N, SCHED_PME_HULL,
                                      q->lam + (size_t)i * q->N, &q->terms[k],
                                      err);
    }
    if (rc >= 0)
        rc = pme__tangents(o, d, q, i, err);
    return rc < 0 ? rc : 0;
}

static int pme__build(const scen_taco_work *w, const scen_taco_obs *o,
                      const scen_taco_dec *d, pme_prob *q, dtfl_err *err)
{
    const int I = o->I, IM = I * o->M;
    q->N = o->engine->pme_pieces > 0 ? o->engine->pme_pieces : 4;
    q->T = o->engine->pme_tangents > 0 ? o->engine->pme_tangents : 17;
    q->xcol = malloc(sizeof(int) * (2 * (size_t)I + (size_t)I * q->N + IM + 1));
    q->least = malloc(sizeof(double) * ((size_t)I + 1));
    q->terms = calloc((size_t)IM + 1, sizeof(sched_pme));
    if (q->xcol == NULL || q->least == NULL || q->terms == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "taco P4-3: out of memory");
    q->wcol = q->xcol + I;
    q->lam = q->wcol + I;
    q->ucol = q->lam + (size_t)I * q->N;
    for (int k = 0; k < 2 * I; k++)
        q->xcol[k] = -1;
    pme__scale(w, o, d, q);
    int rc = sched_lp_create(&q->lp, 0, err);
    if (rc == 0)
        rc = pme__assign_cols(w, o, q, err);
    for (int i = 0; rc == 0 && i < I; i++)
        if (pme__has_x(w, d, i))
            rc = pme__pt(w, o, d, q, i, err);
    if (rc == 0) /* one ES per PT, capacity */
        rc = taco__rows(o, d, q->lp, err);
    return rc;
}

/* The current assignment with x* there, as a point of P4-3 (every column
 * set so that every row holds): where branch and bound starts. */
static void pme__incumbent(const scen_taco_work *w, const scen_taco_obs *o,
                           const scen_taco_dec *d, const pme_prob *q,
                           double *v)
{
    const int I = o->I, M = o->M;
    for (int i = 0; i < I; i++) {
        for (int m = 0; m < M; m++)
            v[(size_t)i * M + m] = m == w->cur[i];
        if (q->xcol[i] < 0)
            continue;
        const double x = w->xstar[(size_t)i * M + w->cur[i]];
        int piece = (int)floor(x * q->N);
        piece = piece < 0 ? 0 : piece >= q->N ? q->N - 1 : piece;
        v[q->xcol[i]] = x;
        double best = -INFINITY; /* the tightest tangent at x */
        for (int j = 0; j < q->T; j++) {
            double xj = q->T > 1 ? (double)j / (q->T - 1) : 0.5, g;
            double t = taco__phi(o, d, i, xj, &g) + g * (x - xj);
            best = fmax(best, t / q->spread);
        }
        v[q->wcol[i]] = best;
        for (int n = 0; n < q->N; n++)
            v[q->lam[(size_t)i * q->N + n]] = n == piece;
        for (int m = 0; m < M; m++) {
            const size_t k = (size_t)i * M + m;
            const sched_pme *t = &q->terms[k];
            v[q->ucol[k]] = v[k] * x;
            for (int n = 0; n < q->N; n++) {
                v[t->xhat[n]] = n == piece ? x : 0.0;
                v[t->ahat[n]] = n == piece ? v[k] : 0.0;
            }
        }
    }
}

/* ES m's load under a, with PT extra added (-1: none): over its rows? */
static int pme__over(const scen_taco_obs *o, const scen_taco_dec *d,
                     const int *a, int m, int extra)
{
    double n = 0.0, nb = 0.0, nf = 0.0;
    for (int i = 0; i < o->I; i++)
        if (a[i] == m || i == extra)
            n += 1.0, nb += d->b[i], nf += d->f[i];
    if (o->engine->shares == SCEN_TACO_SHARES_CAP)
        return n > scen_taco_p4_seats(o);
    return nb > 1.0 + 1e-12 || nf > 1.0 + 1e-12;
}

/* Step 6: while an ES is over its rows, the move off it with the least
 * regret C*_{i,m2} - C*_{i,m} to an ES with room. Returns the moves, or -1
 * when no move can mend it. */
static int pme__repair(const scen_taco_work *w, const scen_taco_obs *o,
                       const scen_taco_dec *d, int *a)
{
    const int I = o->I, M = o->M;
    int moves = 0;
    for (int m = 0; m < M; m++) {
        while (pme__over(o, d, a, m, -1)) {
            int bi = -1, bm = -1;
            double best = INFINITY;
            for (int i = 0; i < I; i++) {
                if (a[i] != m || w->fixed[i])
                    continue;
                for (int m2 = 0; m2 < M; m2++) {
                    size_t k = (size_t)i * M;
                    double regret = w->cost[k + m2] - w->cost[k + m];
                    if (m2 != m && regret < best && !pme__over(o, d, a, m2, i))
                        best = regret, bi = i, bm = m2;
                }
            }
            if (bi < 0)
                return -1;
            a[bi] = bm, moves++;
        }
    }
    return moves;
}

/* Steps 4-6 from P4-3's solution: access and x into d. */
static int pme__round(const scen_taco_work *w, const scen_taco_obs *o,
                      const pme_prob *q, scen_taco_dec *d,
                      scen_taco_pme_info *info)
{
    const int I = o->I, M = o->M;
    const double *v = sched_lp_x(q->lp);
    int a[I];
    for (int i = 0; i < I; i++) {
        const double *row = v + (size_t)i * M;
        a[i] = 0;
        for (int m = 1; m < M; m++)
            a[i] = row[m] > row[a[i]] ? m : a[i];
        int frac = 0;
        for (int m = 0; m < M; m++)
            frac |= row[m] > 1e-7 && row[m] < 1.0 - 1e-7;
        info->fractional += frac;
    }
    info->repairs = pme__repair(w, o, d, a);
    if (info->repairs < 0) /* nothing mends it: stay */
        memcpy(a, w->cur, sizeof a);
    for (int i = 0; i < I; i++) {
        double x = w->xstar[(size_t)i * M + a[i]];
        if (!o->engine->pme_x_reopt && q->xcol[i] >= 0)
            x = fmin(fmax(v[q->xcol[i]], 0.0), 1.0); /* x^R of Algorithm 1 */
        d->access[i] = a[i];
        d->x[i] = q->xcol[i] >= 0 ? x : 0.0;
    }
    return 0;
}

/* sum_i C*_{i,a_i} at d's x (the exact route's value when x = x*). */
static double pme__value(const scen_taco_work *w, const scen_taco_obs *o,
                         const scen_taco_dec *d)
{
    double s = 0.0;
    for (int i = 0; i < o->I; i++) {
        size_t k = (size_t)i * o->M + d->access[i];
        s += w->cpart[k] + (d->x[i] > 0.0 ? w->kpart[k] * d->x[i] : 0.0) +
             taco__phi(o, d, i, d->x[i], NULL);
    }
    return s;
}

int scen_taco_p4_pme(scen_taco_work *w, const scen_taco_obs *o,
                     const scen_taco_plan *p, scen_taco_dec *d, double *value,
                     scen_taco_pme_info *info, dtfl_err *err)
{
    const int IM = o->I * o->M;
    scen_taco_pme_info scratch;
    info = info != NULL ? info : &scratch;
    memset(info, 0, sizeof *info);
    taco__costs(w, o, p, d);
    pme_prob q = {0};
    double *start = NULL;
    int rc = pme__build(w, o, d, &q, err);
    if (rc == 0) {
        sched_lp_size(q.lp, &info->rows, &info->columns);
        info->binaries = q.binaries;
        start = malloc(sizeof(double) * ((size_t)info->columns + 1));
        if (start == NULL)
            rc = dtfl_err_set(err, DTFL_ENOMEM, "taco P4-3: out of memory");
    }
    sched_lp_result res = {0};
    if (rc == 0) { /* step 1: the current assignment, when it is feasible */
        pme__incumbent(w, o, d, &q, start);
        const int ok = taco__feasible(w, o, d, w->cur);
        sched_lp_options opt = {o->engine->time_limit_s, PME_GAP, ok ? start : NULL, 0};
        rc = sched_lp_solve(q.lp, &opt, &res, err);
        info->seconds = res.seconds;
    }
    if (rc == 0 && res.status != SCHED_LP_OPTIMAL && res.status != SCHED_LP_FEASIBLE &&
        res.status != SCHED_LP_UNKNOWN)
        rc = dtfl_err_set(err, DTFL_EINTERNAL, "taco P4-3: GLPK status %d on %d "
                                               "PTs, %d ESs, %d pieces",
                          (int)res.status, o->I, o->M, q.N);
    if (rc == 0) { /* proven, even out of time */
        info->optimal = res.status == SCHED_LP_OPTIMAL;
        info->bound = res.bound * q.spread;
        for (int i = 0; i < o->I; i++)
            info->bound += q.least[i];
    }
    if (rc == 0 && res.status == SCHED_LP_UNKNOWN) { /* no point in time */
        for (int i = 0; i < o->I; i++)
            d->access[i] = w->cur[i], d->x[i] = w->xstar[(size_t)i * o->M + w->cur[i]];
    } else if (rc == 0) {
        rc = pme__round(w, o, &q, d, info);
    }
    if (rc == 0 && value != NULL)
        *value = pme__value(w, o, d);
    free(start);
    pme__free(&q, IM);
    return rc;
}
