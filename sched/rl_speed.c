/*
 * rl_speed.c - timing of an actor-critic learner (PPO for `dtfl bench rl`,
 * EcoEdgeTwin's A2C for `dtfl bench rl --scenario ecoedgetwin`): acting (the
 * actor samples, the critic values, one state at a time) and updating (GAE,
 * epochs x minibatches of forward, backward and Adam for both networks) on
 * random states of the caller's size, with the FLOPs each involves so
 * the caller can compare them with a measured peak.
 */
#include "rl.h"

#include <stdlib.h>

/* FLOPs of one sample through a network, 2 per multiply-add; backward
 * computes weight gradients everywhere and input gradients for every layer
 * but the first. */
static double speed__flops(int nin, int hidden, int layers, int nout,
                           int backward)
{
    double fwd = 0.0, dx = 0.0;
    int in = nin;
    for (int l = 0; l <= layers; l++) {
        int out = l < layers ? hidden : nout;
        fwd += 2.0 * in * out;
        if (l > 0)
            dx += 2.0 * in * out;
        in = out;
    }
    return backward ? fwd + fwd + dx : fwd;
}

/* The actor's outputs, its categorical choices and its values. */
static void speed__sizes(const rl_ac_params *p, int *nout, int *ki, int *kf)
{
    if (p->head == RL_HEAD_MIXED) {
        *nout = rl_mix_nout(p->block, p->nblocks);
        *ki = rl_mix_ncat(p->block, p->nblocks);
        *kf = rl_mix_ngauss(p->block, p->nblocks);
        return;
    }
    *nout = p->head == RL_HEAD_CATEGORICAL ? p->K * p->A : p->K;
    *ki = *kf = p->K;
}

int sched_ac_speed(const rl_ac_params *p, sched_rl_speed *out, dtfl_err *err)
{
    enum { RUNS = 5 };
    int nout, ki, kf;
    speed__sizes(p, &nout, &ki, &kf);
    const int rollout = p->rollout;
    rl_ac *a = NULL;
    /* the rollout's states, drawn before the clock starts (as a peer acts
     * on states it already holds), then the continuous actions */
    const size_t states = (size_t)rollout * (size_t)p->obs_dim;
    float *obs = malloc(sizeof(float) * (states + (size_t)kf + 1));
    int *act = malloc(sizeof(int) * ((size_t)ki + 1));
    int rc = obs == NULL || act == NULL
                 ? dtfl_err_set(err, DTFL_ENOMEM, "bench: out of memory")
                 : rl_ac_create(&a, p, err);
    float *actf = obs != NULL ? obs + states : NULL;
    dtfl_rng r;
    dtfl_rng_init(&r, 1, DTFL_STREAM_POLICY, 99, 0);
    double act_s[RUNS], upd_s[RUNS];
    for (int run = -1; run < RUNS && rc == 0; run++) { /* run -1 warms up */
        for (size_t i = 0; i < states; i++)
            obs[i] = (float)dtfl_rng_uniform(&r);
        double t0 = dtfl_now();
        for (int t = 0; t < rollout; t++) {
            rl_ac_act(a, obs + (size_t)t * p->obs_dim, 0, act, actf);
            rl_ac_observe(a, 0.5 - 0.25 * t, t == rollout - 1);
        }
        double t1 = dtfl_now();
        rl_stats st;
        rl_ac_update(a, NULL, &st);
        if (run >= 0) {
            act_s[run] = (t1 - t0) / rollout;
            upd_s[run] = dtfl_now() - t1;
        }
    }
    if (rc == 0) {
        out->act_seconds = dtfl_median(act_s, RUNS);
        out->update_seconds = dtfl_median(upd_s, RUNS);
        out->act_flops = speed__flops(p->obs_dim, p->hidden, p->layers, nout, 0) +
                         speed__flops(p->obs_dim, p->hidden, p->layers, 1, 0);
        out->update_samples = (double)rollout * p->epochs;
        out->update_flops = out->update_samples *
                            (speed__flops(p->obs_dim, p->hidden, p->layers, nout, 1) +
                             speed__flops(p->obs_dim, p->hidden, p->layers, 1, 1));
    }
    rl_ac_destroy(a);
    free(obs);
    free(act);
    return rc;
}

int sched_ppo_speed(int obs_dim, int blocks, int choices, int rollout,
                    int minibatches, sched_rl_speed *out, dtfl_err *err)
{
    rl_ac_params p = rl_ppo_defaults();
    p.obs_dim = obs_dim;
    p.K = blocks;
    p.A = choices;
    p.rollout = rollout;
    p.minibatches = minibatches;
    return sched_ac_speed(&p, out, err);
}
