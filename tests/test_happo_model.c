/*
 * test_happo_model.c - the models of Beta-HAPPO's scenario (scen/happo_model.c),
 * spec section 8: E|h|^2 of the Rician channel over 1e5 draws within 1 % of
 * rho0 d^-phi; the hand instance (two BSs, two MUs, the scattered part 0:
 * SINR, rate, time, energy to the spec's digits); the interference
 * readings apart; the queue of eq. 15 on the spec's sequence; the failure
 * truth table of eq. 12 with migration; the mapping (M1) within the
 * server's and the link's totals for any scores; the reward's sign and
 * scale.
 */
#include "check.h"

#include "../scen/happo.h"

#include <math.h>

static scen_happo_model table1(void)
{
    return (scen_happo_model){.bw = 10e6, .noise = 1e-9, .rho0 = 1e-3, .phi = 2,
                              .kappa = 10, .wired = 10e6, .f_max = 10e9, .eps = 0.2,
                              .eta = 1.0, .nu = 100, .interference = SCEN_HAPPO_PHYSICAL,
                              .energy_capped = 1, .reward_literal = 0};
}

static void test_rician_mean(void **state)
{
    (void)state;
    scen_happo_model m = table1();
    dtfl_rng r;
    dtfl_rng_init(&r, 7, 13, 0, 0);
    double s = 0.0;
    const int n = 100000;
    for (int i = 0; i < n; i++) { /* CN(0, 1): each part N(0, 1/2) */
        const double hr = dtfl_rng_normal(&r) / sqrt(2.0), hi = dtfl_rng_normal(&r) / sqrt(2.0);
        s += scen_happo_gain(&m, 300.0, hr, hi);
    }
    check_close(s / n / (1e-3 / (300.0 * 300.0)), 1.0, 0.01);
}

/* BSs at (0, 0) and (1000, 0); MU1 at (100, 0) served and hosted by BS1,
 * MU2 at (900, 0) served by BS2, hosted by BS1 (relayed). */
static void test_hand_instance(void **state)
{
    (void)state;
    scen_happo_model m = table1();
    double g[4];
    const double mu[2] = {100, 900}, bs[2] = {0, 1000};
    for (int k = 0; k < 2; k++)
        for (int b = 0; b < 2; b++)
            g[k * 2 + b] = scen_happo_gain(&m, fabs(mu[k] - bs[b]), 0.0, 0.0);
    const double p[2] = {0.5, 0.25};
    const int assoc[2] = {0, 1}, tx[2] = {1, 1};
    double sinr[2], rate[2];
    scen_happo_uplink(&m, 2, 2, g, p, assoc, tx, sinr, rate);
    check_close(sinr[0], 35.495180, 1e-6);
    check_close(sinr[1], 14.557872, 1e-6);
    check_close(rate[0] / 1e6, 51.896340, 1e-6);
    check_close(rate[1] / 1e6, 39.595728, 1e-6);
    const double t1 = scen_happo_time(20e3, 600, rate[0], 0, m.wired, 6e9);
    const double t2 = scen_happo_time(16e3, 650, rate[1], 1, m.wired, 4e9);
    check_close(t1 * 1e3, 2.385384, 1e-6);
    check_close(t2 * 1e3, 4.604084, 1e-6);
    check_close(scen_happo_energy(&m, p[0], 20e3, rate[0], 0.045) * 1e3, 0.192692, 1e-6);
    check_close(scen_happo_energy(&m, p[1], 16e3, rate[1], 0.045) * 1e3, 0.101021, 1e-6);
    /* capped at the deadline (the reading) or not (eq. 13 as printed) */
    check_close(scen_happo_energy(&m, 0.5, 20e3, rate[0], 1e-4), 0.5 * 1e-4, 1e-15);
    m.energy_capped = 0;
    check_close(scen_happo_energy(&m, 0.5, 20e3, rate[0], 1e-4), 0.5 * 20e3 / rate[0], 1e-15);
    /* the literal interference charges MU2 its gain to its own BS */
    m.interference = SCEN_HAPPO_LITERAL;
    double s2[2], r2[2];
    scen_happo_uplink(&m, 2, 2, g, p, assoc, tx, s2, r2);
    check_close(s2[0], p[0] * g[0] / (p[1] * g[3] + m.noise), 1e-12);
    assert_true(s2[0] < sinr[0]); /* MU2's own-BS gain is the stronger */
    m.interference = SCEN_HAPPO_INTRACELL; /* each alone in its cell */
    scen_happo_uplink(&m, 2, 2, g, p, assoc, tx, s2, r2);
    check_close(s2[0], p[0] * g[0] / m.noise, 1e-12);
    const int tx1[2] = {1, 0}; /* a silent MU neither sends nor interferes */
    m.interference = SCEN_HAPPO_PHYSICAL;
    scen_happo_uplink(&m, 2, 2, g, p, assoc, tx1, s2, r2);
    check_close(s2[0], p[0] * g[0] / m.noise, 1e-12);
    assert_true(s2[1] == 0.0 && r2[1] == 0.0);
}

