/*
 * scenario.c - what a config says about the world and the scheduler, in the
 * parameter structs of twin/ and sched/, and the observation both the real
 * run and the analytic environment hand to a policy.
 */
#include "app.h"

#include "../sched/sched.h"
#include "../twin/twin.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void app_world_params(const app_config *c, uint64_t user_seed,
                      twin_world_params *p)
{
    memset(p, 0, sizeof *p);
    p->seed = (uint64_t)c->seed;
    p->user_seed = user_seed;
    p->width = c->world.width;
    p->height = c->world.height;
    p->slot_seconds = c->world.slot_seconds;
    p->servers = (int)c->servers.count;
    p->users = (int)c->users.count;
    p->placement = (twin_placement)c->servers.placement;
    p->server_file = c->servers.file;
    memcpy(p->p, c->servers.p, sizeof p->p);
    memcpy(p->q, c->servers.q, sizeof p->q);
    memcpy(p->eps, c->servers.eps, sizeof p->eps);
    p->mobility = (twin_mobility)c->mobility.model;
    memcpy(p->speed, c->mobility.speed, sizeof p->speed);
    p->pause = c->mobility.pause;
    p->gm_memory = c->mobility.memory;
    p->gm_speed_sigma = c->mobility.speed_sigma;
    p->gm_direction_sigma = c->mobility.direction_sigma;
    p->trace_file = c->mobility.trace;
    p->distance = (twin_distance)c->world.distance;
    p->phi = c->users.phi;
    p->samples[0] = (int)c->users.samples[0];
    p->samples[1] = (int)c->users.samples[1];
    memcpy(p->twin_bits, c->users.twin_bits, sizeof p->twin_bits);
}

void app_diten_params(const app_config *c, sched_diten_params *p)
{
    *p = sched_diten_defaults();
    const double per_sample[3] = {784.0, 0.784, 1.0};
    const double per_bit[3] = {1.0, 1e-3, 1.0 / 784.0};
    p->unit_per_sample = per_sample[c->diten.unit];
    p->unit_per_bit = per_bit[c->diten.unit];
    memcpy(p->a, c->diten.a, sizeof p->a);
    p->n_mig = c->diten.n_mig;
    p->n_syn = c->diten.n_syn;
    p->n_cmp = c->diten.n_cmp;
    p->E_s = c->diten.epochs_local;
    p->E_us = c->diten.epochs_finetune;
    p->P_u = c->diten.power_mw * 1e-3;
    p->W = c->diten.bandwidth_hz;
    p->xi = c->diten.gain;
    p->N0 = pow(10.0, c->diten.noise_dbm / 10.0) * 1e-3;
    p->f0 = c->diten.f0;
    p->beta1 = c->diten.beta1;
    p->beta2 = c->diten.beta2;
    p->barrier_f = c->diten.barrier_f;
    p->barrier_cap = c->diten.barrier_cap;
}

static void scenario__ac(const app_ac_config *a, int episode, rl_ac_params *p)
{
    p->lr_actor = a->lr_actor;
    p->lr_critic = a->lr_critic;
    p->adam_eps = a->adam_eps;
    p->gamma = a->gamma;
    p->lambda = a->lambda;
    p->clip = a->clip;
    p->clip_vloss = a->clip_vloss;
    p->ent_coef = a->ent_coef;
    p->vf_coef = a->vf_coef;
    p->max_grad_norm = a->max_grad_norm;
    p->norm_adv = a->norm_adv;
    p->norm_reward = a->norm_reward;
    p->ratio_per_head = a->ratio_per_user;
    p->epochs = (int)a->epochs;
    p->rollout = a->rollout > 0 ? (int)a->rollout : episode;
    p->minibatches = (int)a->minibatches < p->rollout ? (int)a->minibatches : p->rollout;
    p->hidden = (int)a->hidden;
    p->layers = (int)a->layers;
    p->act = (rl_act)a->activation;
    p->hidden_gain = a->init_hidden_gain;
    p->actor_gain = a->init_actor_gain;
    p->critic_gain = a->init_critic_gain;
}

void app_sched_params(const app_config *c, sched_params *p)
{
    memset(p, 0, sizeof *p);
    p->policy = c->sched.policy;
    p->allocation = (sched_allocation)c->sched.allocation;
    p->gamma = c->sched.gamma;
    p->seed = (uint64_t)c->seed;
    p->users = (int)c->users.count;
    p->servers = (int)c->servers.count;
    p->width = c->world.width;
    p->height = c->world.height;
    p->samples_max = (double)c->users.samples[1];
    p->twin_bits_max = c->users.twin_bits[1] > 0 ? c->users.twin_bits[1] : 1.0;
    app_diten_params(c, &p->model);
    p->ppo = rl_ppo_defaults();
    p->a2c = rl_a2c_defaults();
    scenario__ac(&c->ppo, (int)c->world.slots, &p->ppo);
    scenario__ac(&c->a2c, (int)c->world.slots, &p->a2c);
    p->ddpg = rl_ddpg_defaults();
    p->ddpg.lr_actor = c->ddpg.lr_actor;
    p->ddpg.lr_critic = c->ddpg.lr_critic;
    p->ddpg.gamma = c->ddpg.gamma;
    p->ddpg.tau = c->ddpg.tau;
    p->ddpg.noise = c->ddpg.noise;
    p->ddpg.batch = (int)c->ddpg.batch;
    p->ddpg.buffer = (int)c->ddpg.buffer;
    p->ddpg.learning_starts = (int)c->ddpg.learning_starts;
    p->ddpg.train_every = (int)c->ddpg.train_every;
    p->ddpg.policy_delay = (int)c->ddpg.policy_delay;
    p->ddpg.hidden = (int)c->ddpg.hidden;
    p->ddpg.layers = (int)c->ddpg.layers;
}

