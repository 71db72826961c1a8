/*
 * test_scen.c - the scenario interface (scen/scen.h) on its own: the
 * registry, the action layout of several agents, the toy scenario's
 * rewards against hand values, frame-level agents holding their action,
 * and scenario states that restore an instance to where it was (the diten
 * world re-stepped to the same observation).
 */
#include "env_fixture.h"

#include <stdlib.h>
#include <string.h>

static const char toy_text[] =
    "scenario: toy\nmode: analytic\nmodel: {kind: 2nn}\nusers: {count: 3}\n"
    "servers: {count: 2}\nworld: {slots: 7, frame_slots: 3}\n"
    "toy: {cost_0: 3, cost_1: 1, move_penalty: 2, target: 1}\n"
    "sched: {policy: swap}\n";

static void test_registry(void **state)
{
    (void)state;
    assert_true(scen_count() >= 2);
    for (int i = 0; i < scen_count(); i++) {
        const scen_ops *s = scen_at(i);
        assert_ptr_equal(scen_find(s->name), s);
        assert_non_null(scen_policy_find(s, s->default_policy));
        assert_non_null(s->paper);
    }
    assert_null(scen_find("tmo2"));
    assert_null(scen_policy_find(scen_find("toy"), "nearest"));
}

static void test_action_layout(void **state)
{
    (void)state;
    app_env *e = test_env_of(toy_text);
    const scen_info *in = app_env_info(e);
    assert_int_equal(in->agents, 2);
    assert_int_equal(in->frame_slots, 3);
    int d, b;
    scen_action_offsets(in, 1, &d, &b);
    assert_int_equal(d, 3); /* the placer's 3 blocks come first */
    assert_int_equal(b, 0);
    scen_action_size(in, &d, &b);
    assert_int_equal(d, 4);
    assert_int_equal(b, 0);
    assert_int_equal(in->agent[0].level, SCEN_FRAME);
    assert_int_equal(in->agent[1].level, SCEN_SLOT);
    app_env_destroy(e);
}

/* swap with costs (3, 1), penalty 2, target 1: users 0 and 2 start on
 * server 0, user 1 on server 1; everyone moves at slots 3 and 6; share 1. */
static void test_toy_rewards(void **state)
{
    (void)state;
    app_env *e = test_env_of(toy_text);
    dtfl_err err;
    const double cost_a = (3 + 1 + 3) / 3.0, cost_b = (1 + 3 + 1) / 3.0;
    const double want[7] = {-cost_a, -cost_a, -cost_a, -cost_b - 2, -cost_b,
                            -cost_b, -cost_a - 2};
    for (int t = 0; t < 7; t++) {
        int rc = app_env_slot(e, &err);
        assert_int_equal(rc, t == 6);
        const double *v = app_env_row(e, SCEN_T_ANALYTIC_SLOT, -1);
        check_close(v[3], want[t], 1e-12);          /* reward: sharer's 0 */
        check_close(v[1], t == 3 || t == 6 ? 3 : 0, 0.0); /* moves */
        check_close(v[2], 1.0, 0.0);                /* share */
    }
    app_env_destroy(e);
}

/* A learning policy in training: the placer's choices change only at frame
 * starts, the sharer's may change every slot. */
