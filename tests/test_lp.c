/*
 * test_lp.c - LP and MILP on GLPK (sched/lp_glpk.c): a hand-solved LP,
 * infeasible and unbounded problems reported as statuses, random knapsacks
 * and assignment problems against brute-force enumeration, a MILP started
 * from a given incumbent, arguments refused before GLPK sees them, and a
 * failure inside GLPK returned as an error instead of an abort.
 */
#include "check.h"

#include "../sched/sched.h"

#include <math.h>
#include <string.h>

static const sched_lp_options plain = {0, 0, NULL, 0};

/* max 3x + 2y: x + y <= 4, x + 3y <= 6, x <= 3, x, y >= 0 -> (3, 1), 11 */
static void test_hand_lp(void **state)
{
    (void)state;
    sched_lp *lp;
    dtfl_err err;
    assert_int_equal(sched_lp_create(&lp, 1, &err), 0);
    assert_int_equal(sched_lp_add_col(lp, 0, 3, 3, 0, &err), 0);
    assert_int_equal(sched_lp_add_col(lp, 0, INFINITY, 2, 0, &err), 1);
    const int c[2] = {0, 1};
    const double r1[2] = {1, 1}, r2[2] = {1, 3};
    assert_int_equal(sched_lp_add_row(lp, 2, c, r1, -INFINITY, 4, &err), 0);
    assert_int_equal(sched_lp_add_row(lp, 2, c, r2, -INFINITY, 6, &err), 1);
    sched_lp_result r;
    assert_int_equal(sched_lp_solve(lp, &plain, &r, &err), 0);
    assert_int_equal(r.status, SCHED_LP_OPTIMAL);
    check_close(r.objective, 11.0, 1e-9);
    check_close(sched_lp_x(lp)[0], 3.0, 1e-9);
    check_close(sched_lp_x(lp)[1], 1.0, 1e-9);
    sched_lp_destroy(lp);
}

static void test_statuses(void **state)
{
    (void)state;
    sched_lp *lp;
    dtfl_err err;
    sched_lp_result r;
    /* x >= 2 and x <= 1 */
    assert_int_equal(sched_lp_create(&lp, 0, &err), 0);
    sched_lp_add_col(lp, 0, INFINITY, 1, 0, &err);
    const int c = 0;
    const double one = 1;
    sched_lp_add_row(lp, 1, &c, &one, 2, INFINITY, &err);
    sched_lp_add_row(lp, 1, &c, &one, -INFINITY, 1, &err);
    assert_int_equal(sched_lp_solve(lp, &plain, &r, &err), 0);
    assert_int_equal(r.status, SCHED_LP_INFEASIBLE);
    sched_lp_destroy(lp);
    /* max x, x >= 0: unbounded, as an LP and as a MILP */
    for (int integer = 0; integer < 2; integer++) {
        assert_int_equal(sched_lp_create(&lp, 1, &err), 0);
        sched_lp_add_col(lp, 0, INFINITY, 1, integer, &err);
        assert_int_equal(sched_lp_solve(lp, &plain, &r, &err), 0);
        assert_int_equal(r.status, SCHED_LP_UNBOUNDED);
        sched_lp_destroy(lp);
    }
    /* bad arguments never reach GLPK */
    assert_int_equal(sched_lp_create(&lp, 0, &err), 0);
    assert_int_equal(sched_lp_add_col(lp, 2, 1, 0, 0, &err), DTFL_EINTERNAL);
    assert_int_equal(sched_lp_add_col(lp, 0, 1, NAN, 0, &err), DTFL_EINTERNAL);
    sched_lp_add_col(lp, 0, 1, 1, 0, &err);
    sched_lp_add_col(lp, 0, 1, 1, 0, &err);
    const int twice[2] = {0, 0}, beyond = 5;
    const double v2[2] = {1, 1};
    assert_int_equal(sched_lp_add_row(lp, 2, twice, v2, 0, 1, &err), DTFL_EINTERNAL);
    assert_non_null(strstr(err.msg, "twice"));
    assert_int_equal(sched_lp_add_row(lp, 1, &beyond, v2, 0, 1, &err), DTFL_EINTERNAL);
    sched_lp_destroy(lp);
}

