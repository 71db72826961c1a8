/*
 * tmo_p4.c - the slot problem P4 of TMO (000, eq. 21; spec 4.3): which ES
 * hosts each PT's DT and how each ES shares its band and CPU.
 *
 * With the assignment fixed, P4 splits per ES m into its a-only terms A_im,
 * the band split P4-2-1 (min sum c_i / r_im(u_i), sum u_i <= 1: convex,
 * solved exactly by sched_band_split) and the CPU split P4-2-2 (min sum
 * V lambda_i C / (f_i F), sum f_i <= 1: the square-root rule). Their sum
 * is g_m(S), the least cost of ES m serving the set S; P4 is the least
 * sum_m g_m(S_m) over assignments.
 *
 * With the shares fixed, P4-1 is an assignment with two knapsacks per ES
 * (sum_i u_i a_im <= 1, sum_i f_i a_im <= 1): an integer linear program,
 * solved by GLPK's branch and bound from the current assignment, with a
 * time limit and a gap. Equal shares make the knapsacks cardinalities, a
 * transportation problem whose LP relaxation is integral: the simplex
 * alone then. Two enumerators check it all in the tests: P4-1 over M^I,
 * and P4 itself over M^I with g_m of every subset cached.
 */
#include "tmo_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void scen_tmo_work_destroy(scen_tmo_work *w)
{
    if (w == NULL)
        return;
    sched_band_destroy(w->band);
    sched_lp_destroy(w->lp_eq);
    sched_lp_destroy(w->lp_kn);
    free(w->buf);
    free(w->ibuf);
    free(w);
}

int scen_tmo_work_create(scen_tmo_work **out, int I, int M, dtfl_err *err)
{
    *out = NULL;
    scen_tmo_work *w = calloc(1, sizeof *w);
    if (w == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "tmo: out of memory");
    const size_t n = (size_t)I, nm = n * (size_t)M;
    w->I = I, w->M = M;
    w->buf = calloc(11 * n + 3 * nm + 3 * (size_t)M + 1, sizeof(double));
    w->ibuf = calloc(3 * n + (size_t)M + 1, sizeof(int));
    if (w->buf == NULL || w->ibuf == NULL || sched_band_create(&w->band, err) < 0) {
        scen_tmo_work_destroy(w);
        return dtfl_err_set(err, DTFL_ENOMEM, "tmo: out of memory");
    }
    double *p = w->buf;
    w->c = p, p += n;
    w->snr = p, p += n;
    w->cw = p, p += n;
    w->b = p, p += n;
    w->fb = p, p += n;
    w->u0 = p, p += n;
    w->f0 = p, p += n;
    w->gout = p, p += n;
    w->muout = p, p += n;
    w->cost = p, p += nm;
    w->incumbent = p, p += nm;
    w->weak = p, p += nm;
    w->g = p, p += M;
    w->mu = p, p += M;
    w->rootc = p;
    int *q = w->ibuf;
    w->a0 = q, q += n;
    w->a1 = q, q += n;
    w->set = q, q += n;
    w->count = q;
    *out = w;
    return 0;
}

/* g_m of the n PTs in who (P4-2-1 and P4-2-2 solved); their shares into u
 * and f at the PTs' own indices when not NULL; the band's multiplier into
 * *mu when not NULL (0 for no PT). */
double tmo__set_cost(scen_tmo_work *w, const scen_tmo_slot *s, int m,
                     const int *who, int n, double *u, double *f, double *mu)
{
    if (mu != NULL)
        *mu = 0.0;
    if (n == 0)
        return 0.0;
    double fixed = 0.0;
    for (int k = 0; k < n; k++) {
        const int i = who[k];
        fixed += scen_tmo_fixed(s, i, m);
        w->c[k] = scen_tmo_radio_w(s, i);
        w->snr[k] = s->snr[(size_t)i * s->M + m];
        w->cw[k] = scen_tmo_cpu_w(s, i);
    }
    const double bw = s->model->bw;
    double v = fixed + sched_band_split(w->band, n, w->c, w->snr, bw, w->b) /* P4-2-1 */
               + sched_share_sqrt(n, w->cw, w->fb);                      /* P4-2-2 */
    for (int k = 0; u != NULL && k < n; k++)
        u[who[k]] = w->b[k], f[who[k]] = w->fb[k];
    if (mu != NULL)
        *mu = sched_band_price(n, w->c, w->snr, bw, w->b);
    return v;
}

double tmo__es_cost(scen_tmo_work *w, const scen_tmo_slot *s, const int *access,
                    int m, int out, int in, double *u, double *f, double *mu)
{
    int n = 0;
    for (int i = 0; i < s->I; i++)
        if (access[i] == m && i != out)
            w->set[n++] = i;
    if (in >= 0)
        w->set[n++] = in;
    return tmo__set_cost(w, s, m, w->set, n, u, f, mu);
}

double scen_tmo_es_cost(scen_tmo_work *w, const scen_tmo_slot *s,
                        const int *access, int m, double *u, double *f)
{
    return tmo__es_cost(w, s, access, m, -1, -1, u, f, NULL);
}

