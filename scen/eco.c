/*
 * eco.c - the scenario `ecoedgetwin` (004_f278a938a6f2a03d.txt) behind
 * scen.h: a slot's views, the decision resolved (cache hits, which server
 * processes each task, migrations and forwards, CPU shares), scored by the
 * models of eco_model.c, the hosts and caches updated.
 *
 * Agents (all act every slot, each sees the same vector, eco_state.c):
 * "server" (per user, an index among its K_c nearest servers), "cache" and
 * "migrate" (per user, 0 or 1) and "share" (per user, beta in [0, 1]).
 *
 * A slot (spec 1): the world moves; the draws (eco_world.c); the policy
 * decides from the view; for each user u with server i = its pick: a hit
 * when beta > 0 and i holds u's content (the whole task is served from the
 * cache); otherwise with beta > 0 the task's share goes to i, and runs at i
 * when u migrates (m = 1) or i hosts u's service (the service moves when i
 * is not the host: h = 1, eq. 4), else it is forwarded to the host over
 * the backhaul; the tasks processed at a server share its CPU equally;
 * then latency, energy, cost and QoE per user and the reward (eq. 13);
 * caches take the missed contents their users asked to cache (LRU).
 *
 * The twin layer: the controller's view of every CPU is its twin's
 * estimate and the twins cost dt_energy each per slot; a twinless policy
 * (the benchmark, scen_policy_ops.twinless) gets the nominal view and pays
 * nothing for twins. The world is the same for both (the estimates have
 * their own stream).
 */
#include "eco_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    EC_REWARD, EC_LAT, EC_LAT_EST, EC_GAP_L, EC_GAP_E, EC_G9, EC_ENERGY,
    EC_FRAC, EC_DT, EC_QOE, EC_QOE_MEAN, EC_OFF, EC_HITS, EC_MIGS, EC_FWDS,
    EC_LATE, EC_BETA, EC_N
};

static const scen_column slot_cols[EC_N] = {
    {"reward", "%.6g"},       {"latency", "%.6g"},      {"latency_est", "%.6g"},
    {"gap_local", "%.6g"},    {"gap_edge", "%.6g"},     {"g9", "%.6g"},
    {"energy", "%.8g"},       {"energy_fraction", "%.6g"}, {"energy_twins", "%.6g"},
    {"qoe", "%.6g"},          {"qoe_mean", "%.6g"},     {"offloaded", "%.0f"},
    {"hits", "%.0f"},         {"migrations", "%.0f"},   {"forwards", "%.0f"},
    {"late", "%.0f"},         {"beta_mean", "%.6g"}};
static const scen_summary slot_sums[] = {
    {"mean_reward", EC_REWARD, SCEN_SUM_MEAN},
    {"mean_latency", EC_LAT, SCEN_SUM_MEAN},
    {"mean_energy", EC_ENERGY, SCEN_SUM_MEAN},
    {"mean_energy_fraction", EC_FRAC, SCEN_SUM_MEAN},
    {"mean_qoe", EC_QOE, SCEN_SUM_MEAN},
    {"hits", EC_HITS, SCEN_SUM_TOTAL},
    {"migrations", EC_MIGS, SCEN_SUM_TOTAL},
    {"forwards", EC_FWDS, SCEN_SUM_TOTAL},
    {"late", EC_LATE, SCEN_SUM_TOTAL}};
static const scen_column twin_cols[] = {
    {"server", "%.0f"},   {"processed_at", "%.0f"}, {"host", "%.0f"},
    {"beta", "%.17g"},    {"cache", "%.0f"},        {"migrated", "%.0f"},
    {"hit", "%.0f"},      {"latency", "%.6g"},      {"latency_est", "%.6g"},
    {"energy", "%.6g"},   {"qoe", "%.6g"},          {"speed_kmh", "%.3f"},
    /* what the models took (experiments/ecoedgetwin/ref_env.py recomputes
     * the costs from them) */
    {"data_bits", "%.17g"}, {"cycles", "%.17g"},  {"rate_bps", "%.17g"},
    {"power_w", "%.17g"},   {"budget", "%.17g"},  {"f_dev", "%.17g"},
    {"f_dev_view", "%.17g"}, {"f_proc", "%.17g"}, {"f_proc_view", "%.17g"},
    {"n_proc", "%.0f"},     {"hops", "%.0f"},     {"cost_mig", "%.17g"}};
