/*
 * test_happo_exact.c - HAPPO's monotonic improvement, exactly (spec
 * section 8 of specs/happo.md): tabular categorical actors (no hidden
 * layer, observation [1], marl.discrete: categorical) on one-shot matrix
 * games, each update fed every joint action once with weight pi_old(a)
 * (sched_marl_record, sched_marl_weight), so every loss is its exact
 * expectation and no sampling noise hides what the update does. The
 * reward fed is R(a) - J_old with the critic at 0, so the advantage is
 * exactly A(a) = R(a) - J(pi_old).
 *
 *   coordination R = I_2 from pi1 = (0.6, 0.4), pi2 = (0.4, 0.6), J0 =
 *   0.48: each agent alone prefers the other's likelier action, so the
 *   simultaneous (MAPPO) update swaps both and miscoordinates (J <= 0.05),
 *   while one HAPPO update, the second agent weighting by the first's new
 *   ratio, coordinates (J >= 0.98);
 *   the factor an agent sees is the product of exp(logp_new - logp_old)
 *   of the agents before it (1 for the first), at every sample;
 *   200 random games (2-3 agents, 2-3 actions, N(0, 1) payoffs, 5
 *   updates, clip 0.2): no agent's sub-update that raised its clipped
 *   surrogate lowered J.
 *
 * The spec's prototype takes plain gradient steps; dtfl's learners take
 * Adam steps, so the step sizes here are Adam's (lr 0.1 and 0.05).
 */
#include "check.h"

#include "../sched/marl_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAXA 3    /* agents */
#define MAXJ 27   /* joint actions: 3^3 */

typedef struct game {
    int n, k, joint;             /* agents, actions each, k^n */
    double R[MAXJ];              /* payoffs */
    sched_marl *m;
    /* what the turn hook checks */
    double pold[MAXJ];           /* pi_old(a) of the update */
    double lpold[MAXA][MAXJ];    /* log pi_i,old(a_i) */
    double fprev[MAXJ];          /* the factor before the turn */
    double J_before, J_old;
    int turns, raised, lowered, factor_bad;
} game;

static const float one = 1.0f;

static void joint_action(const game *g, int j, int *act)
{
    for (int i = 0; i < g->n; i++, j /= g->k)
        act[i] = j % g->k;
}

/* log pi_i(a_i) at agent i's current parameters */
static double logp(game *g, int i, int j)
{
    int act[MAXA];
    joint_action(g, j, act);
    return sched_marl_logp(g->m, i, &one, &act[i], NULL);
}

static double joint_prob(game *g, int j)
{
    double lp = 0.0;
    for (int i = 0; i < g->n; i++)
        lp += logp(g, i, j);
    return exp(lp);
}

static double payoff(game *g)
{
    double J = 0.0;
    for (int j = 0; j < g->joint; j++)
        J += joint_prob(g, j) * g->R[j];
    return J;
}

/* After agent u's turn: the factor against its definition, J and the
 * agent's clipped surrogate before and after. */
static void on_turn(void *ctx, sched_marl *m, int u)
{
    game *g = ctx;
    const double eps = m->p.clip;
    double before = 0.0, after = 0.0;
    for (int j = 0; j < g->joint; j++) {
        const double r = exp(logp(g, u, j) - g->lpold[u][j]), A = g->R[j] - g->J_old;
        const double rc = fmin(fmax(r, 1.0 - eps), 1.0 + eps);
        before += g->pold[j] * g->fprev[j] * A; /* r = 1 before the turn */
        after += g->pold[j] * g->fprev[j] * fmin(r * A, rc * A);
        const double want = g->fprev[j] * r;
        g->factor_bad += fabs(m->factor[j] - want) > 1e-12 * fmax(1.0, want);
        g->fprev[j] = want;
    }
    const double J = payoff(g);
    g->turns++;
    if (after > before + 1e-12) {
        g->raised++;
        g->lowered += J < g->J_before - 1e-12;
    }
    g->J_before = J;
}

static void game_create(game *g, sched_marl_algo algo, int n, int k, double clip,
                        int steps, double lr, uint64_t seed)
{
    static sched_marl_agent ag[MAXA];
    g->n = n, g->k = k, g->joint = 1;
    for (int i = 0; i < n; i++) {
        ag[i] = (sched_marl_agent){1, 1, k, 0, 0, 0, 0, 0};
        g->joint *= k;
    }
    sched_marl_params p = sched_marl_defaults();
    p.algo = algo, p.agents = n, p.agent = ag, p.state_dim = 1, p.layers = 0;
    p.categorical = 1, p.lr_actor = lr, p.lr_critic = 1e-12, p.epochs = steps;
    p.rollout = g->joint, p.clip = clip, p.ent_coef = 0.0, p.max_grad_norm = 0.0;
    p.norm_adv = 0, p.seed = seed, p.turn_hook = on_turn, p.turn_ctx = g;
    dtfl_err err;
    assert_int_equal(sched_marl_create(&g->m, &p, &err), 0);
    sched_marl_set_training(g->m, 1);
    for (int i = 0; i < n; i++) { /* tabular logits, then set by the test */
        rl_mlp *net = g->m->actors[g->m->ag[i].actor].net;
        memset(rl_mlp_params(net), 0, sizeof(float) * rl_mlp_nparams(net));
    }
    rl_mlp *c = g->m->critic[0]; /* V = 0: the reward fed is the advantage */
    memset(rl_mlp_params(c), 0, sizeof(float) * rl_mlp_nparams(c));
}

