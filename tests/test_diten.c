/*
 * test_diten.c - the DITEN model of 003 and its historical-data allocation.
 *
 * Model: each function against values computed by hand (with an
 * independent script) from eqs. 11-15, 21, 22, 24, 25. Allocation: the
 * solver against brute force (a grid over every gamma, then coordinate
 * polishing) on random small instances, agreement to 1e-6 in objective; the
 * instance of DESIGN.md section 4 whose Hessian is indefinite (so Theorem 2's
 * convexity claim fails); and an instance where a local method stops at a
 * local maximum short of the global one while the solver does not.
 */
#include "check.h"

#include "../scen/diten.h"

/* ---- hand-computed values ---- */

static void test_functions(void **state)
{
    (void)state;
    scen_diten_params p = scen_diten_defaults();
    /* v(0) = 0.9172 exp(-(-0.0231/0.8366)^2) */
    check_close(scen_diten_v(&p, 0.0), 0.9165009846, 1e-9);
    check_close(scen_diten_v(&p, 0.4), 0.7487182168, 1e-9);
    /* DESIGN.md: n = 200..2000 gives rho = 0.58..0.92 at phi = 0 */
    check_close(scen_diten_utility(&p, 200, 0.0), 0.5837384978, 1e-9);
    check_close(scen_diten_utility(&p, 2000, 0.0), 0.9162270649, 1e-9);
    check_close(scen_diten_utility(&p, 1000, 0.6), 0.5647522579, 1e-9);
    /* the derivative agrees with a central difference */
    double h = 1e-3, n = 777;
    check_close(scen_diten_utility_dn(&p, n, 0.2),
                (scen_diten_utility(&p, n + h, 0.2) - scen_diten_utility(&p, n - h, 0.2)) / (2 * h),
                1e-10);
    /* Norm(x, f0) = tanh(x / (4 f0)) */
    check_close(scen_diten_norm(0, 200), 0.0, 1e-15);
    check_close(scen_diten_norm(400, 200), tanh(0.5), 1e-12);
    /* W log2(1 + P xi / N0) with -174 dBm = 3.98e-21 W */
    check_close(scen_diten_rate(&p), 981681.0756, 1e-2);
    /* barrier: -ln(-x)/f, capped and counted at a violation */
    int broken = 0;
    check_close(scen_diten_barrier(-1.0, 10, 5, &broken), 0.0, 1e-15);
    check_close(scen_diten_barrier(-exp(10.0), 10, 5, &broken), -1.0, 1e-12);
    check_close(scen_diten_barrier(-1e-30, 10, 5, &broken), 5.0, 0);
    assert_int_equal(broken, 0);
    check_close(scen_diten_barrier(0.0, 10, 5, &broken), 5.0, 0);
    check_close(scen_diten_barrier(3.0, 10, 5, &broken), 5.0, 0);
    assert_int_equal(broken, 2);
}

/* A hand instance: 3 users, 2 servers. */
typedef struct hand {
    double user_xy[6], server_xy[4], p[2], q[2], eps[2], dist[6], sdist[4];
    double phi[3], bits[3];
    int n_new[3], n_prev[3], prev[3];
} hand;

static scen_diten_obs hand_obs(hand *h)
{
    hand H = {
        .p = {130, 5}, .q = {200, 1500}, .eps = {54, 56},
        .dist = {10, 30, 20, 40, 50, 5},   /* (U,S) */
        .sdist = {0, 60, 60, 0},           /* Manhattan between servers */
        .phi = {0.2, 0.2, 0.2}, .bits = {4400, 4500, 4600},
        .n_new = {300, 500, 200}, .n_prev = {400, 0, 1000}, .prev = {1, 0, 0}};
    *h = H;
    return (scen_diten_obs){1, 3, 2, h->user_xy, h->server_xy, h->p, h->q, h->eps,
                       h->dist, h->sdist, h->phi, h->bits, h->n_new, h->n_prev,
                       h->prev};
}