static const scen_column real_cols[] = {
    {"predicted_latency", "%.6g"}, {"predicted_energy", "%.8g"},
    {"predicted_qoe", "%.6g"},     {"predicted_reward", "%.6g"},
    {"predicted_migrations", "%.0f"}, {"predicted_forwards", "%.0f"},
    {"predicted_hits", "%.0f"}, {"predicted_compute", "%.6g"},
    /* measured: the twins' seconds of edge work (their tasks), and eq. 8
     * with the servers' busy time at those seconds */
    {"measured_compute", "%.6g"}, {"measured_energy", "%.8g"}};
static const scen_summary real_sums[] = {
    {"mean_predicted_latency", 0, SCEN_SUM_MEAN},
    {"mean_predicted_energy", 1, SCEN_SUM_MEAN},
    {"mean_predicted_qoe", 2, SCEN_SUM_MEAN},
    {"mean_measured_energy", 9, SCEN_SUM_MEAN}};
static const scen_column real_twin_cols[] = {{"predicted_latency", "%.6g"},
                                             {"predicted_qoe", "%.6g"}};
static const scen_column episode_cols[] = {
    {"reward", "%.6g"}, {"latency", "%.6g"}, {"energy_fraction", "%.6g"},
    {"qoe", "%.6g"}};
static const int episode_from[] = {EC_REWARD, EC_LAT, EC_FRAC, EC_QOE};

#define N_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const scen_table tables[SCEN_T_COUNT] = {
    [SCEN_T_ANALYTIC_SLOT] = {EC_N, slot_cols, N_OF(slot_sums), slot_sums},
    [SCEN_T_ANALYTIC_TWIN] = {N_OF(twin_cols), twin_cols, 0, NULL},
    [SCEN_T_REAL_SLOT] = {N_OF(real_cols), real_cols, N_OF(real_sums), real_sums},
    [SCEN_T_REAL_TWIN] = {N_OF(real_twin_cols), real_twin_cols, 0, NULL}};

void scen_eco_unpack(int U, const scen_action *a, scen_eco_dec *d)
{
    *d = (scen_eco_dec){a->discrete, a->discrete + U, a->discrete + 2 * U, a->box};
}

static int eco__check(const scen_setup *s, const char **key, char *msg, size_t cap)
{
    const scen_eco_setup *c = s->params;
    if (c->candidates > s->world.servers) {
        *key = "ecoedgetwin.candidates";
        snprintf(msg, cap, "ecoedgetwin.candidates: %d, more than the %d servers",
                 c->candidates, s->world.servers);
        return 1;
    }
    if (s->frame_slots != 1) {
        *key = "world.frame_slots";
        snprintf(msg, cap, "world.frame_slots: %d, but scenario ecoedgetwin "
                           "decides every slot; leave it 1", s->frame_slots);
        return 1;
    }
    return 0;
}

static void eco__destroy(void *self)
{
    eco *y = self;
    if (y == NULL)
        return;
    twin_world_destroy(y->world);
    scen_eco_cache_free(&y->cache);
    free(y->sx);
    free(y->cell_c);
    free(y->res);
    free(y->xfer);
    free(y);
}

