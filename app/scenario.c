/*
 * scenario.c - what a config says about the world and the scenario, in the
 * parameter structs of twin/ and scen/: the shared world, the learners'
 * knobs, and each scenario's own section (one binding per scenario below);
 * and the policy files of `sched.policy_file`.
 */
#include "env.h"

#include "../scen/diten.h"
#include "../scen/taco.h"
#include "../scen/tmo.h"
#include "../scen/toy.h"
#include "../fl/fl.h"
#include "../twin/twin.h"

#include <math.h>
#include <stddef.h>
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
    p->grid_cols = (int)c->servers.grid_cols;
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
    p->trace_format = c->mobility.trace_format;
    p->trace_start = c->mobility.trace_start_s;
    p->trace_window = c->mobility.trace_episodes
                          ? (double)c->world.slots * c->world.slot_seconds : 0.0;
    p->tdrive_lon = c->mobility.tdrive_lon;
    p->tdrive_lat = c->mobility.tdrive_lat;
    p->distance = (twin_distance)c->world.distance;
    p->phi = c->users.phi;
    p->samples[0] = (int)c->users.samples[0];
    p->samples[1] = (int)c->users.samples[1];
    memcpy(p->twin_bits, c->users.twin_bits, sizeof p->twin_bits);
}

void app_diten_params(const app_config *c, scen_diten_params *p)
{
    *p = scen_diten_defaults();
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
    p->rmsprop = a->optimizer == 1;
    p->rms_alpha = a->rms_alpha;
}

/* The binding of each scenario to its config section: one row per scenario
 * of scen/registry.c. */
static void scenario__diten(const app_config *c, app_scen_params *p)
{
    app_diten_params(c, &p->diten.model);
    p->diten.allocation = (scen_diten_allocation)c->sched.allocation;
    p->diten.gamma = c->sched.gamma;
}

static void scenario__taco(const app_config *c, app_scen_params *p)
{
    const double du[2] = {1.0, 1e3}, eu[2] = {1.0, 1e-3};
    scen_taco_model *m = &p->taco.model;
    m->p_pt = c->taco.pt_power_mw * 1e-3;
    m->p_cloud = c->taco.cloud_power_w;
    m->theta = c->taco.path_loss;
    m->n0 = pow(10.0, c->taco.noise_dbm_hz / 10.0) * 1e-3;
    m->q_min = c->taco.q_min_m;
    m->bw = c->taco.es_bandwidth_mhz * 1e6;
    m->f_es = c->taco.es_cpu_ghz * 1e9;
    m->f_pt = c->taco.pt_cpu_ghz * 1e9;
    m->c_es = c->taco.es_cycles_per_bit;
    m->c_pt = c->taco.pt_cycles_per_bit;
    m->k_es = c->taco.es_kappa;
    m->k_pt = c->taco.pt_kappa;
    m->r_cloud = c->taco.cloud_rate_mbps * 1e6;
    m->g_local = c->taco.g_local;
    m->acc_c0 = c->taco.acc_c0;
    m->acc_c1 = c->taco.acc_c1;
    m->acc_kappa = c->taco.acc_kappa;
    m->t_max = c->taco.t_max_s;
    m->e_max = c->taco.e_max_j;
    m->V = c->taco.v;
    m->h0 = c->taco.queue_floor_s;
    m->delay_unit = du[c->taco.delay_unit];
    m->energy_unit = eu[c->taco.energy_unit];
    for (int k = 0; k < 2; k++) {
        p->taco.S[k] = c->taco.personal_mbit[k] * 1e6;
        p->taco.D[k] = c->taco.knowledge_mbit[k] * 1e6;
        p->taco.lambda[k] = c->taco.task_mbit[k] * 1e6;
    }
    p->taco.engine = (scen_taco_engine){
        (scen_taco_shares)c->taco.p4_shares, c->taco.p4_cap,
        c->taco.p4_time_limit_ms * 1e-3, c->taco.bcd_order, c->taco.bcd_eps,
        (int)c->taco.bcd_max, c->taco.alt_eps, (int)c->taco.alt_max,
        (scen_taco_start)c->taco.frame_start,
        (scen_taco_p4_solver)c->taco.p4_solver, (int)c->taco.p4_pieces,
        (int)c->taco.p4_tangents, c->taco.p4_x_reopt};
    p->taco.sample_bits = APP_IMAGE_BITS;
    p->taco.real_knowledge = c->taco.real_knowledge;
    p->taco.delay_measured = c->taco.real_delay_source;
    p->taco.local_samples = (int)c->taco.real_local_samples;
}