struct app_obs {
    int U, S;
    double *user_xy, *server_xy, *p, *q, *eps, *dist, *sdist, *phi, *bits;
    int *n_new, *n_prev;
    sched_obs o;
};

int app_obs_create(app_obs **out, int U, int S, dtfl_err *err)
{
    *out = NULL;
    app_obs *o = calloc(1, sizeof *o);
    size_t nd = 2 * (size_t)U + 2 * (size_t)S + 3 * (size_t)S +
                (size_t)U * S + (size_t)S * S + 2 * (size_t)U;
    if (o == NULL || (o->user_xy = calloc(nd, sizeof(double))) == NULL ||
        (o->n_new = calloc(2 * (size_t)U, sizeof(int))) == NULL) {
        app_obs_destroy(o);
        return dtfl_err_set(err, DTFL_ENOMEM, "observation: out of memory");
    }
    o->U = U;
    o->S = S;
    o->server_xy = o->user_xy + 2 * (size_t)U;
    o->p = o->server_xy + 2 * (size_t)S;
    o->q = o->p + S;
    o->eps = o->q + S;
    o->dist = o->eps + S;
    o->sdist = o->dist + (size_t)U * S;
    o->phi = o->sdist + (size_t)S * S;
    o->bits = o->phi + U;
    o->n_prev = o->n_new + U;
    *out = o;
    return 0;
}

void app_obs_destroy(app_obs *o)
{
    if (o == NULL)
        return;
    free(o->user_xy);
    free(o->n_new);
    free(o);
}

const sched_obs *app_obs_fill(app_obs *o, const twin_world *w, int t,
                              const int *prev_assoc)
{
    const int U = o->U, S = o->S;
    for (int u = 0; u < U; u++) {
        twin_world_user_xy(w, u, &o->user_xy[2 * u], &o->user_xy[2 * u + 1]);
        o->phi[u] = twin_world_user_phi(w, u);
        o->bits[u] = twin_world_user_twin_bits(w, u);
        o->n_new[u] = twin_world_new_samples(w, u, t);
        o->n_prev[u] = t > 0 ? twin_world_new_samples(w, u, t - 1) : 0;
        for (int k = 0; k < S; k++)
            o->dist[(size_t)u * S + k] = twin_world_user_server_dist(w, u, k);
    }
    for (int k = 0; k < S; k++) {
        twin_world_server_xy(w, k, &o->server_xy[2 * k], &o->server_xy[2 * k + 1]);
        o->p[k] = twin_world_server_p(w, k);
        o->q[k] = twin_world_server_q(w, k);
        o->eps[k] = twin_world_server_eps(w, k);
        for (int j = 0; j < S; j++)
            o->sdist[(size_t)k * S + j] = twin_world_server_dist(w, k, j);
    }
    o->o = (sched_obs){t, U, S, o->user_xy, o->server_xy, o->p, o->q, o->eps,
                       o->dist, o->sdist, o->phi, o->bits, o->n_new, o->n_prev,
                       prev_assoc};
    return &o->o;
}

const sched_obs *app_obs_last(const app_obs *o) { return &o->o; }

int app_policy_setup(sched_policy *pol, const app_config *cfg, dtfl_err *err)
{
    const char *path = cfg->sched.policy_file;
    int rc = 0;
    if (path[0] != '\0') {
        uint8_t *buf = NULL;
        size_t len = 0;
        rc = dtfl_file_read_all(path, (size_t)1 << 31, &buf, &len, err);
        if (rc == 0 && (rc = sched_policy_load(pol, buf, len, err)) < 0)
            dtfl_err_prefix(err, "%s", path);
        free(buf);
    }
    sched_policy_set_training(pol, cfg->sched.learn);
    return rc;
}

int app_policy_save(sched_policy *pol, const char *dir, dtfl_err *err)
{
    size_t len = 0;
    int rc = sched_policy_save(pol, NULL, &len, err);
    uint8_t *buf = rc == 0 ? malloc(len + 1) : NULL;
    if (rc == 0 && buf == NULL)
        rc = dtfl_err_set(err, DTFL_ENOMEM, "policy: out of memory");
    if (rc == 0)
        rc = sched_policy_save(pol, buf, &len, err);
    char path[APP_PATH_MAX + 32];
    if (rc == 0)
        rc = app_results_path(dir, "policy.bin", path, sizeof path, err);
    if (rc == 0)
        rc = dtfl_file_write_atomic(path, buf, len, err);
    free(buf);
    return rc;
}