/* Agent i's policy to p (k): logits log p. With no hidden layer each
 * output is w + b on the input 1, so the first k parameters set it. */
static void set_policy(game *g, int i, const double *p)
{
    float *w = rl_mlp_params(g->m->actors[g->m->ag[i].actor].net);
    for (int a = 0; a < g->k; a++)
        w[a] = (float)log(p[a]);
}

/* One update on every joint action, weighted by pi_old(a); returns J. */
static double update(game *g)
{
    g->J_old = g->J_before = payoff(g);
    for (int j = 0; j < g->joint; j++) {
        g->pold[j] = joint_prob(g, j);
        g->fprev[j] = 1.0;
        for (int i = 0; i < g->n; i++)
            g->lpold[i][j] = logp(g, i, j);
    }
    for (int j = 0; j < g->joint; j++) {
        int act[MAXA];
        joint_action(g, j, act);
        sched_marl_begin(g->m, &one);
        for (int i = 0; i < g->n; i++)
            sched_marl_record(g->m, i, &one, &act[i], NULL);
        sched_marl_weight(g->m, g->joint * g->pold[j]); /* mean weight 1 */
        const double r = g->R[j] - g->J_old;
        if (sched_marl_feedback(g->m, &r, NULL, 1))
            sched_marl_update(g->m, NULL, NULL);
    }
    return payoff(g);
}

static void test_coordination(void **state)
{
    (void)state;
    const double p1[2] = {0.6, 0.4}, p2[2] = {0.4, 0.6};
    for (uint64_t seed = 1; seed <= 4; seed++) { /* either agent first */
        for (int algo = 0; algo < 2; algo++) {
            game g = {0};
            game_create(&g, algo ? SCHED_MARL_MAPPO : SCHED_MARL_HAPPO, 2, 2, 10.0, 50, 0.1,
                        seed);
            g.R[0] = g.R[3] = 1.0; /* (0, 0) and (1, 1) */
            set_policy(&g, 0, p1);
            set_policy(&g, 1, p2);
            check_close(payoff(&g), 0.48, 1e-6);
            const double J = update(&g);
            printf("coordination, seed %d: %s J %.4f\n", (int)seed, algo ? "MAPPO" : "HAPPO", J);
            if (algo) {
                assert_true(J <= 0.05);
                for (int j = 0; j < g.joint; j++) /* MAPPO's factor is 1 */
                    check_close(g.m->factor[j], 1.0, 0.0);
            } else {
                assert_true(J >= 0.98);
                assert_int_equal(g.turns, 2);
                assert_int_equal(g.factor_bad, 0);
            }
            sched_marl_destroy(g.m);
        }
    }
}

static void test_random_games(void **state)
{
    (void)state;
    int turns = 0, raised = 0, lowered = 0, bad = 0, games = 200;
    double gain = 0.0;
    for (int t = 0; t < games; t++) {
        dtfl_rng r;
        dtfl_rng_init(&r, 7, DTFL_STREAM_POLICY, 0x6A000000u + (uint32_t)t, 0);
        game g = {0};
        const int n = 2 + (int)dtfl_rng_below(&r, 2), k = 2 + (int)dtfl_rng_below(&r, 2);
        game_create(&g, SCHED_MARL_HAPPO, n, k, 0.2, 5, 0.05, (uint64_t)t + 1);
        for (int j = 0; j < g.joint; j++)
            g.R[j] = dtfl_rng_normal(&r);
        for (int i = 0; i < n; i++) { /* a random starting policy */
            double p[MAXA], s = 0.0;
            for (int a = 0; a < k; a++)
                s += p[a] = 0.2 + dtfl_rng_uniform(&r);
            for (int a = 0; a < k; a++)
                p[a] /= s;
            set_policy(&g, i, p);
        }
        const double J0 = payoff(&g);
        double J = J0;
        for (int it = 0; it < 5; it++)
            J = update(&g);
        gain += (J - J0) / games;
        turns += g.turns, raised += g.raised, lowered += g.lowered, bad += g.factor_bad;
        sched_marl_destroy(g.m);
    }
    printf("200 random games: %d agent turns, %d raised the clipped surrogate, %d of "
           "those lowered J; mean gain in J %.4f; factor off its definition %d times\n",
           turns, raised, lowered, gain, bad);
    assert_true(raised > turns / 2); /* the check is not vacuous */
    assert_int_equal(lowered, 0);
    assert_int_equal(bad, 0);
    assert_true(gain > 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_coordination),
        cmocka_unit_test(test_random_games),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
