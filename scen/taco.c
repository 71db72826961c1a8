/*
 * taco.c - the scenario `taco` (001_38e8dfa56ff79ffb.txt) behind scen.h:
 * the world's PTs and ESs, the slot's random draws, the queues of eqs.
 * 21-22, and the costs of a decision (eqs. 1-19 through taco_model.c).
 *
 * Agents (all act every slot; taco.h gives the layout): "placement" (the
 * access a_i and the share x_i), "update" (z_i; y_i, b_i, f_i) and "period"
 * (0 keeps the placement in force; p > 0 places now and spreads the
 * placement's delay and energy over the next p slots, eqs. 18-19 with K =
 * p). TACO places every K slots, LOT and CRO every slot. A placement made
 * before the last one is paid off pays the rest at once, so every placement
 * costs in full (eqs. 14-15).
 *
 * Draws, keyed by (user seed, entity, slot) so every policy sees the same
 * world (common random numbers): |h_im|^2 ~ Exp(1) (Rayleigh fading,
 * stream CHANNEL, entity i M + m), S_i and lambda_i each slot and D_i each
 * frame of K slots (stream WORKLOAD), uniform on the configured ranges.
 *
 * The rows report the paper's metrics per slot (Figs. 4-10): accuracy, the
 * delay T_tol per PT (eq. 18, s), the system energy E_tol (eq. 19, J), the
 * placement delay both ways (R2: the share charged this slot; R1: the full
 * delay of the placement in force), the update delay T_ul + T_ud, the
 * queues. In real mode each twin lives on its ES's rank and trains on the
 * share y_i of the slot's data it uploads (z_i = 1).
 *
 * Checkpoints and summaries: taco_state.c.
 */
#include "taco_int.h"
#include "scen_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


enum {
    TC_ACC, TC_DELAY, TC_ENERGY, TC_PL, TC_PL_R1, TC_UPD, TC_OFF, TC_X, TC_Y,
    TC_H, TC_E, TC_HAND, TC_BRACKET, TC_N
};

static const scen_column slot_cols[TC_N] = {
    {"accuracy", "%.6f"},       {"delay", "%.6g"},
    {"energy", "%.6g"},       {"placement_delay", "%.6g"},
    {"placement_delay_r1", "%.6g"}, {"update_delay", "%.6g"},
    {"offload", "%.4f"},        {"x", "%.6f"},
    {"y", "%.6f"},              {"queue_delay", "%.6g"},
    {"queue_energy", "%.6g"},   {"handovers", "%.0f"},
    {"bracket", "%.6g"}};
static const scen_summary slot_sums[] = {
    {"mean_accuracy", TC_ACC, SCEN_SUM_MEAN},
    {"mean_delay", TC_DELAY, SCEN_SUM_MEAN},
    {"mean_energy", TC_ENERGY, SCEN_SUM_MEAN},
    {"mean_placement_delay", TC_PL, SCEN_SUM_MEAN},
    {"mean_placement_delay_r1", TC_PL_R1, SCEN_SUM_MEAN},
    {"mean_update_delay", TC_UPD, SCEN_SUM_MEAN},
    {"mean_offload", TC_OFF, SCEN_SUM_MEAN},
    {"mean_x", TC_X, SCEN_SUM_MEAN},
    {"mean_y", TC_Y, SCEN_SUM_MEAN},
    {"mean_queue_delay", TC_H, SCEN_SUM_MEAN},
    {"mean_queue_energy", TC_E, SCEN_SUM_MEAN},
    {"handovers", TC_HAND, SCEN_SUM_TOTAL}};
static const scen_column twin_cols[] = {
    {"server", "%.0f"}, {"x", "%.6f"}, {"y", "%.6f"}, {"b", "%.6f"},
    {"f", "%.6f"},      {"z", "%.0f"}, {"accuracy", "%.6f"},
    {"delay", "%.6g"}, {"queue_delay", "%.6g"}};
static const scen_column real_cols[] = {
    {"predicted_accuracy", "%.6f"}, {"predicted_delay", "%.6g"},
    {"predicted_energy", "%.6g"}, {"predicted_placement_delay", "%.6g"},
    {"predicted_update_delay", "%.6g"}, {"handovers", "%.0f"}};
