/*
 * test_marl_envs.c - parallel environments of the multi-agent learners
 * (marl.envs, sched_marl_params.envs): HAPPO and MAPPO on the continuous
 * Beta game with E environments spread over P thread-ranks (environment e
 * on rank e % P, rows gathered with net_collect_rows) end with the same
 * weights, bit for bit, for every P at fixed E, including E = 3 on 2
 * ranks (uneven); the learner still learns the game (the payoff at its
 * greedy values above -0.03, from -0.09 untrained); more ranks than
 * environments, MADDPG and minibatches are refused.
 */
#include "ranks_fixture.h"

#include "../sched/marl_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ROLLOUT 64
#define ITERS 40
#define OBS 24    /* a constant observation and state of 24 values, and a */
#define HIDDEN 48 /* hidden layer: real GEMMs, whose rounding may depend on
                     their batch (a learner must not batch environments
                     together) */

typedef struct envs_case {
    sched_marl_algo algo;
    int envs;
    float *weights[4];     /* per rank: every actor's parameters, then */
    size_t nw;             /* the critic's */
    double mean[2];        /* rank 0's greedy values */
} envs_case;

static int gather(void *ctx, double *table, int rows, int width)
{
    dtfl_err err;
    return net_collect_rows(ctx, table, rows, width, &err);
}

static sched_marl *make(const envs_case *x, net_comm *c)
{
    static const sched_marl_agent ag[2] = {{OBS, 0, 0, 1, 0.0, 1.0, 0, 0},
                                           {OBS, 0, 0, 1, 0.0, 1.0, 0, 1}};
    sched_marl_params p = sched_marl_defaults();
    p.algo = x->algo, p.agents = 2, p.agent = ag, p.state_dim = OBS, p.layers = 1;
    p.hidden[0] = HIDDEN;
    p.lr_actor = p.lr_critic = 0.05, p.epochs = 5, p.rollout = ROLLOUT, p.clip = 0.2;
    p.ent_coef = 0.001, p.seed = 3;
    p.envs = x->envs, p.env_rank = net_rank(c), p.env_ranks = net_size(c);
    p.gather = net_size(c) > 1 ? gather : NULL, p.gather_ctx = c;
    sched_marl *m = NULL;
    dtfl_err err;
    if (sched_marl_create(&m, &p, &err) < 0)
        return NULL;
    sched_marl_set_training(m, 1);
    return m;
}

/* Each rank plays its environments' rollouts of the one-shot game
 * r = -(x1 + x2 - 1)^2 - (x1 - 0.8)^2, one after another. */
static void play(rank_arg *a)
{
    envs_case *x = a->shared;
    sched_marl *m = make(x, a->c);
    if (m == NULL) {
        a->rc = -1;
        snprintf(a->msg, sizeof a->msg, "create");
        return;
    }
    float one[OBS];
    for (int i = 0; i < OBS; i++)
        one[i] = (float)sin(1.0 + i);
    const int mine = (x->envs - net_rank(a->c) + net_size(a->c) - 1) / net_size(a->c);
    for (int it = 0; it < ITERS; it++)
        for (int n = 0; n < mine * ROLLOUT; n++) {
            int ai[2];
            double af[2];
            sched_marl_begin(m, one);
            sched_marl_act(m, 0, one, &ai[0], &af[0]);
            sched_marl_act(m, 1, one, &ai[1], &af[1]);
            const double r = -(af[0] + af[1] - 1) * (af[0] + af[1] - 1) -
                             (af[0] - 0.8) * (af[0] - 0.8);
            if (sched_marl_feedback(m, &r, NULL, 1))
                sched_marl_update(m, NULL, NULL);
        }
    size_t at = 0;
    float *w = x->weights[net_rank(a->c)];
    for (int i = 0; i < m->nactors; i++) {
        const size_t n = rl_mlp_nparams(m->actors[i].net);
        memcpy(w + at, rl_mlp_params(m->actors[i].net), sizeof(float) * n);
        at += n;
    }
    memcpy(w + at, rl_mlp_params(m->critic[0]), sizeof(float) * rl_mlp_nparams(m->critic[0]));
    at += rl_mlp_nparams(m->critic[0]);
    x->nw = at;
    if (net_rank(a->c) == 0) {
        sched_marl_set_training(m, 0);
        int ai;
        sched_marl_act(m, 0, one, &ai, &x->mean[0]);
        sched_marl_act(m, 1, one, &ai, &x->mean[1]);
    }
    sched_marl_destroy(m);
}

static void check_envs(sched_marl_algo algo, int envs, int maxP)
{
    float *ref = malloc(sizeof(float) * 65536);
    size_t nref = 0;
    for (int P = 1; P <= maxP; P++) {
        static float w[4][16384];
        envs_case x = {algo, envs, {w[0], w[1], w[2], w[3]}, 0, {0, 0}};
        run_ranks(P, play, &x);
        assert_true(x.nw <= 16384);
        for (int r = 0; r < P; r++) /* every rank holds the same learner */
            assert_memory_equal(w[r], w[0], sizeof(float) * x.nw);
        if (P == 1) {
            memcpy(ref, w[0], sizeof(float) * x.nw);
            nref = x.nw;
            printf("%s, %d environments: greedy values (%.3f, %.3f)\n",
                   algo == SCHED_MARL_HAPPO ? "HAPPO" : "MAPPO", envs, x.mean[0], x.mean[1]);
            /* learnt: the payoff at the greedy values, -0.09 at the
             * untrained (0.5, 0.5), is near its optimum 0 */
            const double s = x.mean[0] + x.mean[1] - 1, d = x.mean[0] - 0.8;
            assert_true(-s * s - d * d > -0.03);
        } else {
            assert_int_equal(x.nw, nref);
            assert_memory_equal(w[0], ref, sizeof(float) * nref); /* = 1 rank's */
        }
    }
    free(ref);
}

static void test_happo_two(void **state)
{
    (void)state;
    check_envs(SCHED_MARL_HAPPO, 2, 2);
}

static void test_happo_uneven(void **state)
{
    (void)state;
    check_envs(SCHED_MARL_HAPPO, 3, 3); /* 2 ranks: 2 and 1 environments */
}

static void test_mappo_four(void **state)
{
    (void)state;
    check_envs(SCHED_MARL_MAPPO, 4, 4);
}

/* More ranks than environments, MADDPG or minibatches: refused. */
static void test_refusals(void **state)
{
    (void)state;
    static const sched_marl_agent ag[1] = {{1, 0, 0, 1, 0.0, 1.0, 0, 0}};
    sched_marl_params p = sched_marl_defaults();
    p.agents = 1, p.agent = ag, p.state_dim = 1, p.rollout = 8;
    p.envs = 2, p.env_ranks = 3, p.env_rank = 2;
    sched_marl *m = NULL;
    dtfl_err err;
    assert_int_equal(sched_marl_create(&m, &p, &err), DTFL_ERANGE);
    assert_non_null(strstr(err.msg, "2 environments over 3 ranks"));
    p.env_ranks = 1, p.env_rank = 0, p.minibatches = 2;
    assert_int_equal(sched_marl_create(&m, &p, &err), DTFL_ECONFIG);
    assert_non_null(strstr(err.msg, "one minibatch"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_happo_two),
        cmocka_unit_test(test_happo_uneven),
        cmocka_unit_test(test_mappo_four),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
