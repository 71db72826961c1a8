/*
 * test_taco_scen.c - the TACO scenario as runs see it (scen/taco.c through
 * app/env.h): the per-slot split of the placement (eqs. 18-19) summing to
 * the frame's cost (14-15), the queues of eqs. 21-22 against a hand update
 * from the rows, a long run keeping its energy budget, accuracy rising with
 * V, the lock-in of the paper's literal frame start (a regression: spec
 * 7.7), every policy running, the paper's MILP timing out without stopping
 * the run, and a saved state resuming the same run.
 */
#include "env_fixture.h"

#include <stdlib.h>
#include <string.h>

/* The paper's world (Table II, configs/taco-paper.yaml) with `extra`. */
static app_env *paper(int slots, const char *extra)
{
    char text[2048];
    snprintf(text, sizeof text,
             "scenario: taco\nmode: analytic\nmodel: {kind: softmax}\n"
             "world: {width: 1000, height: 1000, slot_seconds: 10, "
             "distance: euclidean, slots: %d, frame_slots: 10}\n"
             "servers: {count: 10, placement: uniform}\nusers: {count: 40}\n"
             "mobility: {model: waypoint, speed: [0.5, 1.5], pause: 0}\n%s",
             slots, extra);
    return test_env_of(text);
}

enum { ACC = 0, DELAY = 1, ENERGY = 2, PL = 3, PL_R1 = 4, OFF = 6, H = 10, E = 11 };

/* Means of slot columns over slots [from, to) of a fresh episode. */
static void run_means(app_env *e, int from, int to, const int *cols, int n,
                      double *mean)
{
    dtfl_err err;
    memset(mean, 0, sizeof(double) * (size_t)n);
    for (int t = 0; t < to; t++) {
        assert_true(app_env_slot(e, &err) >= 0);
        const double *v = app_env_row(e, SCEN_T_ANALYTIC_SLOT, -1);
        for (int k = 0; t >= from && k < n; k++)
            mean[k] += v[cols[k]] / (to - from);
    }
}

/* TACO places every K slots: the K shares charged add up to the whole. */
static void test_frame_split(void **state)
{
    (void)state;
    app_env *e = paper(30, "sched: {policy: taco}\n");
    dtfl_err err;
    double sum = 0.0;
    for (int t = 0; t < 30; t++) {
        assert_true(app_env_slot(e, &err) >= 0);
        const double *v = app_env_row(e, SCEN_T_ANALYTIC_SLOT, -1);
        sum += v[PL];
        if (t % 10 == 9) { /* a frame's R2 shares sum to its R1 placement */
            check_close(sum / v[PL_R1], 1.0, 1e-12);
            sum = 0.0;
        }
    }
    app_env_destroy(e);
}

/* H_i(t + 1) = max(H_i(t) + T_i(t) - T_max / K, 0) from the twin rows. */
static void test_queue_update(void **state)
{
    (void)state;
    app_env *e = paper(40, "sched: {policy: lot}\ntaco: {t_max_s: 45}\n");
    dtfl_err err;
    double Hq[40] = {0};
    int grew = 0;
    for (int t = 0; t < 40; t++) {
        assert_true(app_env_slot(e, &err) >= 0);
        for (int u = 0; u < 40; u++) {
            const double *v = app_env_row(e, SCEN_T_ANALYTIC_TWIN, u);
            double want = fmax(Hq[u] + v[7] - 45.0 / 10, 0.0);
            check_close(v[8], want, 1e-9 * (1.0 + want));
            grew += v[8] > Hq[u];
            Hq[u] = v[8];
        }
    }
    assert_true(grew > 100); /* the budget bound: the queues moved */
    app_env_destroy(e);
}

/* Energy budget above what local execution needs: kept on average, and the
 * energy queue's growth rate vanishes. */
static void test_energy_budget(void **state)
{
    (void)state;
    app_env *e = paper(1000, "sched: {policy: taco}\n");
    const int cols[2] = {ENERGY, E};
    double mean[2];
    run_means(e, 0, 1000, cols, 2, mean);
    const double per_slot = 6e5 / 10;
    const double *v = app_env_row(e, SCEN_T_ANALYTIC_SLOT, -1);
    assert_true(mean[0] <= per_slot * 1.01);
    assert_true(v[E] / 1000 < 0.01 * per_slot);
    app_env_destroy(e);
}

/* Theorem 5's trade-off: accuracy rises with V (SI units, spec 7.6). */
static void test_v_ordering(void **state)
{
    (void)state;
    const char *vs[3] = {"1e8", "1e9", "1e10"};
    double acc[3];
    for (int k = 0; k < 3; k++) {
        char extra[128];
        snprintf(extra, sizeof extra, "sched: {policy: taco}\ntaco: {v: %s}\n", vs[k]);
        app_env *e = paper(300, extra);
        const int cols[1] = {ACC};
        run_means(e, 0, 300, cols, 1, &acc[k]);
        app_env_destroy(e);
    }
    check_lt(acc[0], acc[1]);
    check_lt(acc[1], acc[2]);
    check_lt(0.6, acc[1]);
}