static int eco__alloc(eco *y, dtfl_err *err)
{
    const size_t U = (size_t)y->U, S = (size_t)y->S, UK = U * (size_t)y->Kc, K = (size_t)y->K;
    y->sx = calloc(8 * S + 21 * U + 2 * UK + 3 * K + 1, sizeof(double));
    y->cell_c = calloc(3 * S + 12 * U + 3 * UK + 2 * S * K + 1, sizeof(int));
    y->res = calloc(U + 1, sizeof(scen_eco_user));
    y->xfer = calloc(2 * U + 1, sizeof(scen_transfer));
    if (y->sx == NULL || y->cell_c == NULL || y->res == NULL || y->xfer == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "scenario: out of memory");
    double *p = y->sx + S;
    double **sd[] = {&y->sy, &y->F_srv, &y->x_srv, &y->f_srv, &y->f_srv_est,
                     &y->f_srv_view, &y->n_last};
    for (size_t k = 0; k < sizeof sd / sizeof sd[0]; k++, p += S)
        *sd[k] = p;
    double **ud[] = {&y->F_dev, &y->x_dev, &y->f_dev, &y->f_dev_est, &y->f_dev_view,
                     &y->budget, &y->p, &y->D, &y->C, &y->px, &y->py, &y->qx,
                     &y->qy, &y->last_L, &y->last_mig, &y->beta, &y->zero};
    for (size_t k = 0; k < sizeof ud / sizeof ud[0]; k++, p += U)
        *ud[k] = p;
    y->dist = p, p += UK;
    y->rate = p, p += UK;
    y->k_bits = p, p += K;
    y->k_cpb = p, p += K;
    y->k_cdf = p;
    int *q = y->cell_c + S;
    y->cell_r = q, q += S;
    y->n_srv = q, q += S;
    int **ui[] = {&y->content, &y->host, &y->server, &y->proc, &y->hit, &y->moved,
                  &y->fwd, &y->pick, &y->put, &y->infer, &y->res_hops, &y->hit_from};
    for (size_t k = 0; k < sizeof ui / sizeof ui[0]; k++, q += U)
        *ui[k] = q;
    y->cand = q, q += UK;
    y->hops_host = q, q += UK;
    y->cached = q, q += UK;
    y->cache_pairs = q;
    return scen_eco_cache_init(&y->cache, y->S, y->K, y->cfg.cache_bits, err);
}

static void eco__info(eco *y)
{
    const int U = y->U, dim = eco__state_dim(U, y->S, y->Kc);
    y->agent[0] = (scen_agent){"server", SCEN_SLOT, dim, U, y->Kc, 0, 0, 0, 0};
    y->agent[1] = (scen_agent){"cache", SCEN_SLOT, dim, U, 2, 0, 0, 0, 0};
    y->agent[2] = (scen_agent){"migrate", SCEN_SLOT, dim, U, 2, 0, 0, 0, 0};
    y->agent[3] = (scen_agent){"share", SCEN_SLOT, dim, 0, 0, U, 0.0, 1.0, 0};
    scen_info *in = &y->info;
    *in = (scen_info){.agents = 4, .agent = y->agent, .frame_slots = 1,
                      .slots = y->T, .users = U, .servers = y->S,
                      .nepisode = N_OF(episode_cols), .episode = episode_cols,
                      .episode_from = episode_from, .tasks = 1};
    memcpy(in->table, tables, sizeof tables);
}

static int eco__create(void **self, const scen_setup *s, dtfl_err *err)
{
    *self = NULL;
    eco *y = calloc(1, sizeof *y);
    if (y == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "scenario: out of memory");
    y->setup = s;
    y->cfg = *(const scen_eco_setup *)s->params;
    y->U = s->world.users;
    y->S = s->world.servers;
    y->Kc = y->cfg.candidates;
    y->K = y->cfg.contents;
    y->T = s->slots;
    int rc = eco__alloc(y, err);
    if (rc < 0) {
        eco__destroy(y);
        return rc;
    }
    eco__info(y);
    *self = y;
    return 0;
}

static const scen_info *eco__info_of(void *self) { return &((eco *)self)->info; }