static void scenario__toy(const app_config *c, app_scen_params *p)
{
    p->toy.cost[0] = c->toy.cost_0;
    p->toy.cost[1] = c->toy.cost_1;
    p->toy.move_penalty = c->toy.move_penalty;
    p->toy.target = c->toy.target;
    p->toy.status_bytes = c->toy.status_bytes;
    p->toy.sharer_box = c->toy.sharer;
}

static void scenario__tmo(const app_config *c, app_scen_params *p)
{
    scen_tmo_setup *t = &p->tmo;
    scen_tmo_model *m = &t->model;
    m->p_pt = c->tmo.pt_power_mw * 1e-3;
    m->bw = c->tmo.es_bandwidth_mhz * 1e6;
    m->f_es = c->tmo.es_cpu_ghz * 1e9;
    m->c_es = c->tmo.es_cycles_per_bit;
    m->rho = c->tmo.es_kappa;
    m->theta = c->tmo.path_loss;
    m->n0 = pow(10.0, c->tmo.noise_dbm_hz / 10.0) * 1e-3;
    m->g0 = pow(10.0, c->tmo.gain_ref_db / 10.0);
    m->d_min = c->tmo.d_min_m;
    m->phi_mig = c->tmo.phi_mig;
    m->fibre_bps = c->tmo.fibre_gbps * 1e9;
    m->fibre_w = c->tmo.fibre_w;
    m->V = c->tmo.v;
    m->exec_energy = c->tmo.exec_energy == 0;
    for (int k = 0; k < 2; k++) {
        t->lambda[k] = c->tmo.task_mbit[k] * 1e6;
        t->J[k] = c->tmo.status_mbit[k] * 1e6;
    }
    /* a DT is its model's weights (the images, the data's classes)
     * and users.twin_bits of blob, as the twin a real run creates */
    const int classes = app_config_classes(c);
    fl_model_shape shape = {(fl_model_kind)c->model.kind, APP_IMAGE_SIDE, APP_IMAGE_SIDE,
                            classes > 0 ? classes : 10};
    t->weight_bits = 32.0 * (double)fl_model_shape_nparams(shape);
    t->sample_bits = APP_IMAGE_BITS;
    t->real_tasks = c->tmo.real_task == 1;
    t->budget_pt = c->tmo.budget_pt_j;
    t->q0 = c->tmo.q0_j;
    t->tau_max = (int)c->tmo.tau_max;
    t->upload_prev_link = c->tmo.upload_link == 1;
    t->upload_every_slot = c->tmo.upload_latency == 1;
    t->es_manhattan = c->tmo.mig_distance == TWIN_DIST_MANHATTAN;
    t->v_max = c->tmo.gru_v_max;
    const scen_tmo_init inits[3] = {SCEN_TMO_INIT_BOTH, SCEN_TMO_INIT_PREV,
                                    SCEN_TMO_INIT_BALANCED};
    t->engine = (scen_tmo_engine){
        {inits[c->tmo.am_init], c->tmo.am_variant == 0, c->tmo.am_tol,
         (int)c->tmo.am_iters, c->tmo.milp_time_ms * 1e-3, c->tmo.milp_gap},
        c->tmo.ucb_c, c->tmo.ucb_loss == 1, c->tmo.ucb_drop_exec,
        c->tmo.ucb_discount, (int)c->tmo.fto_tau, c->tmo.fto_migrate == 1,
        (scen_tmo_pred_kind)c->tmo.predictor, c->tmo.predictor_file};
}