static void test_costs_and_reward(void **state)
{
    (void)state;
    scen_diten_params p = scen_diten_defaults();
    hand h;
    scen_diten_obs o = hand_obs(&h);
    int assoc[3] = {0, 0, 1};       /* user 0 migrates 1 -> 0, user 2 0 -> 1 */
    double gamma[3] = {0.5, 1.0, 0.25};
    double mig[2], syn[2], cmp[2];
    scen_diten_costs(&p, &o, assoc, gamma, mig, syn, cmp);
    /* eq. 13: 1e-4 * 60 m * (Dbar + D_twin) bits, Dbar = (n + gamma m) 784 */
    check_close(mig[0], 1e-4 * 60 * ((300 + 200) * 784.0 + 4400), 1e-9);
    check_close(mig[1], 1e-4 * 60 * ((200 + 250) * 784.0 + 4600), 1e-9);
    /* eq. 14: 0.1 * D bits / rate * l_{u,s} */
    double rate = 981681.0756;
    check_close(syn[0], 0.1 * (300 * 784.0 * 10 + 500 * 784.0 * 20) / rate, 1e-6);
    check_close(syn[1], 0.1 * 200 * 784.0 / rate * 5, 1e-6);
    /* eq. 15: 1e-7 * eps * Dbar * (50 + 10) */
    check_close(cmp[0], 1e-7 * 54 * (500 + 500) * 784.0 * 60, 1e-9);
    check_close(cmp[1], 1e-7 * 56 * 450 * 784.0 * 60, 1e-9);
    /* eqs. 21, 22, 25 */
    double s[6];
    scen_diten_eval ev;
    scen_diten_evaluate(&p, &o, assoc, gamma, s, &ev);
    double rho = scen_diten_utility(&p, 500, 0.2) + scen_diten_utility(&p, 500, 0.2) +
                 scen_diten_utility(&p, 450, 0.2);
    double C0 = mig[0] + syn[0] + cmp[0], C1 = mig[1] + syn[1] + cmp[1];
    double e = 0.3 / 3 * rho - 0.7 / 2 * (scen_diten_norm(C0, 200) + scen_diten_norm(C1, 200));
    check_close(ev.utility, rho / 3, 1e-12);
    check_close(ev.cost, C0 + C1, 1e-9);
    check_close(ev.objective, e, 1e-12);
    /* server 0's compute (254) is above q = 200: C2 broken, the cap;
     * every other constraint holds and adds -ln(slack) / f */
    check_close(cmp[0], 254.016, 1e-9);
    double barrier = 10.0 +
                     -log(130 - syn[0]) / 10 + -log(1500 - cmp[1]) / 10 +
                     -log(5 - syn[1]) / 10;
    assert_int_equal(ev.violations, 1);
    check_close(ev.reward, e - barrier, 1e-12);
}

/* ---- the allocation ---- */

/* An observation with users 0..k-1 on server 0 and the rest elsewhere with
 * nothing to reuse; server 0's other load and migrations as given. */
typedef struct inst {
    int U, S;
    double user_xy[64], server_xy[64], p[32], q[32], eps[32], dist[20 * 32],
        sdist[32 * 32], phi[32], bits[32];
    int n_new[32], n_prev[32], prev[32], assoc[32];
} inst;

static scen_diten_obs inst_obs(inst *I)
{
    return (scen_diten_obs){1, I->U, I->S, I->user_xy, I->server_xy, I->p, I->q,
                       I->eps, I->dist, I->sdist, I->phi, I->bits, I->n_new,
                       I->n_prev, I->prev};
}

static double objective(const scen_diten_params *p, const scen_diten_obs *o,
                        const int *assoc, const double *g)
{
    double s[96];
    scen_diten_eval ev;
    scen_diten_evaluate(p, o, assoc, g, s, &ev);
    return ev.objective;
}

