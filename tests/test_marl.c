/*
 * test_marl.c - the multi-agent learners (sched/rl_marl.c, rl_happo.c,
 * rl_marl_io.c) on games with known answers (spec section 8):
 *
 *   anti-coordination (R = 1 when the two agents pick differently): HAPPO
 *   reaches J >= 0.95 in at least 19 of 20 seeds; MAPPO with one shared
 *   actor and identical observations cannot pass J = 2p(1 - p) <= 0.5;
 *   Algorithm 1's per-epoch order solves it too (4 of 5 seeds at least);
 *   the continuous Beta game r = -(x1 + x2 - 1)^2 - (x1 - 0.8)^2: the
 *   means within 0.05 of (0.8, 0.2) and E[r] >= -0.02 in every seed;
 *   MADDPG's deterministic actors within 0.1 of (0.8, 0.2) on the same
 *   game, at a payoff above -0.01;
 *   with one agent HAPPO and MAPPO are the same algorithm: bit-identical
 *   files;
 *   the Gaussian head's log-probability and entropy gradients (through
 *   std = 0.5 sigmoid(s)) against central differences;
 *   policy files round trip, and a file of another size is refused naming
 *   the difference.
 */
#include "check.h"

#include "../sched/marl_int.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Two state-free agents (observation [1]) on a game; hidden layers 0:
 * tabular policies. */
static sched_marl_order game_order = SCHED_MARL_PER_UPDATE;

static sched_marl *game(sched_marl_algo algo, int share, int discrete, int batch,
                        int epochs, double lr, double ent, uint64_t seed)
{
    static sched_marl_agent ag[2];
    for (int a = 0; a < 2; a++)
        ag[a] = discrete ? (sched_marl_agent){1, 1, 2, 0, 0, 0, 0, 0}
                         : (sched_marl_agent){1, 0, 0, 1, 0.0, 1.0, 0, 0};
    sched_marl_params p = sched_marl_defaults();
    p.algo = algo, p.share = share, p.agents = 2, p.agent = ag, p.state_dim = 1;
    p.layers = 0, p.lr_actor = p.lr_critic = lr, p.epochs = epochs, p.rollout = batch;
    p.ent_coef = ent, p.seed = seed, p.clip = 0.2, p.order = game_order;
    sched_marl *m = NULL;
    dtfl_err err;
    assert_int_equal(sched_marl_create(&m, &p, &err), 0);
    sched_marl_set_training(m, 1);
    return m;
}

/* Iterations of the one-shot game; returns the payoff of the policies
 * learnt, exact from their Beta parameters: J = p1 (1 - p2) + (1 - p1) p2
 * with p = P(x < 1/2) (discrete), or E[r] from the means and variances. */
static double play(sched_marl *m, int iters, int batch, int discrete, double *mean)
{
    const float one = 1.0f;
    for (int it = 0; it < iters; it++)
        for (int n = 0; n < batch; n++) {
            int ai[2];
            double af[2];
            sched_marl_begin(m, &one);
            sched_marl_act(m, 0, &one, &ai[0], &af[0]);
            sched_marl_act(m, 1, &one, &ai[1], &af[1]);
            const double r = discrete ? (double)(ai[0] != ai[1])
                                      : -(af[0] + af[1] - 1) * (af[0] + af[1] - 1) -
                                            (af[0] - 0.8) * (af[0] - 0.8);
            if (sched_marl_feedback(m, &r, NULL, 1))
                sched_marl_update(m, NULL, NULL);
        }
    double pr[2], mu[2], var[2];
    for (int k = 0; k < 2; k++) {
        const float *z = rl_mlp_forward(m->actors[m->ag[k].actor].net, &one, 1);
        double a, b;
        rl_beta_ab(z, 0, &a, &b);
        pr[k] = gsl_cdf_beta_P(0.5, a, b);
        mu[k] = a / (a + b);
        var[k] = a * b / ((a + b) * (a + b) * (a + b + 1));
    }
    if (mean != NULL)
        mean[0] = mu[0], mean[1] = mu[1];
    if (discrete)
        return pr[0] * (1 - pr[1]) + (1 - pr[0]) * pr[1];
    const double s = mu[0] + mu[1] - 1, d = mu[0] - 0.8;
    return -(var[0] + var[1] + s * s) - (var[0] + d * d);
}

static void test_anticoordination(void **state)
{
    (void)state;
    int happo_ok = 0, mappo_ok = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        sched_marl *h = game(SCHED_MARL_HAPPO, 0, 1, 256, 5, 0.05, 0.0, seed);
        const double jh = play(h, 60, 256, 1, NULL);
        happo_ok += jh >= 0.95;
        sched_marl_destroy(h);
        sched_marl *s = game(SCHED_MARL_MAPPO, 1, 1, 256, 5, 0.05, 0.0, seed);
        const double js = play(s, 60, 256, 1, NULL);
        mappo_ok += js <= 0.5 + 1e-12; /* 2p(1 - p) */
        sched_marl_destroy(s);
    }
    printf("anti-coordination: HAPPO J >= 0.95 in %d of 20 seeds, shared MAPPO "
           "<= 0.5 in %d\n", happo_ok, mappo_ok);
    assert_true(happo_ok >= 19);
    assert_int_equal(mappo_ok, 20);
}

