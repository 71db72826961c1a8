/*
 * happo.c - the scenario `happo` (002_ca0ca53b36ca2425.txt, Beta-HAPPO)
 * behind scen.h: a slot's draws, the agents' decision mapped to powers,
 * compute and wired rates (M1), scored by the models of happo_model.c,
 * the queues and deployments moved on.
 *
 * Agents (spec 1; all act every slot): MU k (agent k) its transmit power,
 * BS m (agent K + m) a compute score and a wired score per MU, the control
 * centre (agent K + M) a server per DT, executed at frame starts only (the
 * other slots' choices are scored by the counterfactual r_c, eq. 26-27).
 * MUs and BSs are one team (stream 0, reward r_g of eq. 28), the control
 * centre its own (stream 1, r_c).
 *
 * A slot (spec A7): the world moves (Gauss-Markov), requests and fading are
 * drawn, each MU's BS is its nearest; at a frame start the control
 * centre's choice becomes the deployment beta(q) and a DT whose server
 * changes migrates for G_k slots (it cannot synchronise: eq. 12); the
 * transmitting MUs (a request, DT not migrating) share the uplink (eqs.
 * 7-8), each server's compute and each BS pair's wire are split by the
 * scores (M1); sync time (9), failures (12), energy (13), rewards (26-28)
 * with the frame-start queues Y_k[qT] (eq. 17), then the queues (15).
 *
 * The parallel interface has every agent decide on the slot's observation,
 * so at a frame start the BSs see the deployment before the control
 * centre's choice executes (the spec's order has them after it); their
 * scores are per MU and the mapping (M1) uses the new deployment.
 */
#include "happo_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    HC_RG, HC_RC, HC_ENERGY, HC_ENERGY_REQ, HC_REQ, HC_FAIL, HC_RATIO, HC_MIGFAIL,
    HC_MIGS, HC_RELAYED, HC_YMEAN, HC_YMAX, HC_P, HC_RATE, HC_TIME, HC_N
};

static const scen_column slot_cols[HC_N] = {
    {"reward", "%.6g"},       {"reward_cc", "%.6g"},   {"energy", "%.8g"},
    {"energy_per_request", "%.8g"}, {"requests", "%.0f"}, {"failures", "%.0f"},
    {"failure_ratio", "%.6g"}, {"migration_failures", "%.0f"},
    {"migrations", "%.0f"},   {"relayed", "%.0f"},     {"queue_mean", "%.6g"},
    {"queue_max", "%.6g"},    {"power_mean", "%.6g"},  {"rate_mean", "%.6g"},
    {"sync_time_mean", "%.6g"}};
static const scen_summary slot_sums[] = {
    {"mean_reward", HC_RG, SCEN_SUM_MEAN},
    {"mean_reward_cc", HC_RC, SCEN_SUM_MEAN},
    {"mean_energy", HC_ENERGY, SCEN_SUM_MEAN},
    {"requests", HC_REQ, SCEN_SUM_TOTAL},
    {"failures", HC_FAIL, SCEN_SUM_TOTAL},
    {"migrations", HC_MIGS, SCEN_SUM_TOTAL},
    {"mean_queue", HC_YMEAN, SCEN_SUM_MEAN}};
static const scen_column twin_cols[] = {
    {"bs", "%.0f"},       {"host", "%.0f"},     {"request", "%.0f"},
    {"migrating", "%.0f"}, {"power_w", "%.17g"}, {"sinr", "%.17g"},
    {"rate_bps", "%.17g"}, {"f_hz", "%.17g"},   {"w_bps", "%.17g"},
    {"sync_time", "%.17g"}, {"failure", "%.0f"}, {"energy", "%.17g"},
    {"queue", "%.17g"},   {"data_bits", "%.17g"}, {"cycles_per_bit", "%.17g"},
    {"deadline", "%.17g"}, {"cc_pick", "%.0f"}, {"cc_term", "%.17g"}};
static const scen_column real_cols[] = {
    {"predicted_energy", "%.8g"}, {"predicted_failures", "%.0f"},
    {"predicted_syncs", "%.0f"},  {"predicted_sync_bits", "%.17g"},
    {"predicted_migrations", "%.0f"}, {"predicted_relay_s", "%.17g"},
    {"predicted_migration_slots", "%.0f"}};