/* compute load of server 0 */
static double load0(const scen_diten_params *p, const scen_diten_obs *o,
                    const int *assoc, const double *g)
{
    double mig[32], syn[32], cmp[32];
    scen_diten_costs(p, o, assoc, g, mig, syn, cmp);
    return cmp[0];
}

/* Brute force over the k gammas of server 0: a grid, then coordinate
 * polishing by golden section inside the feasible interval. */
static double brute(const scen_diten_params *p, const scen_diten_obs *o,
                    const int *assoc, int k, double *g)
{
    const int G = k == 1 ? 2001 : (k == 2 ? 101 : 31);
    double best = -INFINITY, trial[32] = {0}, bestg[32] = {0};
    int idx[3] = {0, 0, 0};
    for (;;) {
        for (int i = 0; i < k; i++)
            trial[i] = (double)idx[i] / (G - 1);
        if (load0(p, o, assoc, trial) <= o->q[0]) {
            double v = objective(p, o, assoc, trial);
            if (v > best) {
                best = v;
                memcpy(bestg, trial, sizeof bestg);
            }
        }
        int d = 0;
        while (d < k && ++idx[d] == G)
            idx[d++] = 0;
        if (d == k)
            break;
    }
    memcpy(g, bestg, sizeof bestg);
    for (int sweep = 0; sweep < 60; sweep++)
        for (int i = 0; i < k; i++) {
            /* the largest gamma_i the capacity allows */
            double save = g[i], lo = 0.0, hi = 1.0;
            g[i] = 1.0;
            if (load0(p, o, assoc, g) > o->q[0]) {
                double a = 0.0, b = 1.0;
                for (int it = 0; it < 60; it++) {
                    g[i] = 0.5 * (a + b);
                    if (load0(p, o, assoc, g) > o->q[0])
                        b = g[i];
                    else
                        a = g[i];
                }
                hi = a;
            }
            double r = 0.6180339887498949, x1 = hi - r * (hi - lo), x2 = lo + r * (hi - lo);
            g[i] = x1;
            double f1 = objective(p, o, assoc, g);
            g[i] = x2;
            double f2 = objective(p, o, assoc, g);
            for (int it = 0; it < 80; it++) {
                if (f1 >= f2) {
                    hi = x2; x2 = x1; f2 = f1; x1 = hi - r * (hi - lo);
                    g[i] = x1; f1 = objective(p, o, assoc, g);
                } else {
                    lo = x1; x1 = x2; f1 = f2; x2 = lo + r * (hi - lo);
                    g[i] = x2; f2 = objective(p, o, assoc, g);
                }
            }
            double cand = f1 >= f2 ? x1 : x2;
            g[i] = save;
            double before = objective(p, o, assoc, g);
            g[i] = cand;
            if (objective(p, o, assoc, g) < before)
                g[i] = save;
        }
    return objective(p, o, assoc, g);
}

static void random_instance(inst *I, dtfl_rng *r, int k)
{
    memset(I, 0, sizeof *I);
    I->U = 20;
    const int Ss[3] = {9, 15, 21};
    I->S = Ss[dtfl_rng_below(r, 3)];
    double phi = 0.2 * dtfl_rng_below(r, 4);
    for (int s = 0; s < I->S; s++) {
        I->p[s] = 135;
        I->q[s] = dtfl_rng_uniform(r) < 0.3 ? dtfl_rng_range(r, 300, 900)
                                              : dtfl_rng_range(r, 1400, 1500);
        I->eps[s] = dtfl_rng_range(r, 54, 56);
        for (int j = 0; j < I->S; j++)
            I->sdist[s * I->S + j] = s == j ? 0 : dtfl_rng_range(r, 10, 150);
    }
    for (int u = 0; u < I->U; u++) {
        I->phi[u] = phi;
        I->bits[u] = dtfl_rng_range(r, 4400, 4600);
        I->assoc[u] = u < k + 1 ? 0 : 1 + u % (I->S - 1);
        I->prev[u] = I->assoc[u];
        I->n_new[u] = 200 + (int)dtfl_rng_below(r, 801);
        I->n_prev[u] = u < k ? 200 + (int)dtfl_rng_below(r, 801) : 0;
        for (int s = 0; s < I->S; s++)
            I->dist[u * I->S + s] = dtfl_rng_range(r, 1, 80);
    }
    /* user k shares server 0 with nothing to reuse: base load */
    I->n_new[k] = (int)dtfl_rng_below(r, 1500);
    for (int u = 0; u < k; u++) /* some migrate in */
        if (dtfl_rng_uniform(r) < 0.4)
            I->prev[u] = 1 + (int)dtfl_rng_below(r, (uint32_t)(I->S - 1));
}