/* 0/1 knapsack, n items: the MILP's optimum equals enumeration's. */
static void test_knapsack(void **state)
{
    (void)state;
    dtfl_rng rng;
    dtfl_rng_init(&rng, 7, 77, 0, 0);
    for (int inst = 0; inst < 30; inst++) {
        const int n = 10;
        double w[10], v[10], cap = 0;
        int cols[10];
        for (int i = 0; i < n; i++) {
            w[i] = 1 + floor(dtfl_rng_uniform(&rng) * 20);
            v[i] = 1 + floor(dtfl_rng_uniform(&rng) * 30);
            cap += w[i];
            cols[i] = i;
        }
        cap = floor(cap * 0.4);
        double best = 0;
        for (int mask = 0; mask < 1 << n; mask++) {
            double ww = 0, vv = 0;
            for (int i = 0; i < n; i++)
                if (mask >> i & 1)
                    ww += w[i], vv += v[i];
            if (ww <= cap && vv > best)
                best = vv;
        }
        sched_lp *lp;
        dtfl_err err;
        sched_lp_result r;
        assert_int_equal(sched_lp_create(&lp, 1, &err), 0);
        for (int i = 0; i < n; i++)
            assert_int_equal(sched_lp_add_col(lp, 0, 1, v[i], 1, &err), i);
        assert_int_equal(sched_lp_add_row(lp, n, cols, w, -INFINITY, cap, &err), 0);
        assert_int_equal(sched_lp_solve(lp, &plain, &r, &err), 0);
        assert_int_equal(r.status, SCHED_LP_OPTIMAL);
        check_close(r.objective, best, 1e-9);
        assert_true(r.bound == r.objective); /* proven */
        double used = 0;
        for (int i = 0; i < n; i++) {
            double x = sched_lp_x(lp)[i];
            assert_true(fabs(x) < 1e-9 || fabs(x - 1) < 1e-9);
            used += x * w[i];
        }
        assert_true(used <= cap + 1e-9);
        sched_lp_destroy(lp);
    }
}

/* Users to servers with capacities (the shape of the scenarios' MILPs):
 * min sum c_ij a_ij, sum_j a_ij = 1, sum_i a_ij <= cap_j; against every
 * assignment; then again from a given incumbent (a feasible assignment). */
static void test_assignment(void **state)
{
    (void)state;
    dtfl_rng rng;
    dtfl_rng_init(&rng, 9, 77, 1, 0);
    enum { I = 6, J = 3 };
    for (int inst = 0; inst < 20; inst++) {
        double c[I][J];
        const int cap = 2 + (inst % 2);
        for (int i = 0; i < I; i++)
            for (int j = 0; j < J; j++)
                c[i][j] = floor(dtfl_rng_uniform(&rng) * 100);
        double best = INFINITY;
        int pick[I];
        for (long code = 0; code < 729; code++) { /* 3^6 */
            long k = code;
            int load[J] = {0};
            double cost = 0;
            for (int i = 0; i < I; i++, k /= 3) {
                pick[i] = (int)(k % 3);
                load[pick[i]]++;
                cost += c[i][pick[i]];
            }
            if (load[0] <= cap && load[1] <= cap && load[2] <= cap && cost < best)
                best = cost;
        }
        for (int warm = 0; warm < 2; warm++) {
            sched_lp *lp;
            dtfl_err err;
            sched_lp_result r;
            assert_int_equal(sched_lp_create(&lp, 0, &err), 0);
            for (int i = 0; i < I; i++)
                for (int j = 0; j < J; j++)
                    sched_lp_add_col(lp, 0, 1, c[i][j], 1, &err);
            int cols[I * J];
            double ones[I * J];
            for (int k = 0; k < I * J; k++)
                ones[k] = 1;
            for (int i = 0; i < I; i++) {
                for (int j = 0; j < J; j++)
                    cols[j] = i * J + j;
                sched_lp_add_row(lp, J, cols, ones, 1, 1, &err);
            }
            for (int j = 0; j < J; j++) {
                for (int i = 0; i < I; i++)
                    cols[i] = i * J + j;
                sched_lp_add_row(lp, I, cols, ones, -INFINITY, cap, &err);
            }
            double inc[I * J] = {0}; /* round robin: feasible for cap >= 2 */
            for (int i = 0; i < I; i++)
                inc[i * J + i % J] = 1;
            sched_lp_options o = {5.0, 0.0, warm ? inc : NULL, 0};
            assert_int_equal(sched_lp_solve(lp, &o, &r, &err), 0);
            assert_int_equal(r.status, SCHED_LP_OPTIMAL);
            check_close(r.objective, best, 1e-9);
            sched_lp_destroy(lp);
        }
    }
}

/* A transportation LP solved, its costs and bounds changed, and solved
 * again from the last basis: the same optimum as a problem built afresh. */