static void test_queue_and_failures(void **state)
{
    (void)state;
    scen_happo_model m = table1();
    const int X[10] = {1, 0, 0, 1, 1, 0, 0, 0, 0, 0};
    const double want[10] = {0.8, 0.6, 0.4, 1.2, 2.0, 1.8, 1.6, 1.4, 1.2, 1.0};
    double Y = 0.0;
    for (int n = 0; n < 10; n++) {
        Y = scen_happo_queue(&m, Y, X[n]);
        check_close(Y, want[n], 1e-12);
    }
    assert_true(scen_happo_queue(&m, 0.1, 0) == 0.0); /* never below 0 */
    /* eq. 12: request x migrating x late */
    for (int a = 0; a < 2; a++)
        for (int mig = 0; mig < 2; mig++)
            for (int late = 0; late < 2; late++)
                assert_int_equal(scen_happo_failure(a, mig, late ? 0.05 : 0.01, 0.045),
                                 a && (mig || late));
}

/* (M1): any scores, exact zeros and ones included, share the server's CPU
 * and the link's rate within their totals (eqs. 14e-14h). */
static void test_mapping(void **state)
{
    (void)state;
    dtfl_rng r;
    dtfl_rng_init(&r, 3, 13, 1, 0);
    for (int it = 0; it < 1000; it++) {
        double c[6];
        int members[6], n = 1 + (int)dtfl_rng_below(&r, 6);
        for (int i = 0; i < 6; i++) {
            const uint32_t k = dtfl_rng_below(&r, 4);
            c[i] = k == 0 ? 0.0 : k == 1 ? 1.0 : dtfl_rng_uniform(&r);
            members[i] = i;
        }
        double sum = 0.0;
        for (int i = 0; i < n; i++) {
            const double f = scen_happo_share(10e9, c[i], c, members, n);
            assert_true(f >= 0.0 && f <= 10e9 * (1 + 1e-12));
            sum += f;
        }
        assert_true(sum <= 10e9 * (1 + 1e-12));
        double all = 0.0;
        for (int i = 0; i < n; i++)
            all += c[i];
        if (all > 0.0)
            check_close(sum, 10e9, 1e-3); /* all of it is handed out */
    }
}

static void test_reward(void **state)
{
    (void)state;
    scen_happo_model m = table1();
    /* per user: -nu / K sum (E + eta Y (X - eps)) */
    const double xi[2] = {scen_happo_xi(&m, 0.005, 1.0, 1, 150000),
                          scen_happo_xi(&m, 0.003, 0.0, 0, 150000)};
    check_close(xi[0], 0.005 + 0.8, 1e-12);
    check_close(scen_happo_reward(&m, xi, 2), -100.0 * (0.805 + 0.003) / 2, 1e-12);
    m.reward_literal = 1; /* eq. 28 as printed: energy over QKT */
    check_close(scen_happo_xi(&m, 0.005, 1.0, 1, 150000), 0.005 / 150000 + 0.8, 1e-15);
    check_close(scen_happo_reward(&m, xi, 2), -100.0 * 0.808, 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rician_mean),  cmocka_unit_test(test_hand_instance),
        cmocka_unit_test(test_queue_and_failures), cmocka_unit_test(test_mapping),
        cmocka_unit_test(test_reward),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
