/*
 * test_tmo.c - TMO's models and slot problem (scen/tmo_model.c, tmo_p4.c,
 * tmo_am.c), spec section 9 items 1-4: the magnitudes of spec section 3 by
 * hand; g_m's shares against dense search and the KKT conditions; P4-1 on
 * GLPK against enumeration, and its LP path with equal shares; the exact
 * P4 against an independent enumeration; AM never rising, and on 200
 * seeded instances of both regimes of spec E4: AM's gap per start, the
 * local search never worse and within 0.5 % of the optimum on average,
 * and the collapse of balanced starts when energy weighs most.
 */
#include "tmo_fixture.h"

#include <stdio.h>

/* Spec section 3: 74 dB at 1 km, 123 / 33 Mbit/s at u = 1 / 0.25, a
 * 15-Mbit task in 0.45 s over the air and 0.9 s at f = 0.25, 1.8 kJ to run
 * it, a 30-Mbit status in about 1 s. */
static void test_hand_values(void **state)
{
    (void)state;
    const scen_tmo_model m = tmo_table2();
    check_close(m.n0, 3.981e-21, 1e-24); /* -174 dBm/Hz */
    const double s = scen_tmo_snr(&m, 1000.0, 1.0);
    check_close(10 * log10(s), 74.0, 0.05);
    check_close(scen_tmo_rate(&m, s, 1.0) / 1e6, 122.9, 0.1);
    check_close(scen_tmo_rate(&m, s, 0.25) / 1e6, 33.2, 0.1);
    check_close(scen_tmo_rate(&m, scen_tmo_snr(&m, 10e3, 1.0), 1.0) / 1e6, 89.7, 0.1);
    scen_tmo_pt_cost c;
    scen_tmo_pt(&m, s, 15e6, 30e6, 9e6, 5000.0, 1, 0.25, 0.25, &c);
    check_close(c.t_tra, 15e6 / scen_tmo_rate(&m, s, 0.25), 1e-12);
    check_close(c.t_tra, 0.451, 0.001);
    check_close(c.e_tra, 0.5 * c.t_tra, 1e-15);
    check_close(c.t_exe, 0.9, 1e-12);
    check_close(c.e_exe, 1800.0, 1e-9);
    check_close(c.e_mig, 1e-11 * 9e6 * 5000.0, 1e-15); /* 0.45 J */
    check_close(c.t_upl, 0.903, 0.001);
    check_close(c.e_upl, 0.5 * c.t_upl + 1.0 * 30e6 / 1e9, 1e-12);
    scen_tmo_pt(&m, s, 15e6, 30e6, 9e6, 0.0, 0, 0.25, 0.25, &c);
    assert_true(c.t_upl == 0.0 && c.e_upl == 0.0 && c.e_mig == 0.0);
}

/* P4's pair weight by its parts: w = A + c / r(u) + V lambda C / (f F),
 * the upload's energy spread over the frame and charged at one ES. */
static void test_pair(void **state)
{
    (void)state;
    tfix x;
    tfix_make(&x, 3, 2, 1, 1e4, 2e3, 1, 1, 4, 0);
    const scen_tmo_slot *s = &x.s;
    const scen_tmo_model *m = &x.m;
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 2; k++) {
            const double u = 0.3, f = 0.6, snr = x.snr[i * 2 + k];
            const double r = scen_tmo_rate(m, snr, u);
            const double moved = x.prev[i] == k ? 0.0 : x.es[x.prev[i] * 2 + k];
            const double want =
                1e4 * ((x.lam[i] + x.J[i]) / r + x.lam[i] * 300 / (f * 20e9)) +
                2e3 * (0.5 * (x.lam[i] + x.J[i] / 4) / r + 1e-27 * 4e20 * x.lam[i] * 300 +
                       1e-11 * x.D[i] * moved + x.J[i] / (1e9 * 4));
            check_close(scen_tmo_pair(s, i, k, u, f) / want, 1.0, 1e-13);
        }
}

