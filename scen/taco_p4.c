/*
 * taco_p4.c - the frame problem P4 of TACO (001, spec 4.2): where each PT's
 * twin goes and how much knowledge it gets, with (y, b, f, z) fixed.
 *
 * The bilinear term a_im x_i is exact under McCormick for binary a (28a-d),
 * so P4 is, per pair (i, m), a one-dimensional convex problem in x with a
 * closed-form minimiser x*_im, and then an assignment: min sum C*_im a_im,
 * one ES per PT, capacity rows. With shares `cap` the rows cap the PTs per
 * ES (a transportation matrix, totally unimodular): GLPK's simplex gives an
 * integral vertex. With `inherit` (the paper's rows, last slot's shares)
 * it is a partition MILP, solved by GLPK's branch and bound from the
 * current assignment with a time limit. CRO associates by an ascending
 * auction (Bertsekas, with epsilon scaling) on the same costs. A
 * brute-force enumerator over M^I assignments checks both in the tests.
 *
 * Also here: the engine's scratch (scen_taco_work).
 */
#include "taco_int.h"
#include "../sched/sched.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int taco__store_init(taco_dec_store *s, int I)
{
    s->ints = calloc(2 * (size_t)I + 1, sizeof(int));
    s->reals = calloc(4 * (size_t)I + 1, sizeof(double));
    if (s->ints == NULL || s->reals == NULL)
        return -1;
    s->d = (scen_taco_dec){s->ints, s->reals, s->reals + I, s->reals + 2 * I,
                           s->reals + 3 * I, s->ints + I, 0};
    return 0;
}

void taco__store_free(taco_dec_store *s)
{
    free(s->ints);
    free(s->reals);
}

void taco__dec_copy(scen_taco_dec *to, const scen_taco_dec *from, int I)
{
    const size_t n = sizeof(double) * (size_t)I, k = sizeof(int) * (size_t)I;
    memcpy(to->access, from->access, k);
    memcpy(to->z, from->z, k);
    memcpy(to->x, from->x, n);
    memcpy(to->y, from->y, n);
    memcpy(to->b, from->b, n);
    memcpy(to->f, from->f, n);
    to->period = from->period;
}

void scen_taco_work_destroy(scen_taco_work *w)
{
    if (w == NULL)
        return;
    free(w->cost);
    free(w->count);
    sched_lp_destroy(w->lp);
    taco__store_free(&w->best);
    taco__store_free(&w->scratch);
    taco__store_free(&w->next);
    sched_band_destroy(w->band);
    free(w);
}

int scen_taco_work_create(scen_taco_work **out, int I, int M, dtfl_err *err)
{
    *out = NULL;
    scen_taco_work *w = calloc(1, sizeof *w);
    const size_t IM = (size_t)I * M;
    if (w == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "taco: out of memory");
    w->I = I, w->M = M;
    /* cost, xstar, incumbent, price, cpart, kpart */
    w->cost = calloc(6 * IM + 1, sizeof(double));
    w->count = calloc((size_t)M + 4 * (size_t)I + 2 * IM + 1, sizeof(int));
    if (w->cost == NULL || w->count == NULL || sched_band_create(&w->band, err) < 0 ||
        taco__store_init(&w->best, I) < 0 || taco__store_init(&w->scratch, I) < 0 ||
        taco__store_init(&w->next, I) < 0) {
        scen_taco_work_destroy(w);
        return dtfl_err_set(err, DTFL_ENOMEM, "taco: out of memory");
    }
    w->xstar = w->cost + IM;
    w->incumbent = w->xstar + IM;
    w->price = w->incumbent + IM;
    w->cpart = w->price + IM;
    w->kpart = w->cpart + IM;
    w->cur = w->count + M;
    w->fixed = w->cur + I;
    w->queue = w->fixed + I;
    w->members = w->queue + IM;
    w->zsave = w->members + I;
    w->owner = w->zsave + I;
    *out = w;
    return 0;
}

int scen_taco_p4_seats(const scen_taco_obs *o)
{
    int least = (o->I + o->M - 1) / o->M;
    int seats = (int)ceil(o->engine->cap * o->I / o->M - 1e-9);
    seats = seats < least ? least : seats;
    return seats > o->I ? o->I : seats;
}