static void test_against_brute_force(void **state)
{
    (void)state;
    scen_diten_params p = scen_diten_defaults();
    dtfl_rng r;
    dtfl_rng_init(&r, 11, 77, 0, 0);
    int worse_local = 0, n = 0;
    for (int k = 1; k <= 3; k++)
        for (int trial = 0; trial < (k == 3 ? 25 : 80); trial++) {
            inst I;
            random_instance(&I, &r, k);
            scen_diten_obs o = inst_obs(&I);
            double g[32], gb[32], gl[32];
            scen_diten_gamma_optimal(&p, &o, I.assoc, g);
            double got = objective(&p, &o, I.assoc, g);
            double want = brute(&p, &o, I.assoc, k, gb);
            /* feasible: C2 of server 0 holds whenever it can */
            if (load0(&p, &o, I.assoc, g) > o.q[0] + 1e-6) {
                double zero[32] = {0};
                assert_true(load0(&p, &o, I.assoc, zero) > o.q[0]);
            }
            if (fabs(got - want) > 1e-6 && !(got > want))
                fail_msg("k=%d trial %d: solver %.10f, brute force %.10f "
                         "(gamma %.4f %.4f %.4f vs %.4f %.4f %.4f)",
                         k, trial, got, want, g[0], g[1], g[2], gb[0], gb[1], gb[2]);
            scen_diten_gamma_local(&p, &o, I.assoc, gl);
            worse_local += objective(&p, &o, I.assoc, gl) < got - 1e-6;
            n++;
        }
    /* the local method agrees most of the time but not always */
    print_message("local method short of the optimum in %d of %d instances\n",
                  worse_local, n);
    assert_true(worse_local < n / 2);
}

/* DESIGN.md section 4: three users on one server, n_new 600, 900, 1200,
 * n_prev 800, 1000, 700, phi 0.2, U = 20, S = 9, eps 55, no sync or migration
 * cost: the Hessian of -e at gamma = 0 has eigenvalues -0.0084, 0.0018,
 * 0.0078 (computed independently), so eq. 26 is not convex. */
static void design_instance(inst *I)
{
    memset(I, 0, sizeof *I);
    I->U = 20;
    I->S = 9;
    const int nn[3] = {600, 900, 1200}, mm[3] = {800, 1000, 700};
    for (int s = 0; s < 9; s++) {
        I->q[s] = 1e9;
        I->p[s] = 1e9;
        I->eps[s] = 55;
    }
    for (int u = 0; u < 20; u++) {
        I->phi[u] = 0.2;
        I->assoc[u] = I->prev[u] = u < 3 ? 0 : 1 + u % 8;
        I->n_new[u] = u < 3 ? nn[u] : 300;
        I->n_prev[u] = u < 3 ? mm[u] : 0;
    }
}