/* g_m: the shares sum to 1, meet the KKT conditions and beat a grid. */
static void test_es_cost(void **state)
{
    (void)state;
    scen_tmo_work *w;
    dtfl_err err;
    assert_int_equal(scen_tmo_work_create(&w, 3, 1, &err), 0);
    for (int inst = 0; inst < 10; inst++) {
        tfix x;
        tfix_make(&x, 3, 1, 100 + inst, 1e4, 1e4 * inst, 1, inst % 2, 3, 0);
        int access[3] = {0, 0, 0};
        double u[3], f[3];
        const double g = scen_tmo_es_cost(w, &x.s, access, 0, u, f);
        check_close(u[0] + u[1] + u[2], 1.0, 1e-12);
        check_close(f[0] + f[1] + f[2], 1.0, 1e-12);
        double sl = sqrt(x.lam[0]) + sqrt(x.lam[1]) + sqrt(x.lam[2]);
        for (int i = 0; i < 3; i++) /* P4-2-2's closed form */
            check_close(f[i], sqrt(x.lam[i]) / sl, 1e-12);
        double mu0 = 0.0; /* P4-2-1's KKT: one multiplier */
        for (int i = 0; i < 3; i++) {
            const double sn = x.snr[i], c = scen_tmo_radio_w(&x.s, i);
            const double mu = c * sched_band_rate_db(5e6, sn, u[i]) /
                              pow(scen_tmo_rate(&x.m, sn, u[i]), 2);
            if (i == 0)
                mu0 = mu;
            check_close(mu / mu0, 1.0, 1e-9);
        }
        double best = INFINITY; /* a grid over both simplexes */
        const int G = 200;
        for (int a = 1; a < G; a++)
            for (int b = 1; a + b < G; b++) {
                double uu[3] = {(double)a / G, (double)b / G, (double)(G - a - b) / G};
                double v = 0.0;
                for (int i = 0; i < 3; i++)
                    v += scen_tmo_pair(&x.s, i, 0, uu[i], f[i]);
                best = fmin(best, v);
            }
        assert_true(g <= best * (1 + 1e-12));
        assert_true(g >= best * (1 - 1e-3));
    }
    scen_tmo_work_destroy(w);
}

/* P4-1: GLPK equals enumeration over M^I, with random shares (a MILP) and
 * with equal shares (its LP relaxation, integral). */
static void test_assign(void **state)
{
    (void)state;
    scen_tmo_work *w;
    dtfl_err err;
    assert_int_equal(scen_tmo_work_create(&w, 7, 3, &err), 0);
    int solved = 0;
    for (int inst = 0; inst < 60; inst++) {
        const int I = 3 + inst % 5, M = 2 + inst % 2, equal = inst % 3 == 0;
        tfix x;
        tfix_make(&x, I, M, 200 + inst, 1e4, inst % 2 ? 1e5 : 1e3, 0, inst % 2, 2, 0);
        double u[7], f[7];
        dtfl_rng r;
        dtfl_rng_init(&r, 300 + inst, 1, 0, 0);
        for (int i = 0; i < I; i++) {
            u[i] = equal ? 1.0 / ((I + M - 1) / M) : dtfl_rng_range(&r, 0.15, 0.6);
            f[i] = equal ? u[i] : dtfl_rng_range(&r, 0.15, 0.6);
        }
        int brute[7], glpk[7];
        const double want = scen_tmo_assign_brute(&x.s, u, f, brute);
        if (!isfinite(want))
            continue;
        memcpy(glpk, x.prev, sizeof glpk);
        double v;
        assert_int_equal(scen_tmo_assign(w, &x.s, u, f, 10.0, 0.0, glpk, &v, &err), 0);
        check_close(v / want, 1.0, 1e-9);
        solved++;
    }
    assert_true(solved >= 40);
    scen_tmo_work_destroy(w);
}

/* The exact optimum against an enumeration that prices every assignment
 * with scen_tmo_value. */
