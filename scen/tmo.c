/*
 * tmo.c - the scenario `tmo` (000_d85991785682630a.txt) behind scen.h:
 * vehicles (PTs) among edge servers (ESs), each PT's DT on one ES, frames
 * of tau_k slots whose first slot uploads every PT's status, and the
 * energy-deficit queue of eq. 13.
 *
 * Agents (all act every slot): "placement" (the ES of every DT), "shares"
 * (u_i, f_i) and "period" (tau_k at a frame start, 0 inside a frame). A
 * frame starts at slot 0 and whenever the last one has run its tau slots
 * (the last frame is cut at T); its first slot carries every PT's status
 * to the cloud, PT -> ES -> fibre, at the cost of eq. 3, spread over the
 * frame in the queue (eq. 13).
 *
 * The order of a slot (spec 1): the world moves; the draws of the slot;
 * at a frame start the true status arrives; the policy decides from what
 * the controller knows (the last statuses, E|h|^2 = 1); the decision is
 * realised with the true positions and the drawn fading: migrations (eq.
 * 1), tasks over the air and on the ES (eqs. 4-7), the upload (eq. 3,
 * over the link chosen for this slot or last slot's: tmo.upload_link);
 * T^resp (eq. 10, the upload's latency once or every slot of the frame),
 * E^sts (eq. 8), then the queue (eq. 13) with the upload energy spread
 * over the frame.
 *
 * Draws, keyed by (user seed, entity, slot) so every policy sees the same
 * world: |h_im|^2 ~ Exp(1) (stream CHANNEL, entity i M + m), lambda_i and
 * J_i each slot (stream WORKLOAD), D_i once per PT, uniform on the
 * configured ranges. Velocities are the last slot's displacement (0 at
 * slot 0).
 *
 * Checkpoints and summaries: tmo_state.c.
 */
#include "tmo_int.h"
#include "scen_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    TC_TAU, TC_UPLOAD, TC_LAT, TC_ENERGY, TC_EDEC, TC_EXEC, TC_MIG_E, TC_UPL_E,
    TC_TRA, TC_EXE, TC_UPL_T, TC_Q, TC_MIGS, TC_N
};

static const scen_column slot_cols[TC_N] = {
    {"tau", "%.0f"},          {"upload", "%.0f"},
    {"latency", "%.6g"},      {"energy", "%.8g"},
    {"energy_decision", "%.6g"}, {"energy_exec", "%.8g"},
    {"energy_migration", "%.6g"}, {"energy_upload", "%.6g"},
    {"t_transmit", "%.6g"},   {"t_execute", "%.6g"},
    {"t_upload", "%.6g"},     {"queue", "%.8g"},
    {"migrations", "%.0f"}};
static const scen_summary slot_sums[] = {
    {"mean_latency", TC_LAT, SCEN_SUM_MEAN},
    {"mean_energy", TC_ENERGY, SCEN_SUM_MEAN},
    {"mean_energy_decision", TC_EDEC, SCEN_SUM_MEAN},
    {"mean_energy_migration", TC_MIG_E, SCEN_SUM_MEAN},
    {"mean_energy_upload", TC_UPL_E, SCEN_SUM_MEAN},
    {"mean_queue", TC_Q, SCEN_SUM_MEAN},
    {"mean_tau", TC_TAU, SCEN_SUM_MEAN},
    {"uploads", TC_UPLOAD, SCEN_SUM_TOTAL},
    {"migrations", TC_MIGS, SCEN_SUM_TOTAL}};
static const scen_column twin_cols[] = {
    {"server", "%.0f"},  {"u", "%.6f"},        {"f", "%.6f"},
    {"latency", "%.6g"}, {"energy", "%.8g"},   {"moved_m", "%.1f"},
    {"distance_m", "%.1f"}};
static const scen_column real_cols[] = {
    {"predicted_latency", "%.6g"}, {"predicted_energy", "%.8g"},
    {"predicted_energy_decision", "%.6g"}, {"queue", "%.8g"},
    {"tau", "%.0f"}, {"upload", "%.0f"},
    {"predicted_t_execute", "%.6g"}, {"predicted_t_upload", "%.6g"},
    {"predicted_energy_migration", "%.6g"}};