static const double taco_menu[] = {0.0, 0.25, 0.5, 0.75, 1.0}; /* LOT */

/* x minimising k x + V c1 z (1 - s(x))^kappa by the plan's rule */
static double taco__x(const scen_taco_obs *o, const scen_taco_plan *p,
                      const scen_taco_dec *d, int i, double k)
{
    const double V = o->model->V, S = o->S[i], D = o->D[i], all = S + D;
    if (!d->z[i] || !(V > 0.0) || !isfinite(k))
        return 0.0;
    if (p->xrule == SCEN_TACO_X_MENU) {
        double best = 0.0, bestv = INFINITY;
        for (size_t j = 0; j < sizeof taco_menu / sizeof taco_menu[0]; j++) {
            double r = 1.0 - (taco_menu[j] * D + d->y[i] * S) / all;
            double v = k * taco_menu[j] + scen_taco_acc_loss(o->model, r, NULL);
            if (v < bestv)
                bestv = v, best = taco_menu[j];
        }
        return best;
    }
    return scen_taco_share_opt(o->model, k, D, d->y[i] * S, all);
}

/* C*_im's parts with n PTs at m now (spec 4.2): c_im, the slot's cost
 * at m, and k_im, the placement's per unit of x */
static void taco__parts(const scen_taco_obs *o, const scen_taco_plan *p,
                        const scen_taco_dec *d, int i, int m, int n,
                        double *cout, double *kout)
{
    const scen_taco_model *md = o->model;
    const double wt = taco__wt(o, i), we = taco__we(o);
    const double es_j = md->k_es * md->f_es * md->f_es;
    double bs = d->b[i], fs = d->f[i];
    if (o->engine->shares == SCEN_TACO_SHARES_CAP)
        bs = fs = 1.0 / (n + (m != d->access[i]));
    const double S = o->S[i], D = o->D[i], lam = o->lambda[i];
    const double hz = fs * md->f_es;
    if (d->z[i]) {
        double L = d->y[i] * S + lam;
        double r = scen_taco_rate(md, bs, o->snr[(size_t)i * o->M + m]);
        *cout = wt * L * (1.0 / r + md->c_es / hz) + we * L * (md->p_pt / r + es_j * md->c_es);
    } else {
        *cout = wt * lam * md->c_pt / md->f_pt +
                we * md->k_pt * md->f_pt * md->f_pt * lam * md->c_pt;
    }
    *kout = (wt * D * (1.0 / md->r_cloud + md->c_es / hz) +
             we * D * (md->p_cloud / md->r_cloud + es_j * md->c_es)) / p->period;
}

double taco__phi(const scen_taco_obs *o, const scen_taco_dec *d, int i,
                 double x, double *slope)
{
    const double S = o->S[i], D = o->D[i];
    const double r = 1.0 - (x * D + d->y[i] * S) / (S + D);
    double dr;
    const double v = scen_taco_acc_loss(o->model, r, &dr);
    if (slope != NULL)
        *slope = d->z[i] ? -dr * D / (S + D) : 0.0;
    return d->z[i] ? v : 0.0;
}

/* C*_im = c_im + k_im x* + phi_i(x*) (spec 4.2) */
static double taco__pair(const scen_taco_obs *o, const scen_taco_plan *p,
                         const scen_taco_dec *d, int i, int m, int n,
                         double *cout, double *kout, double *xout)
{
    taco__parts(o, p, d, i, m, n, cout, kout);
    double x = taco__x(o, p, d, i, *kout);
    *xout = x;
    return *cout + (x > 0.0 ? *kout * x : 0.0) + taco__phi(o, d, i, x, NULL);
}

double scen_taco_p4_cost(const scen_taco_obs *o, const scen_taco_plan *p,
                         const scen_taco_dec *d, int i, int m, double *x)
{
    int n = 0;
    for (int j = 0; j < o->I; j++)
        n += d->access[j] == m;
    double c, k;
    return taco__pair(o, p, d, i, m, n, &c, &k, x);
}

