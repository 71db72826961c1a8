/*
 * test_eco.c - the models of EcoEdgeTwin (scen/eco_model.c) and the cache
 * of eq. 5 (scen/eco_cache.c), spec section 8 items 1-8: the rate's hand
 * values in both readings; the twin's gap identity, its sign, and eq. 9
 * about half of it; eq. 11's window and QoE in [0, 1]; one user's energy
 * by hand, two users sharing a server; the migration cost; the LRU never
 * over its capacity on a hand sequence and on random ones; eq. 7's sum
 * linear in beta and its max form lowest at the balance; the reward rising
 * with QoE.
 */
#include "check.h"

#include "../scen/eco.h"

#include <math.h>
#include <string.h>

/* The defaults of the spec (section 3). */
static scen_eco_model defaults(void)
{
    return (scen_eco_model){20e6, 2e-12, SCEN_ECO_PL_3GPP, 1e-3, 2e-3, 1e9, 0.05,
                            0.0, 0.150, 0.250, 0.0, 0.7, 1e-9, 1e-7, 5.0, 1.0,
                            1.0, 0.1, 5e-9, 5e-3, 0, 1, {1, 1, 1}, 0};
}

/* A 700 KB task of 300 cycles a byte at 150 m, h = 1, p = 0.4 W. */
static scen_eco_task task(const scen_eco_model *m, double beta)
{
    const double rate = scen_eco_rate(m, 0.4, scen_eco_gain(m, 150.0), 1.0);
    return (scen_eco_task){5.6e6, 2.1e8, beta, 0, 0, 0, 0, rate, 0.4, 1.5,
                           1e9, 1e9, 1e10, 1e10, 1};
}

static void test_rate(void **state)
{
    (void)state;
    scen_eco_model m = defaults();
    check_close(scen_eco_rate(&m, 0.4, scen_eco_gain(&m, 150.0), 1.0) / 1e6, 106.3, 0.1);
    m.pathloss = SCEN_ECO_PL_LITERAL;
    check_close(scen_eco_rate(&m, 0.4, scen_eco_gain(&m, 150.0), 1.0) / 1e6, 406.9, 0.1);
    m.pathloss = SCEN_ECO_PL_3GPP; /* distances below 10 m count as 10 m */
    check_close(scen_eco_gain(&m, 1.0), scen_eco_gain(&m, 10.0), 0);
    assert_true(scen_eco_gain(&m, 300.0) < scen_eco_gain(&m, 150.0));
}

static void test_gap(void **state)
{
    (void)state;
    const double lam = 2.1e8, est = 1e9;
    for (int k = -20; k <= 20; k++) {
        const double act = est * (1.0 + k / 100.0), gap = scen_eco_gap(lam, est, act);
        check_close(lam / est + gap, lam / act, 1e-12 * lam / act); /* estimate + gap */
        assert_true(k > 0 ? gap < 0 : k < 0 ? gap > 0 : gap == 0); /* sign of f~ */
        const double g9 = scen_eco_g9(lam, est, act);
        check_close(g9, -lam * (est - act) / (act * (act + est)), 1e-15 * lam);
        if (k != 0 && abs(k) <= 2) /* eq. 9 is about half the gap */
            check_close(-g9 / gap, 0.5, 0.02);
    }
}

static void test_qoe(void **state)
{
    (void)state;
    scen_eco_model m = defaults();
    check_close(scen_eco_w(&m, 0.150), 1.0, 0);
    check_close(scen_eco_w(&m, 0.200), 0.5, 1e-12);
    check_close(scen_eco_w(&m, 0.250), 0.0, 0);
    check_close(scen_eco_w(&m, 0.400), 0.0, 0);
    m.w_beyond = 0.2;
    check_close(scen_eco_w(&m, 0.400), 0.2, 0);
    m = defaults();
    for (int k = 0; k <= 10; k++) { /* QoE in [0, 1] while C_st <= B */
        scen_eco_task t = task(&m, k / 10.0);
        scen_eco_user u;
        scen_eco_user_of(&m, &t, &u);
        assert_true(u.qoe >= 0.0 && u.qoe <= 1.0);
    }
}

