/*
 * test_taco.c - the TACO scenario's models and solvers (scen/taco*.c): hand
 * values of eqs. 1-13, the rate's derivatives against finite differences,
 * P4's costs against the bracket they stand for and its closed-form x
 * against golden-section search (GSL), the assignment on GLPK and the
 * auction against brute force over M^I, each BCD block against dense
 * search, Gauss-Seidel BCD never raising the bracket on 1000 random
 * instances and reaching a brute-force optimum, and the alternation's
 * safeguard; eq. 13's curve: the closed-form share at kappa 1 to 6 against
 * dense search, and its fit (dtfl taco-fit) on exact and hand instances.
 */
#include "taco_fixture.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_min.h>

/* ---- the models ---- */

static void test_hand_values(void **state)
{
    (void)state;
    scen_taco_model m = table2();
    double snr = scen_taco_snr(&m, 200, 0.8);
    check_close(snr / 12559.4321575479, 1.0, 1e-12);
    scen_taco_use u = {snr, 9e6, 12e6, 80e6, 0.6, 0.3, 0.25, 0.5, 1};
    scen_taco_cost c;
    scen_taco_cost_of(&m, &u, &c);
    /* from the formulas of spec section 2, evaluated by hand (Python) */
    const double want[13] = {0.96, 4.8, 1.44, 5760, 0.138315134245242,
                             0.0691575671226212, 0.081, 324, 0.614733929978855,
                             0.307366964989427, 0.36, 1440, 0.814809998737533};
    const double got[13] = {c.t_dl, c.e_dl, c.t_pl, c.e_pl, c.t_ul, c.e_ul,
                            c.t_ud, c.e_ud, c.t_ofld, c.e_ofld, c.t_exec,
                            c.e_exec, c.acc};
    for (int k = 0; k < 13; k++)
        check_close(got[k] / want[k], 1.0, 1e-12);
    u.z = 0; /* local: 3.6 s, 3.6 J, accuracy g_local; nothing sent */
    scen_taco_cost_of(&m, &u, &c);
    check_close(c.t_exec, 3.6, 1e-12);
    check_close(c.e_exec, 3.6, 1e-12);
    check_close(c.acc, 0.5, 0);
    assert_true(c.t_ul == 0.0 && c.t_ofld == 0.0 && c.e_ud == 0.0);
    /* offloading beats the local app's accuracy only past s = 1 - 1/sqrt 2 */
    check_close(scen_taco_g_edge(&m, 1.0 - 1.0 / sqrt(2.0)), 0.5, 1e-15);
    /* a fitted curve: 0.1 + 0.75 (1 - 0.7^6) */
    m.acc_c0 = 0.1, m.acc_c1 = 0.75, m.acc_kappa = 6;
    check_close(scen_taco_g_edge(&m, 0.3), 0.76176325, 1e-15);
    scen_taco_cost_of(&m, &(scen_taco_use){snr, 9e6, 12e6, 80e6, 0.6, 0.3, 0.25, 0.5, 1}, &c);
    check_close(c.acc, 0.1 + 0.75 * (1.0 - pow(1.0 - (0.6 * 80 + 0.3 * 9) / 89.0, 6)), 1e-15);
}

static void test_rate_derivatives(void **state)
{
    (void)state;
    scen_taco_model m = table2();
    const double snrs[3] = {0.3, 40.0, 1.2e4};
    for (int k = 0; k < 3; k++) {
        double last = 0.0, lastd = INFINITY;
        for (double b = 0.01; b <= 1.0; b += 0.01) {
            double r = scen_taco_rate(&m, b, snrs[k]);
            double h = 1e-6 * b;
            double fd = (scen_taco_rate(&m, b + h, snrs[k]) -
                         scen_taco_rate(&m, b - h, snrs[k])) / (2 * h);
            double d1 = scen_taco_rate_db(&m, b, snrs[k]);
            check_close(fd / d1, 1.0, 1e-6);
            double fd2 = (scen_taco_rate_db(&m, b + h, snrs[k]) -
                          scen_taco_rate_db(&m, b - h, snrs[k])) / (2 * h);
            check_close(fd2 / scen_taco_rate_db2(&m, b, snrs[k]), 1.0, 1e-5);
            assert_true(r > last && d1 > 0 && d1 < lastd); /* increasing, concave */
            last = r, lastd = d1;
        }
    }
    assert_true(scen_taco_rate(&m, 0.0, 5.0) == 0.0);
}

/* ---- P4 ---- */