static const scen_summary real_sums[] = {
    {"mean_predicted_latency", 0, SCEN_SUM_MEAN},
    {"mean_predicted_energy", 1, SCEN_SUM_MEAN},
    {"mean_predicted_energy_decision", 2, SCEN_SUM_MEAN},
    {"uploads", 5, SCEN_SUM_TOTAL}};
static const scen_column real_twin_cols[] = {{"predicted_latency", "%.6g"}};
static const scen_column episode_cols[] = {
    {"latency", "%.6g"}, {"energy", "%.8g"}, {"energy_decision", "%.6g"},
    {"queue", "%.6g"}};
static const int episode_from[] = {TC_LAT, TC_ENERGY, TC_EDEC, TC_Q};

#define N_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const scen_table tables[SCEN_T_COUNT] = {
    [SCEN_T_ANALYTIC_SLOT] = {TC_N, slot_cols, N_OF(slot_sums), slot_sums},
    [SCEN_T_ANALYTIC_TWIN] = {N_OF(twin_cols), twin_cols, 0, NULL},
    [SCEN_T_REAL_SLOT] = {N_OF(real_cols), real_cols, N_OF(real_sums), real_sums},
    [SCEN_T_REAL_TWIN] = {N_OF(real_twin_cols), real_twin_cols, 0, NULL}};

double scen_tmo_budget(const scen_tmo_setup *c, int I)
{
    const scen_tmo_model *m = &c->model;
    double exec = m->rho * m->f_es * m->f_es * m->c_es * 0.5 * (c->lambda[0] + c->lambda[1]);
    return I * ((m->exec_energy ? exec : 0.0) + c->budget_pt);
}

scen_tmo_slot scen_tmo_slot_of(const scen_tmo_obs *o, const double *x,
                               const double *y, int tau, double *snr)
{
    const scen_tmo_model *md = &o->cfg->model;
    for (int i = 0; i < o->I; i++) /* P4 is in expectation: E|h|^2 = 1 */
        for (int m = 0; m < o->M; m++)
            snr[(size_t)i * o->M + m] =
                scen_tmo_snr(md, hypot(x[i] - o->es_x[m], y[i] - o->es_y[m]), 1.0);
    return (scen_tmo_slot){o->I, o->M, md, snr, o->lambda, o->J, o->D,
                           o->es_dist, o->prev, o->Q, tau, o->frame_start};
}

void scen_tmo_pack(int I, const scen_tmo_dec *d, scen_action *a)
{
    memcpy(a->discrete, d->access, sizeof(int) * (size_t)I);
    a->discrete[I] = d->tau;
    memcpy(a->box, d->u, sizeof(double) * (size_t)I);
    memcpy(a->box + I, d->f, sizeof(double) * (size_t)I);
}

void scen_tmo_unpack(int I, const scen_action *a, scen_tmo_dec *d)
{
    *d = (scen_tmo_dec){a->discrete, a->box, a->box + I, a->discrete[I]};
}

static int tmo__check(const scen_setup *s, const char **key, char *msg,
                      size_t cap)
{
    const scen_tmo_setup *c = s->params;
    if (s->frame_slots != 1) {
        *key = "world.frame_slots";
        snprintf(msg, cap, "world.frame_slots: %d, but scenario tmo chooses "
                           "its frames itself (tmo.tau_max); leave it 1",
                 s->frame_slots);
        return 1;
    }
    if (s->world.users > 4096 || s->world.servers > 256) {
        *key = "users.count";
        snprintf(msg, cap, "users.count %d, servers.count %d: scenario tmo "
                           "has at most 4096 PTs and 256 ESs",
                 s->world.users, s->world.servers);
        return 1;
    }
    if (c->engine.fto_tau > c->tau_max) {
        *key = "tmo.fto.tau";
        snprintf(msg, cap, "tmo.fto.tau: %d, above tmo.tau_max %d",
                 c->engine.fto_tau, c->tau_max);
        return 1;
    }
    return 0;
}

static void tmo__destroy(void *self)
{
    tmo *y = self;
    if (y == NULL)
        return;
    twin_world_destroy(y->world);
    sched_lyap_destroy(y->queue);
    free(y->es_x);
    free(y->truth);
    free(y->prev);
    free(y->cost);
    free(y->ups);
    free(y);
}

