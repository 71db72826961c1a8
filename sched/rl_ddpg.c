/*
 * rl_ddpg.c - deep deterministic policy gradient (Lillicrap et al.), as in
 * CleanRL's ddpg_continuous_action.py: an actor mu(s) with tanh outputs in
 * [-1, 1]^D, a critic Q(s, a), their target copies updated softly (tau), a
 * replay buffer sampled uniformly, Gaussian exploration noise, uniform
 * random actions before learning starts, and a delayed actor update.
 *
 * Critic: minimise (Q(s, a) - y)^2, y = r + gamma (1 - done) Q'(s', mu'(s')).
 * Actor: maximise Q(s, mu(s)); its gradient comes from the critic's input
 * gradient through tanh.
 */
#include "rl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

rl_ddpg_params rl_ddpg_defaults(void)
{
    rl_ddpg_params p;
    memset(&p, 0, sizeof p);
    p.hidden = 128;           /* the same networks as PPO (003) */
    p.layers = 2;
    p.lr_actor = 3e-4;        /* CleanRL */
    p.lr_critic = 3e-4;
    p.gamma = 0.98;           /* 003's discount for every learner */
    p.tau = 0.005;            /* CleanRL */
    p.noise = 0.1;            /* CleanRL exploration noise */
    p.batch = 256;            /* CleanRL */
    p.buffer = 100000;
    p.learning_starts = 5000; /* CleanRL: 25e3; scaled to short runs */
    p.train_every = 1;        /* CleanRL: every step */
    p.policy_delay = 2;       /* CleanRL */
    p.seed = 1;
    return p;
}

struct rl_ddpg {
    rl_ddpg_params p;
    rl_mlp *actor, *critic, *actor_t, *critic_t;
    rl_adam *opt_actor, *opt_critic;
    dtfl_rng rng;
    long steps, critic_updates;
    /* replay buffer of capacity p.buffer */
    int size, head;
    float *obs, *act, *next_obs;  /* (cap, obs_dim), (cap, D), (cap, obs_dim) */
    float *rew, *done;            /* (cap) */
    /* minibatch scratch */
    float *b_obs, *b_next, *b_in, *b_y, *dq, *dx;
    int *b_idx;
};

void rl_ddpg_destroy(rl_ddpg *d)
{
    if (d == NULL)
        return;
    rl_mlp_destroy(d->actor);
    rl_mlp_destroy(d->critic);
    rl_mlp_destroy(d->actor_t);
    rl_mlp_destroy(d->critic_t);
    rl_adam_destroy(d->opt_actor);
    rl_adam_destroy(d->opt_critic);
    free(d->obs);
    free(d->b_obs);
    free(d->b_idx);
    free(d);
}

