/*
 * test_taco_pme.c - P4 by the paper's route (scen/taco_pme.c, spec 4.3):
 * P4-3's optimum is a lower bound of P4's brute-force optimum for N = 1, 2,
 * 4, 8 pieces and never falls as N doubles (the pieces nest); the rounded
 * and repaired assignment keeps P4's rows and is no better than the
 * optimum; rounding does break a capacity row (the paper says it cannot,
 * spec 7.4) and the repair mends it; x re-optimised at the rounded ES
 * never loses to the MILP's x.
 */
#include "taco_fixture.h"

#ifndef PME_INSTANCES /* -DPME_INSTANCES=1000 -DPME_REPORT=...: the search */
#define PME_INSTANCES 40
#define PME_REPORT(k, N, info) (void)0
#endif
#define REPAIR_KEY 4 /* found by the search: I = 3, M = 2 */
#define REPAIR_PIECES 1

/* test_taco's random instance with V = 10^U[lgv0, lgv1], one seat per
 * ES's fair share (cap 1: the capacity rows bind) and the paper's route. */
static void pme_fix(fix *x, int I, int M, uint32_t k, double lgv0, double lgv1)
{
    fix_random_v(x, I, M, k, lgv0, lgv1);
    x->e.cap = 1.0;
    x->e.solver = SCEN_TACO_P4_PME;
    x->e.time_limit_s = 2.0;
}

/* P4 by P4-3 with N pieces on x; returns the value of its point. */
static double pme_run(scen_taco_work *w, fix *x, int N,
                      scen_taco_pme_info *info)
{
    static const scen_taco_plan plan = {10, 1, SCEN_TACO_X_CLOSED, 0, 1};
    dtfl_err err;
    double value;
    x->e.pme_pieces = N;
    assert_int_equal(scen_taco_p4_pme(w, &x->o, &plan, &x->d, &value, info,
                                      &err), 0);
    return value;
}

/* GLPK holds rows to 1e-7 of their right side (tol_bnd); the tangent
 * rows' right sides reach phi_i(0) <= V. */
static double pme_tol(const fix *x, double best)
{
    return 1e-7 * (fabs(best) + x->m.V * x->I);
}

/* Are d's access and P4's rows (cap: seats per ES) at peace? */
static int within_rows(const fix *x)
{
    int n[MMAX] = {0};
    for (int i = 0; i < x->I; i++)
        n[x->access[i]]++;
    for (int m = 0; m < x->M; m++)
        if (n[m] > scen_taco_p4_seats(&x->o))
            return 0;
    return 1;
}

static const scen_taco_plan plan = {10, 1, SCEN_TACO_X_CLOSED, 0, 1};

/* PTs that offload: each has N piece binaries in P4-3. */
static int offloading(const fix *x)
{
    int n = 0;
    for (int i = 0; i < x->I; i++)
        n += x->z[i];
    return n;
}

static void test_pme_bound(void **state)
{
    (void)state;
    fix x, y;
    dtfl_err err;
    scen_taco_work *w;
    assert_int_equal(scen_taco_work_create(&w, IMAX, MMAX, &err), 0);
    int fractional = 0, rose = 0, timeouts = 0;
    for (uint32_t k = 0; k < PME_INSTANCES; k++) {
        int I = 3 + (int)(k % 4), M = 2 + (int)(k % 2);
        pme_fix(&y, I, M, 700 + k, 2, 10);
        const double best = scen_taco_p4_brute(w, &y.o, &plan, &y.d);
        double last = -INFINITY;
        for (int N = 1; N <= 8; N *= 2) {
            scen_taco_pme_info info;
            pme_fix(&x, I, M, 700 + k, 2, 10);
            const double value = pme_run(w, &x, N, &info), tol = pme_tol(&x, best);
            /* out of time the proven bound is the best open node's: below
             * the optimum, but not always above the bound at N/2 */
            const double floor = info.optimal ? last - tol : -INFINITY;
            timeouts += !info.optimal;
            if (!(info.bound <= best + tol) || !(info.bound >= floor))
                fail_msg("instance %u, N %d: bound %.12g, optimum %.12g, "
                         "bound at N/2 %.12g", k, N, info.bound, best, last);
            assert_true(within_rows(&x));
            assert_true(value >= best - tol); /* a feasible point of P4 */
            assert_int_equal(info.binaries, N * offloading(&y)); /* I N at most */
            PME_REPORT(k, N, info);
            rose += info.optimal && info.bound > last + tol && N > 1;
            fractional += info.fractional > 0;
            last = info.bound;
        }
    }
    /* the relaxation did tighten and did leave a~ fractional; the time
     * limit is not what the test measures */
    assert_true(rose > 0);
    assert_true(fractional > 0);
    assert_true(timeouts <= PME_INSTANCES / 40);
    scen_taco_work_destroy(w);
}