static int tmo__alloc(tmo *y)
{
    const size_t I = (size_t)y->I, M = (size_t)y->M;
    y->es_x = calloc(2 * M + M * M + 11 * I + I * M + 1, sizeof(double));
    y->truth = calloc(2 * I + 1, sizeof(scen_tmo_status));
    y->prev = calloc(5 * I + 1, sizeof(int));
    y->ups = calloc(I + 1, sizeof(scen_transfer));
    y->cost = calloc(I + 1, sizeof(scen_tmo_pt_cost));
    if (y->es_x == NULL || y->truth == NULL || y->prev == NULL || y->cost == NULL ||
        y->ups == NULL)
        return -1;
    double *p = y->es_x + M;
    y->es_y = p, p += M;
    y->es_dist = p, p += M * M;
    y->lam = p, p += I;
    y->J = p, p += I;
    y->D = p, p += I;
    y->px = p, p += I;
    y->py = p, p += I;
    y->u = p, p += I;
    y->f = p, p += I;
    y->uprev = p, p += I;
    y->moved = p, p += I;
    y->share = p, p += I; /* zeros */
    y->h2 = p;            /* (I x M) */
    y->status = y->truth + I;
    y->access = y->prev + I;
    y->status_slot = y->access + I;
    y->up_from = y->status_slot + I;
    y->infer = y->up_from + I;
    return 0;
}

static void tmo__info(tmo *y)
{
    const int I = y->I;
    y->agent[0] = (scen_agent){"placement", SCEN_SLOT, 1, I, y->M, 0, 0, 0, 0};
    y->agent[1] = (scen_agent){"shares", SCEN_SLOT, 1, 0, 0, 2 * I, 0.0, 1.0, 0};
    y->agent[2] = (scen_agent){"period", SCEN_SLOT, 1, 1, y->cfg.tau_max + 1, 0, 0, 0, 0};
    scen_info *in = &y->info;
    *in = (scen_info){.agents = 3, .agent = y->agent, .frame_slots = 1,
                      .slots = y->T, .users = I, .servers = y->M,
                      .nepisode = N_OF(episode_cols), .episode = episode_cols,
                      .episode_from = episode_from, .tasks = 1};
    memcpy(in->table, tables, sizeof tables);
}

static int tmo__create(void **self, const scen_setup *s, dtfl_err *err)
{
    *self = NULL;
    tmo *y = calloc(1, sizeof *y);
    if (y == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "scenario: out of memory");
    y->setup = s;
    y->cfg = *(const scen_tmo_setup *)s->params;
    y->I = s->world.users;
    y->M = s->world.servers;
    y->T = s->slots;
    if (tmo__alloc(y) < 0) {
        tmo__destroy(y);
        return dtfl_err_set(err, DTFL_ENOMEM, "scenario: out of memory");
    }
    double budget = scen_tmo_budget(&y->cfg, y->I);
    int rc = sched_lyap_create(&y->queue, 1, &budget, err);
    if (rc < 0) {
        tmo__destroy(y);
        return rc;
    }
    tmo__info(y);
    *self = y;
    return 0;
}

static const scen_info *tmo__info_of(void *self) { return &((tmo *)self)->info; }

/* The ESs (fixed by the config's seed) and each PT's D_i: its model's
 * weights and the world's twin bits of the PT (users.twin_bits), the twin a
 * real run creates and migrates. */
static void tmo__layout(tmo *y)
{
    const int M = y->M;
    for (int m = 0; m < M; m++)
        twin_world_server_xy(y->world, m, &y->es_x[m], &y->es_y[m]);
    const twin_distance kind = y->cfg.es_manhattan ? TWIN_DIST_MANHATTAN
                                                   : TWIN_DIST_EUCLIDEAN;
    for (int m = 0; m < M; m++)
        for (int k = 0; k < M; k++)
            y->es_dist[m * M + k] = twin_dist(kind, y->es_x[m], y->es_y[m],
                                              y->es_x[k], y->es_y[k]);
    for (int i = 0; i < y->I; i++) /* the DT's model and its blob */
        y->D[i] = y->cfg.weight_bits + twin_world_user_twin_bits(y->world, i);
}

static void tmo__clear(tmo *y)
{
    const size_t I = (size_t)y->I;
    for (size_t i = 0; i < I; i++)
        y->prev[i] = y->access[i] = y->up_from[i] = y->status_slot[i] = -1;
    memset(y->status, 0, sizeof(scen_tmo_status) * I);
    memset(y->uprev, 0, sizeof(double) * I);
    y->t = y->t0 = y->t_next = y->tau = y->frames = 0;
    y->lts = y->upl_time = 0.0;
    memset(&y->last, 0, sizeof y->last);
    sched_lyap_reset(y->queue, &y->cfg.q0);
}