static void scenario__eco(const app_config *c, app_scen_params *p)
{
    static const double per_bit[3] = {1.0 / 8.0, 1.0 / 8000.0, 1.0};
    scen_eco_setup *e = &p->eco;
    scen_eco_model *m = &e->model;
    const __typeof__(c->ecoedgetwin) *k = &c->ecoedgetwin;
    *m = (scen_eco_model){
        k->bandwidth_mhz * 1e6, k->noise_w, k->pathloss, k->g0, k->router_ms * 1e-3,
        k->backhaul_gbps * 1e9, k->outcome_frac, k->service_mbit * 1e6,
        k->latency_ms[0] * 1e-3, k->latency_ms[1] * 1e-3, k->w_beyond, k->qoe_weight,
        k->psi_per_gcycle * 1e-9, k->mig_cost_per_mbit * 1e-6, k->server_w,
        k->device_w, k->tx_w, k->rx_w, k->backhaul_mj * 1e-9, k->dt_energy_mj * 1e-3,
        k->combine == 1, k->cpu_share == 0, {k->w_latency, k->w_energy, k->w_qoe},
        k->reward == 1};
    e->candidates = (int)k->candidates;
    e->contents = (int)k->contents;
    e->zipf = k->zipf;
    for (int j = 0; j < 2; j++) {
        e->task_bits[j] = k->task_kb[j] * 8e3;
        e->cycles_per_bit[j] = k->cycles[j] * per_bit[k->cycles_unit];
        e->power[j] = k->power_w[j];
        e->budget[j] = k->budget[j];
        e->f_srv[j] = k->server_ghz[j] * 1e9;
        e->f_dev[j] = k->device_ghz[j] * 1e9;
    }
    e->load_srv = k->load_server;
    e->load_dev = k->load_device;
    e->load_memory = k->load_memory;
    e->load_sigma = k->load_sigma;
    e->dt_error = k->dt_error;
    e->dt_position = k->dt_position;
    e->fading_none = k->fading == 1;
    e->cache_bits = k->cache_mb * 8e6;
    e->grid_cols = (int)c->servers.grid_cols;
    e->sample_bits = APP_IMAGE_BITS;
}

static void scenario__happo(const app_config *c, app_scen_params *p)
{
    const __typeof__(c->happo) *k = &c->happo;
    scen_happo_setup *h = &p->happo;
    h->model = (scen_happo_model){
        k->bandwidth_mhz * 1e6, pow(10.0, k->noise_dbw / 10.0),
        pow(10.0, k->rho0_db / 10.0), k->pathloss_exp, k->rician_k,
        k->wired_mbps * 1e6, k->f_max_ghz * 1e9, k->eps, k->eta, k->nu,
        k->interference, k->energy == 0, k->reward == 1};
    h->p_max = k->p_max_w;
    h->lambda = k->lambda;
    for (int j = 0; j < 2; j++) {
        h->data_bits[j] = k->data_kbit[j] * 1e3;
        h->cycles[j] = k->cycles_per_bit[j];
        h->deadline[j] = k->deadline[j];
    }
    h->migration_slots = (int)k->migration_slots;
    h->queue_scale = k->queue_scale;
    h->cc_cap = k->cc_cap_ms * 1e-3;
    h->obs_queue = k->obs_queue;
    h->cc_failures = k->cc_failures;
    h->real_pacing = k->real_pacing;
}

static const struct {
    const char *name;
    void (*fill)(const app_config *c, app_scen_params *p);
    size_t offset; /* of the section's storage in app_scen_params */
} scenario_sections[] = {
    {"diten", scenario__diten, offsetof(app_scen_params, diten)},
    {"taco", scenario__taco, offsetof(app_scen_params, taco)},
    {"tmo", scenario__tmo, offsetof(app_scen_params, tmo)},
    {"toy", scenario__toy, offsetof(app_scen_params, toy)},
    {"ecoedgetwin", scenario__eco, offsetof(app_scen_params, eco)},
    {"happo", scenario__happo, offsetof(app_scen_params, happo)},
};