int rl_ddpg_create(rl_ddpg **out, const rl_ddpg_params *p, dtfl_err *err)
{
    *out = NULL;
    if (p->obs_dim < 1 || p->D < 1 || p->batch < 1 || p->buffer < p->batch ||
        p->train_every < 1 || p->policy_delay < 1)
        return dtfl_err_set(err, DTFL_ERANGE, "ddpg: obs %d, D %d, batch %d, "
                                              "buffer %d",
                            p->obs_dim, p->D, p->batch, p->buffer);
    rl_ddpg *d = calloc(1, sizeof *d);
    if (d == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "ddpg: out of memory");
    d->p = *p;
    const int O = p->obs_dim, D = p->D, B = p->batch, cap = p->buffer;
    int rc;
    if ((rc = rl_mlp_create(&d->actor, O, p->hidden, p->layers, D, RL_ACT_RELU, B, err)) < 0 ||
        (rc = rl_mlp_create(&d->actor_t, O, p->hidden, p->layers, D, RL_ACT_RELU, B, err)) < 0 ||
        (rc = rl_mlp_create(&d->critic, O + D, p->hidden, p->layers, 1, RL_ACT_RELU, B, err)) < 0 ||
        (rc = rl_mlp_create(&d->critic_t, O + D, p->hidden, p->layers, 1, RL_ACT_RELU, B, err)) < 0 ||
        (rc = rl_adam_create(&d->opt_actor, rl_mlp_nparams(d->actor), p->lr_actor, 1e-8, err)) < 0 ||
        (rc = rl_adam_create(&d->opt_critic, rl_mlp_nparams(d->critic), p->lr_critic, 1e-8, err)) < 0)
        goto fail;
    size_t per = (size_t)O * 2 + D + 2;
    d->obs = malloc(sizeof(float) * per * (size_t)cap);
    size_t scratch = (size_t)B * (2 * O + 2 * (O + D) + 2 + D);
    d->b_obs = malloc(sizeof(float) * scratch);
    d->b_idx = malloc(sizeof(int) * (size_t)B);
    if (d->obs == NULL || d->b_obs == NULL || d->b_idx == NULL) {
        rc = dtfl_err_set(err, DTFL_ENOMEM, "ddpg: out of memory for a "
                                            "%d-step replay buffer",
                          cap);
        goto fail;
    }
    d->act = d->obs + (size_t)O * cap;
    d->next_obs = d->act + (size_t)D * cap;
    d->rew = d->next_obs + (size_t)O * cap;
    d->done = d->rew + cap;
    d->b_next = d->b_obs + (size_t)B * O;
    d->b_in = d->b_next + (size_t)B * O;            /* (B, O + D) */
    d->dx = d->b_in + (size_t)B * (O + D);           /* (B, O + D) */
    d->b_y = d->dx + (size_t)B * (O + D);            /* (B) */
    d->dq = d->b_y + B;                              /* (B) or (B, D) */
    /* CleanRL: default PyTorch init; we use orthogonal with gain 1 and
     * small output layers, which trains the same on these sizes */
    rl_mlp_init(d->actor, sqrt(2.0), 0.01, p->seed, 11);
    rl_mlp_init(d->critic, sqrt(2.0), 1.0, p->seed, 12);
    memcpy(rl_mlp_params(d->actor_t), rl_mlp_params(d->actor),
           sizeof(float) * rl_mlp_nparams(d->actor));
    memcpy(rl_mlp_params(d->critic_t), rl_mlp_params(d->critic),
           sizeof(float) * rl_mlp_nparams(d->critic));
    dtfl_rng_init(&d->rng, p->seed, DTFL_STREAM_POLICY, 13, 0);
    *out = d;
    return 0;
fail:
    rl_ddpg_destroy(d);
    return rc;
}

const rl_ddpg_params *rl_ddpg_params_of(const rl_ddpg *d) { return &d->p; }

int rl_ddpg_networks(rl_ddpg *d, rl_mlp **net, int max)
{
    rl_mlp *all[4] = {d->actor, d->critic, d->actor_t, d->critic_t};
    int n = max < 4 ? max : 4;
    for (int i = 0; i < n; i++)
        net[i] = all[i];
    return n;
}

/* mu(s) for B observations into a (B, D): tanh of the actor's output. */
static void ddpg__mu(rl_mlp *actor, const float *obs, int B, int D, float *a)
{
    const float *z = rl_mlp_forward(actor, obs, B);
    for (int i = 0; i < B * D; i++)
        a[i] = tanhf(z[i]);
}

void rl_ddpg_act(rl_ddpg *d, const float *obs, int explore, float *a)
{
    const int D = d->p.D;
    if (explore && d->steps < d->p.learning_starts) {
        for (int i = 0; i < D; i++)
            a[i] = (float)dtfl_rng_range(&d->rng, -1.0, 1.0);
        return;
    }
    ddpg__mu(d->actor, obs, 1, D, a);
    if (!explore)
        return;
    for (int i = 0; i < D; i++) {
        float v = a[i] + (float)(d->p.noise * dtfl_rng_normal(&d->rng));
        a[i] = v < -1.0f ? -1.0f : (v > 1.0f ? 1.0f : v);
    }
}

/* (B, O + D) rows of [obs, a] into in. */
static void ddpg__concat(float *in, const float *obs, const float *a, int B,
                         int O, int D)
{
    for (int b = 0; b < B; b++) {
        memcpy(in + (size_t)b * (O + D), obs + (size_t)b * O, sizeof(float) * (size_t)O);
        memcpy(in + (size_t)b * (O + D) + O, a + (size_t)b * D, sizeof(float) * (size_t)D);
    }
}

