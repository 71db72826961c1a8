/*
 * taco_fixture.h - for tests of the TACO engine (scen/taco*.c): one
 * observation and decision held in fixed arrays (I <= 40, M <= 10), Table
 * II's model, and random instances keyed by a number.
 */
#ifndef DTFL_TEST_TACO_FIXTURE_H
#define DTFL_TEST_TACO_FIXTURE_H

#include "check.h"

#include "../scen/taco.h"

#include <math.h>
#include <string.h>

#define IMAX 40
#define MMAX 10

/* One hand-made observation and decision. */
typedef struct fix {
    int I, M;
    scen_taco_model m;
    scen_taco_engine e;
    double Q[IMAX * MMAX], h2[IMAX * MMAX], snr[IMAX * MMAX];
    double S[IMAX], lam[IMAX], D[IMAX], H[IMAX];
    double ox[IMAX], oy[IMAX], ob[IMAX], of[IMAX];
    int oaccess[IMAX], oz[IMAX], nearest[IMAX];
    int access[IMAX], z[IMAX];
    double x[IMAX], y[IMAX], b[IMAX], f[IMAX];
    double E;
    scen_taco_obs o;
    scen_taco_dec d;
} fix;

static scen_taco_model table2(void)
{
    return (scen_taco_model){.p_pt = 0.5, .p_cloud = 5, .theta = 4,
                             .n0 = pow(10.0, -17.4) * 1e-3, .q_min = 1,
                             .bw = 5e6, .f_es = 20e9, .f_pt = 1e9, .c_es = 300,
                             .c_pt = 300, .k_es = 1e-27, .k_pt = 1e-27,
                             .r_cloud = 50e6, .g_local = 0.5, .acc_c0 = 0,
                             .acc_c1 = 1, .acc_kappa = 2, .t_max = 50,
                             .e_max = 6e5, .V = 1e9, .h0 = 1, .delay_unit = 1,
                             .energy_unit = 1};
}

static scen_taco_engine engine(void)
{
    return (scen_taco_engine){SCEN_TACO_SHARES_CAP, 2.0, 10.0, 0, 1e-12, 50,
                              1e-9, 10, SCEN_TACO_START_GREEDY,
                              SCEN_TACO_P4_EXACT, 4, 17, 1};
}

/* Equal shares among the offloading PTs of each ES. */
static void fix_shares(fix *x)
{
    for (int i = 0; i < x->I; i++) {
        int n = 0;
        for (int j = 0; j < x->I; j++)
            n += x->z[j] && x->access[j] == x->access[i];
        x->b[i] = x->f[i] = x->z[i] ? 1.0 / n : 0.0;
    }
}

/* The observation and decision of x's arrays; period 0: not placing. */
static void fix_point(fix *x, int period)
{
    x->o = (scen_taco_obs){0, 10, x->I, x->M, &x->m, &x->e, x->Q, x->h2,
                           x->snr, x->S, x->lam, x->D, x->H, x->E, x->nearest,
                           x->oaccess, x->ox, x->oy, x->ob, x->of, x->oz, 0};
    x->d = (scen_taco_dec){x->access, x->x, x->y, x->b, x->f, x->z, period};
}

/* A random instance keyed by k: Table II draws, queues at random, V =
 * 10^U[lgv0, lgv1], eq. 13's curve as the paper's or a fitted one by k % 4. */
static void fix_random_v(fix *x, int I, int M, uint32_t k, double lgv0,
                         double lgv1)
{
    memset(x, 0, sizeof *x);
    x->I = I, x->M = M;
    x->m = table2();
    x->e = engine();
    dtfl_rng r;
    dtfl_rng_init(&r, 77, 1, k, 0);
    x->m.V = pow(10.0, dtfl_rng_range(&r, lgv0, lgv1));
    static const double curve[4][3] = {{0, 1, 2}, {0, 1, 2}, {0.1, 0.75, 3.5},
                                       {0.05, 0.8, 1.5}}; /* eq. 13; fitted */
    x->m.acc_c0 = curve[k % 4][0], x->m.acc_c1 = curve[k % 4][1];
    x->m.acc_kappa = curve[k % 4][2];
    for (int i = 0; i < I; i++) {
        for (int m = 0; m < M; m++) {
            size_t j = (size_t)i * M + m;
            x->Q[j] = dtfl_rng_range(&r, 20, 700);
            x->h2[j] = -log1p(-dtfl_rng_uniform(&r));
            x->snr[j] = scen_taco_snr(&x->m, x->Q[j], x->h2[j]);
        }
        x->S[i] = dtfl_rng_range(&r, 6.1e6, 12.2e6);
        x->lam[i] = dtfl_rng_range(&r, 10e6, 20e6);
        x->D[i] = dtfl_rng_range(&r, 73.2e6, 97.6e6);
        x->H[i] = dtfl_rng_uniform(&r) < 0.3 ? 0.0 : dtfl_rng_range(&r, 0, 60);
        x->access[i] = x->oaccess[i] = x->nearest[i] = (int)dtfl_rng_below(&r, (uint32_t)M);
        x->z[i] = dtfl_rng_uniform(&r) < 0.8;
        x->y[i] = dtfl_rng_uniform(&r);
        x->x[i] = x->ox[i] = dtfl_rng_uniform(&r);
    }
    for (int i = 0; i < I; i++) /* nothing placed for a local PT */
        x->x[i] = x->ox[i] = x->z[i] ? x->x[i] : 0.0;
    fix_shares(x);
    x->E = dtfl_rng_uniform(&r) < 0.3 ? 0.0 : dtfl_rng_range(&r, 0, 3e5);
    fix_point(x, 10);
}

static inline void fix_random(fix *x, int I, int M, uint32_t k)
{
    fix_random_v(x, I, M, k, 6, 10);
}

#endif