static void build_transport(sched_lp *lp, const double *c, const double *hi,
                            int n, int m, dtfl_err *err)
{
    for (int k = 0; k < n * m; k++)
        assert_int_equal(sched_lp_add_col(lp, 0, hi[k], c[k], 0, err), k);
    int cols[16];
    double one[16];
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < m; j++)
            cols[j] = i * m + j, one[j] = 1;
        assert_true(sched_lp_add_row(lp, m, cols, one, 1, 1, err) >= 0);
    }
    for (int j = 0; j < m; j++) {
        for (int i = 0; i < n; i++)
            cols[i] = i * m + j, one[i] = 1;
        assert_true(sched_lp_add_row(lp, n, cols, one, -INFINITY, 3, err) >= 0);
    }
}

static void test_warm_start(void **state)
{
    (void)state;
    enum { N = 8, M = 4 };
    dtfl_err err;
    dtfl_rng r;
    double c[N * M], hi[N * M];
    sched_lp *warm;
    assert_int_equal(sched_lp_create(&warm, 0, &err), 0);
    for (int round = 0; round < 30; round++) {
        dtfl_rng_init(&r, 11, 2, (uint32_t)round, 0);
        for (int k = 0; k < N * M; k++) {
            c[k] = dtfl_rng_uniform(&r);
            hi[k] = dtfl_rng_uniform(&r) < 0.1 && k % M != 0 ? 0.0 : 1.0;
        }
        if (round == 0)
            build_transport(warm, c, hi, N, M, &err);
        else
            for (int k = 0; k < N * M; k++)
                assert_int_equal(sched_lp_set_col(warm, k, 0, hi[k], c[k], &err), 0);
        sched_lp *cold;
        assert_int_equal(sched_lp_create(&cold, 0, &err), 0);
        build_transport(cold, c, hi, N, M, &err);
        sched_lp_result rw, rc;
        const sched_lp_options ow = {0, 0, NULL, round > 0};
        assert_int_equal(sched_lp_solve(warm, &ow, &rw, &err), 0);
        assert_int_equal(sched_lp_solve(cold, &plain, &rc, &err), 0);
        assert_int_equal(rw.status, SCHED_LP_OPTIMAL);
        check_close(rw.objective, rc.objective, 1e-9);
        sched_lp_destroy(cold);
    }
    assert_true(sched_lp_set_col(warm, N * M, 0, 1, 0, &err) < 0); /* no column */
    sched_lp_destroy(warm);
}

/* An assignment with a knapsack per bin (a MILP): one PT per bin row, then
 * sum_i w_i x_ib <= 1 per bin. */
static void put_gap(sched_lp *lp, int build, const double *c, const double *w,
                    int N, int M, dtfl_err *err)
{
    int cols[N > M ? N : M];
    double vals[N > M ? N : M];
    for (int k = 0; k < N * M; k++)
        assert_true((build ? sched_lp_add_col(lp, 0, 1, c[k], 1, err)
                           : sched_lp_set_col(lp, k, 0, 1, c[k], err)) >= 0);
    for (int i = 0; build && i < N; i++) {
        for (int m = 0; m < M; m++)
            cols[m] = i * M + m, vals[m] = 1.0;
        assert_true(sched_lp_add_row(lp, M, cols, vals, 1, 1, err) >= 0);
    }
    for (int m = 0; m < M; m++) {
        for (int i = 0; i < N; i++)
            cols[i] = i * M + m, vals[i] = w[i];
        assert_true((build ? sched_lp_add_row(lp, N, cols, vals, -INFINITY, 1, err)
                           : sched_lp_set_row(lp, N + m, N, cols, vals, -INFINITY, 1, err)) >= 0);
    }
}

/* The MILP kept and solved again with new costs and new knapsack rows
 * (sched_lp_set_row), warm: the same optima as built afresh. */
