/*
 * test_tmo_scen.c - the TMO scenario as runs see it (scen/tmo.c through
 * app/env.h), spec section 9 items 5 and 9: the queue of eq. 13 against a
 * hand update from the rows and its average-energy identity; frames and
 * uploads (one upload per frame, tau in range, FTO moving DTs at frame
 * starts only); every policy running; mean latency falling and energy
 * rising with V; the Fig. 8 ordering SO > FTO > TMO in latency and energy
 * on the paper's world; the literal frame-sum loss choosing shorter
 * periods (spec E2); a saved state (scenario and policy) resuming the run.
 */
#include "env_fixture.h"

#include <stdlib.h>
#include <string.h>

enum { TAU, UPLOAD, LAT, ENERGY, EDEC, EXEC, MIG_E, UPL_E, TRA, EXE, UPL_T, Q, MIGS };

static app_env *world(int I, int M, int slots, const char *extra)
{
    char text[2048];
    snprintf(text, sizeof text,
             "scenario: tmo\nmode: analytic\nmodel: {kind: 2nn}\nseed: 3\n"
             "world: {width: 15000, height: 18000, slot_seconds: 1, slots: %d}\n"
             "servers: {count: %d}\nusers: {count: %d, twin_bits: [1.625e6, 3.625e6]}\n"
             "mobility: {model: waypoint, speed: [8, 25], pause: 0}\n%s",
             slots, M, I, extra);
    return test_env_of(text);
}

/* Every slot row of a run of T slots into rows (T x 13). */
static void run_rows(app_env *e, int T, double *rows)
{
    dtfl_err err;
    for (int t = 0; t < T; t++) {
        if (app_env_slot(e, &err) < 0)
            fail_msg("slot %d: %s", t, err.msg);
        memcpy(rows + (size_t)t * 13, app_env_row(e, SCEN_T_ANALYTIC_SLOT, -1),
               13 * sizeof(double));
    }
}

static double col_mean(const double *rows, int T, int c)
{
    double s = 0.0;
    for (int t = 0; t < T; t++)
        s += rows[(size_t)t * 13 + c];
    return s / T;
}

/* The means over a run of T slots on world(I, M, T, extra) of columns c0
 * and c1 into m[0] and m[1] (c1 < 0: one column). */
static void run_means(int I, int M, int T, const char *extra, int c0, int c1, double *m)
{
    app_env *e = world(I, M, T, extra);
    double *rows = calloc((size_t)T * 13, sizeof(double));
    assert_non_null(rows);
    run_rows(e, T, rows);
    m[0] = col_mean(rows, T, c0);
    if (c1 >= 0)
        m[1] = col_mean(rows, T, c1);
    free(rows);
    app_env_destroy(e);
}

/* Q(t+1) = max(Q(t) + E^sts(t) + E^lts(t^(k)) / tau_k - C/T, 0) from the
 * rows, the upload energy spread over its frame; and (1/T) sum E <= C/T +
 * Q(T) / T exactly (the queue's bound on the budget, with Q(0) = 0). */
static void test_queue(void **state)
{
    (void)state;
    const int I = 6, T = 200;
    app_env *e = world(I, 3, T, "tmo: {energy: {budget_pt_j: 0.3}}\n");
    double *rows = calloc((size_t)T * 13, sizeof(double));
    run_rows(e, T, rows);
    const scen_tmo_setup *c = scen_setup_of(app_env_scen(e))->params;
    const double budget = scen_tmo_budget(c, I);
    double q = 0.0, spread = 0.0, total = 0.0;
    for (int t = 0; t < T; t++) {
        const double *v = rows + (size_t)t * 13;
        if (v[UPLOAD] != 0.0) { /* the frame's length: to the next upload */
            int len = 1;
            while (t + len < T && rows[(size_t)(t + len) * 13 + UPLOAD] == 0.0)
                len++;
            spread = v[UPL_E] * I / len;
        }
        const double arrival = (v[ENERGY] - v[UPL_E]) * I + spread;
        q = fmax(q + arrival - budget, 0.0);
        check_close(v[Q], q, 1e-9 * q + 1e-6);
        total += v[ENERGY] * I;
    }
    assert_true(total / T <= budget + rows[(size_t)(T - 1) * 13 + Q] / T + 1e-6);
    free(rows);
    app_env_destroy(e);
}

/* One upload per frame, tau within 1..tau_max and constant in a frame;
 * FTO moves DTs at frame starts only; every policy runs. */
static void test_frames(void **state)
{
    (void)state;
    const char *names[] = {"tmo", "so", "fto", "nearest", "tmo-oracle",
                           "tmo-cv", "tmo-last"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        char extra[128];
        snprintf(extra, sizeof extra, "sched: {policy: %s}\n", names[k]);
        const int T = 60;
        app_env *e = world(8, 3, T, extra);
        double rows[60 * 13];
        run_rows(e, T, rows);
        int since = 0;
        for (int t = 0; t < T; t++) {
            const double *v = rows + t * 13;
            assert_true(v[TAU] >= 1 && v[TAU] <= 7);
            if (v[UPLOAD] != 0.0) {
                assert_true(t == 0 || since == (int)rows[(t - 1) * 13 + TAU]);
                since = 0;
            } else {
                assert_true(v[TAU] == rows[(t - 1) * 13 + TAU]);
                if (strcmp(names[k], "fto") == 0)
                    assert_true(v[MIGS] == 0.0);
            }
            since++;
            if (strcmp(names[k], "so") == 0 || strcmp(names[k], "nearest") == 0)
                assert_true(v[UPLOAD] != 0.0 && v[TAU] == 1);
            if (strcmp(names[k], "fto") == 0)
                assert_true(v[TAU] == 4);
        }
        app_env_destroy(e);
    }
}