/* Eigenvalues of a symmetric 3x3 matrix (trigonometric method). */
static void eig3(const double A[3][3], double *e)
{
    double p1 = A[0][1] * A[0][1] + A[0][2] * A[0][2] + A[1][2] * A[1][2];
    double q = (A[0][0] + A[1][1] + A[2][2]) / 3.0;
    double p2 = pow(A[0][0] - q, 2) + pow(A[1][1] - q, 2) + pow(A[2][2] - q, 2) + 2 * p1;
    double p = sqrt(p2 / 6.0), B[3][3];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            B[i][j] = (A[i][j] - (i == j ? q : 0)) / p;
    double det = B[0][0] * (B[1][1] * B[2][2] - B[1][2] * B[2][1]) -
                 B[0][1] * (B[1][0] * B[2][2] - B[1][2] * B[2][0]) +
                 B[0][2] * (B[1][0] * B[2][1] - B[1][1] * B[2][0]);
    double r = det / 2.0, phi = r <= -1 ? M_PI / 3 : (r >= 1 ? 0 : acos(r) / 3);
    e[2] = q + 2 * p * cos(phi);
    e[0] = q + 2 * p * cos(phi + 2 * M_PI / 3);
    e[1] = 3 * q - e[0] - e[2];
}

static void test_design_instance(void **state)
{
    (void)state;
    scen_diten_params p = scen_diten_defaults();
    inst I;
    design_instance(&I);
    scen_diten_obs o = inst_obs(&I);
    /* Hessian of -e at gamma = 0 by central differences */
    double H[3][3], g[32] = {0}, h = 1e-4;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            double v[4];
            for (int k = 0; k < 4; k++) {
                memset(g, 0, sizeof g);
                g[i] += k & 1 ? -h : h;
                g[j] += k & 2 ? -h : h;
                v[k] = -objective(&p, &o, I.assoc, g);
            }
            H[i][j] = (v[0] - v[1] - v[2] + v[3]) / (4 * h * h);
        }
    double e[3];
    eig3(H, e);
    check_close(e[0], -0.008394, 2e-5);
    check_close(e[1], 0.001791, 2e-5);
    check_close(e[2], 0.007826, 2e-5);
    /* the solver still returns the global optimum (gamma = 0 here) */
    double gs[32], gb[32];
    scen_diten_gamma_optimal(&p, &o, I.assoc, gs);
    double got = objective(&p, &o, I.assoc, gs), want = brute(&p, &o, I.assoc, 3, gb);
    check_close(got, want, 1e-6);
    for (int u = 0; u < 3; u++)
        check_close(gs[u], 0.0, 1e-6);
}

/* One migrating user (n 203, m 958, from 42.8 m away) beside a user with
 * nothing to reuse (n 1589: 411 of base load): gamma = 1 is a local maximum,
 * gamma = 0 the global one; a local method from gamma = 1/2 climbs to 1. */
static void test_local_stops_short(void **state)
{
    (void)state;
    scen_diten_params p = scen_diten_defaults();
    inst I;
    design_instance(&I);
    for (int s = 0; s < 9; s++)
        I.sdist[s * 9 + (s + 1) % 9] = I.sdist[((s + 1) % 9) * 9 + s] = 42.8;
    I.n_new[0] = 203;
    I.n_prev[0] = 958;
    I.prev[0] = 1;
    I.n_new[1] = 1589;
    I.n_prev[1] = 0;
    I.n_prev[2] = 0;
    I.assoc[2] = I.prev[2] = 2;
    for (int u = 0; u < 20; u++)
        I.phi[u] = 0.2;
    scen_diten_obs o = inst_obs(&I);
    double gs[32], gl[32], gb[32];
    scen_diten_gamma_optimal(&p, &o, I.assoc, gs);
    scen_diten_gamma_local(&p, &o, I.assoc, gl);
    double opt = objective(&p, &o, I.assoc, gs), loc = objective(&p, &o, I.assoc, gl);
    double want = brute(&p, &o, I.assoc, 1, gb);
    check_close(opt, want, 1e-6);
    check_close(gl[0], 1.0, 1e-6);     /* the local method ends at gamma = 1 */
    check_close(gs[0], 0.0, 1e-6);     /* the optimum reuses nothing */
    check_lt(loc, opt - 1e-3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_functions),
        cmocka_unit_test(test_costs_and_reward),
        cmocka_unit_test(test_against_brute_force),
        cmocka_unit_test(test_design_instance),
        cmocka_unit_test(test_local_stops_short),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