/* With inherit shares P4's cost of staying is the PT's part of the bracket
 * (up to the constants V z (c0 + c1) and V (1 - z) g_local it drops). */
static void test_p4_cost_is_bracket(void **state)
{
    (void)state;
    fix x;
    for (uint32_t k = 0; k < 50; k++) {
        fix_random(&x, 6, 3, k);
        x.e.shares = SCEN_TACO_SHARES_INHERIT;
        scen_taco_plan plan = {10, 1, SCEN_TACO_X_CLOSED, 0, 0};
        double sum = 0.0;
        for (int i = 0; i < x.I; i++) {
            double xs;
            sum += scen_taco_p4_cost(&x.o, &plan, &x.d, i, x.access[i], &xs) -
                   x.m.V * (x.z[i] ? x.m.acc_c0 + x.m.acc_c1 : x.m.g_local);
            x.x[i] = xs;
        }
        double br = scen_taco_bracket(&x.o, &x.d);
        check_close(sum / br, 1.0, 1e-9);
    }
}

typedef struct xline {
    fix *x;
    int i;
} xline;

static double xline_f(double v, void *ctx)
{
    xline *l = ctx;
    l->x->x[l->i] = v;
    return scen_taco_bracket(&l->x->o, &l->x->d);
}

/* x* of P4 is the bracket's minimum over x_i (golden section, GSL). */
static void test_p4_closed_x(void **state)
{
    (void)state;
    fix x;
    gsl_set_error_handler_off();
    gsl_min_fminimizer *g = gsl_min_fminimizer_alloc(gsl_min_fminimizer_goldensection);
    int interior = 0;
    for (uint32_t k = 0; k < 200; k++) {
        fix_random(&x, 5, 2, 1000 + k);
        x.e.shares = SCEN_TACO_SHARES_INHERIT;
        scen_taco_plan plan = {10, 1, SCEN_TACO_X_CLOSED, 0, 0};
        int i = (int)(k % 5);
        x.z[i] = 1;
        fix_shares(&x);
        double xs;
        scen_taco_p4_cost(&x.o, &plan, &x.d, i, x.access[i], &xs);
        xline l = {&x, i};
        gsl_function fn = {xline_f, &l};
        int j = 0; /* the grid's best point brackets the minimum (convex) */
        for (int g2 = 1; g2 <= 1000; g2++)
            j = xline_f(g2 / 1000.0, &l) < xline_f(j / 1000.0, &l) ? g2 : j;
        double best = j / 1000.0;
        if (j > 0 && j < 1000 &&
            gsl_min_fminimizer_set(g, &fn, best, (j - 1) / 1000.0,
                                   (j + 1) / 1000.0) == GSL_SUCCESS) {
            for (int it = 0; it < 200; it++) {
                gsl_min_fminimizer_iterate(g);
                if (gsl_min_test_interval(gsl_min_fminimizer_x_lower(g),
                                          gsl_min_fminimizer_x_upper(g), 1e-10,
                                          0) == GSL_SUCCESS)
                    break;
            }
            best = gsl_min_fminimizer_x_minimum(g);
            interior++;
        }
        check_close(xline_f(xs, &l), xline_f(best, &l), 1e-9 * fabs(xline_f(best, &l)));
        check_close(xs, best, 1e-4);
    }
    assert_true(interior > 20); /* the closed form was tested off the box too */
    gsl_min_fminimizer_free(g);
}

/* GLPK's assignment and the auction against all M^I assignments. */
static void test_p4_brute(void **state)
{
    (void)state;
    fix x, y;
    dtfl_err err;
    scen_taco_work *w;
    assert_int_equal(scen_taco_work_create(&w, 6, 3, &err), 0);
    int moved = 0;
    for (uint32_t k = 0; k < 200; k++) {
        int I = 2 + (int)(k % 5), M = 1 + (int)(k % 3);
        fix_random(&x, I, M, 5000 + k);
        x.e.shares = k % 2 ? SCEN_TACO_SHARES_INHERIT : SCEN_TACO_SHARES_CAP;
        x.e.cap = 1.0 + (k % 4) * 0.5;
        scen_taco_plan plan = {10, 1, k % 3 ? SCEN_TACO_X_CLOSED : SCEN_TACO_X_MENU, 0, 0};
        y = x;
        fix_point(&y, 10);
        double brute = scen_taco_p4_brute(w, &y.o, &plan, &y.d), got;
        assert_int_equal(scen_taco_p4(w, &x.o, &plan, &x.d, &got, &err), 0);
        if (!(fabs(got - brute) <= 1e-9 * fabs(brute)))
            fail_msg("instance %u (I %d, M %d, %s shares, cap %g): GLPK %.12g, "
                     "brute force %.12g", k, I, M, k % 2 ? "inherit" : "cap",
                     x.e.cap, got, brute);
        for (int i = 0; i < I; i++)
            moved += x.access[i] != x.oaccess[i];
        if (x.e.shares == SCEN_TACO_SHARES_CAP) { /* CRO's auction */
            fix_random(&x, I, M, 5000 + k);
            x.e.cap = 1.0 + (k % 4) * 0.5;
            plan.auction = 1;
            assert_int_equal(scen_taco_p4(w, &x.o, &plan, &x.d, &got, &err), 0);
            check_close(got, brute, 1e-6 * fabs(brute));
        }
    }
    assert_true(moved > 50); /* the instances were not all "stay put" */
    scen_taco_work_destroy(w);
}