static const scen_summary real_sums[] = {
    {"mean_predicted_energy", 0, SCEN_SUM_MEAN},
    {"predicted_failures", 1, SCEN_SUM_TOTAL},
    {"predicted_syncs", 2, SCEN_SUM_TOTAL}};
static const scen_column real_twin_cols[] = {{"predicted_failure", "%.0f"},
                                             {"predicted_sync_bits", "%.17g"},
                                             {"predicted_stale", "%.0f"}};
static const scen_column episode_cols[] = {
    {"reward", "%.6g"}, {"reward_cc", "%.6g"}, {"energy", "%.8g"},
    {"failure_ratio", "%.6g"}, {"queue_mean", "%.6g"}, {"migrations", "%.6g"}};
static const int episode_from[] = {HC_RG, HC_RC, HC_ENERGY, HC_RATIO, HC_YMEAN,
                                   HC_MIGS};

#define N_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define HAPPO_MAX_MUS 1024

static const scen_table tables[SCEN_T_COUNT] = {
    [SCEN_T_ANALYTIC_SLOT] = {HC_N, slot_cols, N_OF(slot_sums), slot_sums},
    [SCEN_T_ANALYTIC_TWIN] = {N_OF(twin_cols), twin_cols, 0, NULL},
    [SCEN_T_REAL_SLOT] = {N_OF(real_cols), real_cols, N_OF(real_sums), real_sums},
    [SCEN_T_REAL_TWIN] = {N_OF(real_twin_cols), real_twin_cols, 0, NULL}};

static int happo__check(const scen_setup *s, const char **key, char *msg, size_t cap)
{
    const scen_happo_setup *c = s->params;
    const int T = s->frame_slots;
    if (s->slots % T != 0) {
        *key = "world.slots";
        snprintf(msg, cap, "world.slots: %d is not a whole number of frames of "
                           "world.frame_slots %d (the paper's Q T)", s->slots, T);
        return 1;
    }
    if (c->migration_slots >= T) {
        *key = "happo.migration_slots";
        snprintf(msg, cap, "happo.migration_slots: %d, but G_k < T = %d slots "
                           "(spec 1)", c->migration_slots, T);
        return 1;
    }
    if (s->world.users > HAPPO_MAX_MUS || s->world.servers > 64) {
        *key = "users.count";
        snprintf(msg, cap, "scenario happo: %d MUs and %d BSs; at most %d MUs "
                           "and 64 BSs", s->world.users, s->world.servers,
                 HAPPO_MAX_MUS);
        return 1;
    }
    return 0;
}

static void happo__destroy(void *self)
{
    happo *h = self;
    if (h == NULL)
        return;
    twin_world_destroy(h->world);
    free(h->agent);
    free(h->bx);
    free(h->req);
    free(h->sync);
    free(h);
}

static int happo__alloc(happo *h, dtfl_err *err)
{
    const size_t K = (size_t)h->K, M = (size_t)h->M, A = K + M + 1;
    h->agent = calloc(A, sizeof *h->agent);
    h->bx = calloc(2 * M + 17 * K + 4 * K * M + A + 1, sizeof(double));
    h->req = calloc(13 * K + 1, sizeof(int));
    h->sync = calloc(K + 1, sizeof *h->sync);
    if (h->agent == NULL || h->bx == NULL || h->req == NULL || h->sync == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "scenario: out of memory");
    double *p = h->bx + M;
    h->by = p, p += M;
    double **kd[] = {&h->ux, &h->uy, &h->D, &h->C, &h->tau, &h->Y, &h->Yf, &h->p,
                     &h->sinr, &h->rate, &h->f, &h->w, &h->time, &h->energy, &h->rc,
                     &h->zero};
    for (size_t i = 0; i < sizeof kd / sizeof kd[0]; i++, p += K)
        *kd[i] = p;
    h->dist = p, p += K * M;
    h->g = p, p += K * M;
    h->c = p, p += K * M;
    h->b = p, p += K * M;
    h->reward = p;
    int *q = h->req + K;
    int **ki[] = {&h->assoc, &h->host, &h->mig_left, &h->gk, &h->pick, &h->tx,
                  &h->X, &h->relay, &h->hosted_m, &h->relayed_m, &h->members, &h->last};
    for (size_t i = 0; i < sizeof ki / sizeof ki[0]; i++, q += K)
        *ki[i] = q;
    return 0;
}