void taco__costs(scen_taco_work *w, const scen_taco_obs *o,
                        const scen_taco_plan *p, const scen_taco_dec *d)
{
    const int I = o->I, M = o->M;
    memset(w->count, 0, sizeof(int) * (size_t)M);
    for (int i = 0; i < I; i++)
        w->count[d->access[i]]++;
    double top = 0.0;
    for (int i = 0; i < I; i++)
        for (int m = 0; m < M; m++) {
            size_t k = (size_t)i * M + m;
            w->cost[k] = taco__pair(o, p, d, i, m, w->count[m], &w->cpart[k],
                                    &w->kpart[k], &w->xstar[k]);
            top = fmax(top, fabs(w->cost[k]));
        }
    /* a move must win by more than the solver's tolerance (spec 4.2) */
    for (int i = 0; i < I; i++)
        for (int m = 0; m < M; m++) {
            double tie = m != d->access[i] ? 1e-6 * top : 0.0;
            w->cost[(size_t)i * M + m] += tie;
            w->cpart[(size_t)i * M + m] += tie;
        }
    /* PTs that run locally gain nothing anywhere: they keep their ES,
     * unless more of them sit there than P4 has seats */
    int seats = scen_taco_p4_seats(o);
    int fixed_at[M];
    memset(fixed_at, 0, sizeof fixed_at);
    for (int i = 0; i < I; i++) {
        w->cur[i] = d->access[i];
        fixed_at[d->access[i]] += !d->z[i];
    }
    for (int i = 0; i < I; i++)
        w->fixed[i] = !d->z[i] && (o->engine->shares == SCEN_TACO_SHARES_INHERIT ||
                                   fixed_at[d->access[i]] <= seats);
}

double taco__value(const scen_taco_work *w, const int *access, int I,
                          int M)
{
    double v = 0.0;
    for (int i = 0; i < I; i++)
        v += w->cost[(size_t)i * M + access[i]];
    return v;
}

/* a row of the assignment: 0 or the builder's error code */
static int taco__row(sched_lp *lp, int n, const int *cols, const double *vals,
                     double lo, double hi, dtfl_err *err)
{
    int r = sched_lp_add_row(lp, n, cols, vals, lo, hi, err);
    return r < 0 ? r : 0;
}

/* The columns (costs and bounds) of the assignment: added when building,
 * set anew in the LP kept from the last solve otherwise. */
static int taco__cols(scen_taco_work *w, const scen_taco_obs *o, sched_lp *lp,
                      int build, int integer, dtfl_err *err)
{
    const int I = o->I, M = o->M;
    double least[I]; /* scaled for GLPK's tolerances */
    const double spread = sched_lp_assign_scale(I, M, w->cost, least);
    int rc = 0;
    for (int i = 0; rc == 0 && i < I; i++)
        for (int m = 0; rc == 0 && m < M; m++) {
            size_t k = (size_t)i * M + m;
            double hi = w->fixed[i] && m != w->cur[i] ? 0.0 : 1.0;
            double cost = (w->cost[k] - least[i]) / spread;
            w->incumbent[k] = m == w->cur[i];
            int c = build ? sched_lp_add_col(lp, 0.0, hi, cost, integer, err)
                          : sched_lp_set_col(lp, (int)k, 0.0, hi, cost, err);
            rc = c < 0 ? c : 0;
        }
    return rc;
}

int taco__rows(const scen_taco_obs *o, const scen_taco_dec *d,
                      sched_lp *lp, dtfl_err *err)
{
    const int I = o->I, M = o->M;
    const int inherit = o->engine->shares == SCEN_TACO_SHARES_INHERIT;
    int cols[I > M ? I : M];
    double vals[I > M ? I : M], vb[I], vf[I];
    int rc = 0;
    for (int i = 0; rc == 0 && i < I; i++) {
        for (int m = 0; m < M; m++)
            cols[m] = i * M + m, vals[m] = 1.0;
        rc = taco__row(lp, M, cols, vals, 1.0, 1.0, err);
    }
    const double seats = scen_taco_p4_seats(o);
    for (int m = 0; rc == 0 && m < M; m++) {
        for (int i = 0; i < I; i++) {
            cols[i] = i * M + m, vals[i] = 1.0;
            vb[i] = d->b[i], vf[i] = d->f[i];
        }
        if (inherit) {
            rc = taco__row(lp, I, cols, vb, -INFINITY, 1.0, err);
            rc = rc == 0 ? taco__row(lp, I, cols, vf, -INFINITY, 1.0, err) : rc;
        } else {
            rc = taco__row(lp, I, cols, vals, -INFINITY, seats, err);
        }
    }
    return rc;
}

