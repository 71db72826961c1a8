/*
 * taco_bcd.c - the slot problem P5 of TACO (001, Algorithm 2) by
 * block-coordinate descent, and the drift-plus-penalty bracket it
 * minimises. With the placement (access, x) fixed, the bracket splits into
 * four convex blocks (Theorem 2), each solved exactly:
 *   y  closed form per PT (P5-1; eq. 30 with the factor (1 - s) it lacks)
 *   b  per ES, min sum_i w_i / r_i(b_i) on the simplex (P5-2), by
 *      sched_band_split (sched/band.c: the KKT multiplier)
 *   f  per ES, the square-root rule f_i = sqrt(c_i) / sum_j sqrt(c_j) (P5-3)
 *   z  per PT, the sign of the bracket's change (P5-4, eq. 33)
 * and, for CRO, x as a fifth closed-form block. Gauss-Seidel order with
 * exact blocks never raises the bracket; Algorithm 2 as printed is Jacobi
 * (every block from the last iterate), kept as engine.jacobi.
 *
 * Every delay weight carries the queue floor h0 (spec 7.5: with H_i = 0 the
 * f step starves the PT), in every block alike, so all blocks minimise one
 * function.
 */
#include "taco_int.h"

#include <math.h>
#include <string.h>

void taco__use(const scen_taco_obs *o, const scen_taco_dec *d, int i, int m,
               scen_taco_use *u)
{
    *u = (scen_taco_use){o->snr[(size_t)i * o->M + m], o->S[i], o->lambda[i],
                         o->D[i], d->x[i], d->y[i], d->b[i], d->f[i], d->z[i]};
}

double scen_taco_bracket(const scen_taco_obs *o, const scen_taco_dec *d)
{
    const scen_taco_model *m = o->model;
    const double we = taco__we(o);
    double sum = 0.0;
    for (int i = 0; i < o->I; i++) {
        scen_taco_use u;
        scen_taco_cost c;
        taco__use(o, d, i, d->access[i], &u);
        scen_taco_cost_of(m, &u, &c);
        double t = c.t_ul + c.t_ud + c.t_ofld + c.t_exec;     /* eq. 18 */
        double e = c.e_ul + c.e_ud + c.e_ofld + c.e_exec;     /* eq. 19 */
        if (d->period > 0) {
            t += (c.t_dl + c.t_pl) / d->period;
            e += (c.e_dl + c.e_pl) / d->period;
        }
        sum += taco__wt(o, i) * t + we * e - m->V * c.acc;   /* eq. 26 */
    }
    return sum;
}

void scen_taco_greedy(const scen_taco_obs *o, const scen_taco_plan *p,
                      scen_taco_dec *d)
{
    for (int i = 0; i < o->I; i++) {
        int n = 0;
        for (int j = 0; j < o->I; j++)
            n += d->access[j] == d->access[i];
        d->z[i] = 1;
        d->b[i] = d->f[i] = 1.0 / n;
        d->y[i] = p->use_y && d->period > 0 ? 0.5 : 0.0;
    }
    if (p->use_y && d->period == 0)
        scen_taco_step_y(o, d);
}

/* P5-1: the terms in y of a PT that offloads are beta y + V c1 (1 - s)^kappa. */
void scen_taco_step_y(const scen_taco_obs *o, scen_taco_dec *d)
{
    const scen_taco_model *m = o->model;
    const double we = taco__we(o), es_j = m->k_es * m->f_es * m->f_es;
    for (int i = 0; i < o->I; i++) {
        if (!d->z[i])
            continue; /* y does not change the bracket */
        double snr = o->snr[(size_t)i * o->M + d->access[i]];
        double r = scen_taco_rate(m, d->b[i], snr), hz = d->f[i] * m->f_es;
        double S = o->S[i], D = o->D[i], all = S + D;
        double beta = S * (taco__wt(o, i) * (1.0 / r + m->c_es / hz) +
                           we * (m->p_pt / r + es_j * m->c_es));
        d->y[i] = scen_taco_share_opt(m, beta, S, d->x[i] * D, all);
    }
}