static void happo__info(happo *h)
{
    const int K = h->K, M = h->M;
    for (int k = 0; k < K; k++)
        h->agent[k] = (scen_agent){"mu", SCEN_SLOT, happo__mu_dim(M), 0, 0, 1,
                                   0.0, h->cfg.p_max, 0};
    for (int m = 0; m < M; m++)
        h->agent[K + m] = (scen_agent){"bs", SCEN_SLOT, happo__bs_dim(K, M), 0, 0,
                                       2 * K, 0.0, 1.0, 0};
    h->agent[K + M] = (scen_agent){"cc", SCEN_SLOT, happo__cc_dim(K, M), K, M, 0,
                                   0.0, 0.0, 1};
    scen_info *in = &h->info;
    *in = (scen_info){.agents = K + M + 1, .agent = h->agent, .frame_slots = h->T,
                      .slots = h->slots, .users = K, .servers = M,
                      .state_dim = happo__state_dim(K, M),
                      .nepisode = N_OF(episode_cols), .episode = episode_cols,
                      .episode_from = episode_from};
    memcpy(in->table, tables, sizeof tables);
}

static int happo__create(void **self, const scen_setup *s, dtfl_err *err)
{
    *self = NULL;
    happo *h = calloc(1, sizeof *h);
    if (h == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "scenario: out of memory");
    h->setup = s;
    h->cfg = *(const scen_happo_setup *)s->params;
    h->K = s->world.users;
    h->M = s->world.servers;
    h->T = s->frame_slots;
    h->slots = s->slots;
    int rc = happo__alloc(h, err);
    if (rc < 0) {
        happo__destroy(h);
        return rc;
    }
    happo__info(h);
    *self = h;
    return 0;
}

static const scen_info *happo__info_of(void *self) { return &((happo *)self)->info; }

/* Requests (a, D, C, tau in this order) and the fading of slot t, keyed by
 * (episode seed, stream, entity, slot): the same whatever the policy. */
static void happo__draws(happo *h)
{
    const scen_happo_setup *c = &h->cfg;
    const double dt = h->setup->world.slot_seconds;
    for (int k = 0; k < h->K; k++) {
        dtfl_rng r;
        dtfl_rng_init(&r, h->useed, DTFL_STREAM_WORKLOAD, (uint32_t)k, (uint32_t)h->t);
        h->req[k] = dtfl_rng_uniform(&r) < c->lambda;
        h->D[k] = c->data_bits[0] + (c->data_bits[1] - c->data_bits[0]) * dtfl_rng_uniform(&r);
        h->C[k] = c->cycles[0] + (c->cycles[1] - c->cycles[0]) * dtfl_rng_uniform(&r);
        h->tau[k] = dt * (c->deadline[0] + (c->deadline[1] - c->deadline[0]) *
                                               dtfl_rng_uniform(&r));
        for (int m = 0; m < h->M; m++) {
            const size_t km = (size_t)k * h->M + m;
            dtfl_rng_init(&r, h->useed, DTFL_STREAM_CHANNEL, (uint32_t)km, (uint32_t)h->t);
            const double hr = dtfl_rng_normal(&r) * M_SQRT1_2, hi = dtfl_rng_normal(&r) * M_SQRT1_2;
            h->g[km] = scen_happo_gain(&c->model, h->dist[km], hr, hi); /* eq. 5 */
        }
    }
}

/* Positions, distances and the nearest BS of slot t. */
void happo__step_world(happo *h)
{
    if (h->t > 0)
        twin_world_step(h->world, h->t);
    for (int k = 0; k < h->K; k++) {
        twin_world_user_xy(h->world, k, &h->ux[k], &h->uy[k]);
        int best = 0;
        for (int m = 0; m < h->M; m++) {
            const size_t km = (size_t)k * h->M + m;
            h->dist[km] = hypot(h->ux[k] - h->bx[m], h->uy[k] - h->by[m]);
            best = h->dist[km] < h->dist[(size_t)k * h->M + best] ? m : best;
        }
        h->assoc[k] = best;
    }
}

