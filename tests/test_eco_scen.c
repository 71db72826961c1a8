/*
 * test_eco_scen.c - the ecoedgetwin scenario as runs see it (scen/eco*.c
 * through app/env.h), spec section 8 items 5, 11, 12 and 14: the learners'
 * view of the paper's size pinned at 2715 floats; every policy running
 * with the hosts following the migration rules (eq. 4) and the caches
 * within their capacity; the null test (no variability, perfect twins, no
 * twin energy: the twin and twinless runs are the same); the information
 * test (variable loads, perfect twins: greedy with the twins beats greedy
 * without over 5 paired episodes); a saved state resuming the run; the
 * fading switched off.
 */
#include "env_fixture.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { REWARD, LAT, LAT_EST, GAP_L, GAP_E, G9, ENERGY, FRAC, DT, QOE, NCOL = 17 };
enum { SERVER, PROC, HOST, BETA, CACHE, MOVED, HIT, TLAT };

static app_env *world(int U, int S, int slots, const char *extra)
{
    char text[2048];
    snprintf(text, sizeof text,
             "scenario: ecoedgetwin\nmode: analytic\nmodel: {kind: 2nn}\nseed: 4\n"
             "world: {width: 3000, height: 3000, slot_seconds: 60, slots: %d}\n"
             "servers: {count: %d, placement: grid, grid_cols: %d}\n"
             "users: {count: %d, samples: [1, 1]}\n"
             "mobility: {model: waypoint, speed: [2.5, 4.5], pause: 60}\n%s",
             slots, S, S == 45 ? 9 : 0, U, extra);
    return test_env_of(text);
}

/* The mean reward of episodes 0..n-1 of T slots. */
static double episodes_reward(app_env *e, int n, int T)
{
    dtfl_err err;
    double sum = 0.0;
    for (int ep = 0; ep < n; ep++) {
        assert_int_equal(app_env_reset(e, ep, &err), 0);
        for (int t = 0; t < T; t++) {
            assert_true(app_env_slot(e, &err) >= 0);
            sum += app_env_row(e, SCEN_T_ANALYTIC_SLOT, -1)[REWARD];
        }
    }
    return sum / (n * T);
}

static void test_view_size(void **state)
{
    (void)state;
    app_env *e = world(60, 45, 2, "");
    const scen_info *in = app_env_info(e);
    assert_int_equal(in->agents, 4);
    for (int a = 0; a < 4; a++)
        assert_int_equal(in->agent[a].obs_dim, 2715); /* 60 x 43 + 45 x 3 */
    app_env_destroy(e);
}

/* Each row of every policy: a hit or a local task is processed nowhere; an
 * edge task where it was sent or, forwarded, at the host that stays; a
 * migration leaves the host at the server picked. */
static void test_policies_rules(void **state)
{
    (void)state;
    const char *pols[] = {"eco-greedy", "eco-greedy-nodt", "eco-local", "eco-edge",
                          "eco-random"};
    for (int p = 0; p < 5; p++) {
        char extra[128];
        snprintf(extra, sizeof extra, "sched: {policy: %s}\n", pols[p]);
        app_env *e = world(30, 20, 20, extra);
        dtfl_err err;
        int host[30], fwd = 0, moved = 0, hits = 0;
        for (int u = 0; u < 30; u++)
            host[u] = -1;
        for (int t = 0; t < 20; t++) {
            assert_true(app_env_slot(e, &err) >= 0);
            for (int u = 0; u < 30; u++) {
                const double *v = app_env_row(e, SCEN_T_ANALYTIC_TWIN, u);
                const int work = v[BETA] > 0.0 && !v[HIT];
                assert_int_equal((int)v[PROC], work ? (int)v[PROC] : -1);
                if (work && v[PROC] != v[SERVER]) { /* forwarded: host kept */
                    assert_false(v[MOVED]);
                    assert_int_equal((int)v[PROC], (int)v[HOST]);
                    fwd++;
                }
                if (v[MOVED]) {
                    assert_int_equal((int)v[HOST], (int)v[SERVER]);
                    assert_true(host[u] != (int)v[HOST]);
                    moved++;
                } else if (host[u] >= 0) {
                    assert_int_equal((int)v[HOST], host[u]);
                }
                hits += (int)v[HIT];
                host[u] = (int)v[HOST];
            }
        }
        if (p == 4)
            assert_true(fwd > 0 && moved > 0 && hits > 0); /* every rule met */
        app_env_destroy(e);
    }
}

/* The distance (m) a rate implies without fading at the defaults (20 MHz,
 * 2e-12 W, 3GPP): eq. 6 and the path loss turned around. */
static double implied_m(double rate, double p)
{
    const double gain = (pow(2.0, rate / 20e6) - 1.0) * 2e-12 / p;
    return 1000.0 * pow(10.0, (-10.0 * log10(gain) - 128.1) / 37.6);
}

/* ecoedgetwin.fading: none leaves eq. 6 to the path loss: every user of
 * eco-edge reaches its nearest server (of a 9 x 5 grid of 333 x 600 m
 * cells: at most 346 m away) at the rate of its distance, where Rayleigh
 * fading makes some rates those of servers much farther away. */