static void scenario__marl(const app_config *c, sched_marl_params *m)
{
    const __typeof__(c->marl) *k = &c->marl;
    *m = sched_marl_defaults();
    m->hidden[0] = (int)k->hidden;
    m->hidden[1] = (int)k->hidden2;
    m->layers = k->hidden2 > 0 ? 2 : 1;
    m->act = (rl_act)k->activation;
    m->lr_actor = k->lr_actor;
    m->lr_critic = k->lr_critic;
    m->adam_eps = k->adam_eps;
    m->gamma = k->gamma;
    m->lambda = k->lambda;
    m->clip = k->clip;
    m->ent_coef = k->ent_coef;
    m->max_grad_norm = k->max_grad_norm;
    m->epochs = (int)k->epochs;
    m->minibatches = (int)k->minibatches;
    m->rollout = k->rollout > 0 ? (int)k->rollout : (int)c->world.slots;
    m->norm_adv = k->norm_adv;
    m->mask_inactive = k->mask_inactive;
    m->order = (sched_marl_order)k->order;
    m->share = k->share == 0;
    m->td0 = k->critic_target == 1;
    m->categorical = k->discrete == 1;
    m->envs = (int)k->envs;
    m->buffer = (int)c->maddpg.buffer;
    m->batch = (int)c->maddpg.batch;
    m->warmup = (int)c->maddpg.warmup;
    m->train_every = (int)c->maddpg.train_every;
    m->tau = c->maddpg.tau;
    m->noise = c->maddpg.noise;
    m->seed = (uint64_t)c->seed;
}

void app_scen_setup(const app_config *c, app_scen_params *params,
                    scen_setup *s)
{
    memset(s, 0, sizeof *s);
    memset(params, 0, sizeof *params);
    s->scenario = c->scenario;
    app_world_params(c, 0, &s->world);
    s->slots = (int)c->world.slots;
    s->frame_slots = (int)c->world.frame_slots;
    s->seed = (uint64_t)c->seed;
    for (size_t i = 0; i < sizeof scenario_sections / sizeof scenario_sections[0]; i++)
        if (strcmp(scenario_sections[i].name, c->scenario) == 0) {
            scenario_sections[i].fill(c, params);
            s->params = (const char *)params + scenario_sections[i].offset;
        }
    s->ppo = rl_ppo_defaults();
    s->a2c = rl_a2c_defaults();
    scenario__ac(&c->ppo, (int)c->world.slots, &s->ppo);
    scenario__ac(&c->a2c, (int)c->world.slots, &s->a2c);
    s->ddpg = rl_ddpg_defaults();
    s->ddpg.lr_actor = c->ddpg.lr_actor;
    s->ddpg.lr_critic = c->ddpg.lr_critic;
    s->ddpg.gamma = c->ddpg.gamma;
    s->ddpg.tau = c->ddpg.tau;
    s->ddpg.noise = c->ddpg.noise;
    s->ddpg.batch = (int)c->ddpg.batch;
    s->ddpg.buffer = (int)c->ddpg.buffer;
    s->ddpg.learning_starts = (int)c->ddpg.learning_starts;
    s->ddpg.train_every = (int)c->ddpg.train_every;
    s->ddpg.policy_delay = (int)c->ddpg.policy_delay;
    s->ddpg.hidden = (int)c->ddpg.hidden;
    s->ddpg.layers = (int)c->ddpg.layers;
    scenario__marl(c, &s->marl);
}

int app_policy_setup(scen_policy *pol, const app_config *cfg, dtfl_err *err)
{
    const char *path = cfg->sched.policy_file;
    int rc = 0;
    if (path[0] != '\0') {
        uint8_t *buf = NULL;
        size_t len = 0;
        rc = dtfl_file_read_all(path, (size_t)1 << 31, &buf, &len, err);
        if (rc == 0 && (rc = scen_policy_load(pol, buf, len, err)) < 0)
            dtfl_err_prefix(err, "%s", path);
        free(buf);
    }
    scen_policy_set_training(pol, cfg->sched.learn);
    return rc;
}

int app_policy_save(scen_policy *pol, const char *dir, dtfl_err *err)
{
    size_t len = 0;
    int rc = scen_policy_save(pol, NULL, &len, err);
    uint8_t *buf = rc == 0 ? malloc(len + 1) : NULL;
    if (rc == 0 && buf == NULL)
        rc = dtfl_err_set(err, DTFL_ENOMEM, "policy: out of memory");
    if (rc == 0)
        rc = scen_policy_save(pol, buf, &len, err);
    char path[APP_PATH_MAX + 32];
    if (rc == 0)
        rc = app_results_path(dir, "policy.bin", path, sizeof path, err);
    if (rc == 0)
        rc = dtfl_file_write_atomic(path, buf, len, err);
    free(buf);
    return rc;
}