static int eco__observe(void *self, scen_obs *so, dtfl_err *err)
{
    (void)err;
    eco *y = self;
    for (int u = 0; u < y->U; u++) /* positions at t - 1 */
        twin_world_user_xy(y->world, u, &y->qx[u], &y->qy[u]);
    if (y->t > 0)
        twin_world_step(y->world, y->t);
    for (int u = 0; u < y->U; u++)
        twin_world_user_xy(y->world, u, &y->px[u], &y->py[u]);
    eco__slot_draws(y);
    y->obs = (scen_eco_obs){y->U, y->S, y->Kc, y->twinless, &y->cfg.model,
                            y->cand, y->rate, y->dist, y->hops_host, y->cached,
                            y->f_srv_view, y->f_dev_view, y->D, y->C, y->host};
    *so = (scen_obs){y->t, 1, &y->obs};
    return 0;
}

/* Pass 1: where each user's task goes. */
static void eco__resolve(eco *y, const scen_eco_dec *d)
{
    memset(y->n_srv, 0, sizeof(int) * (size_t)y->S);
    for (int u = 0; u < y->U; u++) {
        const size_t at = (size_t)u * y->Kc + d->pick[u];
        const int i = y->cand[at], edge = d->beta[u] > 0.0;
        y->pick[u] = d->pick[u];
        y->beta[u] = d->beta[u];
        y->server[u] = i;
        y->hit[u] = edge && y->cached[at];
        const int work = edge && !y->hit[u];
        y->moved[u] = work && d->migrate[u] && i != y->host[u];        /* eq. 4 */
        y->fwd[u] = work && !d->migrate[u] && i != y->host[u];
        y->proc[u] = !work ? -1 : y->fwd[u] ? y->host[u] : i;
        y->put[u] = work && d->cache[u];
        if (work)
            y->n_srv[y->proc[u]]++;
    }
}

/* Pass 2: each user's costs (eqs. 3, 7-11). */
static void eco__score(eco *y)
{
    const scen_eco_model *m = &y->cfg.model;
    for (int u = 0; u < y->U; u++) {
        const size_t at = (size_t)u * y->Kc + y->pick[u];
        const int p = y->proc[u] >= 0 ? y->proc[u] : y->server[u];
        const int hm = y->moved[u] ? eco__hops(y, y->host[u], y->server[u]) : 0;
        const int hf = y->fwd[u] ? eco__hops(y, y->server[u], y->host[u]) : 0;
        y->res_hops[u] = hm + hf;
        const scen_eco_task t = {
            y->D[u], y->C[u], y->beta[u], y->hit[u], hm, hf, y->moved[u],
            y->rate[at], y->p[u], y->budget[u], y->f_dev_view[u], y->f_dev[u],
            y->f_srv_view[p], y->f_srv[p], y->n_srv[p]};
        scen_eco_user_of(m, &t, &y->res[u]);
    }
}

/* Totals, reward (eq. 13), then hosts and caches move on. */
static void eco__settle(eco *y)
{
    const scen_eco_model *m = &y->cfg.model;
    y->sum_L = y->sum_Lest = y->sum_gapl = y->sum_gape = y->sum_g9 = 0.0;
    y->energy = y->e_local = y->sum_qoe = y->sum_beta = y->sum_cmp = 0.0;
    y->offloaded = y->hits = y->migrations = y->forwards = y->late = 0;
    for (int u = 0; u < y->U; u++) {
        const scen_eco_user *r = &y->res[u];
        y->sum_L += r->latency, y->sum_Lest += r->latency_est;
        y->sum_gapl += r->l_local - r->l_local_est, y->sum_gape += r->gap_edge;
        y->sum_g9 += r->g9, y->energy += r->energy, y->e_local += r->e_local;
        y->sum_qoe += r->qoe, y->sum_beta += y->beta[u], y->sum_cmp += r->compute;
        y->offloaded += y->beta[u] > 0.0, y->hits += y->hit[u];
        y->migrations += y->moved[u], y->forwards += y->fwd[u];
        y->late += r->latency > m->l_max;
        y->last_L[u] = r->latency, y->last_mig[u] = r->cost_mig;
    }
    y->e_dt = y->twinless ? 0.0 : y->U * m->dt_energy;
    y->energy += y->e_dt;
    y->reward_v = scen_eco_reward(m, y->U, y->sum_L, y->energy, y->e_local, y->sum_qoe);
    y->meas_cmp = 0.0, y->meas_energy = y->energy; /* until measured */
    for (int u = 0; u < y->U; u++) {
        if (y->hit[u])
            scen_eco_cache_touch(&y->cache, y->server[u], y->content[u]);
        else if (y->put[u]) /* eq. 5: LRU within Z_i */
            scen_eco_cache_put(&y->cache, y->server[u], y->content[u], y->D[u], y->k_bits);
        if (y->moved[u])
            y->host[u] = y->server[u];
    }
    for (int s = 0; s < y->S; s++)
        y->n_last[s] = (double)y->n_srv[s] / y->U;
}