int tmo__reset(void *self, int episode, dtfl_err *err)
{
    tmo *y = self;
    int rc = scen__world(y->setup, episode, &y->world, &y->useed, err);
    tmo__clear(y);
    if (rc == 0)
        tmo__layout(y);
    return rc;
}

/* The slot's draws and the true status of every PT. */
static void tmo__draw(tmo *y)
{
    const int I = y->I, M = y->M, t = y->t;
    const double dt = y->setup->world.slot_seconds;
    for (int i = 0; i < I; i++) {
        scen_tmo_status *s = &y->truth[i];
        twin_world_user_xy(y->world, i, &s->x, &s->y);
        s->vx = t > 0 ? (s->x - y->px[i]) / dt : 0.0;
        s->vy = t > 0 ? (s->y - y->py[i]) / dt : 0.0;
        for (int m = 0; m < M; m++) {
            dtfl_rng r;
            dtfl_rng_init(&r, y->useed, DTFL_STREAM_CHANNEL, (uint32_t)(i * M + m),
                          (uint32_t)t);
            y->h2[(size_t)i * M + m] = -log1p(-dtfl_rng_uniform(&r)); /* Exp(1) */
        }
        dtfl_rng r;
        dtfl_rng_init(&r, y->useed, DTFL_STREAM_WORKLOAD, (uint32_t)i, (uint32_t)t);
        y->lam[i] = dtfl_rng_range(&r, y->cfg.lambda[0], y->cfg.lambda[1]);
        y->J[i] = dtfl_rng_range(&r, y->cfg.J[0], y->cfg.J[1]);
    }
}

static int tmo__observe(void *self, scen_obs *so, dtfl_err *err)
{
    (void)err;
    tmo *y = self;
    for (int i = 0; i < y->I; i++) /* positions at t - 1 */
        twin_world_user_xy(y->world, i, &y->px[i], &y->py[i]);
    if (y->t > 0)
        twin_world_step(y->world, y->t);
    tmo__draw(y);
    const int start = y->t == y->t_next;
    if (start) /* every PT's status reaches the cloud */
        for (int i = 0; i < y->I; i++)
            y->status[i] = y->truth[i], y->status_slot[i] = y->t;
    const twin_world_params *wp = &y->setup->world;
    y->obs = (scen_tmo_obs){y->t, y->T, y->I, y->M, &y->cfg, start,
                            start ? 0 : y->tau, y->t - y->t0, y->status,
                            y->status_slot, y->truth, y->es_x, y->es_y,
                            y->es_dist, y->lam, y->J, y->D, y->prev,
                            sched_lyap_values(y->queue)[0], wp->width,
                            wp->height, wp->slot_seconds, y->last};
    *so = (scen_obs){y->t, start, &y->obs};
    return 0;
}

static void tmo__agent_obs(void *self, int a, float *x)
{
    (void)a;
    const tmo *y = self;
    x[0] = (float)(y->obs.Q / scen_tmo_budget(&y->cfg, y->I));
}

/* A decision the models can score: every DT on an ES, shares within each
 * ES, tau at frame starts only. */
static int tmo__valid(const tmo *y, const scen_tmo_dec *d, dtfl_err *err)
{
    const int I = y->I, M = y->M;
    const int start = y->obs.frame_start;
    if (start ? d->tau < 1 || d->tau > y->cfg.tau_max : d->tau != 0)
        return dtfl_err_set(err, DTFL_EINTERNAL, "tmo: slot %d %s a frame, "
                                                 "period %d", y->t,
                            start ? "starts" : "is inside", d->tau);
    double su[M], sf[M];
    memset(su, 0, sizeof su);
    memset(sf, 0, sizeof sf);
    for (int i = 0; i < I; i++) {
        if (d->access[i] < 0 || d->access[i] >= M || !(d->u[i] > 0.0) || !(d->f[i] > 0.0))
            return dtfl_err_set(err, DTFL_EINTERNAL, "tmo: PT %d on ES %d with "
                                                     "band %g, CPU %g", i,
                                d->access[i], d->u[i], d->f[i]);
        su[d->access[i]] += d->u[i];
        sf[d->access[i]] += d->f[i];
    }
    for (int m = 0; m < M; m++)
        if (su[m] > 1.0 + TMO_SHARE_TOL || sf[m] > 1.0 + TMO_SHARE_TOL)
            return dtfl_err_set(err, DTFL_EINTERNAL, "tmo: ES %d shares band "
                                                     "%.12g, CPU %.12g (eqs. "
                                                     "11b-c: at most 1)",
                                m, su[m], sf[m]);
    return 0;
}