/* ---- P5: each block against dense search ---- */

static void test_step_y_dense(void **state)
{
    (void)state;
    fix x;
    for (uint32_t k = 0; k < 100; k++) {
        fix_random(&x, 3, 1, 9000 + k);
        x.z[0] = 1, x.z[1] = x.z[2] = 0;
        x.x[1] = x.x[2] = 0.0;
        fix_shares(&x);
        fix_point(&x, k % 2 ? 10 : 0);
        double best = INFINITY;
        for (int g = 0; g <= 10000; g++) {
            x.y[0] = g / 10000.0;
            best = fmin(best, scen_taco_bracket(&x.o, &x.d));
        }
        scen_taco_step_y(&x.o, &x.d);
        assert_true(x.y[0] >= 0.0 && x.y[0] <= 1.0);
        double got = scen_taco_bracket(&x.o, &x.d);
        assert_true(got <= best + 1e-12 * fabs(best));
        check_close(got, best, 1e-6 * fabs(best));
    }
}

/* f and b of 2 or 3 PTs at one ES over a grid of the simplex */
static double simplex_min(fix *x, double *share, int n, double h)
{
    double best = INFINITY;
    for (double a = h; a < 1.0; a += h)
        for (double c = n == 3 ? h : 1.0 - a; c < 1.0 - a + 1e-12; c += h) {
            share[0] = a;
            share[1] = n == 3 ? c : 1.0 - a;
            if (n == 3) {
                share[2] = 1.0 - a - c;
                if (share[2] <= 0.0)
                    continue;
            }
            best = fmin(best, scen_taco_bracket(&x->o, &x->d));
            if (n == 2)
                break;
        }
    return best;
}

static void test_steps_fb_dense(void **state)
{
    (void)state;
    fix x;
    dtfl_err err;
    scen_taco_work *w;
    assert_int_equal(scen_taco_work_create(&w, 3, 1, &err), 0);
    for (uint32_t k = 0; k < 40; k++) {
        int n = 2 + (int)(k % 2);
        fix_random(&x, n, 1, 12000 + k);
        for (int i = 0; i < n; i++)
            x.z[i] = 1;
        fix_shares(&x);
        fix_point(&x, k % 4 < 2 ? 10 : 0);
        double fbest = simplex_min(&x, x.f, n, n == 2 ? 1e-4 : 2e-3);
        scen_taco_step_f(&x.o, &x.d);
        double fgot = scen_taco_bracket(&x.o, &x.d);
        assert_true(fgot <= fbest + 1e-12 * fabs(fbest));
        check_close(fgot, fbest, 1e-5 * fabs(fbest));
        double bbest = simplex_min(&x, x.b, n, n == 2 ? 1e-4 : 2e-3);
        scen_taco_step_b(w, &x.o, &x.d);
        double bgot = scen_taco_bracket(&x.o, &x.d);
        check_close(x.b[0] + x.b[1] + (n == 3 ? x.b[2] : 0.0), 1.0, 1e-12);
        assert_true(bgot <= bbest + 1e-12 * fabs(bbest));
        check_close(bgot, bbest, 1e-5 * fabs(bbest));
    }
    scen_taco_work_destroy(w);
}

static void test_step_z_enumerate(void **state)
{
    (void)state;
    fix x;
    for (uint32_t k = 0; k < 100; k++) {
        fix_random(&x, 4, 2, 15000 + k);
        for (int i = 0; i < 4; i++)
            x.z[i] = 1;
        fix_shares(&x);
        fix_point(&x, 0);
        double best = INFINITY;
        for (int mask = 0; mask < 16; mask++) {
            for (int i = 0; i < 4; i++)
                x.z[i] = mask >> i & 1;
            best = fmin(best, scen_taco_bracket(&x.o, &x.d));
        }
        scen_taco_step_z(&x.o, &x.d);
        check_close(scen_taco_bracket(&x.o, &x.d), best, 1e-12 * fabs(best));
    }
}

