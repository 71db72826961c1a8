/*
 * learner.c - one learning algorithm on one agent (sched.h):
 *   ppo   PPO-clip with GAE on a factorised categorical: `blocks` choices
 *         among `choices`, one head each, log-probabilities summed;
 *   a2c   advantage actor-critic, the same networks;
 *   ddpg  DDPG scoring every (block, choice) pair in [-1, 1], each block
 *         taking its best-scored choice.
 * A continuous action (box values in [lo, hi]) takes the Gaussian head of
 * the actor-critic instead, its samples clipped to the box, or DDPG's
 * outputs in [-1, 1] mapped linearly onto it.
 * Several discrete parts, or parts and a box, take a mixed head (one
 * actor over all of them, log-probabilities summed; PPO and A2C only).
 * The reward of an action arrives after it; the next action's observation
 * completes a DDPG transition and bootstraps an actor-critic rollout cut
 * mid-episode. State for checkpoints and policy files: the networks'
 * weights (rl_io.c).
 */
#include "rl.h"

#include <stdlib.h>
#include <string.h>

static const char *const learner_algos[] = {"ppo", "a2c", "ddpg"};

struct sched_learner {
    const char *algo;    /* one of learner_algos */
    int dim, K, A;       /* obs_dim, blocks, choices */
    int mixed;           /* several parts and/or a box: a mixed head */
    int box;             /* continuous values, in [lo, hi] */
    double lo, hi;
    float *act_f;        /* (box) the actor's sample */
    int training;
    rl_ac *ac;           /* ppo, a2c */
    int update_due;      /* a full rollout waits for the next observation */
    rl_ddpg *dd;         /* ddpg */
    float *scores;       /* (K*A) the last action's scores */
    float *prev_obs;     /* (dim) its observation */
    double prev_reward;
    int pending;         /* a transition waits for its next observation */
};

#define LEARNER_ALGOS ((int)(sizeof learner_algos / sizeof learner_algos[0]))

void sched_learner_destroy(sched_learner *l)
{
    if (l == NULL)
        return;
    rl_ac_destroy(l->ac);
    rl_ddpg_destroy(l->dd);
    free(l->prev_obs);
    free(l->act_f);
    free(l);
}

int sched_learner_create(sched_learner **out, const sched_learner_params *p,
                         dtfl_err *err)
{
    *out = NULL;
    int known = -1;
    for (int i = 0; i < LEARNER_ALGOS; i++)
        if (strcmp(learner_algos[i], p->algo) == 0)
            known = i;
    if (known < 0)
        return dtfl_err_set(err, DTFL_ECONFIG, "no learning algorithm named "
                                               "'%s'", p->algo);
    sched_learner *l = calloc(1, sizeof *l);
    if (l == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "learner: out of memory");
    l->algo = learner_algos[known];
    l->dim = p->obs_dim;
    l->K = p->blocks;
    l->A = p->choices;
    l->box = p->box;
    l->lo = p->lo;
    l->hi = p->hi;
    int rc = 0;
    if (p->nparts > 0) {
        l->K = 0;
        for (int i = 0; i < p->nparts; i++)
            l->K += p->part_blocks[i];
        l->A = p->part_choices[0];
        l->mixed = p->nparts > 1 || l->box > 0;
    }
    if (l->mixed && (p->nparts >= RL_MAX_BLOCKS || strcmp(l->algo, "ddpg") == 0)) {
        rc = dtfl_err_set(err, DTFL_ECONFIG, "%s: a mixed action of %d parts "
                          "and %d values; ppo and a2c take up to %d parts and "
                          "a box", l->algo, p->nparts, l->box, RL_MAX_BLOCKS - 1);
        goto fail;
    }
    if ((!l->mixed && (l->K > 0) == (l->box > 0)) || !(l->lo < l->hi || l->box == 0)) {
        rc = dtfl_err_set(err, DTFL_ECONFIG, "%s: an action of %d choices and "
                                             "%d values in [%g, %g]; a learner "
                                             "takes one kind",
                          l->algo, l->K, l->box, l->lo, l->hi);
        goto fail;
    }
    size_t D = l->mixed ? (size_t)l->box : l->box > 0 ? (size_t)l->box : (size_t)l->K * l->A;
    l->prev_obs = calloc((size_t)l->dim + D, sizeof(float));
    l->act_f = calloc(D + 1, sizeof(float));
    if (l->prev_obs == NULL || l->act_f == NULL) {
        rc = dtfl_err_set(err, DTFL_ENOMEM, "learner: out of memory");
        goto fail;
    }
    l->scores = l->prev_obs + l->dim;
    if (strcmp(l->algo, "ddpg") == 0) {
        rl_ddpg_params q = p->ddpg;
        q.obs_dim = l->dim;
        q.D = (int)D;
        q.seed = p->seed;
        rc = rl_ddpg_create(&l->dd, &q, err);
    } else {
        rl_ac_params q = strcmp(l->algo, "ppo") == 0 ? p->ppo : p->a2c;
        q.obs_dim = l->dim;
        q.head = l->box > 0 ? RL_HEAD_GAUSSIAN : RL_HEAD_CATEGORICAL;
        q.K = l->box > 0 ? l->box : l->K;
        q.A = l->box > 0 ? 1 : l->A;
        q.seed = p->seed;
        if (l->mixed) { /* the parts, then the box */
            q.head = RL_HEAD_MIXED;
            q.nblocks = 0;
            for (int i = 0; i < p->nparts; i++)
                q.block[q.nblocks++] = (rl_block){0, p->part_blocks[i], p->part_choices[i]};
            if (l->box > 0)
                q.block[q.nblocks++] = (rl_block){1, l->box, 1};
        }
        rc = rl_ac_create(&l->ac, &q, err);
    }
    if (rc < 0)
        goto fail;
    *out = l;
    return 0;
fail:
    sched_learner_destroy(l);
    return rc;
}