static void test_fading(void **state)
{
    (void)state;
    for (int none = 0; none < 2; none++) {
        char extra[160];
        snprintf(extra, sizeof extra, "sched: {policy: eco-edge}\necoedgetwin: {fading: %s}\n",
                 none ? "none" : "rayleigh");
        app_env *e = world(60, 45, 5, extra);
        dtfl_err err;
        double far = 0.0;
        for (int t = 0; t < 5; t++) {
            assert_true(app_env_slot(e, &err) >= 0);
            for (int u = 0; u < 60; u++) {
                const double *v = app_env_row(e, SCEN_T_ANALYTIC_TWIN, u);
                const double d = implied_m(v[14], v[15]);
                far = d > far ? d : far;
            }
        }
        if (none)
            assert_true(far <= 347.0);
        else
            assert_true(far > 1000.0);
        app_env_destroy(e);
    }
}

/* No variability, perfect twins, no twin energy, no position prediction:
 * the twin and twinless views are the same, and so is every row. */
static void test_null(void **state)
{
    (void)state;
    const char *null = "ecoedgetwin: {load_sigma: 0, dt_error: 0, dt_energy_mj: 0, "
                       "dt_predict_position: false}\n";
    char a[256], b[256];
    snprintf(a, sizeof a, "%ssched: {policy: eco-greedy}\n", null);
    snprintf(b, sizeof b, "%ssched: {policy: eco-greedy-nodt}\n", null);
    app_env *x = world(30, 20, 15, a), *y = world(30, 20, 15, b);
    dtfl_err err;
    const int dim = app_env_info(x)->agent[0].obs_dim;
    float *ox = malloc(sizeof(float) * (size_t)dim), *oy = malloc(sizeof(float) * (size_t)dim);
    for (int t = 0; t < 15; t++) {
        assert_true(app_env_slot(x, &err) >= 0);
        assert_true(app_env_slot(y, &err) >= 0);
        double keep[NCOL];
        memcpy(keep, app_env_row(x, SCEN_T_ANALYTIC_SLOT, -1), sizeof keep);
        assert_memory_equal(keep, app_env_row(y, SCEN_T_ANALYTIC_SLOT, -1), sizeof keep);
        scen *sx = app_env_scen(x), *sy = app_env_scen(y);
        scen_ops_of(sx)->agent_obs(scen_self(sx), 0, ox);
        scen_ops_of(sy)->agent_obs(scen_self(sy), 0, oy);
        assert_memory_equal(ox, oy, sizeof(float) * (size_t)dim);
    }
    free(ox);
    free(oy);
    app_env_destroy(x);
    app_env_destroy(y);
}

/* Variable loads and perfect twins: the twins' view pays (paper's size). */
static void test_information(void **state)
{
    (void)state;
    const char *info = "ecoedgetwin: {load_sigma: 0.3, dt_error: 0}\n";
    char a[256], b[256];
    snprintf(a, sizeof a, "%ssched: {policy: eco-greedy}\n", info);
    snprintf(b, sizeof b, "%ssched: {policy: eco-greedy-nodt}\n", info);
    app_env *x = world(60, 45, 20, a), *y = world(60, 45, 20, b);
    const double rx = episodes_reward(x, 5, 20), ry = episodes_reward(y, 5, 20);
    if (!(rx > ry))
        fail_msg("greedy with twins %.6f, without %.6f", rx, ry);
    app_env_destroy(x);
    app_env_destroy(y);
}

static void test_resume(void **state)
{
    (void)state;
    const char *extra = "sched: {policy: eco-random}\n";
    app_env *a = world(20, 12, 30, extra), *b = world(20, 12, 30, extra);
    dtfl_err err;
    for (int t = 0; t < 13; t++)
        assert_true(app_env_slot(a, &err) >= 0);
    scen *sb = app_env_scen(b);
    size_t len;
    uint8_t *buf = test_scen_state(a, &len);
    assert_int_not_equal(scen_ops_of(sb)->load(scen_self(sb), buf, len - 1, &err), 0);
    uint8_t keep0 = buf[8 + 16 * 12]; /* user 0's host: out of range */
    buf[8 + 16 * 12] = 0xff, buf[8 + 16 * 12 + 3] = 0x7f;
    assert_int_not_equal(scen_ops_of(sb)->load(scen_self(sb), buf, len, &err), 0);
    buf[8 + 16 * 12] = keep0, buf[8 + 16 * 12 + 3] = 0;
    assert_int_equal(scen_ops_of(sb)->load(scen_self(sb), buf, len, &err), 0);
    for (int t = 13; t < 30; t++) {
        assert_true(app_env_slot(a, &err) >= 0);
        assert_true(app_env_slot(b, &err) >= 0);
        double keep[NCOL];
        memcpy(keep, app_env_row(a, SCEN_T_ANALYTIC_SLOT, -1), sizeof keep);
        assert_memory_equal(keep, app_env_row(b, SCEN_T_ANALYTIC_SLOT, -1), sizeof keep);
    }
    free(buf);
    app_env_destroy(a);
    app_env_destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_view_size), cmocka_unit_test(test_policies_rules),
        cmocka_unit_test(test_null),      cmocka_unit_test(test_information),
        cmocka_unit_test(test_resume),    cmocka_unit_test(test_fading),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