/* Rounding a~ by argmax breaks a capacity row (the paper says it cannot,
 * spec 7.4) on this instance, the first found among test_pme_bound's (over
 * 1,000 of them 27% needed a repair at N = 1); the repair mends it and
 * the point stays no better than the optimum. */
static void test_pme_repair(void **state)
{
    (void)state;
    fix x, y;
    dtfl_err err;
    scen_taco_work *w;
    assert_int_equal(scen_taco_work_create(&w, IMAX, MMAX, &err), 0);
    const int I = 3 + REPAIR_KEY % 4, M = 2 + REPAIR_KEY % 2;
    pme_fix(&y, I, M, 700 + REPAIR_KEY, 2, 10);
    const double best = scen_taco_p4_brute(w, &y.o, &plan, &y.d);
    scen_taco_pme_info info;
    pme_fix(&x, I, M, 700 + REPAIR_KEY, 2, 10);
    const double value = pme_run(w, &x, REPAIR_PIECES, &info);
    assert_true(info.fractional > 0);
    assert_true(info.repairs > 0);
    assert_true(within_rows(&x));
    assert_true(value >= best - pme_tol(&x, best));
    scen_taco_work_destroy(w);
}

/* x* at the rounded ES against the MILP's x^R (V small, so x* < 1): the
 * same rounding, x* of scen_taco_p4_cost, never a worse value. */
static void test_pme_x_reopt(void **state)
{
    (void)state;
    fix x, y;
    dtfl_err err;
    scen_taco_work *w;
    assert_int_equal(scen_taco_work_create(&w, IMAX, MMAX, &err), 0);
    int differ = 0;
    for (uint32_t k = 0; k < 20; k++) {
        double v[2];
        int a[2][IMAX];
        for (int reopt = 0; reopt < 2; reopt++) {
            pme_fix(&x, 5, 3, 900 + k, 2, 3);
            x.e.pme_x_reopt = reopt;
            v[reopt] = pme_run(w, &x, 2, NULL);
            memcpy(a[reopt], x.access, sizeof a[reopt]);
            pme_fix(&y, 5, 3, 900 + k, 2, 3);
            for (int i = 0; i < x.I; i++) {
                assert_true(x.x[i] >= 0.0 && x.x[i] <= 1.0);
                if (!x.z[i])
                    assert_true(x.x[i] == 0.0);
                double xs;
                scen_taco_p4_cost(&y.o, &plan, &y.d, i, x.access[i], &xs);
                if (reopt) /* x* of the pair the rounding chose */
                    check_close(x.x[i], xs, 0.0);
            }
        }
        assert_memory_equal(a[0], a[1], sizeof(int) * 5); /* same rounding */
        assert_true(v[1] <= v[0] + 1e-9 * fabs(v[0]));
        differ += v[1] < v[0] - 1e-9 * fabs(v[0]);
    }
    assert_true(differ > 0); /* x^R is not already x* */
    scen_taco_work_destroy(w);
}

/* scen_taco_p4 takes the paper's route when the engine says so. */
static void test_pme_dispatch(void **state)
{
    (void)state;
    fix x, y;
    dtfl_err err;
    scen_taco_work *w;
    assert_int_equal(scen_taco_work_create(&w, IMAX, MMAX, &err), 0);
    const scen_taco_plan exact = {10, 1, SCEN_TACO_X_CLOSED, 0, 0};
    double v1, v2;
    pme_fix(&x, 6, 3, 1234, 7, 10);
    pme_fix(&y, 6, 3, 1234, 7, 10);
    assert_int_equal(scen_taco_p4(w, &x.o, &exact, &x.d, &v1, &err), 0);
    assert_int_equal(scen_taco_p4_pme(w, &y.o, &exact, &y.d, &v2, NULL, &err), 0);
    check_close(v1, v2, 0.0);
    assert_memory_equal(x.access, y.access, sizeof(int) * 6);
    scen_taco_work_destroy(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pme_bound),
        cmocka_unit_test(test_pme_repair),
        cmocka_unit_test(test_pme_x_reopt),
        cmocka_unit_test(test_pme_dispatch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

