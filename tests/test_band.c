/*
 * test_band.c - sharing a band and a CPU (sched/band.c): the rate's
 * derivatives against central differences, 1/r convex on a grid (the
 * reason the band problem has one optimum; tmo spec E5), the band split
 * against a dense search on 2 and 3 users and its KKT condition (equal
 * marginals w r' / r^2, the whole band used), the square-root rule against
 * a dense search.
 */
#include "check.h"

#include "../sched/sched.h"

#include <math.h>

static void test_rate_derivatives(void **state)
{
    (void)state;
    const double bw = 5e6, snrs[] = {1.0, 1e3, 2.5e7};
    for (int k = 0; k < 3; k++)
        for (double b = 0.01; b < 1.0; b += 0.07) {
            const double h = 1e-6 * b, s = snrs[k];
            double fd = (sched_band_rate(bw, s, b + h) - sched_band_rate(bw, s, b - h)) / (2 * h);
            check_close(fd / sched_band_rate_db(bw, s, b), 1.0, 1e-6);
            double fd2 = (sched_band_rate_db(bw, s, b + h) - sched_band_rate_db(bw, s, b - h)) / (2 * h);
            check_close(fd2 / sched_band_rate_db2(bw, s, b), 1.0, 1e-5);
        }
    assert_true(sched_band_rate(bw, 5.0, 0.0) == 0.0);
}

/* (1/r)'' = (2 r'^2 - r r'') / r^3 > 0 for u in [1e-4, 1], snr in [1, 1e10] */
static void test_inverse_rate_convex(void **state)
{
    (void)state;
    for (double ls = 0; ls <= 10; ls += 0.5)
        for (double lu = -4; lu <= 0; lu += 0.1) {
            const double s = pow(10, ls), u = pow(10, lu);
            const double r = sched_band_rate(1.0, s, u), r1 = sched_band_rate_db(1.0, s, u);
            const double r2 = sched_band_rate_db2(1.0, s, u);
            assert_true(2 * r1 * r1 - r * r2 > 0.0);
        }
}

static double band_value(int n, const double *w, const double *snr,
                         double bw, const double *b)
{
    double v = 0.0;
    for (int k = 0; k < n; k++)
        v += w[k] / sched_band_rate(bw, snr[k], b[k]);
    return v;
}

static void test_band_split(void **state)
{
    (void)state;
    sched_band *sb;
    dtfl_err err;
    assert_int_equal(sched_band_create(&sb, &err), 0);
    dtfl_rng r;
    dtfl_rng_init(&r, 3, 1, 0, 0);
    const double bw = 5e6;
    for (int inst = 0; inst < 30; inst++) {
        const int n = 2 + inst % 2;
        double w[3], snr[3], b[3];
        for (int k = 0; k < n; k++) {
            w[k] = pow(10, dtfl_rng_range(&r, 0, 6));
            snr[k] = pow(10, dtfl_rng_range(&r, 0, 9));
        }
        const double v = sched_band_split(sb, n, w, snr, bw, b);
        check_close(v, band_value(n, w, snr, bw, b), 1e-12);
        check_close(b[0] + b[1] + (n == 3 ? b[2] : 0.0), 1.0, 1e-12);
        double m0 = w[0] * sched_band_rate_db(bw, snr[0], b[0]) /
                    pow(sched_band_rate(bw, snr[0], b[0]), 2);
        for (int k = 1; k < n; k++) /* KKT: one multiplier */
            check_close(w[k] * sched_band_rate_db(bw, snr[k], b[k]) /
                            pow(sched_band_rate(bw, snr[k], b[k]), 2) / m0, 1.0, 1e-9);
        double best = INFINITY; /* dense search on the simplex */
        const int G = n == 2 ? 20000 : 600;
        for (int a = 1; a < G; a++)
            for (int c = n == 2 ? G - a : 1; c <= G - a - (n == 3); c++) {
                double g[3] = {(double)a / G, (double)c / G, (double)(G - a - c) / G};
                best = fmin(best, band_value(n, w, snr, bw, g));
            }
        assert_true(v <= best * (1 + 1e-12));
        assert_true(v >= best * (1 - 1e-3)); /* the grid is near it */
    }
    double w1 = 2.0, s1 = 10.0, b1;
    check_close(sched_band_split(sb, 1, &w1, &s1, bw, &b1), 2.0 / sched_band_rate(bw, 10.0, 1.0), 0.0);
    assert_true(b1 == 1.0);
    sched_band_destroy(sb);
}