static const scen_summary real_sums[] = {
    {"mean_predicted_accuracy", 0, SCEN_SUM_MEAN},
    {"mean_predicted_delay", 1, SCEN_SUM_MEAN},
    {"mean_predicted_energy", 2, SCEN_SUM_MEAN},
    {"handovers", 5, SCEN_SUM_TOTAL}};
static const scen_column real_twin_cols[] = {
    {"predicted_accuracy", "%.6f"}, {"predicted_delay", "%.6g"},
    {"measured_delay_s", "%.6g"}, {"work_s", "%.6g"}, {"queue_delay", "%.6g"}};
static const scen_column episode_cols[] = {
    {"accuracy", "%.6f"}, {"delay", "%.6g"}, {"energy", "%.6g"},
    {"placement_delay", "%.6g"}};
static const int episode_from[] = {TC_ACC, TC_DELAY, TC_ENERGY, TC_PL};

#define N_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))

void scen_taco_pack(int I, const scen_taco_dec *d, scen_action *a)
{
    const size_t n = sizeof(double) * (size_t)I, k = sizeof(int) * (size_t)I;
    memcpy(a->discrete, d->access, k);
    memcpy(a->discrete + I, d->z, k);
    a->discrete[2 * I] = d->period;
    memcpy(a->box, d->x, n);
    memcpy(a->box + I, d->y, n);
    memcpy(a->box + 2 * I, d->b, n);
    memcpy(a->box + 3 * I, d->f, n);
}

void scen_taco_unpack(int I, const scen_action *a, scen_taco_dec *d)
{
    *d = (scen_taco_dec){a->discrete, a->box, a->box + I, a->box + 2 * I,
                         a->box + 3 * I, a->discrete + I, a->discrete[2 * I]};
}

static int taco__check(const scen_setup *s, const char **key, char *msg,
                       size_t cap)
{
    if (s->world.users > 4096) { /* the engine keeps I x M on the stack */
        *key = "users.count";
        snprintf(msg, cap, "users.count: %d, but scenario taco has at most "
                           "4096 PTs", s->world.users);
        return 1;
    }
    return 0;
}

static void taco__destroy(void *self)
{
    taco *y = self;
    if (y == NULL)
        return;
    twin_world_destroy(y->world);
    sched_lyap_destroy(y->queues);
    taco__store_free(&y->last);
    free(y->Q);
    free(y->nearest);
    free(y->cost);
    free(y->down);
    free(y);
}

static int taco__alloc(taco *y)
{
    const size_t I = (size_t)y->I, IM = I * (size_t)y->M;
    y->Q = calloc(3 * IM + 13 * I + 2, sizeof(double));
    y->nearest = calloc(4 * I + 1, sizeof(int));
    y->down = calloc(I + 1, sizeof(scen_transfer));
    y->cost = calloc(I + 1, sizeof(scen_taco_cost));
    if (y->Q == NULL || y->nearest == NULL || y->cost == NULL || y->down == NULL ||
        taco__store_init(&y->last, y->I) < 0)
        return -1;
    y->h2 = y->Q + IM;
    y->snr = y->h2 + IM;
    y->S = y->snr + IM;
    y->lam = y->S + I;
    y->D = y->lam + I;
    y->H = y->D + I;
    y->charge_t = y->H + I;
    y->charge_e = y->charge_t + I;
    y->r1 = y->charge_e + I;
    y->T_tol = y->r1 + I;
    y->paid_t = y->T_tol + I;
    y->arrive = y->paid_t + I; /* I + 1 */
    y->share = y->arrive + I + 1;
    y->t_meas = y->share + I;
    y->work_s = y->t_meas + I;
    y->generic = y->nearest + I;
    y->gkey = y->generic + I;
    y->local = y->gkey + I;
    return 0;
}