/* ---- BCD ---- */

static void test_bcd_monotone(void **state)
{
    (void)state;
    fix x;
    dtfl_err err;
    scen_taco_work *w;
    assert_int_equal(scen_taco_work_create(&w, 8, 3, &err), 0);
    double trace[64];
    int longest = 0;
    for (uint32_t k = 0; k < 1000; k++) {
        fix_random(&x, 2 + (int)(k % 7), 1 + (int)(k % 3), 20000 + k);
        x.e.bcd_max = 20;
        x.e.bcd_eps = 1e-9;
        scen_taco_plan plan = {10, k % 5 != 0, k % 7 == 0 ? SCEN_TACO_X_BCD
                                                           : SCEN_TACO_X_CLOSED, 0, 0};
        fix_point(&x, k % 2 ? 10 : 0);
        scen_taco_greedy(&x.o, &plan, &x.d);
        int l = scen_taco_bcd(w, &x.o, &plan, &x.d, trace);
        assert_true(l >= 1 && l <= 20);
        longest = l > longest ? l : longest;
        for (int j = 0; j < l; j++)
            if (!(trace[j + 1] <= trace[j] + 1e-12 * fabs(trace[j])))
                fail_msg("instance %u: BCD rose at iteration %d: %.12g -> %.12g",
                         k, j + 1, trace[j], trace[j + 1]);
        assert_true(scen_taco_bracket(&x.o, &x.d) <= trace[l] + 1e-12 * fabs(trace[l]));
    }
    assert_true(longest >= 2);
    scen_taco_work_destroy(w);
}

/* Two PTs at one ES: BCD against a (b, f) grid with y in closed form and
 * z enumerated (P5 is not jointly convex; BCD is a local method). */
static void test_bcd_brute(void **state)
{
    (void)state;
    fix x;
    dtfl_err err;
    scen_taco_work *w;
    assert_int_equal(scen_taco_work_create(&w, 2, 1, &err), 0);
    scen_taco_plan plan = {10, 1, SCEN_TACO_X_CLOSED, 0, 0};
    for (uint32_t k = 0; k < 20; k++) {
        fix_random(&x, 2, 1, 30000 + k);
        fix_point(&x, 0);
        double brute = INFINITY;
        for (int mask = 0; mask < 4; mask++)
            for (int gb = 1; gb < 400; gb++)
                for (int gf = 1; gf < 100; gf++) {
                    x.z[0] = mask & 1, x.z[1] = mask >> 1;
                    x.b[0] = gb / 400.0, x.b[1] = 1.0 - x.b[0];
                    x.f[0] = gf / 100.0, x.f[1] = 1.0 - x.f[0];
                    scen_taco_step_y(&x.o, &x.d);
                    brute = fmin(brute, scen_taco_bracket(&x.o, &x.d));
                }
        scen_taco_greedy(&x.o, &plan, &x.d);
        scen_taco_bcd(w, &x.o, &plan, &x.d, NULL);
        double got = scen_taco_bracket(&x.o, &x.d);
        if (!(got <= brute + 1e-4 * fabs(brute)))
            fail_msg("instance %u: BCD %.10g, grid %.10g", k, got, brute);
    }
    scen_taco_work_destroy(w);
}

/* The alternation with the safeguard never ends above its first round. */
static void test_alternation(void **state)
{
    (void)state;
    fix x;
    dtfl_err err;
    scen_taco_work *w;
    assert_int_equal(scen_taco_work_create(&w, 12, 3, &err), 0);
    scen_taco_plan plan = {10, 1, SCEN_TACO_X_CLOSED, 0, 0};
    int more = 0;
    for (uint32_t k = 0; k < 50; k++) {
        fix_random(&x, 12, 3, 40000 + k);
        x.e.alt_max = 1;
        int l = scen_taco_decide(w, &x.o, &plan, &x.d, &err);
        assert_int_equal(l, 1);
        double one = scen_taco_bracket(&x.o, &x.d);
        fix_random(&x, 12, 3, 40000 + k);
        x.e.alt_max = 10;
        l = scen_taco_decide(w, &x.o, &plan, &x.d, &err);
        assert_true(l >= 1 && l <= 10);
        more += l > 1;
        double ten = scen_taco_bracket(&x.o, &x.d);
        assert_true(ten <= one + 1e-12 * fabs(one));
    }
    assert_true(more > 0);
    scen_taco_work_destroy(w);
}