/* PT i's true SNR at ES m in this slot. */
static double tmo__snr(const tmo *y, int i, int m)
{
    const scen_tmo_status *s = &y->truth[i];
    const double d = hypot(s->x - y->es_x[m], s->y - y->es_y[m]);
    return scen_tmo_snr(&y->cfg.model, d, y->h2[(size_t)i * y->M + m]);
}

/* A frame starts: the statuses go up (eq. 3), over this slot's link or
 * last slot's (tmo.upload_link). */
static void tmo__upload(tmo *y, const scen_tmo_dec *d)
{
    y->tau = d->tau;
    y->t0 = y->t;
    y->t_next = y->t + d->tau < y->T ? y->t + d->tau : y->T;
    y->frames++;
    y->lts = y->upl_time = 0.0;
    for (int i = 0; i < y->I; i++) {
        const int old = y->cfg.upload_prev_link && y->prev[i] >= 0;
        const int m = old ? y->prev[i] : d->access[i];
        y->up_from[i] = m;
        scen_tmo_pt_cost c;
        scen_tmo_pt(&y->cfg.model, tmo__snr(y, i, m), 0.0, y->J[i], 0.0, 0.0, 1,
                    old ? y->uprev[i] : d->u[i], 1.0, &c);
        y->cost[i].t_upl = c.t_upl;
        y->cost[i].e_upl = c.e_upl;
        y->lts += c.e_upl;
        y->upl_time += c.t_upl;
    }
}

static int tmo__step(void *self, const scen_action *a, scen_result *r,
                     dtfl_err *err)
{
    tmo *y = self;
    const scen_tmo_model *md = &y->cfg.model;
    scen_tmo_dec d;
    scen_tmo_unpack(y->I, a, &d);
    int rc = tmo__valid(y, &d, err);
    if (rc < 0)
        return rc;
    y->uploaded = y->obs.frame_start;
    if (y->uploaded)
        tmo__upload(y, &d);
    y->resp = y->sts = y->exec = y->mig = y->tra = 0.0;
    y->migrations = 0;
    for (int i = 0; i < y->I; i++) {
        const int m = d.access[i], p = y->prev[i];
        y->moved[i] = p >= 0 && p != m ? y->es_dist[(size_t)p * y->M + m] : 0.0;
        scen_tmo_pt_cost *c = &y->cost[i], up = *c;
        scen_tmo_pt(md, tmo__snr(y, i, m), y->lam[i], 0.0, y->D[i], y->moved[i],
                    0, d.u[i], d.f[i], c);
        c->t_upl = y->uploaded ? up.t_upl : 0.0, c->e_upl = y->uploaded ? up.e_upl : 0.0;
        y->resp += c->t_tra + c->t_exe;                           /* eq. 10 */
        y->sts += c->e_exe + c->e_mig + c->e_tra;                 /* eq. 8 */
        y->exec += c->e_exe;
        y->mig += c->e_mig;
        y->tra += c->e_tra;
        y->migrations += y->moved[i] > 0.0;
    }
    if (y->uploaded || y->cfg.upload_every_slot)
        y->resp += y->upl_time;
    const double spread = y->lts / (y->t_next - y->t0);      /* eq. 13 */
    y->arrival = y->sts - (md->exec_energy ? 0.0 : y->exec) + spread;
    y->q_before = sched_lyap_values(y->queue)[0];
    sched_lyap_push(y->queue, &y->arrival);
    y->last = (scen_tmo_realised){1, y->resp, y->sts, y->exec, spread, y->q_before};
    for (int i = 0; i < y->I; i++) {
        y->uprev[i] = d.u[i];
        y->u[i] = d.u[i], y->f[i] = d.f[i];
        y->access[i] = y->prev[i] = d.access[i];
    }
    const double penalty = md->V * y->resp + y->q_before * y->arrival; /* P4 */
    for (int k = 0; k < 3; k++)
        y->reward[k] = -penalty / (md->V * y->I);
    r->reward = y->reward;
    r->done = y->t == y->T - 1;
    y->t++;
    return 0;
}