static int happo__observe(void *self, scen_obs *so, dtfl_err *err)
{
    (void)err;
    happo *h = self;
    happo__step_world(h);
    happo__draws(h);
    const int start = h->t % h->T == 0;
    if (start) /* eq. 17: the frame's rewards weigh failures by Y_k[qT] */
        memcpy(h->Yf, h->Y, sizeof(double) * (size_t)h->K);
    h->obs = (scen_happo_obs){h->K, h->M, &h->cfg, h->ux, h->uy, h->bx, h->by,
                              h->req, h->D, h->C, h->tau, h->assoc, h->host, h->dist};
    *so = (scen_obs){h->t, start, &h->obs};
    return 0;
}

/* The members of a split: transmitting MUs whose DT is on server m (H_m),
 * or relayed from BS i to the DT's server j (L_ij); returns how many. */
static int happo__members(const happo *h, int relay_from, int m, int skip)
{
    int n = 0;
    for (int k = 0; k < h->K; k++)
        if (k != skip && h->tx[k] && h->host[k] == m &&
            (relay_from < 0 || (h->assoc[k] == relay_from && relay_from != m)))
            h->members[n++] = k;
    return n;
}

/* The control centre's choice at a frame start: the deployment beta(q);
 * a DT whose server changes migrates for G_k slots. */
static void happo__deploy(happo *h, const int *pick)
{
    h->migrations = h->mig_slots = 0;
    memcpy(h->pick, pick, sizeof(int) * (size_t)h->K);
    if (h->t % h->T != 0)
        return;
    for (int k = 0; k < h->K; k++)
        if (pick[k] != h->host[k]) {
            h->host[k] = pick[k];
            h->mig_left[k] = h->gk[k];
            h->migrations++;
            h->mig_slots += h->gk[k];
        }
}

/* Powers, the uplink (eqs. 7-8) and the splits (M1) of the slot. */
static void happo__resources(happo *h, const double *box)
{
    const int K = h->K, M = h->M;
    for (int k = 0; k < K; k++) {
        h->tx[k] = h->req[k] && h->mig_left[k] == 0; /* spec A4 */
        const double p = box[k];
        h->p[k] = p < 0.0 ? 0.0 : p > h->cfg.p_max ? h->cfg.p_max : p;
    }
    for (int m = 0; m < M; m++)
        for (int k = 0; k < K; k++) {
            h->c[(size_t)m * K + k] = box[K + (size_t)m * 2 * K + k];
            h->b[(size_t)m * K + k] = box[K + (size_t)m * 2 * K + K + k];
        }
    scen_happo_uplink(&h->cfg.model, K, M, h->g, h->p, h->assoc, h->tx, h->sinr, h->rate);
    for (int k = 0; k < K; k++) {
        const int j = h->host[k], i = h->assoc[k];
        h->relay[k] = i != j;
        h->f[k] = h->w[k] = 0.0;
        if (!h->tx[k])
            continue;
        int n = happo__members(h, -1, j, -1);
        h->f[k] = scen_happo_share(h->cfg.model.f_max, h->c[(size_t)j * K + k],
                                   h->c + (size_t)j * K, h->members, n);
        if (h->relay[k]) {
            n = happo__members(h, i, j, -1);
            h->w[k] = scen_happo_share(h->cfg.model.wired, h->b[(size_t)i * K + k],
                                       h->b + (size_t)i * K, h->members, n);
        }
    }
}

/* Eq. 27 with the counterfactual shares (A6): MU k's compute on the server
 * the control centre picked for it, from that BS's own scores, and its
 * wire from its BS to there; capped at cc_cap seconds. */
static double happo__cc_term(happo *h, int k)
{
    const int K = h->K, j = h->pick[k], i = h->assoc[k];
    const double *cj = h->c + (size_t)j * K, *bi = h->b + (size_t)i * K;
    double sum = cj[k];
    int n = happo__members(h, -1, j, k);
    for (int q = 0; q < n; q++)
        sum += cj[h->members[q]];
    double t = h->D[k] * h->C[k] / (sum > 0.0 ? h->cfg.model.f_max * cj[k] / sum : 0.0);
    if (i != j) {
        sum = bi[k];
        n = happo__members(h, i, j, k);
        for (int q = 0; q < n; q++)
            sum += bi[h->members[q]];
        t += h->D[k] / (sum > 0.0 ? h->cfg.model.wired * bi[k] / sum : 0.0);
    }
    return t < h->cfg.cc_cap ? t : h->cfg.cc_cap; /* also catches inf, nan */
}