double scen_tmo_value(scen_tmo_work *w, const scen_tmo_slot *s,
                      const int *access, double *u, double *f)
{
    double v = 0.0;
    for (int m = 0; m < s->M; m++)
        v += scen_tmo_es_cost(w, s, access, m, u, f);
    return v;
}

/* ---- P4-1 ---- */

/* Within both knapsacks of every ES, every PT on an ES? */
int tmo__fits(const scen_tmo_slot *s, const double *u, const double *f,
              const int *access)
{
    double su[s->M], sf[s->M];
    memset(su, 0, sizeof su);
    memset(sf, 0, sizeof sf);
    for (int i = 0; i < s->I; i++) {
        if (access[i] < 0 || access[i] >= s->M)
            return 0;
        su[access[i]] += u[i];
        sf[access[i]] += f[i];
    }
    for (int m = 0; m < s->M; m++)
        if (su[m] > 1.0 + TMO_SHARE_TOL || sf[m] > 1.0 + TMO_SHARE_TOL)
            return 0;
    return 1;
}

static double tmo__assign_value(const scen_tmo_work *w, const int *access,
                                int I, int M)
{
    double v = 0.0;
    for (int i = 0; i < I; i++)
        v += w->cost[(size_t)i * M + access[i]];
    return v;
}

/* The problem on GLPK: columns i M + m, one ES per PT, the knapsacks (or
 * the cardinality they are when the shares are equal). Built once per
 * kind and kept in the work; later solves set its costs and knapsack rows
 * anew and start from its last basis; costs scaled for GLPK's tolerances
 * (sched_lp_assign_scale). */
static int tmo__put(scen_tmo_work *w, const scen_tmo_slot *s,
                    const double *u, const double *f, int equal, int build,
                    sched_lp *lp, dtfl_err *err)
{
    const int I = s->I, M = s->M;
    double least[I];
    const double spread = sched_lp_assign_scale(I, M, w->cost, least);
    int rc = 0;
    for (int k = 0; rc == 0 && k < I * M; k++) {
        double c = (w->cost[k] - least[k / M]) / spread;
        rc = build ? sched_lp_add_col(lp, 0.0, 1.0, c, !equal, err)
                   : sched_lp_set_col(lp, k, 0.0, 1.0, c, err);
        rc = rc < 0 ? rc : 0;
    }
    int cols[I > M ? I : M];
    double vals[I > M ? I : M], vu[I], vf[I];
    for (int i = 0; rc == 0 && build && i < I; i++) {
        for (int m = 0; m < M; m++)
            cols[m] = i * M + m, vals[m] = 1.0;
        rc = sched_lp_add_row(lp, M, cols, vals, 1.0, 1.0, err); /* (11a) */
        rc = rc < 0 ? rc : 0;
    }
    const double hi = 1.0 + TMO_SHARE_TOL;
    for (int m = 0; rc == 0 && m < M; m++) {
        for (int i = 0; i < I; i++)
            cols[i] = i * M + m, vals[i] = 1.0, vu[i] = u[i], vf[i] = f[i];
        if (equal) { /* floor(1 / share) PTs at most */
            double seats = floor(hi / fmax(u[0], f[0]));
            rc = build ? sched_lp_add_row(lp, I, cols, vals, -INFINITY, seats, err)
                       : sched_lp_set_row(lp, I + m, I, cols, vals, -INFINITY, seats, err);
        } else if (build) { /* (11b), (11c) */
            rc = sched_lp_add_row(lp, I, cols, vu, -INFINITY, hi, err);
            if (rc >= 0)
                rc = sched_lp_add_row(lp, I, cols, vf, -INFINITY, hi, err);
        } else {
            rc = sched_lp_set_row(lp, I + 2 * m, I, cols, vu, -INFINITY, hi, err);
            if (rc >= 0)
                rc = sched_lp_set_row(lp, I + 2 * m + 1, I, cols, vf, -INFINITY, hi, err);
        }
        rc = rc < 0 ? rc : 0;
    }
    return rc;
}

static int tmo__equal(const double *u, const double *f, int I)
{
    for (int i = 1; i < I; i++)
        if (u[i] != u[0] || f[i] != f[0])
            return 0;
    return 1;
}

/* One solve: 0 with next filled, 1 when the LP vertex came out fractional,
 * 2 when GLPK found no point (infeasible or out of time), < 0 on error. */