/* Algorithm 1's order (per_epoch) solves anti-coordination too. */
static void test_per_epoch(void **state)
{
    (void)state;
    int ok = 0;
    game_order = SCHED_MARL_PER_EPOCH;
    for (uint64_t seed = 1; seed <= 5; seed++) {
        sched_marl *h = game(SCHED_MARL_HAPPO, 0, 1, 256, 5, 0.05, 0.0, seed);
        ok += play(h, 60, 256, 1, NULL) >= 0.95;
        sched_marl_destroy(h);
    }
    game_order = SCHED_MARL_PER_UPDATE;
    printf("anti-coordination, per_epoch order: J >= 0.95 in %d of 5 seeds\n", ok);
    assert_true(ok >= 4);
}

static void test_beta_game(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 10; seed++) {
        sched_marl *h = game(SCHED_MARL_HAPPO, 0, 0, 512, 5, 0.05, 0.001, seed);
        double mean[2];
        const double er = play(h, 600, 512, 0, mean);
        if (seed == 1)
            printf("Beta game: means (%.3f, %.3f), E[r] %.4f\n", mean[0], mean[1], er);
        assert_true(fabs(mean[0] - 0.8) < 0.05 && fabs(mean[1] - 0.2) < 0.05);
        assert_true(er >= -0.02);
        sched_marl_destroy(h);
    }
}

/* MADDPG on the continuous game (one-shot: y = r): the critic learns the
 * payoff, the deterministic actors climb it towards (0.8, 0.2). */
static void test_maddpg_game(void **state)
{
    (void)state;
    static sched_marl_agent ag[2] = {{1, 0, 0, 1, 0.0, 1.0, 0, 0}, {1, 0, 0, 1, 0.0, 1.0, 0, 0}};
    for (uint64_t seed = 1; seed <= 3; seed++) {
        sched_marl_params p = sched_marl_defaults();
        p.algo = SCHED_MARL_MADDPG, p.agents = 2, p.agent = ag, p.state_dim = 1;
        p.hidden[0] = 32, p.hidden[1] = 32, p.lr_actor = 3e-3, p.lr_critic = 3e-3;
        p.buffer = 4096, p.batch = 128, p.warmup = 512, p.train_every = 1, p.tau = 0.05;
        p.noise = 0.3, p.seed = seed;
        sched_marl *m = NULL;
        dtfl_err err;
        assert_int_equal(sched_marl_create(&m, &p, &err), 0);
        sched_marl_set_training(m, 1);
        const float one = 1.0f;
        for (int n = 0; n < 8000; n++) {
            int ai;
            double u[2];
            sched_marl_begin(m, &one);
            sched_marl_act(m, 0, &one, &ai, &u[0]);
            sched_marl_act(m, 1, &one, &ai, &u[1]);
            const double r = -(u[0] + u[1] - 1) * (u[0] + u[1] - 1) - (u[0] - 0.8) * (u[0] - 0.8);
            assert_int_equal(sched_marl_feedback(m, &r, NULL, 1), 0);
        }
        double mean[2];
        int ai;
        sched_marl_set_training(m, 0);
        sched_marl_act(m, 0, &one, &ai, &mean[0]);
        sched_marl_act(m, 1, &one, &ai, &mean[1]);
        const double r = -(mean[0] + mean[1] - 1) * (mean[0] + mean[1] - 1) -
                         (mean[0] - 0.8) * (mean[0] - 0.8);
        printf("MADDPG game, seed %d: (%.3f, %.3f), payoff %.4f\n", (int)seed, mean[0],
               mean[1], r);
        /* a critic fit to noisy samples climbs the ridge x1 + x2 = 1 slowly:
         * 0.1 of the optimum and a payoff near its 0 (uniform: -0.337) */
        assert_true(fabs(mean[0] - 0.8) < 0.1 && fabs(mean[1] - 0.2) < 0.1 && r > -0.01);
        sched_marl_destroy(m);
    }
}

/* One agent: HAPPO's factor is 1 and the order trivial, so both write the
 * same file after the same training. */
static void test_one_agent(void **state)
{
    (void)state;
    sched_marl_agent ag = {3, 0, 0, 2, -1.0, 1.0, 0, 0};
    uint8_t *buf[2];
    size_t len[2];
    for (int k = 0; k < 2; k++) {
        sched_marl_params p = sched_marl_defaults();
        p.algo = k ? SCHED_MARL_MAPPO : SCHED_MARL_HAPPO;
        p.agents = 1, p.agent = &ag, p.state_dim = 2, p.rollout = 64, p.epochs = 3;
        p.minibatches = 2;
        sched_marl *m = NULL;
        dtfl_err err;
        assert_int_equal(sched_marl_create(&m, &p, &err), 0);
        sched_marl_set_training(m, 1);
        for (int n = 0; n < 128; n++) {
            const float o[3] = {(float)(n % 5) / 5, 1.0f, -0.5f}, s[2] = {o[0], 0.5f};
            int ai;
            double af[2];
            sched_marl_begin(m, s);
            sched_marl_act(m, 0, o, &ai, af);
            const double r = -fabs(af[0] - o[0]) - fabs(af[1]);
            if (sched_marl_feedback(m, &r, NULL, n % 16 == 15))
                sched_marl_update(m, s, NULL);
        }
        assert_int_equal(sched_marl_save(m, NULL, &len[k], &err), 0);
        buf[k] = malloc(len[k]);
        assert_int_equal(sched_marl_save(m, buf[k], &len[k], &err), 0);
        sched_marl_destroy(m);
    }
    assert_int_equal(len[0], len[1]);
    /* the algorithm field (bytes 12..15) differs; everything after it not */
    assert_memory_equal(buf[0] + 16, buf[1] + 16, len[0] - 20);
    free(buf[0]);
    free(buf[1]);
}