/* Sync times, failures, energy and rewards (eqs. 9, 12, 13, 26-28), then
 * the queues (15). */
static void happo__score(happo *h)
{
    const scen_happo_model *m = &h->cfg.model;
    const int K = h->K;
    const double qkt = (double)K * h->slots;
    double xi_sum = 0.0, rc_sum = 0.0;
    h->requests = h->failures = h->mig_failures = h->nsync = 0;
    for (int k = 0; k < K; k++) {
        h->time[k] = h->energy[k] = h->rc[k] = 0.0;
        if (h->tx[k]) {
            h->time[k] = scen_happo_time(h->D[k], h->C[k], h->rate[k], h->relay[k],
                                         h->w[k], h->f[k]);
            h->energy[k] = h->p[k] > 0.0 ? scen_happo_energy(m, h->p[k], h->D[k],
                                                             h->rate[k], h->tau[k])
                                         : 0.0;
        }
        const int mig = h->mig_left[k] > 0;
        h->X[k] = scen_happo_failure(h->req[k], mig, h->time[k], h->tau[k]);
        h->requests += h->req[k], h->failures += h->X[k], h->mig_failures += h->X[k] && mig;
        if (h->req[k]) {
            h->rc[k] = happo__cc_term(h, k);
            if (h->cfg.cc_failures && mig) /* A18 */
                h->rc[k] += m->eta * h->Yf[k];
        }
        if (h->tx[k] && !h->X[k]) { /* a status update crosses to the DT */
            h->sync[h->nsync++] = (scen_transfer){
                .from = h->assoc[k], .to = h->host[k],
                .bytes = (int64_t)ceil(h->D[k] / 8.0), .status = 1, .twin = k,
                .value = {h->ux[k], h->uy[k], h->D[k], h->C[k]},
                .bytes_per_s = h->cfg.real_pacing && h->relay[k] ? h->w[k] / 8.0 : 0.0};
            h->last[k] = h->t;
        }
        xi_sum += scen_happo_xi(m, h->energy[k], h->Yf[k], h->X[k], qkt);
        rc_sum += h->rc[k];
        h->Y[k] = scen_happo_queue(m, h->Y[k], h->X[k]); /* eq. 15 */
        if (h->mig_left[k] > 0)
            h->mig_left[k]--;
    }
    h->r_g = m->reward_literal ? -m->nu * xi_sum : -m->nu * xi_sum / K; /* eq. 28 */
    h->r_c = -m->nu * rc_sum / K;                                       /* eq. 26 */
}

static int happo__step(void *self, const scen_action *a, scen_result *r, dtfl_err *err)
{
    happo *h = self;
    const int K = h->K, M = h->M;
    for (int k = 0; k < K; k++)
        if (a->discrete[k] < 0 || a->discrete[k] >= M)
            return dtfl_err_set(err, DTFL_EINTERNAL, "happo: DT %d to server %d",
                                k, a->discrete[k]);
    happo__deploy(h, a->discrete);
    happo__resources(h, a->box);
    happo__score(h);
    for (int i = 0; i < K + M; i++)
        h->reward[i] = h->r_g;
    h->reward[K + M] = h->r_c;
    r->reward = h->reward;
    r->done = h->t == h->slots - 1;
    h->t++;
    return 0;
}