static void test_warm_milp(void **state)
{
    (void)state;
    enum { N = 7, M = 3 };
    dtfl_err err;
    dtfl_rng r;
    double c[N * M], w[N];
    sched_lp *warm;
    assert_int_equal(sched_lp_create(&warm, 0, &err), 0);
    for (int round = 0; round < 20; round++) {
        dtfl_rng_init(&r, 12, 2, (uint32_t)round, 0);
        for (int k = 0; k < N * M; k++)
            c[k] = dtfl_rng_uniform(&r);
        for (int i = 0; i < N; i++)
            w[i] = dtfl_rng_range(&r, 0.15, 0.45);
        put_gap(warm, round == 0, c, w, N, M, &err);
        sched_lp *cold;
        assert_int_equal(sched_lp_create(&cold, 0, &err), 0);
        put_gap(cold, 1, c, w, N, M, &err);
        sched_lp_result rw, rc;
        const sched_lp_options ow = {0, 0, NULL, round > 0};
        assert_int_equal(sched_lp_solve(warm, &ow, &rw, &err), 0);
        assert_int_equal(sched_lp_solve(cold, &plain, &rc, &err), 0);
        assert_int_equal(rw.status, rc.status);
        if (rc.status == SCHED_LP_OPTIMAL)
            check_close(rw.objective, rc.objective, 1e-9);
        sched_lp_destroy(cold);
    }
    int col = 0;
    double one = 1.0;
    assert_true(sched_lp_set_row(warm, N + M, 1, &col, &one, 0, 1, &err) < 0);
    sched_lp_destroy(warm);
}

/* A MILP with 1 ms for a hard equal-sum partition and an incumbent: the
 * answer is feasible and no worse than the incumbent, and its bound no
 * better than the answer nor worse than the relaxation, however far GLPK got
 * (test_taco_scen's 1 ms MILPs stop before any integer point: there the
 * incumbent itself comes back). */
static void test_incumbent_on_timeout(void **state)
{
    (void)state;
    enum { N = 60 };
    dtfl_err err;
    sched_lp *lp;
    assert_int_equal(sched_lp_create(&lp, 0, &err), 0);
    dtfl_rng r;
    dtfl_rng_init(&r, 5, 2, 0, 0);
    int cols[N];
    double w[N], inc[N], total = 0;
    for (int k = 0; k < N; k++) {
        w[k] = 1000.0 + dtfl_rng_below(&r, 1000000);
        total += w[k];
        cols[k] = k;
    }
    for (int k = 0; k < N; k++) { /* everything in: feasible, and costly */
        assert_int_equal(sched_lp_add_col(lp, 0, 1, -w[k] / total, 1, &err), k);
        inc[k] = 0.0;
    }
    assert_true(sched_lp_add_row(lp, N, cols, w, -INFINITY, floor(total / 2), &err) >= 0);
    const sched_lp_options o = {1e-3, 0.0, inc, 0};
    sched_lp_result res;
    assert_int_equal(sched_lp_solve(lp, &o, &res, &err), 0);
    assert_true(res.status == SCHED_LP_FEASIBLE || res.status == SCHED_LP_OPTIMAL);
    double used = 0.0;
    for (int k = 0; k < N; k++)
        used += w[k] * sched_lp_x(lp)[k];
    assert_true(used <= floor(total / 2) + 1e-6); /* a feasible answer */
    assert_true(res.objective <= 1e-12);          /* no worse than the incumbent */
    /* the bound proven: none (-inf) or between the LP relaxation's and
     * the answer's */
    const double relaxed = -floor(total / 2) / total;
    assert_true(res.bound <= res.objective + 1e-12);
    assert_true(res.bound == -INFINITY || res.bound >= relaxed - 1e-9);
    sched_lp_destroy(lp);
}

static void test_glpk_failure(void **state)
{
    (void)state;
    dtfl_err err = {0};
    sched_lp *kept; /* a problem made before the failure */
    assert_int_equal(sched_lp_create(&kept, 0, &err), 0);
    assert_true(sched_lp_add_col(kept, 0.0, 1.0, 1.0, 0, &err) == 0);
    assert_int_equal(sched__lp_provoke_error(&err), DTFL_EINTERNAL);
    assert_non_null(strstr(err.msg, "GLPK"));
    /* GLPK freed it with its environment: refused, never touched, and its
     * destroy frees only dtfl's part (ASan would see a double free) */
    const sched_lp_options o = {0, 0, NULL, 0};
    sched_lp_result res;
    assert_int_equal(sched_lp_solve(kept, &o, &res, &err), DTFL_EINTERNAL);
    assert_non_null(strstr(err.msg, "lost"));
    assert_int_equal(sched_lp_set_col(kept, 0, 0.0, 1.0, 2.0, &err), DTFL_EINTERNAL);
    sched_lp_destroy(kept);
    /* and GLPK works again afterwards */
    test_hand_lp(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_lp),    cmocka_unit_test(test_statuses),
        cmocka_unit_test(test_knapsack),   cmocka_unit_test(test_assignment),
        cmocka_unit_test(test_warm_start), cmocka_unit_test(test_incumbent_on_timeout),
        cmocka_unit_test(test_warm_milp),  cmocka_unit_test(test_glpk_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