/* The assignment on GLPK: with cap shares an LP (integral) kept in the
 * work and started from its last basis; with inherit shares, or when a
 * vertex comes out fractional, a MILP built afresh. Returns 1 for a
 * fractional LP vertex. */
static int taco__assign_lp(scen_taco_work *w, const scen_taco_obs *o,
                           const scen_taco_dec *d, int integer, int *access,
                           dtfl_err *err)
{
    const int I = o->I, M = o->M, seats = scen_taco_p4_seats(o);
    const int keep = !integer && o->engine->shares == SCEN_TACO_SHARES_CAP;
    sched_lp *lp = keep && w->lp_seats == seats && w->lp_I == I && w->lp_M == M
                       ? w->lp : NULL;
    const int warm = lp != NULL;
    int rc = warm ? 0 : sched_lp_create(&lp, 0, err);
    if (rc == 0)
        rc = taco__cols(w, o, lp, !warm, integer, err);
    if (rc == 0 && !warm)
        rc = taco__rows(o, d, lp, err);
    sched_lp_options opt = {o->engine->time_limit_s, 1e-9,
                            integer ? w->incumbent : NULL, warm};
    sched_lp_result res;
    if (rc == 0)
        rc = sched_lp_solve(lp, &opt, &res, err);
    if (rc == 0 && res.status != SCHED_LP_OPTIMAL && res.status != SCHED_LP_FEASIBLE)
        rc = dtfl_err_set(err, DTFL_EINTERNAL, "taco P4: GLPK status %d on "
                                               "the assignment of %d PTs to %d "
                                               "ESs", (int)res.status, I, M);
    for (int i = 0; rc == 0 && i < I; i++) {
        const double *x = sched_lp_x(lp) + (size_t)i * M;
        access[i] = 0;
        for (int m = 1; m < M; m++)
            access[i] = x[m] > x[access[i]] ? m : access[i];
        for (int m = 0; m < M; m++)
            if (x[m] > 1e-7 && x[m] < 1.0 - 1e-7)
                rc = 1; /* fractional: not a vertex; the caller goes integer */
    }
    if (keep && rc >= 0 && lp != w->lp) { /* kept for the next solve */
        sched_lp_destroy(w->lp);
        w->lp = lp, w->lp_seats = seats, w->lp_I = I, w->lp_M = M;
    } else if (keep && rc < 0) { /* GLPK failed: build afresh next time */
        if (lp == w->lp)
            w->lp = NULL;
        sched_lp_destroy(lp);
    } else if (!keep) {
        sched_lp_destroy(lp);
    }
    return rc;
}

/* CRO's association: an ascending auction of the seats (seats per ES),
 * each PT bidding its value -C*_im (Bertsekas' forward auction with
 * epsilon scaling). Dummy bidders who value every seat at 0 fill the seats
 * no PT takes, so the problem is symmetric and the prices each phase
 * carries over stay valid; the final epsilon, 1e-7 of the cost range per
 * bidder, puts the assignment within 1e-7 of the range of the optimum. */