static int eco__step(void *self, const scen_action *a, scen_result *r, dtfl_err *err)
{
    eco *y = self;
    scen_eco_dec d;
    scen_eco_unpack(y->U, a, &d);
    for (int u = 0; u < y->U; u++)
        if (d.pick[u] < 0 || d.pick[u] >= y->Kc || !(d.beta[u] >= 0.0 && d.beta[u] <= 1.0))
            return dtfl_err_set(err, DTFL_EINTERNAL, "ecoedgetwin: user %d picks "
                                "candidate %d with share %g", u, d.pick[u], d.beta[u]);
    eco__resolve(y, &d);
    eco__score(y);
    eco__settle(y);
    for (int k = 0; k < 4; k++)
        y->reward[k] = y->reward_v;
    r->reward = y->reward;
    r->done = y->t == y->T - 1;
    y->t++;
    return 0;
}

static void eco__slot_row(const eco *y, double *v)
{
    const double U = y->U;
    v[EC_REWARD] = y->reward_v;
    v[EC_LAT] = y->sum_L / U, v[EC_LAT_EST] = y->sum_Lest / U;
    v[EC_GAP_L] = y->sum_gapl / U, v[EC_GAP_E] = y->sum_gape / U, v[EC_G9] = y->sum_g9 / U;
    v[EC_ENERGY] = y->energy, v[EC_FRAC] = y->energy / y->e_local, v[EC_DT] = y->e_dt;
    v[EC_QOE] = y->sum_qoe, v[EC_QOE_MEAN] = y->sum_qoe / U;
    v[EC_OFF] = y->offloaded, v[EC_HITS] = y->hits, v[EC_MIGS] = y->migrations;
    v[EC_FWDS] = y->forwards, v[EC_LATE] = y->late, v[EC_BETA] = y->sum_beta / U;
}

static void eco__row(void *self, scen_table_id t, int u, double *v)
{
    const eco *y = self;
    double s[EC_N];
    switch (t) {
    case SCEN_T_ANALYTIC_SLOT:
        eco__slot_row(y, v);
        return;
    case SCEN_T_ANALYTIC_TWIN: {
        const scen_eco_user *r = &y->res[u];
        const double dt = y->setup->world.slot_seconds;
        v[0] = y->server[u], v[1] = y->proc[u], v[2] = y->host[u], v[3] = y->beta[u];
        v[4] = y->put[u], v[5] = y->moved[u], v[6] = y->hit[u], v[7] = r->latency;
        v[8] = r->latency_est, v[9] = r->energy, v[10] = r->qoe;
        v[11] = hypot(y->px[u] - y->qx[u], y->py[u] - y->qy[u]) / dt * 3.6;
        const int p = y->proc[u] >= 0 ? y->proc[u] : y->server[u];
        v[12] = y->D[u], v[13] = y->C[u];
        v[14] = y->rate[(size_t)u * y->Kc + y->pick[u]], v[15] = y->p[u];
        v[16] = y->budget[u], v[17] = y->f_dev[u], v[18] = y->f_dev_view[u];
        v[19] = y->f_srv[p], v[20] = y->f_srv_view[p], v[21] = y->n_srv[p];
        v[22] = y->res_hops[u], v[23] = r->cost_mig;
        return;
    }
    case SCEN_T_REAL_SLOT:
        eco__slot_row(y, s);
        v[0] = s[EC_LAT], v[1] = s[EC_ENERGY], v[2] = s[EC_QOE], v[3] = s[EC_REWARD];
        v[4] = s[EC_MIGS], v[5] = s[EC_FWDS], v[6] = s[EC_HITS];
        v[7] = y->sum_cmp; /* beside infer_s, the measured */
        v[8] = y->meas_cmp, v[9] = y->meas_energy;
        return;
    case SCEN_T_REAL_TWIN:
        v[0] = y->res[u].latency, v[1] = y->res[u].qoe;
        return;
    case SCEN_T_COUNT:
        return;
    }
}