/* CRO's x block when placing: k x + V c1 (1 - s)^kappa, k the placement's price
 * per unit of x spread over the period. */
void scen_taco_step_x(const scen_taco_obs *o, scen_taco_dec *d)
{
    if (d->period <= 0)
        return;
    const scen_taco_model *m = o->model;
    const double we = taco__we(o), es_j = m->k_es * m->f_es * m->f_es;
    for (int i = 0; i < o->I; i++) {
        double S = o->S[i], D = o->D[i], all = S + D, hz = d->f[i] * m->f_es;
        double k = D * (taco__wt(o, i) * (1.0 / m->r_cloud + m->c_es / hz) +
                        we * (m->p_cloud / m->r_cloud + es_j * m->c_es)) /
                   d->period;
        d->x[i] = d->z[i] ? scen_taco_share_opt(m, k, D, d->y[i] * S, all) : 0.0;
    }
}

void scen_taco_weights(const scen_taco_obs *o, const scen_taco_dec *d,
                       double *wb, double *cf)
{
    const scen_taco_model *m = o->model;
    const double we = taco__we(o);
    for (int i = 0; i < o->I; i++) {
        double L = d->z[i] ? d->y[i] * o->S[i] + o->lambda[i] : 0.0;
        double bits = L + (d->period > 0 ? d->x[i] * o->D[i] / d->period : 0.0);
        wb[i] = (taco__wt(o, i) + we * m->p_pt) * L;
        cf[i] = taco__wt(o, i) * m->c_es / m->f_es * bits;
    }
}

void scen_taco_step_b(scen_taco_work *wk, const scen_taco_obs *o,
                      scen_taco_dec *d)
{
    double w[o->I > 0 ? o->I : 1], cf[o->I > 0 ? o->I : 1];
    double snr[o->I > 0 ? o->I : 1], b[o->I > 0 ? o->I : 1];
    scen_taco_weights(o, d, w, cf);
    for (int k = 0; k < o->M; k++) { /* P5-2 per ES (sched/band.c) */
        int used = 0;
        for (int i = 0; i < o->I; i++) {
            if (d->access[i] != k)
                continue;
            if (w[i] > 0.0) {
                wk->members[used] = i;
                cf[used] = w[i]; /* cf is free now: the ES's weights */
                snr[used++] = o->snr[(size_t)i * o->M + k];
            } else {
                d->b[i] = 0.0;
            }
        }
        sched_band_split(wk->band, used, cf, snr, o->model->bw, b);
        for (int j = 0; j < used; j++)
            d->b[wk->members[j]] = b[j];
    }
}

/* P5-3: sum_i c_i / f_i on the simplex, per ES (sched/band.c). */
void scen_taco_step_f(const scen_taco_obs *o, scen_taco_dec *d)
{
    double w[o->I > 0 ? o->I : 1], c[o->I > 0 ? o->I : 1];
    double cs[o->I > 0 ? o->I : 1], f[o->I > 0 ? o->I : 1];
    int who[o->I > 0 ? o->I : 1];
    scen_taco_weights(o, d, w, c);
    for (int k = 0; k < o->M; k++) {
        int n = 0;
        for (int i = 0; i < o->I; i++)
            if (d->access[i] == k)
                who[n] = i, cs[n++] = c[i];
        sched_share_sqrt(n, cs, f);
        for (int j = 0; j < n; j++)
            d->f[who[j]] = f[j];
    }
}