/* Fig. 6: latency falls and decision energy rises with V (so: no bandit
 * noise; E^exe out so the queue sees what decisions change). Each step may
 * go 0.5 % (latency) or 1 % (energy) the wrong way (the AM is a
 * heuristic, fading is drawn); overall latency must fall 2 % and energy
 * rise 20 %. */
static void test_v_tradeoff(void **state)
{
    (void)state;
    const char *vs[5] = {"1e2", "1e3", "1e4", "1e5", "1e6"};
    double lat[5], en[5];
    for (int k = 0; k < 5; k++) {
        char extra[256];
        snprintf(extra, sizeof extra, "sched: {policy: so}\n"
                 "tmo: {v: %s, energy: {exec: exclude}}\n", vs[k]);
        double m[2];
        run_means(10, 4, 300, extra, LAT, EDEC, m);
        lat[k] = m[0], en[k] = m[1];
        print_message("V %s: latency %.4f s, decision energy %.4f J\n", vs[k],
                      lat[k], en[k]);
    }
    /* measured: latency 1.727, 1.685, 1.681, 1.678, 1.679 s; energy 0.607,
     * 0.604, 0.697, 0.755, 0.774 J. Past V = 1e5 latency is flat: the
     * decisions' energy then exceeds the budget and Q (which grows as O(V))
     * catches up with V within 300 slots; distance enters the rate through
     * a log only (E7) */
    for (int k = 1; k < 5; k++) {
        assert_true(lat[k] <= lat[k - 1] * 1.005);
        assert_true(en[k] >= en[k - 1] * 0.99);
    }
    check_lt(lat[3], lat[0] * 0.98);
    check_lt(en[0] * 1.2, en[4]);
}

/* Fig. 8 at I = 40, M = 10: SO above FTO above TMO in latency and energy. */
static void test_fig8_ordering(void **state)
{
    (void)state;
    const char *names[3] = {"so", "fto", "tmo"};
    double lat[3], en[3];
    for (int k = 0; k < 3; k++) {
        char extra[64];
        snprintf(extra, sizeof extra, "sched: {policy: %s}\n", names[k]);
        double m[2];
        run_means(40, 10, 150, extra, LAT, ENERGY, m);
        lat[k] = m[0], en[k] = m[1];
        print_message("%s: latency %.4f s, energy %.4f J\n", names[k], lat[k], en[k]);
    }
    check_lt(lat[1], lat[0]);
    check_lt(lat[2], lat[1]);
    check_lt(en[1], en[0]);
    check_lt(en[2], en[1]);
}

/* Spec E2 in the scenario: the literal frame-sum loss picks shorter
 * periods than the per-slot mean. */
static void test_frame_sum(void **state)
{
    (void)state;
    double tau[2];
    for (int k = 0; k < 2; k++)
        run_means(6, 3, 400, k ? "tmo: {ucb: {loss: frame_sum}}\n" : "", TAU, -1, &tau[k]);
    print_message("mean tau: per-slot loss %.2f, frame-sum loss %.2f\n", tau[0], tau[1]);
    check_lt(tau[1], tau[0]);
}

/* The scenario's and the policy's state saved mid-frame, loaded into a
 * fresh pair: the same slots after it. */
static void test_resume(void **state)
{
    (void)state;
    const char *extra = "sched: {policy: tmo}\n";
    app_env *a = world(8, 3, 40, extra), *b = world(8, 3, 40, extra);
    dtfl_err err;
    for (int t = 0; t < 17; t++)
        assert_true(app_env_slot(a, &err) >= 0);
    scen *sb = app_env_scen(b);
    size_t len, plen = 0;
    uint8_t *buf = test_scen_state(a, &len);
    assert_int_equal(scen_policy_save(app_env_policy(a), NULL, &plen, &err), 0);
    uint8_t *pbuf = malloc(plen);
    assert_int_equal(scen_policy_save(app_env_policy(a), pbuf, &plen, &err), 0);
    assert_int_not_equal(scen_ops_of(sb)->load(scen_self(sb), buf, len - 1, &err), 0);
    assert_int_equal(scen_ops_of(sb)->load(scen_self(sb), buf, len, &err), 0);
    assert_int_not_equal(scen_policy_load(app_env_policy(b), pbuf, plen - 1, &err), 0);
    assert_int_equal(scen_policy_load(app_env_policy(b), pbuf, plen, &err), 0);
    for (int t = 17; t < 40; t++) {
        assert_true(app_env_slot(a, &err) >= 0);
        assert_true(app_env_slot(b, &err) >= 0);
        double keep[13];
        memcpy(keep, app_env_row(a, SCEN_T_ANALYTIC_SLOT, -1), sizeof keep);
        assert_memory_equal(keep, app_env_row(b, SCEN_T_ANALYTIC_SLOT, -1), sizeof keep);
    }
    free(buf);
    free(pbuf);
    app_env_destroy(a);
    app_env_destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_queue),         cmocka_unit_test(test_frames),
        cmocka_unit_test(test_v_tradeoff),    cmocka_unit_test(test_fig8_ordering),
        cmocka_unit_test(test_frame_sum),     cmocka_unit_test(test_resume),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
