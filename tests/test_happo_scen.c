/*
 * test_happo_scen.c - the happo scenario as runs see it (scen/happo*.c
 * through app/env.h), spec section 8's model items: the agents' sizes at
 * the paper's K = 30, M = 5 (18, 281, 221 and the state's 551); for random
 * unit actions with exact 0s and 1s every resource within its limit
 * ((14d)-(14h)); the control centre's counterfactual term equal to the
 * actual allocation when it keeps the deployment (A6); a migration's G_k
 * slots failing every request and sending nothing (eq. 12); queues by eq.
 * 15; a saved state resuming the run.
 */
#include "env_fixture.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { BS, HOST, REQ, MIG, POWER, SINR, RATE, F, W, TIME, FAIL, ENERGY, QUEUE, DBITS,
       CPB, TAU, PICK, CCTERM, NTWIN };

static app_env *world(int K, int M, int slots, int frame, const char *extra)
{
    char text[2048];
    snprintf(text, sizeof text,
             "scenario: happo\nmode: analytic\nmodel: {kind: softmax}\nseed: 2\n"
             "world: {width: 1000, height: 1000, slot_seconds: 0.05, slots: %d, "
             "frame_slots: %d, distance: euclidean}\n"
             "servers: {count: %d, placement: grid}\n"
             "users: {count: %d, samples: [1, 1], twin_bits: [2e6, 2e6]}\n"
             "mobility: {model: gauss-markov, speed: [2, 10]}\n%s",
             slots, frame, M, K, extra);
    return test_env_of(text);
}

typedef struct drive {
    app_env *e;
    scen *s;
    const scen_ops *ops;
    const scen_info *in;
    scen_action a;
    scen_result r;
} drive;

static void drive_init(drive *d, app_env *e)
{
    d->e = e;
    d->s = app_env_scen(e);
    d->ops = scen_ops_of(d->s);
    d->in = scen_info_of(d->s);
    int nd, nb;
    scen_action_size(d->in, &nd, &nb);
    d->a.discrete = calloc((size_t)nd, sizeof(int));
    d->a.box = calloc((size_t)nb, sizeof(double));
}

static const scen_happo_obs *drive_observe(drive *d)
{
    scen_obs o;
    dtfl_err err;
    assert_int_equal(d->ops->observe(scen_self(d->s), &o, &err), 0);
    return o.raw;
}

static void drive_step(drive *d)
{
    dtfl_err err;
    assert_int_equal(d->ops->step(scen_self(d->s), &d->a, &d->r, &err), 0);
}

static void drive_free(drive *d)
{
    free(d->a.discrete);
    free(d->a.box);
    app_env_destroy(d->e);
}

static void twin_row(drive *d, int k, double *v)
{
    d->ops->row(scen_self(d->s), SCEN_T_ANALYTIC_TWIN, k, v);
}

static void test_sizes(void **state)
{
    (void)state;
    app_env *e = world(30, 5, 100, 100, "");
    const scen_info *in = app_env_info(e);
    assert_int_equal(in->agents, 36);
    assert_int_equal(in->agent[0].obs_dim, 18);
    assert_int_equal(in->agent[30].obs_dim, 281);
    assert_int_equal(in->agent[30].box, 60);
    assert_int_equal(in->agent[35].obs_dim, 221);
    assert_int_equal(in->agent[35].blocks, 30);
    assert_int_equal(in->agent[35].choices, 5);
    assert_int_equal(in->agent[35].stream, 1);
    assert_int_equal(in->agent[0].stream, 0);
    assert_int_equal(in->state_dim, 551);
    app_env_destroy(e);
}

/* A unit value with exact 0s and 1s among the random ones. */
static double unit(dtfl_rng *r)
{
    const double u = dtfl_rng_uniform(r);
    return u < 0.15 ? 0.0 : u > 0.85 ? 1.0 : dtfl_rng_uniform(r);
}

static void test_limits(void **state)
{
    (void)state;
    const int K = 12, M = 3;
    drive d;
    drive_init(&d, world(K, M, 60, 10, ""));
    dtfl_rng r;
    dtfl_rng_init(&r, 9, DTFL_STREAM_POLICY, 0, 0);
    int checked = 0;
    for (int t = 0; t < 60; t++) {
        drive_observe(&d);
        for (int i = 0; i < K + 2 * K * M; i++)
            d.a.box[i] = i < K ? 0.5 * unit(&r) : unit(&r);
        for (int k = 0; k < K; k++)
            d.a.discrete[k] = (int)dtfl_rng_below(&r, (uint32_t)M);
        drive_step(&d);
        double f[8] = {0}, w[8][8] = {{0}};
        for (int k = 0; k < K; k++) {
            double v[NTWIN];
            twin_row(&d, k, v);
            assert_true(v[POWER] >= 0.0 && v[POWER] <= 0.5);
            f[(int)v[HOST]] += v[F];
            w[(int)v[BS]][(int)v[HOST]] += v[W];
            assert_true(v[F] == 0.0 || (v[REQ] && !v[MIG]));
            assert_true(v[ENERGY] >= 0.0 && isfinite(v[ENERGY]));
            assert_true(v[CCTERM] >= 0.0 && v[CCTERM] <= 0.05);
            checked += v[REQ] && !v[MIG];
        }
        for (int m = 0; m < M; m++) {
            assert_true(f[m] <= 10e9 * (1.0 + 1e-12));  /* (14g)-(14h) */
            for (int j = 0; j < M; j++)
                assert_true(w[m][j] <= 10e6 * (1.0 + 1e-12)); /* (14e)-(14f) */
        }
    }
    assert_true(checked > 100);
    drive_free(&d);
}

