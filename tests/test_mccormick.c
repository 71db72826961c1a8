/*
 * test_mccormick.c - relaxations of u = a x (sched/mccormick.c): the
 * envelope contains a x at 1e5 random points of random boxes and is
 * Delta_a Delta_x / 4 wide at the centre; a binary a makes the rows exact;
 * piecewise McCormick over N pieces, solved as MILPs on GLPK for the least
 * and largest u at fixed (a, x), contains a x, under-estimates by at most
 * 1/(4N) and spans at most 1/(2N) on [0, 1]^2; and the rows as 001 prints
 * them (per piece, no sum) are infeasible at a = x = 1, N = 2.
 */
#include "check.h"

#include "../sched/sched.h"

#include <math.h>

static void test_envelope(void **state)
{
    (void)state;
    dtfl_rng r;
    dtfl_rng_init(&r, 5, 77, 4, 0);
    for (int i = 0; i < 100000; i++) {
        double aL = dtfl_rng_range(&r, -2, 1), aU = aL + dtfl_rng_range(&r, 0, 3);
        double xL = dtfl_rng_range(&r, -2, 1), xU = xL + dtfl_rng_range(&r, 0.01, 3);
        double a = dtfl_rng_range(&r, aL, aU), x = dtfl_rng_range(&r, xL, xU), lo, hi;
        sched_mccormick_bounds(a, x, aL, aU, xL, xU, &lo, &hi);
        assert_true(lo <= a * x + 1e-12 && a * x <= hi + 1e-12);
        if (i < 100) { /* the centre: width Delta_a Delta_x / 4 in all */
            sched_mccormick_bounds((aL + aU) / 2, (xL + xU) / 2, aL, aU, xL, xU, &lo, &hi);
            check_close(hi - lo, (aU - aL) * (xU - xL) / 2, 1e-12);
            check_close((aL + aU) / 2 * (xL + xU) / 2 - lo, (aU - aL) * (xU - xL) / 4, 1e-12);
        }
    }
}

/* The least or largest u of the relaxation at fixed (a, x); N 0 for plain
 * McCormick. Returns the status. */
static sched_lp_status u_at(double a, double x, int N, sched_pme_form form,
                            int largest, double *u)
{
    sched_lp *lp;
    dtfl_err err;
    assert_int_equal(sched_lp_create(&lp, largest, &err), 0);
    int cu = sched_lp_add_col(lp, -INFINITY, INFINITY, 1, 0, &err);
    int ca = sched_lp_add_col(lp, a, a, 0, 0, &err);
    int cx = sched_lp_add_col(lp, x, x, 0, 0, &err);
    sched_pme p = {0};
    if (N == 0)
        assert_int_equal(sched_mccormick_add(lp, cu, ca, cx, 0, 1, 0, 1, &err), 0);
    else
        assert_int_equal(sched_pme_add(lp, cu, ca, cx, 0, 1, 0, 1, N, form, &p, &err), 0);
    sched_lp_options o = {10, 0, NULL, 0};
    sched_lp_result res;
    assert_int_equal(sched_lp_solve(lp, &o, &res, &err), 0);
    *u = res.objective;
    sched_pme_free(&p);
    sched_lp_destroy(lp);
    return res.status;
}

static void test_binary_exact(void **state)
{
    (void)state;
    for (int a = 0; a <= 1; a++)
        for (int k = 0; k <= 4; k++) {
            double x = k / 4.0, lo, hi;
            assert_int_equal(u_at(a, x, 0, SCHED_PME_HULL, 0, &lo), SCHED_LP_OPTIMAL);
            assert_int_equal(u_at(a, x, 0, SCHED_PME_HULL, 1, &hi), SCHED_LP_OPTIMAL);
            check_close(lo, a * x, 1e-9);
            check_close(hi, a * x, 1e-9);
        }
}

static void test_pieces(void **state)
{
    (void)state;
    dtfl_rng r;
    dtfl_rng_init(&r, 6, 77, 5, 0);
    for (int N = 1; N <= 8; N *= 2) {
        double worst_under = 0, worst_span = 0;
        for (int i = 0; i < 12; i++) {
            double a = dtfl_rng_uniform(&r), x = dtfl_rng_uniform(&r), lo, hi;
            if (i == 0) /* a piece's centre: the worst point */
                a = 0.5, x = 0.5 / N;
            assert_int_equal(u_at(a, x, N, SCHED_PME_HULL, 0, &lo), SCHED_LP_OPTIMAL);
            assert_int_equal(u_at(a, x, N, SCHED_PME_HULL, 1, &hi), SCHED_LP_OPTIMAL);
            assert_true(lo <= a * x + 1e-9 && a * x <= hi + 1e-9);
            worst_under = fmax(worst_under, a * x - lo);
            worst_span = fmax(worst_span, hi - lo);
        }
        assert_true(worst_under <= 0.25 / N + 1e-9);
        assert_true(worst_span <= 0.5 / N + 1e-9);
        check_close(worst_under, 0.25 / N, 1e-6); /* reached at the centre */
    }
    /* the printed per-piece rows: infeasible at a = x = 1 for N = 2 */
    double u;
    assert_int_equal(u_at(1, 1, 2, SCHED_PME_PER_PIECE, 0, &u), SCHED_LP_INFEASIBLE);
    assert_int_equal(u_at(1, 1, 2, SCHED_PME_HULL, 0, &u), SCHED_LP_OPTIMAL);
    check_close(u, 1.0, 1e-9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_envelope),
        cmocka_unit_test(test_binary_exact),
        cmocka_unit_test(test_pieces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
