/*
 * test_policy.c - the policies of the diten scenario (scen/diten*.c): the
 * registry, the nearest baseline's greedy constraint keeping (checked user
 * by user against the loads of the users placed before it), the four
 * allocations, the learned policies' state, their learning loop and their
 * policy files.
 */
#include "env_fixture.h"
#include "../scen/diten.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define U_MAX 16
#define S_MAX 8

/* A random observation with its own storage. */
typedef struct inst {
    double user_xy[2 * U_MAX], server_xy[2 * S_MAX], p[S_MAX], q[S_MAX];
    double eps[S_MAX], dist[U_MAX * S_MAX], sdist[S_MAX * S_MAX];
    double phi[U_MAX], bits[U_MAX];
    int n_new[U_MAX], n_prev[U_MAX], prev[U_MAX];
    scen_diten_obs o;
} inst;

static void inst_make(inst *x, int U, int S, uint64_t seed, double qscale,
                      double pscale)
{
    dtfl_rng r;
    dtfl_rng_init(&r, seed, 77, 0, 0);
    for (int s = 0; s < S; s++) {
        x->server_xy[2 * s] = dtfl_rng_range(&r, 0, 120);
        x->server_xy[2 * s + 1] = dtfl_rng_range(&r, 0, 120);
        x->p[s] = pscale * dtfl_rng_range(&r, 120, 150);
        x->q[s] = qscale * dtfl_rng_range(&r, 1400, 1500);
        x->eps[s] = dtfl_rng_range(&r, 54, 56);
    }
    for (int a = 0; a < S; a++)
        for (int b = 0; b < S; b++)
            x->sdist[a * S + b] = fabs(x->server_xy[2 * a] - x->server_xy[2 * b]) +
                                  fabs(x->server_xy[2 * a + 1] - x->server_xy[2 * b + 1]);
    for (int u = 0; u < U; u++) {
        x->user_xy[2 * u] = dtfl_rng_range(&r, 0, 120);
        x->user_xy[2 * u + 1] = dtfl_rng_range(&r, 0, 120);
        x->phi[u] = 0.2;
        x->bits[u] = dtfl_rng_range(&r, 4400, 4600);
        x->n_new[u] = 200 + (int)dtfl_rng_below(&r, 801);
        x->n_prev[u] = 200 + (int)dtfl_rng_below(&r, 801);
        x->prev[u] = (int)dtfl_rng_below(&r, (uint32_t)S);
        for (int s = 0; s < S; s++)
            x->dist[u * S + s] = hypot(x->user_xy[2 * u] - x->server_xy[2 * s],
                                       x->user_xy[2 * u + 1] - x->server_xy[2 * s + 1]);
    }
    x->o = (scen_diten_obs){1, U, S, x->user_xy, x->server_xy, x->p, x->q, x->eps,
                       x->dist, x->sdist, x->phi, x->bits, x->n_new, x->n_prev,
                       x->prev};
}

/* The diten scenario of a small config with this policy. */
static app_env *env_for(const char *policy, int U, int S)
{
    char text[512];
    snprintf(text, sizeof text,
             "seed: 5\nmode: analytic\nmodel: {kind: 2nn}\n"
             "users: {count: %d}\nservers: {count: %d}\nworld: {slots: 50}\n"
             "sched: {policy: %s, allocation: optimal}\n"
             "ppo: {hidden: 16, rollout: 16}\na2c: {hidden: 16, rollout: 16}\n"
             "ddpg: {hidden: 16, batch: 8, learning_starts: 16}\n",
             U, S, policy);
    app_env *e = test_env_of(text);
    dtfl_err err;
    assert_int_equal(app_env_reset(e, 0, &err), 0);
    return e;
}

static void test_registry(void **state)
{
    (void)state;
    static const char *names[] = {"static", "nearest", "ppo", "a2c", "ddpg"};
    const scen_ops *sc = scen_find("diten");
    assert_non_null(sc);
    for (int i = 0; i < 5; i++)
        assert_string_equal(sc->policies[i]->name, names[i]);
    assert_null(sc->policies[5]);
    assert_ptr_equal(scen_policy_owner("cheapest"), scen_find("toy"));
    assert_ptr_equal(scen_policy_owner("nearest"), sc);
    app_env *e = env_for("nearest", 4, 3);
    scen_policy *pol = NULL;
    dtfl_err err;
    assert_int_equal(scen_policy_create(&pol, app_env_scen(e), "nearst", &err),
                     DTFL_ECONFIG);
    assert_non_null(strstr(err.msg, "'nearst'"));
    assert_non_null(strstr(err.msg, "static, nearest, ppo, a2c, ddpg"));
    assert_null(pol);
    app_env_destroy(e);
}

/* The association of a diten heuristic on an instance, and the ratios of an
 * allocation for it. */