/* The paper's frame start (last slot's decision) locks PTs into local
 * execution: accuracy near g_local from the second frame on, where the
 * greedy start keeps most of V's gain. */
static void test_lock_in(void **state)
{
    (void)state;
    const int cols[2] = {ACC, OFF};
    double lit[2], ours[2];
    app_env *e = paper(300, "sched: {policy: taco}\ntaco: {frame_start: inherit}\n");
    run_means(e, 20, 300, cols, 2, lit);
    app_env_destroy(e);
    e = paper(300, "sched: {policy: taco}\n");
    run_means(e, 20, 300, cols, 2, ours);
    app_env_destroy(e);
    check_lt(lit[0], 0.55);
    check_lt(lit[1], 0.1);
    check_lt(0.65, ours[0]);
}

/* Every policy runs a few frames of the small world and keeps the rules the
 * scenario checks (shares, placements). */
static void test_policies_run(void **state)
{
    (void)state;
    const char *names[] = {"taco", "lot", "cro", "taco-k1", "taco-noy", "local",
                           "full"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        char text[1024];
        snprintf(text, sizeof text,
                 "scenario: taco\nmode: analytic\nmodel: {kind: softmax}\n"
                 "world: {slots: 9, frame_slots: 3, distance: euclidean}\n"
                 "servers: {count: 3}\nusers: {count: 7}\nsched: {policy: %s}\n"
                 "taco: {e_max_j: 5e4}\n", names[k]);
        app_env *e = test_env_of(text);
        dtfl_err err;
        int done = 0;
        for (int t = 0; t < 9; t++) {
            done = app_env_slot(e, &err);
            if (done < 0)
                fail_msg("policy %s, slot %d: %s", names[k], t, err.msg);
        }
        assert_int_equal(done, 1);
        app_env_destroy(e);
    }
}

/* The paper's partition MILP (inherit shares) with a time limit far too
 * short: every frame times out, keeps the best assignment found (at worst
 * the current one) and the run goes on. */
static void test_milp_time_limit(void **state)
{
    (void)state;
    app_env *e = paper(30, "sched: {policy: taco}\n"
                           "taco: {p4: {shares: inherit, time_limit_ms: 1}}\n");
    dtfl_err err;
    for (int t = 0; t < 30; t++)
        if (app_env_slot(e, &err) < 0)
            fail_msg("slot %d: %s", t, err.msg);
    app_env_destroy(e);
}

/* A state saved mid-frame, loaded into a fresh instance, gives the same
 * slots after it. */
static void test_resume(void **state)
{
    (void)state;
    const char *extra = "sched: {policy: taco}\n";
    app_env *a = paper(20, extra), *b = paper(20, extra);
    dtfl_err err;
    for (int t = 0; t < 7; t++)
        assert_true(app_env_slot(a, &err) >= 0);
    scen *sb = app_env_scen(b);
    size_t len;
    uint8_t *buf = test_scen_state(a, &len);
    assert_int_equal(scen_ops_of(sb)->load(scen_self(sb), buf, len, &err), 0);
    assert_int_not_equal(scen_ops_of(sb)->load(scen_self(sb), buf, len - 1, &err), 0);
    assert_int_equal(scen_ops_of(sb)->load(scen_self(sb), buf, len, &err), 0);
    const scen_table *tb = &app_env_info(a)->table[SCEN_T_ANALYTIC_SLOT];
    for (int t = 7; t < 20; t++) {
        assert_true(app_env_slot(a, &err) >= 0);
        assert_true(app_env_slot(b, &err) >= 0);
        const double *va = app_env_row(a, SCEN_T_ANALYTIC_SLOT, -1);
        double keep[32];
        memcpy(keep, va, sizeof(double) * (size_t)tb->ncols);
        const double *vb = app_env_row(b, SCEN_T_ANALYTIC_SLOT, -1);
        assert_memory_equal(keep, vb, sizeof(double) * (size_t)tb->ncols);
    }
    free(buf);
    app_env_destroy(a);
    app_env_destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frame_split),
        cmocka_unit_test(test_queue_update),
        cmocka_unit_test(test_energy_budget),
        cmocka_unit_test(test_v_ordering),
        cmocka_unit_test(test_lock_in),
        cmocka_unit_test(test_policies_run),
        cmocka_unit_test(test_milp_time_limit),
        cmocka_unit_test(test_resume),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