static void test_energy(void **state)
{
    (void)state;
    scen_eco_model m = defaults();
    scen_eco_task t = task(&m, 0.0);
    scen_eco_user u;
    scen_eco_user_of(&m, &t, &u);
    check_close(u.e_dev, 0.210, 1e-12); /* 1 W x 2.1e8 / 1e9 */
    check_close(u.energy, 0.210, 1e-12);
    check_close(u.latency, 0.210, 1e-12);
    t = task(&m, 1.0);
    scen_eco_user_of(&m, &t, &u);
    check_close(u.e_up, 0.0211, 1e-4);   /* 0.4 W x 5.6e6 / 106.3e6 */
    check_close(u.e_srv, 0.105, 1e-12);  /* 5 W x 2.1e8 / 1e10 */
    check_close(u.e_dev, 0.0, 0);
    scen_eco_user one = u;
    t.n_srv = 2; /* two tasks share the server: the compute time doubles */
    scen_eco_user_of(&m, &t, &u);
    check_close(u.latency - one.latency, 2.1e8 / 1e10, 1e-12);
    check_close(u.energy, one.energy, 0); /* busy time: not doubled */
    t.n_srv = 1, t.migrated = 1, t.migrate_hops = 2; /* eq. 3 and the backhaul */
    scen_eco_user_of(&m, &t, &u);
    check_close(u.cost_mig, 0.56, 1e-12); /* 5.6 Mbit x 0.1 per Mbit */
    check_close(u.latency - one.latency, 2 * 2e-3 + 5.6e6 / 1e9, 1e-12);
    check_close(u.e_bh, 5e-9 * 5.6e6 * 2, 1e-15);
    t.migrated = 0, t.migrate_hops = 0, t.hit = 1; /* a hit: router and outcome */
    scen_eco_user_of(&m, &t, &u);
    check_close(u.latency, 2e-3 + 0.05 * 5.6e6 / t.rate, 1e-12);
    check_close(u.e_srv + u.e_up + u.e_dev, 0.0, 0);
}

static void test_combine(void **state)
{
    (void)state;
    scen_eco_model m = defaults();
    double L[3];
    for (int k = 0; k < 3; k++) { /* eq. 7's sum: linear in beta on (0, 1] */
        scen_eco_task t = task(&m, 0.2 + 0.3 * k);
        scen_eco_user u;
        scen_eco_user_of(&m, &t, &u);
        L[k] = u.latency;
    }
    check_close(L[1] - L[0], L[2] - L[1], 1e-12);
    m.combine_max = 1; /* parallel parts: lowest where they balance */
    double best = INFINITY, at = -1;
    for (int k = 1; k <= 1000; k++) {
        scen_eco_task t = task(&m, k / 1000.0);
        scen_eco_user u;
        scen_eco_user_of(&m, &t, &u);
        if (u.latency < best)
            best = u.latency, at = k / 1000.0;
    }
    scen_eco_task t = task(&m, at);
    scen_eco_user u;
    scen_eco_user_of(&m, &t, &u);
    check_close(u.l_local, u.l_edge, 2e-3 * u.l_local);
    assert_true(at > 0.0 && at < 1.0);
}

static void test_reward(void **state)
{
    (void)state;
    scen_eco_model m = defaults();
    const double r0 = scen_eco_reward(&m, 10, 1.5, 3.0, 4.0, 6.0);
    check_close(r0, -1.5 / 2.5 - 0.75 + 0.6, 1e-12);
    assert_true(scen_eco_reward(&m, 10, 1.5, 3.0, 4.0, 7.0) > r0); /* spec 6.1 */
    assert_true(scen_eco_reward(&m, 10, 2.0, 3.0, 4.0, 6.0) < r0);
    m.reward_raw = 1;
    check_close(scen_eco_reward(&m, 10, 1.5, 3.0, 4.0, 6.0), -4.5 + 6.0, 1e-12);
}

static void test_cache(void **state)
{
    (void)state;
    scen_eco_cache c;
    dtfl_err err;
    const double sizes[4] = {3, 4, 2, 9};
    assert_int_equal(scen_eco_cache_init(&c, 2, 4, 8.0, &err), 0);
    scen_eco_cache_put(&c, 0, 0, 3, sizes); /* {0} */
    scen_eco_cache_put(&c, 0, 1, 4, sizes); /* {0, 1}: 7 */
    scen_eco_cache_touch(&c, 0, 0);         /* 1 is now the least recent */
    scen_eco_cache_put(&c, 0, 2, 2, sizes); /* 9 > 8: 1 goes; {0, 2}: 5 */
    assert_true(scen_eco_cache_has(&c, 0, 0) && !scen_eco_cache_has(&c, 0, 1));
    assert_true(scen_eco_cache_has(&c, 0, 2));
    check_close(c.used[0], 5.0, 0);
    scen_eco_cache_put(&c, 0, 3, 9, sizes); /* larger than the cache: not kept */
    assert_false(scen_eco_cache_has(&c, 0, 3));
    assert_false(scen_eco_cache_has(&c, 1, 0)); /* servers apart */
    dtfl_rng r;
    dtfl_rng_init(&r, 9, 1, 0, 0);
    for (int k = 0; k < 2000; k++) {
        int s = (int)dtfl_rng_below(&r, 2), j = (int)dtfl_rng_below(&r, 3);
        scen_eco_cache_put(&c, s, j, sizes[j], sizes);
        assert_true(c.used[s] <= 8.0 + 1e-12);
        double held = 0.0;
        for (int q = 0; q < 4; q++)
            held += scen_eco_cache_has(&c, s, q) ? sizes[q] : 0.0;
        check_close(held, c.used[s], 1e-9);
    }
    scen_eco_cache_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rate),    cmocka_unit_test(test_gap),
        cmocka_unit_test(test_qoe),     cmocka_unit_test(test_energy),
        cmocka_unit_test(test_combine), cmocka_unit_test(test_reward),
        cmocka_unit_test(test_cache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