/* ---- eq. 13's curve ---- */

/* The closed-form share against dense search, kappa 1 (all or nothing) to
 * 6, at random prices. */
static void test_share_opt(void **state)
{
    (void)state;
    scen_taco_model m = table2();
    const double kap[] = {1.0, 1.5, 2.0, 3.5, 6.0};
    dtfl_rng r;
    dtfl_rng_init(&r, 3, 1, 0, 0);
    for (int k = 0; k < 500; k++) {
        m.acc_kappa = kap[k % 5], m.acc_c1 = dtfl_rng_range(&r, 0.3, 1.0);
        m.V = pow(10.0, dtfl_rng_range(&r, 0, 2));
        double w = dtfl_rng_range(&r, 1, 10), rest = dtfl_rng_range(&r, 0, 3);
        double all = w + rest + dtfl_rng_range(&r, 0, 3), price = dtfl_rng_range(&r, 0, 300);
        double v = scen_taco_share_opt(&m, price, w, rest, all), best = INFINITY;
        for (int g = 0; g <= 20000; g++) {
            double x = g / 20000.0;
            best = fmin(best, price * x + scen_taco_acc_loss(&m, 1.0 - (w * x + rest) / all, NULL));
        }
        double got = price * v + scen_taco_acc_loss(&m, 1.0 - (w * v + rest) / all, NULL);
        assert_true(v >= 0.0 && v <= 1.0);
        assert_true(got <= best + 1e-9 * fmax(1.0, fabs(best)));
    }
}

/* The fit recovers a curve it is given exactly; at kappa 2 it is the line
 * through (1 - (1 - s)^2, acc) by hand; a falling curve is refused. */
static void test_fit(void **state)
{
    (void)state;
    scen_taco_model m = table2();
    m.acc_c0 = 0.08, m.acc_c1 = 0.7, m.acc_kappa = 6.5;
    double s[15], acc[15];
    for (int j = 0; j < 15; j++) {
        s[j] = j / 14.0;
        acc[j] = scen_taco_g_edge(&m, s[j]);
    }
    scen_taco_fit_result f;
    dtfl_err err;
    assert_int_equal(scen_taco_fit(s, acc, 15, 0.0, &f, &err), 0);
    check_close(f.c0, 0.08, 1e-7);
    check_close(f.c1, 0.7, 1e-7);
    check_close(f.kappa, 6.5, 1e-5);
    check_close(f.r2, 1.0, 1e-12);
    /* three points on u = 1 - (1 - s)^2 = 0, 0.75, 1 with acc 0.1, 0.7, 0.8:
     * slope = Sxy / Sxx = (47/120) / (65/120), intercept = mean - slope u */
    const double s3[3] = {0.0, 0.5, 1.0}, a3[3] = {0.1, 0.7, 0.8};
    assert_int_equal(scen_taco_fit(s3, a3, 3, 2.0, &f, &err), 0);
    double slope = 47.0 / 65.0, mu = 1.75 / 3.0;
    check_close(f.c1, slope, 1e-12);
    check_close(f.c0, 1.6 / 3.0 - slope * mu, 1e-12);
    check_close(f.kappa, 2.0, 1e-15);
    const double down[3] = {0.8, 0.5, 0.2};
    assert_int_equal(scen_taco_fit(s3, down, 3, 0.0, &f, &err), DTFL_EDATA);
    assert_non_null(strstr(err.msg, "does not grow"));
    const double out[3] = {0.0, 0.5, 1.5};
    assert_int_equal(scen_taco_fit(out, a3, 3, 0.0, &f, &err), DTFL_EDATA);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_values),
        cmocka_unit_test(test_rate_derivatives),
        cmocka_unit_test(test_p4_cost_is_bracket),
        cmocka_unit_test(test_p4_closed_x),
        cmocka_unit_test(test_p4_brute),
        cmocka_unit_test(test_step_y_dense),
        cmocka_unit_test(test_steps_fb_dense),
        cmocka_unit_test(test_step_z_enumerate),
        cmocka_unit_test(test_bcd_monotone),
        cmocka_unit_test(test_bcd_brute),
        cmocka_unit_test(test_alternation),
        cmocka_unit_test(test_share_opt),
        cmocka_unit_test(test_fit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