static int tmo__solve(scen_tmo_work *w, const scen_tmo_slot *s,
                      const double *u, const double *f, int equal,
                      int have_incumbent, double time_limit_s, double gap,
                      int *next, dtfl_err *err)
{
    const int I = s->I, M = s->M;
    if (w->lp_I != I || w->lp_M != M) { /* kept for another size */
        sched_lp_destroy(w->lp_eq);
        sched_lp_destroy(w->lp_kn);
        w->lp_eq = w->lp_kn = NULL;
        w->lp_I = I, w->lp_M = M;
    }
    sched_lp **kept = equal ? &w->lp_eq : &w->lp_kn, *lp = *kept;
    const int warm = lp != NULL;
    int rc = warm ? 0 : sched_lp_create(&lp, 0, err);
    if (rc == 0)
        rc = tmo__put(w, s, u, f, equal, !warm, lp, err);
    sched_lp_options opt = {time_limit_s, gap, have_incumbent ? w->incumbent : NULL, warm};
    sched_lp_result res;
    if (rc == 0)
        rc = sched_lp_solve(lp, &opt, &res, err);
    if (rc == 0 && res.status != SCHED_LP_OPTIMAL && res.status != SCHED_LP_FEASIBLE)
        rc = 2;
    for (int i = 0; rc == 0 && i < I; i++) {
        const double *x = sched_lp_x(lp) + (size_t)i * M;
        next[i] = 0;
        for (int m = 1; m < M; m++)
            next[i] = x[m] > x[next[i]] ? m : next[i];
        for (int m = 0; m < M; m++)
            if (x[m] > 1e-7 && x[m] < 1.0 - 1e-7)
                rc = 1;
    }
    if (rc < 0) { /* GLPK failed: its problems are gone, build afresh */
        if (lp != *kept)
            sched_lp_destroy(lp);
        sched_lp_destroy(w->lp_eq);
        sched_lp_destroy(w->lp_kn);
        w->lp_eq = w->lp_kn = NULL;
        return rc;
    }
    *kept = lp;
    return rc;
}

int scen_tmo_assign(scen_tmo_work *w, const scen_tmo_slot *s, const double *u,
                    const double *f, double time_limit_s, double gap,
                    int *access, double *value, dtfl_err *err)
{
    const int I = s->I, M = s->M;
    for (int i = 0; i < I; i++)
        for (int m = 0; m < M; m++)
            w->cost[(size_t)i * M + m] = scen_tmo_pair(s, i, m, u[i], f[i]);
    const int have = tmo__fits(s, u, f, access);
    for (int k = 0; k < I * M; k++)
        w->incumbent[k] = have && access[k / M] == k % M;
    int *next = w->a1;
    int equal = tmo__equal(u, f, I);
    int rc = tmo__solve(w, s, u, f, equal, have, time_limit_s, gap, next, err);
    if (rc == 1) /* a fractional vertex: the MILP it is */
        rc = tmo__solve(w, s, u, f, 0, have, time_limit_s, gap, next, err);
    if (rc == 2 && have)
        rc = 0, memcpy(next, access, sizeof(int) * (size_t)I);
    if (rc == 2)
        return dtfl_err_set(err, DTFL_EINTERNAL, "tmo P4-1: GLPK found no "
                                                 "assignment of %d PTs to %d "
                                                 "ESs within %g s", I, M,
                            time_limit_s);
    if (rc < 0)
        return rc;
    /* GLPK's answer is within its gap: never worse than where it started */
    if (have && tmo__assign_value(w, next, I, M) > tmo__assign_value(w, access, I, M))
        memcpy(next, access, sizeof(int) * (size_t)I);
    memcpy(access, next, sizeof(int) * (size_t)I);
    *value = tmo__assign_value(w, access, I, M);
    return 0;
}

/* ---- enumerators for the tests ---- */

/* the next assignment, an odometer in base M; 0 after the last */
static int tmo__odometer(int *a, int I, int M)
{
    int k = 0;
    while (k < I && ++a[k] == M)
        a[k++] = 0;
    return k < I;
}

double scen_tmo_assign_brute(const scen_tmo_slot *s, const double *u,
                             const double *f, int *access)
{
    const int I = s->I, M = s->M;
    int a[I];
    memset(a, 0, sizeof a);
    double best = INFINITY;
    do {
        if (!tmo__fits(s, u, f, a))
            continue;
        double v = 0.0;
        for (int i = 0; i < I; i++)
            v += scen_tmo_pair(s, i, a[i], u[i], f[i]);
        if (v < best)
            best = v, memcpy(access, a, sizeof a);
    } while (tmo__odometer(a, I, M));
    return best;
}

double scen_tmo_exact(scen_tmo_work *w, const scen_tmo_slot *s, int *access)
{
    const int I = s->I, M = s->M;
    const size_t subsets = (size_t)1 << I;
    double *g = malloc(sizeof(double) * subsets * (size_t)M);
    if (g == NULL)
        return NAN;
    for (size_t k = 0; k < subsets; k++) { /* g_m of every subset */
        int who[I], n = 0;
        for (int i = 0; i < I; i++)
            if (k >> i & 1u)
                who[n++] = i;
        for (int m = 0; m < M; m++)
            g[k * M + m] = tmo__set_cost(w, s, m, who, n, NULL, NULL, NULL);
    }
    int a[I];
    memset(a, 0, sizeof a);
    double best = INFINITY;
    do {
        size_t mask[M];
        memset(mask, 0, sizeof mask);
        for (int i = 0; i < I; i++)
            mask[a[i]] |= (size_t)1 << i;
        double v = 0.0;
        for (int m = 0; m < M; m++)
            v += g[mask[m] * M + m];
        if (v < best)
            best = v, memcpy(access, a, sizeof a);
    } while (tmo__odometer(a, I, M));
    free(g);
    return best;
}