static void decide(const char *name, scen_diten_allocation alloc, const inst *x,
                   int *assoc, double *gamma)
{
    scen_diten_setup ds = {scen_diten_defaults(), alloc, 0.25};
    scen_setup setup = {.scenario = "diten", .seed = 5, .params = &ds};
    scen_policy_setup ps = {scen_find("diten"), NULL, NULL, &setup};
    const scen_policy_ops *ops = scen_policy_find(ps.scen, name);
    assert_non_null(ops);
    void *self = NULL;
    dtfl_err err;
    assert_int_equal(ops->create(&self, &ps, &err), 0);
    scen_obs so = {x->o.slot, 1, &x->o};
    scen_action a = {assoc, NULL};
    assert_int_equal(ops->decide(self, &so, &a, &err), 0);
    ops->destroy(self);
    scen_diten_allocate(&ds, 5, 0, &x->o, assoc, gamma);
}

/* Nearest: every server nearer than the one chosen lacked room for the user
 * on top of the users before it (loads at gamma = 0, eqs. 14-15); the chosen
 * one had room, unless no server had. */
static void test_nearest_greedy(void **state)
{
    (void)state;
    int displaced = 0, full = 0; /* the tight instances exercise both */
    for (int k = 0; k < 20; k++) {
        inst x;
        const int U = 16, S = 5;
        /* k < 5: computation binds (C2); k < 10: synchronisation (C3) */
        inst_make(&x, U, S, 100 + k, k < 5 ? 0.3 : 50.0,
                  k < 5 ? 50.0 : (k < 10 ? 0.06 : 50.0));
        int assoc[U_MAX];
        double gamma[U_MAX], zero[U_MAX] = {0};
        decide("nearest", SCEN_DITEN_ALLOC_FIXED, &x, assoc, gamma);
        if (k >= 10) { /* ample room: plain nearest */
            for (int u = 0; u < U; u++)
                assert_int_equal(assoc[u], scen_diten_nearest(&x.o, u));
            continue;
        }
        const scen_diten_params m = scen_diten_defaults();
        for (int u = 0; u < U; u++) {
            /* loads of users 0..u-1 as placed, and of u alone, per server */
            double mig[S_MAX], syn[S_MAX], cmp[S_MAX], mig1[S_MAX], syn1[S_MAX], cmp1[S_MAX];
            scen_diten_obs before = x.o;
            int none[U_MAX];
            for (int v = 0; v < U; v++)
                none[v] = -1;
            before.users = u;
            before.prev_assoc = none;
            scen_diten_costs(&m, &before, assoc, zero, mig, syn, cmp);
            int ok_any = 0, fits[S_MAX];
            for (int s = 0; s < S; s++) {
                /* u's own load on s: costs of a one-user observation */
                int at = s;
                scen_diten_obs one = x.o;
                one.users = 1;
                one.dist = x.dist + (size_t)u * S;
                one.n_new = x.n_new + u;
                one.n_prev = x.n_prev + u;
                one.phi = x.phi + u;
                one.twin_bits = x.bits + u;
                one.prev_assoc = none;
                scen_diten_costs(&m, &one, &at, zero, mig1, syn1, cmp1);
                fits[s] = cmp[s] + cmp1[s] <= x.q[s] && syn[s] + syn1[s] <= x.p[s];
                ok_any |= fits[s];
            }
            const double *d = x.dist + (size_t)u * S;
            if (ok_any)
                assert_true(fits[assoc[u]]);
            else
                assert_int_equal(assoc[u], scen_diten_nearest(&x.o, u));
            displaced += ok_any && assoc[u] != scen_diten_nearest(&x.o, u);
            full += !ok_any;
            for (int s = 0; s < S; s++)
                if (d[s] < d[assoc[u]] && ok_any)
                    assert_false(fits[s]);
        }
    }
    assert_true(displaced > 10);
    assert_true(full > 0);
}

static void test_allocations(void **state)
{
    (void)state;
    inst x;
    inst_make(&x, 12, 4, 7, 1.0, 1.0);
    int assoc[U_MAX], assoc2[U_MAX];
    double g[U_MAX], g2[U_MAX], opt[U_MAX];
    decide("nearest", SCEN_DITEN_ALLOC_FULL, &x, assoc, g);
    for (int u = 0; u < 12; u++)
        check_close(g[u], 1.0, 0.0);
    decide("nearest", SCEN_DITEN_ALLOC_FIXED, &x, assoc, g);
    for (int u = 0; u < 12; u++)
        check_close(g[u], 0.25, 0.0);
    /* random: in [0, 1], spread, and the same for the same seed */
    decide("nearest", SCEN_DITEN_ALLOC_RANDOM, &x, assoc, g);
    decide("nearest", SCEN_DITEN_ALLOC_RANDOM, &x, assoc2, g2);
    double lo = 1, hi = 0;
    for (int u = 0; u < 12; u++) {
        assert_true(g[u] >= 0 && g[u] <= 1);
        check_close(g[u], g2[u], 0.0);
        lo = fmin(lo, g[u]);
        hi = fmax(hi, g[u]);
    }
    assert_true(hi - lo > 0.3);
    /* optimal: the solver's answer for the policy's association */
    decide("nearest", SCEN_DITEN_ALLOC_OPTIMAL, &x, assoc, g);
    scen_diten_params m = scen_diten_defaults();
    scen_diten_gamma_optimal(&m, &x.o, assoc, opt);
    for (int u = 0; u < 12; u++)
        check_close(g[u], opt[u], 0.0);
}