static void taco__auction(scen_taco_work *w, const scen_taco_obs *o,
                          int *access)
{
    const int I = o->I, M = o->M, seats = scen_taco_p4_seats(o), n = M * seats;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t k = 0; k < (size_t)I * M; k++)
        lo = fmin(lo, w->cost[k]), hi = fmax(hi, w->cost[k]);
    lo = fmin(lo, 0.0), hi = fmax(hi, 0.0); /* the dummies' value */
    const double range = hi > lo ? hi - lo : 1.0, last = 1e-7 * range / n;
    for (int j = 0; j < n; j++)
        w->price[j] = 0.0;
    for (double eps = range / 4.0;; eps = fmax(eps / 4.0, last)) {
        int nq = 0;
        for (int j = 0; j < n; j++)
            w->owner[j] = -1, w->queue[nq++] = j; /* bidders 0..n-1 */
        while (nq > 0) {
            int i = w->queue[--nq], best = -1;
            double v1 = -INFINITY, v2 = -INFINITY;
            for (int j = 0; j < n; j++) {
                int m = j / seats;
                if (i < I && w->fixed[i] && m != w->cur[i])
                    continue;
                double v = (i < I ? -w->cost[(size_t)i * M + m] : 0.0) - w->price[j];
                if (v > v1)
                    v2 = v1, v1 = v, best = j;
                else if (v > v2)
                    v2 = v;
            }
            w->price[best] += (isfinite(v2) ? v1 - v2 : range) + eps;
            if (w->owner[best] >= 0)
                w->queue[nq++] = w->owner[best];
            w->owner[best] = i;
        }
        if (eps <= last)
            break;
    }
    for (int j = 0; j < n; j++)
        if (w->owner[j] < I)
            access[w->owner[j]] = j / seats;
}

int scen_taco_p4(scen_taco_work *w, const scen_taco_obs *o,
                 const scen_taco_plan *p, scen_taco_dec *d, double *value,
                 dtfl_err *err)
{
    const int I = o->I, M = o->M;
    /* the engine's solver is TACO's: LOT's menu and CRO's auction stay */
    if (p->pme || (o->engine->solver == SCEN_TACO_P4_PME && !p->auction &&
                   p->xrule == SCEN_TACO_X_CLOSED))
        return scen_taco_p4_pme(w, o, p, d, value, NULL, err);
    taco__costs(w, o, p, d);
    int next[I];
    int rc = 0;
    if (p->auction) {
        taco__auction(w, o, next);
    } else {
        int integer = o->engine->shares == SCEN_TACO_SHARES_INHERIT;
        rc = taco__assign_lp(w, o, d, integer, next, err);
        if (rc == 1) /* a fractional vertex: solve it as the MILP it is */
            rc = taco__assign_lp(w, o, d, 1, next, err);
    }
    if (rc < 0)
        return rc;
    for (int i = 0; i < I; i++) {
        d->access[i] = next[i];
        d->x[i] = w->xstar[(size_t)i * M + next[i]];
    }
    if (value != NULL)
        *value = taco__value(w, next, I, M);
    return 0;
}

int taco__feasible(const scen_taco_work *w, const scen_taco_obs *o,
                          const scen_taco_dec *d, const int *a)
{
    const int M = o->M, seats = scen_taco_p4_seats(o);
    double nb[M], nf[M];
    int n[M];
    memset(n, 0, sizeof n);
    memset(nb, 0, sizeof nb);
    memset(nf, 0, sizeof nf);
    for (int i = 0; i < o->I; i++) {
        if (w->fixed[i] && a[i] != w->cur[i])
            return 0;
        n[a[i]]++, nb[a[i]] += d->b[i], nf[a[i]] += d->f[i];
    }
    for (int m = 0; m < M; m++) {
        if (o->engine->shares == SCEN_TACO_SHARES_CAP ? n[m] > seats
                                                      : nb[m] > 1.0 + 1e-12 ||
                                                            nf[m] > 1.0 + 1e-12)
            return 0;
    }
    return 1;
}

double scen_taco_p4_brute(scen_taco_work *w, const scen_taco_obs *o,
                          const scen_taco_plan *p, scen_taco_dec *d)
{
    const int I = o->I, M = o->M;
    taco__costs(w, o, p, d);
    int a[I], best[I];
    memset(a, 0, sizeof a);
    memcpy(best, w->cur, sizeof best);
    double bestv = INFINITY;
    for (;;) {
        if (taco__feasible(w, o, d, a)) {
            double v = taco__value(w, a, I, M);
            if (v < bestv)
                bestv = v, memcpy(best, a, sizeof best);
        }
        int k = 0; /* the next assignment, an odometer in base M */
        while (k < I && ++a[k] == M)
            a[k++] = 0;
        if (k == I)
            break;
    }
    for (int i = 0; i < I; i++) {
        d->access[i] = best[i];
        d->x[i] = w->xstar[(size_t)i * M + best[i]];
    }
    return bestv;
}
