/*
 * learned.c - the learned association policies of the DITEN scenario:
 *   ppo   the paper's (003, Algorithm 1): PPO-clip with GAE on a factorised
 *         categorical, one choice of server per user;
 *   a2c   baseline 1: advantage actor-critic, the same networks;
 *   ddpg  baseline 4: DDPG scoring every (user, server) pair in [-1, 1],
 *         each user's twin going to its best-scored server.
 * They see sched_state() and learn from sched_policy_feedback(): the reward
 * of a decision arrives after it; the next decision's state completes a
 * DDPG transition and bootstraps an actor-critic rollout cut mid-episode.
 * Their checkpoint and policy-file state is their networks' weights.
 */
#include "rl.h"

#include <stdlib.h>
#include <string.h>

typedef struct learned {
    const char *algo;
    int U, S, dim;
    sched_params sp;
    int training;
    float *state;        /* (dim) */
    rl_ac *ac;           /* ppo, a2c */
    int update_due;      /* a full rollout waits for the next state */
    rl_ddpg *dd;         /* ddpg */
    float *scores;       /* (U*S) the last decision's scores */
    float *prev_state;   /* (dim) its state */
    double prev_reward;
    int pending;         /* a transition waits for its next state */
} learned;

static void learned__destroy(void *self)
{
    learned *l = self;
    if (l == NULL)
        return;
    rl_ac_destroy(l->ac);
    rl_ddpg_destroy(l->dd);
    free(l->state);
    free(l);
}

static int learned__make(void **self, const sched_params *p, const char *algo,
                         dtfl_err *err)
{
    learned *l = calloc(1, sizeof *l);
    if (l == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "policy: out of memory");
    l->algo = algo;
    l->sp = *p;
    l->U = p->users;
    l->S = p->servers;
    l->dim = sched_state_dim(l->U, l->S);
    size_t D = (size_t)l->U * l->S;
    l->state = calloc(2 * (size_t)l->dim + D, sizeof(float));
    int rc = 0;
    if (l->state == NULL) {
        rc = dtfl_err_set(err, DTFL_ENOMEM, "policy: out of memory");
        goto fail;
    }
    l->prev_state = l->state + l->dim;
    l->scores = l->prev_state + l->dim;
    if (strcmp(algo, "ddpg") == 0) {
        rl_ddpg_params q = p->ddpg;
        q.obs_dim = l->dim;
        q.D = (int)D;
        q.seed = p->seed;
        rc = rl_ddpg_create(&l->dd, &q, err);
    } else {
        rl_ac_params q = strcmp(algo, "ppo") == 0 ? p->ppo : p->a2c;
        q.obs_dim = l->dim;
        q.head = RL_HEAD_CATEGORICAL;
        q.K = l->U;
        q.A = l->S;
        q.seed = p->seed;
        rc = rl_ac_create(&l->ac, &q, err);
    }
    if (rc < 0)
        goto fail;
    *self = l;
    return 0;
fail:
    learned__destroy(l);
    return rc;
}

static int learned__create_ppo(void **self, const sched_params *p, dtfl_err *err)
{
    return learned__make(self, p, "ppo", err);
}

static int learned__create_a2c(void **self, const sched_params *p, dtfl_err *err)
{
    return learned__make(self, p, "a2c", err);
}

static int learned__create_ddpg(void **self, const sched_params *p, dtfl_err *err)
{
    return learned__make(self, p, "ddpg", err);
}

static int learned__decide(void *self, const sched_obs *o, sched_decision *d,
                           dtfl_err *err)
{
    learned *l = self;
    if (o->users != l->U || o->servers != l->S)
        return dtfl_err_set(err, DTFL_ECONFIG,
                            "%s policy built for %d users and %d servers sees "
                            "%d and %d",
                            l->algo, l->U, l->S, o->users, o->servers);
    sched_state(&l->sp, o, l->state);
    if (l->ac != NULL) {
        if (l->update_due) { /* the rollout ended mid-episode: bootstrap */
            rl_stats st;
            rl_ac_update(l->ac, l->state, &st);
            l->update_due = 0;
        }
        rl_ac_act(l->ac, l->state, !l->training, d->assoc, NULL);
        return 0;
    }
    if (l->pending && l->training) { /* complete the last transition */
        rl_stats st = {0};
        rl_ddpg_observe(l->dd, l->prev_state, l->scores, l->prev_reward,
                        l->state, 0, &st);
        l->pending = 0;
    }
    rl_ddpg_act(l->dd, l->state, l->training, l->scores);
    for (int u = 0; u < l->U; u++) { /* each twin to its best-scored server */
        const float *row = l->scores + (size_t)u * l->S;
        int best = 0;
        for (int s = 1; s < l->S; s++)
            if (row[s] > row[best])
                best = s;
        d->assoc[u] = best;
    }
    memcpy(l->prev_state, l->state, sizeof(float) * (size_t)l->dim);
    return 0;
}

static int learned__feedback(void *self, double reward, int done, dtfl_err *err)
{
    (void)err;
    learned *l = self;
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
    if (done) { /* terminal: no next state needed */
        rl_stats st = {0};
        rl_ddpg_observe(l->dd, l->prev_state, l->scores, reward, l->prev_state,
                        1, &st);
        l->pending = 0;
    } else {
        l->prev_reward = reward;
        l->pending = 1;
    }
    return 0;
}

static void learned__set_training(void *self, int training)
{
    learned *l = self;
    l->training = training;
    l->pending = 0;
}

static int learned__save(void *self, uint8_t *buf, size_t *len, dtfl_err *err)
{
    learned *l = self;
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

static int learned__load(void *self, const uint8_t *buf, size_t len,
                         dtfl_err *err)
{
    learned *l = self;
    return l->ac != NULL ? rl_ac_load(l->ac, l->algo, buf, len, "policy", err)
                         : rl_ddpg_load(l->dd, buf, len, "policy", err);
}

const sched_ops sched__ppo_ops = {
    "ppo", "PPO-clip twin association (003, Algorithm 1)",
    learned__create_ppo, learned__decide, learned__feedback,
    learned__set_training, learned__save, learned__load, learned__destroy};

const sched_ops sched__a2c_ops = {
    "a2c", "advantage actor-critic association (003, baseline 1)",
    learned__create_a2c, learned__decide, learned__feedback,
    learned__set_training, learned__save, learned__load, learned__destroy};

const sched_ops sched__ddpg_ops = {
    "ddpg", "DDPG scores per user and server, best per user (003, baseline 4)",
    learned__create_ddpg, learned__decide, learned__feedback,
    learned__set_training, learned__save, learned__load, learned__destroy};
