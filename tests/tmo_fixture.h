/*
 * tmo_fixture.h - for tests of TMO's slot problem (scen/tmo*.c): Table 2's
 * model and random slot instances (I <= 40, M <= 10) in the paper's
 * 15 x 18 km, keyed by a number.
 */
#ifndef DTFL_TEST_TMO_FIXTURE_H
#define DTFL_TEST_TMO_FIXTURE_H

#include "check.h"

#include "../scen/tmo.h"
#include "../sched/sched.h"

#include <math.h>
#include <string.h>

#define TIMAX 40
#define TMMAX 10

/* Table 2 with the spec's proposed defaults (section 3). */
static scen_tmo_model tmo_table2(void)
{
    return (scen_tmo_model){.p_pt = 0.5, .bw = 5e6, .f_es = 20e9, .c_es = 300,
                            .rho = 1e-27, .theta = 2,
                            .n0 = pow(10.0, -17.4) * 1e-3, .g0 = 1, .d_min = 1,
                            .phi_mig = 1e-11, .fibre_bps = 1e9, .fibre_w = 1,
                            .V = 1e4, .exec_energy = 1};
}

typedef struct tfix {
    scen_tmo_model m;
    double snr[TIMAX * TMMAX], lam[TIMAX], J[TIMAX], D[TIMAX];
    double es[TMMAX * TMMAX];
    int prev[TIMAX];
    scen_tmo_slot s;
} tfix;

/* A random slot: PTs and ESs uniform in 15 x 18 km, E|h|^2 = 1, draws on
 * Table 2's ranges, the previous placement random (or none for t = 0). */
static void tfix_make(tfix *x, int I, int M, uint64_t key, double V, double Q,
                      int exec, int upload, int tau, int first)
{
    dtfl_rng r;
    dtfl_rng_init(&r, key, 77, 0, 0);
    x->m = tmo_table2();
    x->m.V = V;
    x->m.exec_energy = exec;
    double ex[TMMAX], ey[TMMAX];
    for (int m = 0; m < M; m++)
        ex[m] = dtfl_rng_range(&r, 0, 15e3), ey[m] = dtfl_rng_range(&r, 0, 18e3);
    for (int m = 0; m < M; m++)
        for (int k = 0; k < M; k++)
            x->es[m * M + k] = hypot(ex[m] - ex[k], ey[m] - ey[k]);
    for (int i = 0; i < I; i++) {
        double px = dtfl_rng_range(&r, 0, 15e3), py = dtfl_rng_range(&r, 0, 18e3);
        for (int m = 0; m < M; m++)
            x->snr[i * M + m] = scen_tmo_snr(&x->m, hypot(px - ex[m], py - ey[m]), 1.0);
        x->lam[i] = dtfl_rng_range(&r, 10e6, 20e6);
        x->J[i] = dtfl_rng_range(&r, 25e6, 35e6);
        x->D[i] = dtfl_rng_range(&r, 8e6, 10e6);
        x->prev[i] = first ? -1 : (int)dtfl_rng_below(&r, (uint32_t)M);
    }
    x->s = (scen_tmo_slot){I, M, &x->m, x->snr, x->lam, x->J, x->D, x->es,
                           x->prev, Q, tau, upload};
}

static scen_tmo_am_opts tmo_am_defaults(void)
{
    return (scen_tmo_am_opts){SCEN_TMO_INIT_BOTH, 1, 1e-9, 10, 10.0, 1e-9};
}

#endif /* DTFL_TEST_TMO_FIXTURE_H */
