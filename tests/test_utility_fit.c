/*
 * test_utility_fit.c - the least-squares fit of eqs. 11-12 of 003
 * (scen_diten_fit): synthetic points generated from known a1..a6 with
 * Gaussian noise are fitted from a distant start, and every parameter comes
 * back within three of its reported standard errors (and those errors are
 * small enough to mean something); without noise the fit is exact; on data
 * that cannot tell a2 from a3 (accuracy independent of phi) the fit stays
 * within its bounds instead of running off to 1e-233 and 1e305; too few
 * points, an unusable point or a start outside the bounds are refused.
 */
#include "check.h"

#include "../base/dtfl.h"
#include "../scen/diten.h"

#define GRID_N 10   /* n = 200, 400, ..., 2000 */
#define GRID_PHI 4  /* phi = 0, 0.2, 0.4, 0.6 */
#define REPS 3      /* seeds per point */
#define M (GRID_N * GRID_PHI * REPS)

static const double truth[6] = {0.8862, 6.8382, 0.0006, 0.9172, -0.0231, 0.8366};

/* The grid of Fig. 3 with accuracies from `truth` plus noise of std sigma
 * (a counter-based stream, so the test is deterministic). */
static void synth(double sigma, double *n, double *phi, double *acc)
{
    scen_diten_params p = scen_diten_defaults();
    memcpy(p.a, truth, sizeof truth);
    dtfl_rng r;
    dtfl_rng_init(&r, 42, DTFL_STREAM_POLICY, 0, 0);
    for (int i = 0; i < M; i++) {
        n[i] = 200.0 * (1 + (i / REPS) % GRID_N);
        phi[i] = 0.2 * (i / (REPS * GRID_N));
        acc[i] = scen_diten_utility(&p, n[i], phi[i]) + sigma * dtfl_rng_normal(&r);
    }
}

static void test_recovers_noisy(void **state)
{
    (void)state;
    double n[M], phi[M], acc[M];
    synth(0.01, n, phi, acc);
    const double start[6] = {0.5, 3.0, 0.002, 0.7, 0.1, 0.5};
    scen_diten_fit_result f;
    dtfl_err err = {0};
    assert_int_equal(scen_diten_fit(n, phi, acc, M, start, &f, &err), 0);
    assert_int_equal(f.points, M);
    for (int k = 0; k < 6; k++) {
        print_message("a%d = %.5g +- %.3g (truth %.5g)\n", k + 1, f.a[k],
                      f.se[k], truth[k]);
        assert_true(isfinite(f.se[k]) && f.se[k] > 0);
        check_close(f.a[k], truth[k], 3.0 * f.se[k]);
    }
    check_lt(0.95, f.r2);
    check_close(f.rmse, 0.01, 0.003); /* the noise level comes back */
    /* errors that mean something: the curve's level and shape parameters to
     * a tenth of their size (a2 and a3 trade off, so they are looser) */
    check_lt(f.se[0], 0.1 * truth[0]);
    check_lt(f.se[3], 0.1 * truth[3]);
    check_lt(f.se[5], 0.1 * truth[5]);
}

static void test_exact_without_noise(void **state)
{
    (void)state;
    double n[M], phi[M], acc[M];
    synth(0.0, n, phi, acc);
    const double start[6] = {0.8, 6.0, 0.0005, 0.9, 0.0, 0.8};
    scen_diten_fit_result f;
    assert_int_equal(scen_diten_fit(n, phi, acc, M, start, &f, NULL), 0);
    check_lt(f.rmse, 1e-7);
    for (int k = 0; k < 6; k++)
        check_close(f.a[k], truth[k], 1e-4 * (fabs(truth[k]) + 0.01));
}

static void test_stays_bounded(void **state)
{
    (void)state;
    double n[M], phi[M], acc[M];
    synth(0.005, n, phi, acc);
    scen_diten_params p = scen_diten_defaults();
    for (int i = 0; i < M; i++) /* the phi = 0 curve for every phi */
        acc[i] += scen_diten_utility(&p, n[i], 0.0) - scen_diten_utility(&p, n[i], phi[i]);
    scen_diten_fit_result f;
    assert_int_equal(scen_diten_fit(n, phi, acc, M, truth, &f, NULL), 0);
    for (int k = 0; k < 6; k++) {
        print_message("a%d = %.5g%s\n", k + 1, f.a[k], f.at_bound[k] ? " (at bound)" : "");
        assert_true(isfinite(f.a[k]));
    }
    check_lt(f.a[2], 1.0 + 1e-9);   /* a3 n stays of order n at most */
    check_lt(1e-4 - 1e-12, f.a[1]); /* a2 does not vanish */
    check_lt(0.95, f.r2);           /* and the curve still fits */
}

static void test_refuses_bad_input(void **state)
{
    (void)state;
    double n[M], phi[M], acc[M];
    synth(0.01, n, phi, acc);
    scen_diten_fit_result f;
    dtfl_err err = {0};
    assert_int_equal(scen_diten_fit(n, phi, acc, 6, truth, &f, &err), DTFL_ERANGE);
    assert_non_null(strstr(err.msg, "at least 7"));
    acc[5] = NAN;
    assert_int_equal(scen_diten_fit(n, phi, acc, M, truth, &f, &err), DTFL_EDATA);
    assert_non_null(strstr(err.msg, "point 5"));
    acc[5] = 0.5;
    n[3] = 0.0; /* (a3 n)^v needs n > 0 */
    assert_int_equal(scen_diten_fit(n, phi, acc, M, truth, &f, &err), DTFL_EDATA);
    n[3] = 200.0;
    const double negative[6] = {0.8, -1.0, 0.0005, 0.9, 0.0, 0.8};
    assert_int_equal(scen_diten_fit(n, phi, acc, M, negative, &f, &err), DTFL_ERANGE);
    assert_non_null(strstr(err.msg, "a2"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recovers_noisy),
        cmocka_unit_test(test_exact_without_noise),
        cmocka_unit_test(test_stays_bounded),
        cmocka_unit_test(test_refuses_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