static void ddpg__train(rl_ddpg *d, rl_stats *st)
{
    const rl_ddpg_params *p = &d->p;
    const int O = p->obs_dim, D = p->D, B = p->batch;
    float *a = d->dq; /* (B, D) scratch for actions */
    for (int b = 0; b < B; b++) {
        int k = (int)dtfl_rng_below(&d->rng, (uint32_t)d->size);
        d->b_idx[b] = k;
        memcpy(d->b_obs + (size_t)b * O, d->obs + (size_t)k * O, sizeof(float) * (size_t)O);
        memcpy(d->b_next + (size_t)b * O, d->next_obs + (size_t)k * O, sizeof(float) * (size_t)O);
    }
    /* y = r + gamma (1 - done) Q'(s', mu'(s')) */
    ddpg__mu(d->actor_t, d->b_next, B, D, a);
    ddpg__concat(d->b_in, d->b_next, a, B, O, D);
    const float *qt = rl_mlp_forward(d->critic_t, d->b_in, B);
    for (int b = 0; b < B; b++) {
        int k = d->b_idx[b];
        d->b_y[b] = d->rew[k] + (float)p->gamma * (1.0f - d->done[k]) * qt[b];
    }
    /* critic step on (Q(s, a) - y)^2 */
    for (int b = 0; b < B; b++)
        memcpy(a + (size_t)b * D, d->act + (size_t)d->b_idx[b] * D, sizeof(float) * (size_t)D);
    ddpg__concat(d->b_in, d->b_obs, a, B, O, D);
    const float *q = rl_mlp_forward(d->critic, d->b_in, B);
    float *dqv = d->dx; /* (B) */
    double loss = 0.0;
    for (int b = 0; b < B; b++) {
        double diff = q[b] - d->b_y[b];
        loss += diff * diff / B;
        dqv[b] = (float)(2.0 * diff / B);
    }
    rl_mlp_zero_grads(d->critic);
    rl_mlp_backward(d->critic, dqv, B, NULL);
    rl_adam_step(d->opt_critic, rl_mlp_params(d->critic), rl_mlp_grads(d->critic));
    st->v_loss += loss;
    st->updates++;
    if (++d->critic_updates % p->policy_delay != 0)
        return;
    /* actor step: minimise -Q(s, mu(s)) */
    ddpg__mu(d->actor, d->b_obs, B, D, a);
    ddpg__concat(d->b_in, d->b_obs, a, B, O, D);
    const float *qa = rl_mlp_forward(d->critic, d->b_in, B);
    double obj = 0.0;
    float *ones = d->b_y; /* d(-mean Q)/dQ = -1/B */
    for (int b = 0; b < B; b++) {
        obj += qa[b] / B;
        ones[b] = -1.0f / (float)B;
    }
    rl_mlp_zero_grads(d->critic); /* only its input gradient is wanted */
    rl_mlp_backward(d->critic, ones, B, d->dx);
    float *dz = a; /* through tanh: dz = dQ/da (1 - a^2) */
    for (int b = 0; b < B; b++)
        for (int i = 0; i < D; i++) {
            float ai = a[(size_t)b * D + i];
            dz[(size_t)b * D + i] = d->dx[(size_t)b * (O + D) + O + i] * (1.0f - ai * ai);
        }
    rl_mlp_zero_grads(d->actor); /* its activations are still mu's */
    rl_mlp_backward(d->actor, dz, B, NULL);
    rl_adam_step(d->opt_actor, rl_mlp_params(d->actor), rl_mlp_grads(d->actor));
    st->pg_loss += -obj;
    rl_mlp_soft_update(d->actor_t, d->actor, p->tau);
    rl_mlp_soft_update(d->critic_t, d->critic, p->tau);
}

void rl_ddpg_observe(rl_ddpg *d, const float *obs, const float *a,
                     double reward, const float *next_obs, int done,
                     rl_stats *st)
{
    const rl_ddpg_params *p = &d->p;
    const int O = p->obs_dim, D = p->D, k = d->head;
    memcpy(d->obs + (size_t)k * O, obs, sizeof(float) * (size_t)O);
    memcpy(d->act + (size_t)k * D, a, sizeof(float) * (size_t)D);
    memcpy(d->next_obs + (size_t)k * O, next_obs, sizeof(float) * (size_t)O);
    d->rew[k] = (float)reward;
    d->done[k] = (float)(done != 0);
    d->head = (d->head + 1) % p->buffer;
    if (d->size < p->buffer)
        d->size++;
    d->steps++;
    if (d->steps >= p->learning_starts && d->size >= p->batch &&
        d->steps % p->train_every == 0)
        ddpg__train(d, st);
}