static void test_frame_hold(void **state)
{
    (void)state;
    char text[512];
    snprintf(text, sizeof text, "%s", toy_text);
    char *p = strstr(text, "policy: swap");
    memcpy(p, "policy: ppo ", 12);
    app_env *e = test_env_of(text);
    scen_policy_set_training(app_env_policy(e), 1);
    dtfl_err err;
    int changed_inside = 0, changed_sharer = 0, prev[3] = {-1, -1, -1}, prev_share = -1;
    for (int ep = 0; ep < 30; ep++) {
        assert_int_equal(app_env_reset(e, ep, &err), 0);
        for (int t = 0; t < 7; t++) {
            assert_true(app_env_slot(e, &err) >= 0);
            int now[3], share;
            for (int u = 0; u < 3; u++)
                now[u] = (int)app_env_row(e, SCEN_T_ANALYTIC_TWIN, u)[0];
            share = (int)(2 * app_env_row(e, SCEN_T_ANALYTIC_SLOT, -1)[2] + 0.5);
            if (t % 3 != 0)
                for (int u = 0; u < 3; u++)
                    changed_inside += now[u] != prev[u];
            changed_sharer += t > 0 && share != prev_share;
            memcpy(prev, now, sizeof prev);
            prev_share = share;
        }
    }
    assert_int_equal(changed_inside, 0);
    assert_true(changed_sharer > 0); /* exploring every slot */
    app_env_destroy(e);
}

/* Observes the next slot and copies what the diten scenario sees. */
static void diten_obs(app_env *e, double *xy, int *n_new, int U)
{
    dtfl_err err;
    scen *sc = app_env_scen(e);
    scen_obs o;
    assert_int_equal(scen_ops_of(sc)->observe(scen_self(sc), &o, &err), 0);
    const scen_diten_obs *d = o.raw;
    memcpy(xy, d->user_xy, sizeof(double) * 2 * (size_t)U);
    memcpy(n_new, d->n_new, sizeof(int) * (size_t)U);
}

static void test_state_round_trip(void **state)
{
    (void)state;
    static const char text[] =
        "mode: analytic\nmodel: {kind: 2nn}\nusers: {count: 5}\n"
        "servers: {count: 3}\nworld: {slots: 20}\nmobility: {model: waypoint}\n"
        "sched: {allocation: random}\n";
    app_env *a = test_env_of(text), *b = test_env_of(text);
    dtfl_err err;
    for (int t = 0; t < 6; t++)
        assert_int_equal(app_env_slot(a, &err), 0);
    scen *sa = app_env_scen(a), *sb = app_env_scen(b);
    uint8_t buf[256];
    size_t len = sizeof buf;
    assert_int_equal(scen_ops_of(sa)->save(scen_self(sa), buf, &len, &err), 0);
    assert_int_equal(scen_ops_of(sb)->load(scen_self(sb), buf, len, &err), 0);
    /* the next slot: same world, same association, same random ratios */
    double xa[10], xb[10];
    int na[5], nb[5];
    diten_obs(a, xa, na, 5);
    diten_obs(b, xb, nb, 5);
    for (int i = 0; i < 10; i++)
        check_close(xa[i], xb[i], 0.0);
    for (int u = 0; u < 5; u++)
        assert_int_equal(na[u], nb[u]);
    int act[5] = {0, 1, 2, 0, 1};
    scen_action sa_act = {act, NULL};
    scen_result ra, rb;
    assert_int_equal(scen_ops_of(sa)->step(scen_self(sa), &sa_act, &ra, &err), 0);
    assert_int_equal(scen_ops_of(sb)->step(scen_self(sb), &sa_act, &rb, &err), 0);
    check_close(ra.reward[0], rb.reward[0], 0.0);
    for (int u = 0; u < 5; u++) /* the random ratios: the same count */
        check_close(app_env_row(a, SCEN_T_ANALYTIC_TWIN, u)[3],
                    app_env_row(b, SCEN_T_ANALYTIC_TWIN, u)[3], 0.0);
    /* damaged state is refused */
    buf[0] ^= 0x7f;
    assert_int_equal(scen_ops_of(sb)->load(scen_self(sb), buf, len, &err), DTFL_EDATA);
    assert_int_equal(scen_ops_of(sb)->load(scen_self(sb), buf, len - 1, &err), DTFL_EDATA);
    app_env_destroy(a);
    app_env_destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry),    cmocka_unit_test(test_action_layout),
        cmocka_unit_test(test_toy_rewards), cmocka_unit_test(test_frame_hold),
        cmocka_unit_test(test_state_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