static void happo__slot_row(const happo *h, double *v)
{
    const int K = h->K;
    double e = 0.0, ymax = 0.0, ysum = 0.0, p = 0.0, rate = 0.0, tm = 0.0;
    int relayed = 0, ntx = 0;
    for (int k = 0; k < K; k++) {
        e += h->energy[k], ysum += h->Y[k], ymax = h->Y[k] > ymax ? h->Y[k] : ymax;
        if (h->tx[k])
            ntx++, p += h->p[k], rate += h->rate[k], tm += h->time[k],
                relayed += h->relay[k];
    }
    v[HC_RG] = h->r_g, v[HC_RC] = h->r_c;
    v[HC_ENERGY] = e / K; /* eq. 14a: per MU per slot */
    v[HC_ENERGY_REQ] = h->requests ? e / h->requests : 0.0;
    v[HC_REQ] = h->requests, v[HC_FAIL] = h->failures;
    v[HC_RATIO] = h->requests ? (double)h->failures / h->requests : 0.0;
    v[HC_MIGFAIL] = h->mig_failures, v[HC_MIGS] = h->migrations;
    v[HC_RELAYED] = relayed, v[HC_YMEAN] = ysum / K, v[HC_YMAX] = ymax;
    v[HC_P] = ntx ? p / ntx : 0.0, v[HC_RATE] = ntx ? rate / ntx : 0.0;
    v[HC_TIME] = ntx ? tm / ntx : 0.0;
}

static void happo__row(void *self, scen_table_id t, int k, double *v)
{
    const happo *h = self;
    double s[HC_N];
    switch (t) {
    case SCEN_T_ANALYTIC_SLOT:
        happo__slot_row(h, v);
        return;
    case SCEN_T_ANALYTIC_TWIN: {
        const double row[] = {h->assoc[k], h->host[k], h->req[k], h->req[k] && !h->tx[k],
                              h->p[k], h->sinr[k], h->rate[k], h->f[k], h->w[k],
                              h->time[k], h->X[k], h->energy[k], h->Y[k], h->D[k],
                              h->C[k], h->tau[k], h->pick[k], h->rc[k]};
        memcpy(v, row, sizeof row);
        return;
    }
    case SCEN_T_REAL_SLOT: {
        happo__slot_row(h, s);
        double bits = 0.0, relay = 0.0;
        for (int i = 0; i < h->nsync; i++)
            bits += 8.0 * (double)h->sync[i].bytes;
        for (int u = 0; u < h->K; u++) /* the model's wired seconds, D_k / w_k */
            if (h->tx[u] && !h->X[u] && h->relay[u])
                relay += h->D[u] / h->w[u];
        v[0] = s[HC_ENERGY], v[1] = s[HC_FAIL], v[2] = h->nsync, v[3] = bits;
        v[4] = s[HC_MIGS], v[5] = relay, v[6] = h->mig_slots;
        return;
    }
    case SCEN_T_REAL_TWIN: { /* after the step: the slot scored is t - 1 */
        const int now = h->t - 1;
        v[0] = h->X[k], v[1] = h->tx[k] && !h->X[k] ? h->D[k] : 0.0;
        v[2] = h->last[k] >= 0 ? now - h->last[k] : now + 1;
        return;
    }
    case SCEN_T_COUNT:
        return;
    }
}

/* Real mode: each MU's DT is a twin on its server's rank (a deployment
 * change migrates it, checked); each successful synchronisation is a status
 * update of D_k bits from the serving BS to the DT's server, applied to the
 * twin's status section on arrival (the MU's position, D_k, C_k; a failure
 * sends nothing), so the twin's staleness is measured beside the model's.
 * Radio, energy and compute stay modelled. */
static void happo__effects(void *self, scen_effects *e)
{
    happo *h = self;
    *e = (scen_effects){.server = h->host, .share = h->zero,
                        .ntransfers = h->nsync, .transfer = h->sync,
                        .serve_only = 1};
}

const scen_ops scen__happo_ops = {
    .name = "happo",
    .summary = "two-timescale DT synchronisation and migration: MU powers, BS "
               "compute and wired rates, control-centre deployment (Beta-HAPPO)",
    .paper = "002_ca0ca53b36ca2425.txt",
    .policies = scen__happo_policies,
    .default_policy = "fullpower",
    .status = 1,
    .check = happo__check,
    .create = happo__create,
    .destroy = happo__destroy,
    .info = happo__info_of,
    .reset = happo__reset,
    .observe = happo__observe,
    .agent_obs = happo__agent_obs,
    .state = happo__state,
    .action_mask = happo__action_mask,
    .step = happo__step,
    .row = happo__row,
    .effects = happo__effects,
    .describe = happo__describe,
    .save = happo__save,
    .load = happo__load,
};