static void taco__info(taco *y)
{
    const int I = y->I;
    y->agent[0] = (scen_agent){"placement", SCEN_SLOT, I + 1, I, y->M, I, 0.0, 1.0, 0};
    y->agent[1] = (scen_agent){"update", SCEN_SLOT, I + 1, I, 2, 3 * I, 0.0, 1.0, 0};
    y->agent[2] = (scen_agent){"period", SCEN_SLOT, I + 1, 1, y->K + 1, 0, 0, 0, 0};
    scen_info *in = &y->info;
    *in = (scen_info){.agents = 3, .agent = y->agent, .frame_slots = y->K,
                      .slots = y->T, .users = I, .servers = y->M};
    in->table[SCEN_T_ANALYTIC_SLOT] = (scen_table){TC_N, slot_cols, N_OF(slot_sums), slot_sums};
    in->table[SCEN_T_ANALYTIC_TWIN] = (scen_table){N_OF(twin_cols), twin_cols, 0, NULL};
    in->table[SCEN_T_REAL_SLOT] = (scen_table){N_OF(real_cols), real_cols,
                                               N_OF(real_sums), real_sums};
    in->table[SCEN_T_REAL_TWIN] = (scen_table){N_OF(real_twin_cols), real_twin_cols, 0, NULL};
    in->nepisode = N_OF(episode_cols);
    in->episode = episode_cols;
    in->episode_from = episode_from;
}

static int taco__create(void **self, const scen_setup *s, dtfl_err *err)
{
    *self = NULL;
    taco *y = calloc(1, sizeof *y);
    if (y == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "scenario: out of memory");
    y->setup = s;
    y->cfg = *(const scen_taco_setup *)s->params;
    y->I = s->world.users;
    y->M = s->world.servers;
    y->K = s->frame_slots;
    y->T = s->slots;
    if (taco__alloc(y) < 0) {
        taco__destroy(y);
        return dtfl_err_set(err, DTFL_ENOMEM, "scenario: out of memory");
    }
    const scen_taco_model *m = &y->cfg.model;
    double budget[y->I + 1];
    for (int i = 0; i < y->I; i++) /* per slot: eqs. 20a-b */
        budget[i] = m->t_max / y->K * m->delay_unit;
    budget[y->I] = m->e_max / y->K * m->energy_unit;
    int rc = sched_lyap_create(&y->queues, y->I + 1, budget, err);
    if (rc < 0) {
        taco__destroy(y);
        return rc;
    }
    taco__info(y);
    *self = y;
    return 0;
}

static const scen_info *taco__info_of(void *self) { return &((taco *)self)->info; }

static void taco__clear(taco *y)
{
    const size_t I = (size_t)y->I;
    for (size_t i = 0; i < I; i++)
        y->last.d.access[i] = -1;
    memset(y->last.d.z, 0, sizeof(int) * I);
    memset(y->last.reals, 0, sizeof(double) * 4 * I);
    memset(y->charge_t, 0, sizeof(double) * 3 * I);
    y->charge_left = 0;
    y->t = y->place_t = y->placed = 0;
    sched_lyap_reset(y->queues, NULL);
}

int taco__reset(void *self, int episode, dtfl_err *err)
{
    taco *y = self;
    taco__clear(y);
    return scen__world(y->setup, episode, &y->world, &y->useed, err);
}

/* The slot's draws: fading per pair, S and lambda per PT, D per frame. */
static void taco__draw(taco *y)
{
    const int I = y->I, M = y->M, t = y->t;
    const scen_taco_setup *c = &y->cfg;
    for (int i = 0; i < I; i++) {
        for (int m = 0; m < M; m++) {
            size_t k = (size_t)i * M + m;
            dtfl_rng r;
            dtfl_rng_init(&r, y->useed, DTFL_STREAM_CHANNEL, (uint32_t)k, (uint32_t)t);
            double q = twin_world_user_server_dist(y->world, i, m);
            y->Q[k] = q > c->model.q_min ? q : c->model.q_min;
            y->h2[k] = -log1p(-dtfl_rng_uniform(&r)); /* Exp(1) */
            y->snr[k] = scen_taco_snr(&c->model, y->Q[k], y->h2[k]);
        }
        dtfl_rng r;
        dtfl_rng_init(&r, y->useed, DTFL_STREAM_WORKLOAD, (uint32_t)i, (uint32_t)t);
        y->S[i] = dtfl_rng_range(&r, c->S[0], c->S[1]);
        y->lam[i] = dtfl_rng_range(&r, c->lambda[0], c->lambda[1]);
        dtfl_rng_init(&r, y->useed, DTFL_STREAM_WORKLOAD, 0x40000000u + (uint32_t)i,
                      (uint32_t)(t / y->K));
        y->D[i] = dtfl_rng_range(&r, c->D[0], c->D[1]);
        y->nearest[i] = twin_world_nearest(y->world, i);
    }
}