static void test_state(void **state)
{
    (void)state;
    inst x;
    inst_make(&x, 6, 4, 9, 1.0, 1.0);
    const scen_diten_scale sc = {120, 120, 1000, 4600};
    const int D = scen_diten_state_dim(6, 4);
    assert_int_equal(D, 6 * (6 + 2 * 4) + 4 * 4);
    float st[256];
    scen_diten_state(&sc, &x.o, st);
    for (int i = 0; i < D; i++)
        assert_true(st[i] >= 0.0f && st[i] <= 1.0f);
    for (int u = 0; u < 6; u++) { /* the one-hot of the current server */
        const float *oh = st + u * (6 + 8) + 6 + 4;
        for (int s = 0; s < 4; s++)
            check_close(oh[s], s == x.prev[u] ? 1.0 : 0.0, 0.0);
    }
}

/* Trains a learned policy a few hundred slots of the diten scenario, then
 * checks a greedy decision survives a save and load, and that another
 * server count or another algorithm refuses the bytes. */
static int greedy_first(app_env *e, scen_policy *pol, int *assoc)
{
    dtfl_err err;
    const scen_ops *ops = scen_ops_of(app_env_scen(e));
    void *self = scen_self(app_env_scen(e));
    scen_obs o;
    assert_int_equal(app_env_reset(e, 7, &err), 0);
    assert_int_equal(ops->observe(self, &o, &err), 0);
    scen_action a = {assoc, NULL};
    return scen_policy_decide(pol, &o, &a, &err);
}

static void check_learned(const char *name)
{
    const int U = 6, S = 4;
    app_env *e = env_for(name, U, S);
    scen_policy *pol = app_env_policy(e), *back = NULL, *other = NULL;
    dtfl_err err;
    assert_true(scen_policy_learns(pol));
    scen_policy_set_training(pol, 1);
    for (int t = 0, done = 0; t < 300; t++) {
        if (done && app_env_reset(e, t, &err) != 0)
            fail();
        done = app_env_slot(e, &err);
        assert_true(done >= 0);
    }
    scen_policy_set_training(pol, 0);
    size_t len = 0;
    assert_int_equal(scen_policy_save(pol, NULL, &len, &err), 0);
    uint8_t *buf = malloc(len);
    assert_int_equal(scen_policy_save(pol, buf, &len, &err), 0);
    assert_int_equal(scen_policy_create(&back, app_env_scen(e), name, &err), 0);
    assert_int_equal(scen_policy_load(back, buf, len, &err), 0);
    int assoc[U_MAX], a2[U_MAX];
    assert_int_equal(greedy_first(e, pol, assoc), 0);
    assert_int_equal(greedy_first(e, back, a2), 0);
    for (int u = 0; u < U; u++)
        assert_int_equal(assoc[u], a2[u]);
    /* another server count */
    app_env *e2 = env_for(name, U, S + 1);
    assert_int_equal(scen_policy_load(app_env_policy(e2), buf, len, &err), DTFL_EDATA);
    assert_non_null(strstr(err.msg, "trained for"));
    app_env_destroy(e2);
    /* another algorithm */
    const char *algo = strcmp(name, "ppo") == 0 ? "a2c" : "ppo";
    assert_int_equal(scen_policy_create(&other, app_env_scen(e), algo, &err), 0);
    assert_true(scen_policy_load(other, buf, len, &err) < 0);
    scen_policy_destroy(other);
    free(buf);
    scen_policy_destroy(back);
    app_env_destroy(e);
}

static void test_ppo_policy(void **state)
{
    (void)state;
    check_learned("ppo");
}

static void test_a2c_policy(void **state)
{
    (void)state;
    check_learned("a2c");
}

static void test_ddpg_policy(void **state)
{
    (void)state;
    check_learned("ddpg");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry),   cmocka_unit_test(test_nearest_greedy),
        cmocka_unit_test(test_allocations), cmocka_unit_test(test_state),
        cmocka_unit_test(test_ppo_policy), cmocka_unit_test(test_a2c_policy),
        cmocka_unit_test(test_ddpg_policy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