/* P5-4: offload iff the bracket falls (eq. 33); never without a share. */
void scen_taco_step_z(const scen_taco_obs *o, scen_taco_dec *d)
{
    const scen_taco_model *m = o->model;
    const double we = taco__we(o);
    for (int i = 0; i < o->I; i++) {
        if (!(d->b[i] > 0.0 && d->f[i] > 0.0)) {
            d->z[i] = 0;
            continue;
        }
        scen_taco_use u;
        scen_taco_cost on, off;
        taco__use(o, d, i, d->access[i], &u);
        u.z = 1;
        scen_taco_cost_of(m, &u, &on);
        u.z = 0;
        scen_taco_cost_of(m, &u, &off);
        double dt = on.t_ul + on.t_ud + on.t_ofld + on.t_exec - off.t_exec;
        double de = on.e_ul + on.e_ud + on.e_ofld + on.e_exec - off.e_exec;
        double delta = taco__wt(o, i) * dt + we * de - m->V * (on.acc - off.acc);
        d->z[i] = delta < 0.0;
    }
}

/* One Jacobi sweep: every block from the iterate d, then all at once; a PT
 * left to offload without a share (its z from the old b, its b from the old
 * z) runs locally. */
static void taco__jacobi(scen_taco_work *w, const scen_taco_obs *o,
                         const scen_taco_plan *p, scen_taco_dec *d)
{
    const size_t n = sizeof(double) * (size_t)o->I;
    scen_taco_dec *t = &w->scratch.d, *nx = &w->next.d;
    taco__dec_copy(nx, d, o->I);
    if (p->use_y) {
        taco__dec_copy(t, d, o->I);
        scen_taco_step_y(o, t);
        memcpy(nx->y, t->y, n);
    }
    if (p->xrule == SCEN_TACO_X_BCD) {
        taco__dec_copy(t, d, o->I);
        scen_taco_step_x(o, t);
        memcpy(nx->x, t->x, n);
    }
    taco__dec_copy(t, d, o->I);
    scen_taco_step_b(w, o, t);
    memcpy(nx->b, t->b, n);
    taco__dec_copy(t, d, o->I);
    scen_taco_step_f(o, t);
    memcpy(nx->f, t->f, n);
    taco__dec_copy(t, d, o->I);
    scen_taco_step_z(o, t);
    memcpy(nx->z, t->z, sizeof(int) * (size_t)o->I);
    for (int i = 0; i < o->I; i++)
        if (!(nx->b[i] > 0.0 && nx->f[i] > 0.0))
            nx->z[i] = 0;
    taco__dec_copy(d, nx, o->I);
}

static void taco__gauss_seidel(scen_taco_work *w, const scen_taco_obs *o,
                               const scen_taco_plan *p, scen_taco_dec *d)
{
    if (p->use_y)
        scen_taco_step_y(o, d);
    if (p->xrule == SCEN_TACO_X_BCD)
        scen_taco_step_x(o, d);
    scen_taco_step_b(w, o, d);
    scen_taco_step_f(o, d);
    scen_taco_step_z(o, d);
}

int scen_taco_bcd(scen_taco_work *w, const scen_taco_obs *o,
                  const scen_taco_plan *p, scen_taco_dec *d, double *trace)
{
    const scen_taco_engine *e = o->engine;
    double before = scen_taco_bracket(o, d);
    if (trace != NULL)
        trace[0] = before;
    int l = 0, zchanged = 0;
    while (l < e->bcd_max) {
        memcpy(w->zsave, d->z, sizeof(int) * (size_t)o->I);
        if (e->jacobi)
            taco__jacobi(w, o, p, d);
        else
            taco__gauss_seidel(w, o, p, d);
        zchanged = memcmp(w->zsave, d->z, sizeof(int) * (size_t)o->I) != 0;
        double after = scen_taco_bracket(o, d);
        if (trace != NULL)
            trace[l + 1] = after;
        l++;
        if (fabs(after - before) <= e->bcd_eps * fabs(before))
            break;
        before = after;
    }
    if (zchanged && !e->jacobi) { /* hand the shares of new local PTs on */
        scen_taco_step_b(w, o, d);
        scen_taco_step_f(o, d);
    }
    return l;
}