static int taco__observe(void *self, scen_obs *so, dtfl_err *err)
{
    (void)err;
    taco *y = self;
    if (y->t > 0)
        twin_world_step(y->world, y->t);
    taco__draw(y);
    const double *q = sched_lyap_values(y->queues);
    memcpy(y->H, q, sizeof(double) * (size_t)y->I);
    const scen_taco_dec *l = &y->last.d;
    y->obs = (scen_taco_obs){y->t, y->K, y->I, y->M, &y->cfg.model, &y->cfg.engine,
                             y->Q, y->h2, y->snr, y->S, y->lam, y->D, y->H,
                             q[y->I], y->nearest, l->access, l->x, l->y, l->b,
                             l->f, l->z, y->charge_left};
    *so = (scen_obs){y->t, y->t % y->K == 0, &y->obs};
    return 0;
}

static void taco__agent_obs(void *self, int a, float *x)
{
    (void)a;
    const taco *y = self;
    const scen_taco_model *m = &y->cfg.model;
    for (int i = 0; i < y->I; i++)
        x[i] = (float)(y->H[i] / (m->t_max * m->delay_unit));
    x[y->I] = (float)(y->obs.E / (m->e_max * m->energy_unit));
}

/* A decision the models can score: shares within each ES, a share for
 * every PT that offloads or is placed, placements where the policy says. */
static int taco__valid(const taco *y, const scen_taco_dec *d, dtfl_err *err)
{
    const int I = y->I, M = y->M;
    const scen_taco_dec *l = &y->last.d;
    if (d->period == 0 && y->t == 0)
        return dtfl_err_set(err, DTFL_EINTERNAL, "taco: the first slot must "
                                                 "place every twin (period > 0)");
    double sb[M], sf[M];
    memset(sb, 0, sizeof sb);
    memset(sf, 0, sizeof sf);
    for (int i = 0; i < I; i++) {
        if (d->period == 0 && (d->access[i] != l->access[i] || d->x[i] != l->x[i]))
            return dtfl_err_set(err, DTFL_EINTERNAL, "taco: PT %d's placement "
                                                     "changed without placing "
                                                     "(period 0)", i);
        if (d->z[i] && !(d->b[i] > 0.0 && d->f[i] > 0.0))
            return dtfl_err_set(err, DTFL_EINTERNAL, "taco: PT %d offloads with "
                                                     "bandwidth %g, CPU %g", i,
                                d->b[i], d->f[i]);
        if (d->period > 0 && d->x[i] > 0.0 && !(d->f[i] > 0.0))
            return dtfl_err_set(err, DTFL_EINTERNAL, "taco: PT %d is placed "
                                                     "with no CPU share", i);
        sb[d->access[i]] += d->b[i];
        sf[d->access[i]] += d->f[i];
    }
    for (int m = 0; m < M; m++)
        if (sb[m] > 1.0 + 1e-9 || sf[m] > 1.0 + 1e-9)
            return dtfl_err_set(err, DTFL_EINTERNAL, "taco: ES %d shares "
                                                     "bandwidth %.12g, CPU %.12g "
                                                     "(eqs. 17b-c: at most 1)",
                                m, sb[m], sf[m]);
    return 0;
}

/* A new placement: what is left of the last one is paid now, the new one
 * over its period. */
static void taco__place(taco *y, const scen_taco_dec *d)
{
    y->handovers = 0;
    for (int i = 0; i < y->I; i++) {
        scen_taco_use u;
        taco__use(&y->obs, d, i, d->access[i], &u);
        scen_taco_cost c;
        scen_taco_cost_of(&y->cfg.model, &u, &c);
        y->paid_t[i] = y->charge_t[i] * y->charge_left; /* the rest, at once */
        y->arrive[i] = y->charge_e[i] * y->charge_left;
        y->charge_t[i] = (c.t_dl + c.t_pl) / d->period;
        y->charge_e[i] = (c.e_dl + c.e_pl) / d->period;
        y->r1[i] = c.t_dl + c.t_pl;
        y->handovers += y->last.d.access[i] >= 0 && y->last.d.access[i] != d->access[i];
    }
    y->charge_left = d->period;
    y->place_t = y->t;
    y->placed = 1;
}