static void test_exact(void **state)
{
    (void)state;
    scen_tmo_work *w;
    dtfl_err err;
    assert_int_equal(scen_tmo_work_create(&w, 6, 3, &err), 0);
    for (int inst = 0; inst < 4; inst++) {
        tfix x;
        tfix_make(&x, 5 + inst % 2, 3, 400 + inst, 1e4, 1e4, 0, 1, 3, 0);
        int a[6], e[6];
        const double v = scen_tmo_exact(w, &x.s, e);
        double best = INFINITY, u[6], f[6];
        memset(a, 0, sizeof a);
        for (;;) {
            best = fmin(best, scen_tmo_value(w, &x.s, a, u, f));
            int k = 0;
            while (k < x.s.I && ++a[k] == 3)
                a[k++] = 0;
            if (k == x.s.I)
                break;
        }
        check_close(v / best, 1.0, 1e-12);
        check_close(scen_tmo_value(w, &x.s, e, u, f) / v, 1.0, 1e-12);
    }
    scen_tmo_work_destroy(w);
}

/* AM on 200 instances (I = 6, M = 3), half at V = Q = 1e4, half at V =
 * 1e3, Q = 1e5, E^exe left out (spec E4): never rising, the local search
 * never worse, its mean gap below 0.5 %; balanced starts collapse where
 * energy weighs most. */
static void test_am(void **state)
{
    (void)state;
    scen_tmo_work *w;
    dtfl_err err;
    assert_int_equal(scen_tmo_work_create(&w, 6, 3, &err), 0);
    const scen_tmo_init inits[3] = {SCEN_TMO_INIT_PREV, SCEN_TMO_INIT_BALANCED,
                                    SCEN_TMO_INIT_BOTH};
    double gap[2][4] = {{0}}; /* regime x (prev, balanced, both, both + ls) */
    int optimal[2][4] = {{0}};
    for (int inst = 0; inst < 200; inst++) {
        const int reg = inst % 2;
        tfix x;
        tfix_make(&x, 6, 3, 1000 + inst, reg ? 1e3 : 1e4, reg ? 1e5 : 1e4, 0,
                  inst % 4 < 2, 2, 0);
        int a[6];
        double u[6], f[6], v[4];
        const double opt = scen_tmo_exact(w, &x.s, a);
        for (int k = 0; k < 4; k++) {
            scen_tmo_am_opts o = tmo_am_defaults();
            o.init = inits[k < 3 ? k : 2];
            o.local_search = k == 3;
            scen_tmo_am_info info;
            assert_int_equal(scen_tmo_am(w, &x.s, &o, a, u, f, &v[k], &info, &err), 0);
            assert_int_equal(info.rising, 0);
            assert_true(info.iters >= 1 && info.iters <= o.iters);
            check_close(v[k] / scen_tmo_value(w, &x.s, a, u, f), 1.0, 1e-12);
            assert_true(v[k] >= opt * (1 - 1e-12));
            gap[reg][k] += (v[k] - opt) / opt / 100;
            optimal[reg][k] += v[k] <= opt * (1 + 1e-9);
        }
        assert_true(v[3] <= v[2] * (1 + 1e-12));
        assert_true(v[2] <= fmin(v[0], v[1]) * (1 + 1e-12));
    }
    for (int reg = 0; reg < 2; reg++)
        print_message("regime %s: mean gap prev %.2f%% balanced %.2f%% both "
                      "%.2f%% both+ls %.4f%%; optimal %d %d %d %d of 100\n",
                      reg ? "V 1e3, Q 1e5" : "V = Q = 1e4", 100 * gap[reg][0],
                      100 * gap[reg][1], 100 * gap[reg][2], 100 * gap[reg][3],
                      optimal[reg][0], optimal[reg][1], optimal[reg][2],
                      optimal[reg][3]);
    assert_true(gap[0][3] < 0.005 && gap[1][3] < 0.005);
    /* the reading's regression: balanced shares force moves that energy
     * does not pay for (E4 measured 77-79 %) */
    assert_true(gap[1][1] > 0.2);
    assert_true(gap[1][1] > 10 * gap[1][0]);
    scen_tmo_work_destroy(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_values),
        cmocka_unit_test(test_pair),
        cmocka_unit_test(test_es_cost),
        cmocka_unit_test(test_assign),
        cmocka_unit_test(test_exact),
        cmocka_unit_test(test_am),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