/* Weights and SNRs over many decades (some shares end near 0, where the
 * Newton solve gives way to the bracketed one): the split is never above
 * a dense search on two users, and the whole band is used. */
static void test_band_extremes(void **state)
{
    (void)state;
    sched_band *sb;
    dtfl_err err;
    assert_int_equal(sched_band_create(&sb, &err), 0);
    dtfl_rng r;
    dtfl_rng_init(&r, 9, 1, 0, 0);
    for (int inst = 0; inst < 300; inst++) {
        double w[2], snr[2], b[2];
        for (int k = 0; k < 2; k++) {
            w[k] = pow(10, dtfl_rng_range(&r, -3, 12));
            snr[k] = pow(10, dtfl_rng_range(&r, -6, 12));
        }
        const double v = sched_band_split(sb, 2, w, snr, 5e6, b);
        check_close(b[0] + b[1], 1.0, 1e-12);
        double best = INFINITY;
        for (int a = 1; a < 4000; a++) {
            double g[2] = {a / 4000.0, 1 - a / 4000.0};
            best = fmin(best, band_value(2, w, snr, 5e6, g));
        }
        assert_true(v <= best * (1 + 1e-12));
    }
    sched_band_destroy(sb);
}

/* What a third user adds to a split of two is at least sched_band_join
 * at the split's multiplier, which is below the least over a grid and
 * within 10 % of it. */
static void test_band_join(void **state)
{
    (void)state;
    sched_band *sb;
    dtfl_err err;
    assert_int_equal(sched_band_create(&sb, &err), 0);
    dtfl_rng r;
    dtfl_rng_init(&r, 10, 1, 0, 0);
    const double bw = 5e6;
    for (int inst = 0; inst < 100; inst++) {
        double w[3], snr[3], b[3];
        for (int k = 0; k < 3; k++) {
            w[k] = pow(10, dtfl_rng_range(&r, 0, 6));
            snr[k] = pow(10, dtfl_rng_range(&r, 2, 9));
        }
        const double two = sched_band_split(sb, 2, w, snr, bw, b);
        const double mu = sched_band_price(2, w, snr, bw, b);
        const double join = sched_band_join(mu, w[2], snr[2], bw);
        const double three = sched_band_split(sb, 3, w, snr, bw, b);
        assert_true(three - two >= join * (1 - 1e-9));
        double best = INFINITY;
        for (int a = 0; a <= 40000; a++) { /* b from 1e-8 to 1 */
            double x = pow(10, -8 + a / 5000.0);
            best = fmin(best, w[2] / sched_band_rate(bw, snr[2], x) + mu * x);
        }
        if (!(join <= best * (1 + 1e-12) && join >= best * 0.9))
            fail_msg("join %.12g grid %.12g mu %g w %g snr %g", join, best, mu, w[2], snr[2]);
    }
    check_close(sched_band_join(0.0, 3.0, 10.0, bw), 3.0 / sched_band_rate(bw, 10.0, 1.0), 0);
    sched_band_destroy(sb);
}

static void test_share_sqrt(void **state)
{
    (void)state;
    const double c[3] = {1.0, 4.0, 9.0};
    double f[3];
    check_close(sched_share_sqrt(3, c, f), 36.0, 1e-15);
    check_close(f[0], 1.0 / 6, 1e-15);
    check_close(f[2], 0.5, 1e-15);
    double best = INFINITY;
    for (int a = 1; a < 1000; a++)
        for (int b = 1; a + b < 1000; b++) {
            double x = a / 1e3, y = b / 1e3, z = 1 - x - y;
            best = fmin(best, c[0] / x + c[1] / y + c[2] / z);
        }
    assert_true(36.0 <= best && best < 36.0 * 1.001);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rate_derivatives),
        cmocka_unit_test(test_inverse_rate_convex),
        cmocka_unit_test(test_band_split),
        cmocka_unit_test(test_band_extremes),
        cmocka_unit_test(test_band_join),
        cmocka_unit_test(test_share_sqrt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