/* Real mode: each user's service is a twin on its host's server; a
 * migration moves it; the share the edge processes (not a cache hit) is
 * beta D / sample_bits test images of the task's content, which the
 * service classifies where it lives; a forwarded share crosses from the
 * server picked to the host as those images (the driver sizes the bytes);
 * an outcome the user caches goes from where it ran to the server picked,
 * which keeps its bytes; a hit is served from them. The caches' contents
 * after the slot go with it. Nothing trains (the services serve). */
static void eco__effects(void *self, scen_effects *e)
{
    eco *y = self;
    int n = 0, nc = 0;
    for (int u = 0; u < y->U; u++) {
        const double bits = y->beta[u] * y->D[u];
        y->infer[u] = y->proc[u] >= 0 ? (int)ceil(bits / y->cfg.sample_bits) : 0;
        y->hit_from[u] = y->hit[u] ? y->server[u] : -1;
        if (y->fwd[u])
            y->xfer[n++] = (scen_transfer){.from = y->server[u], .to = y->proc[u],
                                            .task = 1, .twin = u};
    }
    for (int u = 0; u < y->U; u++)
        if (y->put[u])
            y->xfer[n++] = (scen_transfer){.from = y->proc[u], .to = y->server[u],
                                            .outcome = 1, .twin = u};
    for (int s = 0; s < y->S; s++)
        for (int k = 0; k < y->K; k++)
            if (scen_eco_cache_has(&y->cache, s, k))
                y->cache_pairs[2 * nc] = s, y->cache_pairs[2 * nc++ + 1] = k;
    *e = (scen_effects){.server = y->host, .share = y->zero, .ntransfers = n,
                        .transfer = y->xfer, .serve_only = 1, .infer = y->infer,
                        .infer_key = y->content, .hit_from = y->hit_from,
                        .ncached = nc, .cached = y->cache_pairs};
}

/* Real mode: the twins' measured seconds of edge work (the tasks they
 * classified) beside the modelled compute, and eq. 8 again with each
 * server's busy time, e_srv = P_srv lambda / f, at those seconds. */
static void eco__measured(void *self, const double *twin_s)
{
    eco *y = self;
    y->meas_cmp = 0.0;
    y->meas_energy = y->energy;
    for (int u = 0; u < y->U; u++)
        if (y->proc[u] >= 0) {
            y->meas_cmp += twin_s[u];
            y->meas_energy += y->cfg.model.e_srv * twin_s[u] - y->res[u].e_srv;
        }
}

static void eco__twinless(void *self, int on)
{
    eco *y = self;
    y->twinless = on;
    eco__views(y);
}

const scen_ops scen__eco_ops = {
    .name = "ecoedgetwin",
    .summary = "offloading, caching and service migration with digital twins "
               "of the CPUs against the twinless benchmark (EcoEdgeTwin)",
    .paper = "004_f278a938a6f2a03d.txt",
    .policies = scen__eco_policies,
    .default_policy = "eco-greedy",
    .check = eco__check,
    .create = eco__create,
    .destroy = eco__destroy,
    .info = eco__info_of,
    .reset = eco__reset,
    .observe = eco__observe,
    .agent_obs = eco__agent_obs,
    .step = eco__step,
    .row = eco__row,
    .effects = eco__effects,
    .measured = eco__measured,
    .caches = 1,
    .twinless = eco__twinless,
    .describe = eco__describe,
    .save = eco__save,
    .load = eco__load,
};