/* Gaussian head: d logp and d H w.r.t. the mean and s by differences. */
static void test_gauss_grad(void **state)
{
    (void)state;
    sched_marl_agent ag = {1, 0, 0, 3, 0.0, 1.0, 0, 0};
    sched_marl_params p = sched_marl_defaults();
    p.head = SCHED_MARL_GAUSS, p.agents = 1, p.agent = &ag, p.state_dim = 1, p.rollout = 4;
    sched_marl *m = NULL;
    dtfl_err err;
    assert_int_equal(sched_marl_create(&m, &p, &err), 0);
    marl_agent *g = &m->ag[0];
    marl_actor *ac = &m->actors[0];
    float out[3] = {0.3f, -0.7f, 0.1f};
    const double x[3] = {0.5, -1.4, 0.9};
    const uint8_t mask[3] = {1, 0, 1};
    ac->s[0] = 0.4f, ac->s[1] = -1.0f, ac->s[2] = 2.0f;
    for (int w = 0; w < 2; w++) { /* logp, then entropy */
        float dout[3] = {0};
        memset(ac->gs, 0, sizeof(float) * 3);
        marl__backward(m, g, out, x, mask, w == 0, w == 1, dout);
        for (int d = 0; d < 3; d++)
            for (int which = 0; which < 2; which++) {
                float *v = which ? &ac->s[d] : &out[d];
                const float keep = *v, h = 1e-2f;
                double H1, H0;
                *v = keep + h;
                const double l1 = marl__logp(m, g, out, x, mask, &H1);
                *v = keep - h;
                const double l0 = marl__logp(m, g, out, x, mask, &H0);
                *v = keep;
                const double num = w == 0 ? (l1 - l0) / (2 * h) : (H1 - H0) / (2 * h);
                const double got = which ? ac->gs[d] : dout[d];
                assert_true(fabs(num - got) <= 1e-3 * fmax(1.0, fabs(num)));
            }
    }
    sched_marl_destroy(m);
}

static void test_files(void **state)
{
    (void)state;
    sched_marl_agent ag[3] = {{4, 0, 0, 1, 0, 1, 0, 0}, {4, 0, 0, 1, 0, 1, 0, 0},
                              {5, 2, 3, 0, 0, 0, 1, 1}};
    sched_marl_params p = sched_marl_defaults();
    p.agents = 3, p.agent = ag, p.state_dim = 6, p.rollout = 8, p.hidden[0] = 8;
    p.hidden[1] = 4;
    sched_marl *a = NULL, *b = NULL, *c = NULL;
    dtfl_err err;
    assert_int_equal(sched_marl_create(&a, &p, &err), 0);
    p.seed = 99;
    assert_int_equal(sched_marl_create(&b, &p, &err), 0);
    size_t len = 0, len2 = 0;
    sched_marl_save(a, NULL, &len, &err);
    uint8_t *buf = malloc(len), *buf2 = malloc(len);
    assert_int_equal(sched_marl_save(a, buf, &len, &err), 0);
    assert_int_equal(sched_marl_load(b, buf, len, "a.bin", &err), 0);
    len2 = len;
    assert_int_equal(sched_marl_save(b, buf2, &len2, &err), 0);
    assert_memory_equal(buf, buf2, len); /* round trip */
    buf[len / 2] ^= 1;
    assert_int_equal(sched_marl_load(b, buf, len, "a.bin", &err), DTFL_EDATA);
    assert_non_null(strstr(err.msg, "CRC"));
    buf[len / 2] ^= 1;
    ag[2].choices = 4; /* another M */
    assert_int_equal(sched_marl_create(&c, &p, &err), 0);
    assert_int_equal(sched_marl_load(c, buf, len, "a.bin", &err), DTFL_EDATA);
    assert_non_null(strstr(err.msg, "agent 2 has choices 3"));
    free(buf);
    free(buf2);
    sched_marl_destroy(a);
    sched_marl_destroy(b);
    sched_marl_destroy(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_anticoordination), cmocka_unit_test(test_per_epoch),
        cmocka_unit_test(test_beta_game),
        cmocka_unit_test(test_maddpg_game),
        cmocka_unit_test(test_one_agent),        cmocka_unit_test(test_gauss_grad),
        cmocka_unit_test(test_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