static int taco__step(void *self, const scen_action *a, scen_result *r,
                      dtfl_err *err)
{
    taco *y = self;
    const scen_taco_model *m = &y->cfg.model;
    scen_taco_dec d;
    scen_taco_unpack(y->I, a, &d);
    int rc = taco__valid(y, &d, err);
    if (rc < 0)
        return rc;
    y->bracket = scen_taco_bracket(&y->obs, &d); /* before paying off */
    memset(y->paid_t, 0, sizeof(double) * (size_t)y->I);
    memset(y->arrive, 0, sizeof(double) * (size_t)y->I);
    y->handovers = 0;
    y->placed = 0;
    if (d.period > 0)
        taco__place(y, &d);
    double energy = 0.0;
    for (int i = 0; i < y->I; i++) {
        scen_taco_use u;
        taco__use(&y->obs, &d, i, d.access[i], &u);
        scen_taco_cost *c = &y->cost[i];
        scen_taco_cost_of(m, &u, c);
        double pe = y->arrive[i];
        if (y->charge_left > 0) {                       /* eqs. 18-19 */
            y->paid_t[i] += y->charge_t[i];
            pe += y->charge_e[i];
        }
        y->T_tol[i] = y->paid_t[i] + c->t_ul + c->t_ud + c->t_ofld + c->t_exec;
        energy += pe + c->e_ul + c->e_ud + c->e_ofld + c->e_exec;
    }
    y->charge_left -= y->charge_left > 0;
    y->E_tol = energy;
    for (int i = 0; i < y->I; i++)
        y->arrive[i] = y->T_tol[i] * m->delay_unit;
    y->arrive[y->I] = energy * m->energy_unit;
    sched_lyap_push(y->queues, y->arrive);                /* eqs. 21-22 */
    taco__dec_copy(&y->last.d, &d, y->I);
    double scale = m->V > 0.0 ? m->V * y->I : y->I;
    for (int k = 0; k < 3; k++)
        y->reward[k] = -y->bracket / scale;
    r->reward = y->reward;
    r->done = y->t == y->T - 1;
    y->t++;
    return 0;
}

static double taco__mean(const double *v, int n)
{
    double s = 0.0;
    for (int i = 0; i < n; i++)
        s += v[i];
    return n > 0 ? s / n : 0.0;
}

static void taco__slot_row(const taco *y, double *v)
{
    const int I = y->I;
    double acc = 0.0, upd = 0.0, off = 0.0;
    for (int i = 0; i < I; i++) {
        acc += y->cost[i].acc;
        upd += y->cost[i].t_ul + y->cost[i].t_ud;
        off += y->last.d.z[i];
    }
    const double *q = sched_lyap_values(y->queues);
    v[TC_ACC] = acc / I;
    v[TC_DELAY] = taco__mean(y->T_tol, I);
    v[TC_ENERGY] = y->E_tol;
    v[TC_PL] = taco__mean(y->paid_t, I);
    v[TC_PL_R1] = taco__mean(y->r1, I);
    v[TC_UPD] = upd / I;
    v[TC_OFF] = off / I;
    v[TC_X] = taco__mean(y->last.d.x, I);
    v[TC_Y] = taco__mean(y->last.d.y, I);
    v[TC_H] = taco__mean(q, I);
    v[TC_E] = q[I];
    v[TC_HAND] = y->handovers;
    v[TC_BRACKET] = y->bracket;
}