/* The actor's values onto the box: clipped (Gaussian), or [-1, 1]
 * mapped linearly (DDPG). */
static void learner__box(const sched_learner *l, const float *v, int linear,
                         double *box)
{
    for (int k = 0; k < l->box; k++) {
        double x = linear ? l->lo + (v[k] + 1.0) * 0.5 * (l->hi - l->lo) : v[k];
        box[k] = x < l->lo ? l->lo : (x > l->hi ? l->hi : x);
    }
}

int sched_learner_act(sched_learner *l, const float *obs, int *act,
                      double *box, dtfl_err *err)
{
    (void)err;
    if (l->ac != NULL) {
        if (l->update_due) { /* the rollout ended mid-episode: bootstrap */
            rl_stats st;
            rl_ac_update(l->ac, obs, &st);
            l->update_due = 0;
        }
        rl_ac_act(l->ac, obs, !l->training, act, l->act_f);
        if (l->box > 0) /* a mixed head's values as SB3 rescales them */
            learner__box(l, l->act_f, l->mixed, box);
        return 0;
    }
    if (l->pending && l->training) { /* complete the last transition */
        rl_stats st = {0};
        rl_ddpg_observe(l->dd, l->prev_obs, l->scores, l->prev_reward, obs, 0,
                        &st);
        l->pending = 0;
    }
    rl_ddpg_act(l->dd, obs, l->training, l->scores);
    if (l->box > 0)
        learner__box(l, l->scores, 1, box);
    for (int k = 0; k < l->K; k++) { /* each block its best-scored choice */
        const float *row = l->scores + (size_t)k * l->A;
        int best = 0;
        for (int a = 1; a < l->A; a++)
            if (row[a] > row[best])
                best = a;
        act[k] = best;
    }
    memcpy(l->prev_obs, obs, sizeof(float) * (size_t)l->dim);
    return 0;
}

int sched_learner_feedback(sched_learner *l, double reward, int done,
                           dtfl_err *err)
{
    (void)err;
    if (!l->training)
        return 0;
    if (l->ac != NULL) {
        if (rl_ac_observe(l->ac, reward, done)) {
            if (done) {
                rl_stats st;
                rl_ac_update(l->ac, NULL, &st);
            } else {
                l->update_due = 1;
            }
        }
        return 0;
    }
    if (done) { /* terminal: no next observation needed */
        rl_stats st = {0};
        rl_ddpg_observe(l->dd, l->prev_obs, l->scores, reward, l->prev_obs, 1,
                        &st);
        l->pending = 0;
    } else {
        l->prev_reward = reward;
        l->pending = 1;
    }
    return 0;
}

void sched_learner_set_training(sched_learner *l, int training)
{
    l->training = training;
    l->pending = 0;
}

int sched_learner_save(sched_learner *l, uint8_t *buf, size_t *len,
                       dtfl_err *err)
{
    uint8_t *b = NULL;
    size_t n = 0;
    int rc = l->ac != NULL ? rl_ac_save(l->ac, l->algo, &b, &n, err)
                           : rl_ddpg_save(l->dd, &b, &n, err);
    if (rc < 0)
        return rc;
    if (buf != NULL) {
        if (*len < n) {
            free(b);
            return dtfl_err_set(err, DTFL_ERANGE, "policy state: buffer");
        }
        memcpy(buf, b, n);
    }
    *len = n;
    free(b);
    return 0;
}

int sched_learner_load(sched_learner *l, const uint8_t *buf, size_t len,
                       dtfl_err *err)
{
    return l->ac != NULL ? rl_ac_load(l->ac, l->algo, buf, len, "policy", err)
                         : rl_ddpg_load(l->dd, buf, len, "policy", err);
}