static void tmo__slot_row(const tmo *y, double *v)
{
    const int I = y->I;
    double tra = 0.0, exe = 0.0;
    for (int i = 0; i < I; i++)
        tra += y->cost[i].t_tra, exe += y->cost[i].t_exe;
    const double upl = y->uploaded ? y->lts : 0.0;
    v[TC_TAU] = y->tau;
    v[TC_UPLOAD] = y->uploaded;
    v[TC_LAT] = y->resp / I;                 /* per task (Fig. 6) */
    v[TC_ENERGY] = (y->sts + upl) / I;       /* per PT (Fig. 6) */
    v[TC_EDEC] = (y->sts - y->exec + upl) / I;
    v[TC_EXEC] = y->exec / I;
    v[TC_MIG_E] = y->mig / I;
    v[TC_UPL_E] = upl / I;
    v[TC_TRA] = tra / I;
    v[TC_EXE] = exe / I;
    v[TC_UPL_T] = y->uploaded ? y->upl_time / I : 0.0;
    v[TC_Q] = sched_lyap_values(y->queue)[0];
    v[TC_MIGS] = y->migrations;
}

static void tmo__row(void *self, scen_table_id t, int u, double *v)
{
    const tmo *y = self;
    double s[TC_N];
    const scen_tmo_pt_cost *c = &y->cost[u < 0 ? 0 : u];
    switch (t) {
    case SCEN_T_ANALYTIC_SLOT:
        tmo__slot_row(y, v);
        return;
    case SCEN_T_ANALYTIC_TWIN: {
        const int m = y->access[u];
        v[0] = m, v[1] = y->u[u], v[2] = y->f[u];
        v[3] = c->t_tra + c->t_exe;
        v[4] = c->e_tra + c->e_exe + c->e_mig + c->e_upl;
        v[5] = y->moved[u];
        v[6] = hypot(y->truth[u].x - y->es_x[m], y->truth[u].y - y->es_y[m]);
        return;
    }
    case SCEN_T_REAL_SLOT:
        tmo__slot_row(y, s);
        v[0] = s[TC_LAT], v[1] = s[TC_ENERGY], v[2] = s[TC_EDEC], v[3] = s[TC_Q];
        v[4] = s[TC_TAU], v[5] = s[TC_UPLOAD];
        v[6] = s[TC_EXE], v[7] = s[TC_UPL_T], v[8] = s[TC_MIG_E];
        return;
    case SCEN_T_REAL_TWIN:
        v[0] = c->t_tra + c->t_exe;
        return;
    case SCEN_T_COUNT:
        return;
    }
}

/* Real mode: the DTs move, each uploads its status to the cloud at a frame
 * start (J_i bits from the ES that carried it), and classifies its task's
 * images; nothing trains (DTs serve, no data shares). */
static void tmo__effects(void *self, scen_effects *e)
{
    tmo *y = self;
    int n = 0;
    for (int i = 0; y->uploaded && i < y->I; i++) {
        y->ups[n++] = (scen_transfer){.from = y->up_from[i], .to = SCEN_CLOUD,
                                      .bytes = (int64_t)ceil(y->J[i] / 8.0)};
    }
    for (int i = 0; i < y->I; i++)
        y->infer[i] = y->cfg.real_tasks ? (int)ceil(y->lam[i] / y->cfg.sample_bits) : 0;
    *e = (scen_effects){.server = y->access, .share = y->share, .ntransfers = n,
                        .transfer = y->ups, .serve_only = 1, .infer = y->infer};
}

const scen_ops scen__tmo_ops = {
    .name = "tmo",
    .summary = "two-timescale prediction-enhanced migration of vehicles' "
               "digital twins with adaptive status updates (TMO)",
    .paper = "000_d85991785682630a.txt",
    .policies = scen__tmo_policies,
    .default_policy = "tmo",
    .check = tmo__check,
    .create = tmo__create,
    .destroy = tmo__destroy,
    .info = tmo__info_of,
    .reset = tmo__reset,
    .observe = tmo__observe,
    .agent_obs = tmo__agent_obs,
    .step = tmo__step,
    .row = tmo__row,
    .effects = tmo__effects,
    .describe = tmo__describe,
    .save = tmo__save,
    .load = tmo__load,
};