/* Each BS scores all its MUs alike and the control centre keeps every DT
 * where it is: the counterfactual term is the actual D C / f + D / w. */
static void test_counterfactual(void **state)
{
    (void)state;
    const int K = 10, M = 3;
    drive d;
    drive_init(&d, world(K, M, 30, 10, ""));
    dtfl_rng r;
    dtfl_rng_init(&r, 3, DTFL_STREAM_POLICY, 0, 0);
    int same = 0;
    for (int t = 0; t < 30; t++) {
        const scen_happo_obs *o = drive_observe(&d);
        for (int i = 0; i < K + 2 * K * M; i++)
            d.a.box[i] = i < K ? 0.5 : 0.05 + 0.9 * dtfl_rng_uniform(&r);
        for (int k = 0; k < K; k++)
            d.a.discrete[k] = o->host[k];
        drive_step(&d);
        for (int k = 0; k < K; k++) {
            double v[NTWIN];
            twin_row(&d, k, v);
            if (!v[REQ] || v[MIG])
                continue;
            double want = v[DBITS] * v[CPB] / v[F] + (v[BS] != v[HOST] ? v[DBITS] / v[W] : 0.0);
            want = want < 0.05 ? want : 0.05;
            assert_true(fabs(v[CCTERM] - want) <= 1e-12 * want);
            same++;
        }
    }
    assert_true(same > 50);
    drive_free(&d);
}

/* MU 0's DT moves at the frame start of slot 10: G_k = 4 slots of failed
 * requests with no transmission and no energy, then syncs again; the
 * queues follow eq. 15 throughout. */
static void test_migration(void **state)
{
    (void)state;
    const int K = 4, M = 2;
    drive d;
    drive_init(&d, world(K, M, 40, 10, "happo: {lambda: 1}\n"));
    double Y[4] = {0};
    int moved_to = -1;
    for (int t = 0; t < 20; t++) {
        const scen_happo_obs *o = drive_observe(&d);
        for (int k = 0; k < K; k++) {
            d.a.box[k] = 0.5;
            d.a.discrete[k] = o->host[k];
        }
        for (int i = K; i < K + 2 * K * M; i++)
            d.a.box[i] = 1.0;
        if (t == 10)
            d.a.discrete[0] = moved_to = 1 - o->host[0];
        drive_step(&d);
        for (int k = 0; k < K; k++) {
            double v[NTWIN];
            twin_row(&d, k, v);
            const int mig = k == 0 && t >= 10 && t < 14;
            assert_int_equal((int)v[MIG], mig);
            if (mig)
                assert_true(v[FAIL] == 1.0 && v[RATE] == 0.0 && v[ENERGY] == 0.0);
            if (k == 0 && t >= 10)
                assert_int_equal((int)v[HOST], moved_to);
            Y[k] = fmax(Y[k] + v[FAIL] - 0.2, 0.0);
            assert_true(fabs(v[QUEUE] - Y[k]) < 1e-12);
        }
    }
    drive_free(&d);
}

static void test_resume(void **state)
{
    (void)state;
    app_env *a = world(8, 3, 40, 10, "sched: {policy: random}\n");
    dtfl_err err;
    for (int t = 0; t < 17; t++)
        assert_true(app_env_slot(a, &err) >= 0);
    size_t len;
    uint8_t *st = test_scen_state(a, &len);
    app_env *b = world(8, 3, 40, 10, "sched: {policy: random}\n");
    scen *sb = app_env_scen(b);
    assert_int_equal(scen_ops_of(sb)->load(scen_self(sb), st, len, &err), 0);
    for (int t = 17; t < 40; t++) {
        assert_true(app_env_slot(a, &err) >= 0);
        assert_true(app_env_slot(b, &err) >= 0);
        assert_memory_equal(app_env_row(a, SCEN_T_ANALYTIC_SLOT, -1),
                            app_env_row(b, SCEN_T_ANALYTIC_SLOT, -1), 15 * sizeof(double));
    }
    st[4] = 9; /* MU 0's server out of range */
    assert_int_equal(scen_ops_of(sb)->load(scen_self(sb), st, len, &err), DTFL_EDATA);
    free(st);
    app_env_destroy(a);
    app_env_destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),       cmocka_unit_test(test_limits),
        cmocka_unit_test(test_counterfactual), cmocka_unit_test(test_migration),
        cmocka_unit_test(test_resume),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