static void taco__row(void *self, scen_table_id t, int u, double *v)
{
    const taco *y = self;
    const scen_taco_dec *d = &y->last.d;
    double s[TC_N];
    switch (t) {
    case SCEN_T_ANALYTIC_SLOT:
        taco__slot_row(y, v);
        return;
    case SCEN_T_ANALYTIC_TWIN:
        v[0] = d->access[u], v[1] = d->x[u], v[2] = d->y[u], v[3] = d->b[u];
        v[4] = d->f[u], v[5] = d->z[u], v[6] = y->cost[u].acc;
        v[7] = y->T_tol[u], v[8] = sched_lyap_values(y->queues)[u];
        return;
    case SCEN_T_REAL_SLOT:
        taco__slot_row(y, s);
        v[0] = s[TC_ACC], v[1] = s[TC_DELAY], v[2] = s[TC_ENERGY];
        v[3] = s[TC_PL], v[4] = s[TC_UPD], v[5] = s[TC_HAND];
        return;
    case SCEN_T_REAL_TWIN:
        v[0] = y->cost[u].acc, v[1] = y->T_tol[u], v[2] = y->t_meas[u];
        v[3] = y->work_s[u], v[4] = sched_lyap_values(y->queues)[u];
        return;
    case SCEN_T_COUNT:
        return;
    }
}

/* Real mode: the twin trains on the share y_i of the slot's data its PT
 * uploads (z_i = 1) and on the knowledge of its placement, x_i D_i bits of
 * the cloud's images (global label mix), which the cloud on rank 0 sends
 * its ES when it places; a PT's local task (z_i = 0) runs on its device's
 * model. */
static void taco__effects(void *self, scen_effects *e)
{
    taco *y = self;
    const scen_taco_dec *d = &y->last.d;
    int n = 0;
    for (int i = 0; i < y->I; i++) {
        y->share[i] = d->z[i] ? d->y[i] : 0.0; /* what the twin trains on */
        const double bits = y->cfg.real_knowledge ? d->x[i] * y->obs.D[i] : 0.0;
        y->generic[i] = (int)lround(bits / y->cfg.sample_bits);
        y->gkey[i] = y->place_t;
        y->local[i] = !d->z[i];
        if (y->placed && bits > 0.0)
            y->down[n++] = (scen_transfer){.from = SCEN_CLOUD, .to = d->access[i],
                                           .bytes = (int64_t)ceil(bits / 8.0)};
    }
    const int dev = y->cfg.local_samples > 0;
    *e = (scen_effects){.server = d->access, .share = y->share, .ntransfers = n,
                        .transfer = y->down, .generic = y->generic,
                        .generic_key = y->gkey, .local = dev ? y->local : NULL,
                        .local_samples = y->cfg.local_samples};
}

/* Real mode: eq. 18 with the twin's measured work at its ES (training,
 * fine-tuning, evaluation: the update and the task) in place of the
 * modelled T_ud + T_exec of an offloading PT; the placement charge, the air
 * times and a local task stay modelled. With taco.real.delay_source:
 * measured the slot's push of each delay queue is redone with these. */
static void taco__measured(void *self, const double *twin_s)
{
    taco *y = self;
    const scen_taco_dec *d = &y->last.d;
    for (int i = 0; i < y->I; i++) {
        const scen_taco_cost *c = &y->cost[i];
        y->work_s[i] = twin_s[i];
        y->t_meas[i] = d->z[i] ? y->T_tol[i] - c->t_ud - c->t_exec + twin_s[i]
                               : y->T_tol[i];
    }
    if (!y->cfg.delay_measured)
        return;
    for (int i = 0; i < y->I; i++) {                      /* eq. 21 */
        y->arrive[i] = y->t_meas[i] * y->cfg.model.delay_unit;
        sched_lyap_redo(y->queues, i, y->arrive[i]);
    }
}

const scen_ops scen__taco_ops = {
    .name = "taco",
    .summary = "two-timescale accuracy-aware placement and update of human "
               "digital twins (TACO)",
    .paper = "001_38e8dfa56ff79ffb.txt",
    .policies = scen__taco_policies,
    .default_policy = "taco",
    .check = taco__check,
    .create = taco__create,
    .destroy = taco__destroy,
    .info = taco__info_of,
    .reset = taco__reset,
    .observe = taco__observe,
    .agent_obs = taco__agent_obs,
    .step = taco__step,
    .row = taco__row,
    .effects = taco__effects,
    .measured = taco__measured,
    .describe = taco__describe,
    .save = taco__save,
    .load = taco__load,
};
