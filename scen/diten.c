/*
 * diten.c - the scenario `diten` (003_8fb9af7836691d5d.txt) behind scen.h:
 * one agent, the association, which each slot puts every user's twin on a
 * server (U blocks of S choices); the historical ratios gamma follow from
 * the configured allocation (eq. 26 solved globally, fixed, random or
 * full); the decision is scored by the models of diten_model.c and the
 * reward is eq. 25. One timescale: world.frame_slots must be 1.
 *
 * World: the config's servers and users (twin/), a fresh set of users per
 * episode keyed by (seed, episode); episode -1 has the run's own users. In
 * real mode the driver moves each twin to its server and trains it on the
 * gamma share of last slot's data; the predicted utility, cost, objective
 * and reward stand beside the measured accuracy.
 *
 * Checkpoint state: the slot, the association and the count of random
 * allocations made (which keys the next ones).
 */
#include "diten.h"
#include "scen_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct diten {
    const scen_setup *setup;
    scen_diten_setup cfg;
    scen_diten_scale scale;
    scen_agent agent;
    scen_info info;
    twin_world *world;
    int U, S, T, t;
    /* the observation's storage */
    double *user_xy, *server_xy, *p, *q, *eps, *dist, *sdist, *phi, *bits;
    int *n_new, *n_prev;
    scen_diten_obs obs;
    int *assoc;       /* (U) twins' servers after the last step; -1 before */
    double *gamma;    /* (U) the last step's ratios */
    double *scratch;  /* (3S) for scen_diten_evaluate */
    scen_diten_eval ev;
    int moved;        /* migrations of the last step */
    uint32_t nrandom; /* random allocations made: keys the next */
    double reward[1];
} diten;

/* ---- the tables (scen.h): formats are those dtfl has always written ---- */

enum { DC_MIG, DC_UTIL, DC_COST, DC_NORM, DC_OBJ, DC_REW, DC_VIOL, DC_N };

static const scen_column analytic_slot_cols[DC_N] = {
    {"migrations", "%.0f"},          {"predicted_utility", "%.6f"},
    {"predicted_cost", "%.6g"},      {"predicted_cost_norm", "%.6f"},
    {"predicted_objective", "%.6f"}, {"predicted_reward", "%.6f"},
    {"violations", "%.0f"}};
static const scen_summary analytic_slot_sums[] = {
    {"mean_predicted_utility", DC_UTIL, SCEN_SUM_MEAN},
    {"mean_predicted_cost", DC_COST, SCEN_SUM_MEAN},
    {"mean_predicted_objective", DC_OBJ, SCEN_SUM_MEAN},
    {"mean_predicted_reward", DC_REW, SCEN_SUM_MEAN},
    {"violations", DC_VIOL, SCEN_SUM_TOTAL},
    {"migrations", DC_MIG, SCEN_SUM_TOTAL}};
static const scen_column analytic_twin_cols[] = {
    {"server", "%.0f"}, {"new_samples", "%.0f"}, {"prev_samples", "%.0f"},
    {"gamma", "%.6f"},  {"predicted_utility", "%.6f"}};
static const scen_column real_slot_cols[] = {
    {"predicted_utility", "%.6f"}, {"predicted_cost", "%.6g"},
    {"predicted_objective", "%.6f"}, {"predicted_reward", "%.6f"},
    {"violations", "%.0f"}};
static const scen_summary real_slot_sums[] = {
    {"mean_predicted_utility", 0, SCEN_SUM_MEAN},
    {"mean_predicted_cost", 1, SCEN_SUM_MEAN},
    {"mean_predicted_objective", 2, SCEN_SUM_MEAN},
    {"mean_predicted_reward", 3, SCEN_SUM_MEAN},
    {"violations", 4, SCEN_SUM_TOTAL}};
static const scen_column real_twin_cols[] = {{"predicted_utility", "%.6f"}};
static const scen_column episode_cols[] = {
    {"reward", "%.6f"}, {"objective", "%.6f"}, {"utility", "%.6f"},
    {"cost", "%.4f"},   {"cost_norm", "%.6f"}, {"violations", "%.4f"},
    {"migrations", "%.4f"}};
static const int episode_from[] = {DC_REW, DC_OBJ, DC_UTIL, DC_COST,
                                   DC_NORM, DC_VIOL, DC_MIG};

#define N_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))

static int diten__check(const scen_setup *s, const char **key, char *msg,
                        size_t cap)
{
    if (s->frame_slots != 1) {
        *key = "world.frame_slots";
        snprintf(msg, cap, "world.frame_slots: %d, but scenario diten decides "
                           "every slot (003 has one timescale); it must be 1",
                 s->frame_slots);
        return 1;
    }
    return 0;
}

static void diten__destroy(void *self)
{
    diten *d = self;
    if (d == NULL)
        return;
    twin_world_destroy(d->world);
    free(d->user_xy);
    free(d->n_new);
    free(d);
}

/* One slab of doubles and one of ints for the observation and decision. */
static int diten__alloc(diten *d)
{
    const size_t U = (size_t)d->U, S = (size_t)d->S;
    size_t nd = 2 * U + 2 * S + 3 * S + U * S + S * S + 2 * U + U + 3 * S;
    d->user_xy = calloc(nd, sizeof(double));
    d->n_new = calloc(3 * U, sizeof(int));
    if (d->user_xy == NULL || d->n_new == NULL)
        return -1;
    d->server_xy = d->user_xy + 2 * U;
    d->p = d->server_xy + 2 * S;
    d->q = d->p + S;
    d->eps = d->q + S;
    d->dist = d->eps + S;
    d->sdist = d->dist + U * S;
    d->phi = d->sdist + S * S;
    d->bits = d->phi + U;
    d->gamma = d->bits + U;
    d->scratch = d->gamma + U;
    d->n_prev = d->n_new + U;
    d->assoc = d->n_prev + U;
    return 0;
}

static void diten__info(diten *d)
{
    d->agent = (scen_agent){"association", SCEN_SLOT,
                            scen_diten_state_dim(d->U, d->S), d->U, d->S, 0, 0, 0, 0};
    scen_info *in = &d->info;
    in->agents = 1;
    in->agent = &d->agent;
    in->frame_slots = 1;
    in->slots = d->T;
    in->users = d->U;
    in->servers = d->S;
    in->table[SCEN_T_ANALYTIC_SLOT] = (scen_table){DC_N, analytic_slot_cols,
                                                   N_OF(analytic_slot_sums), analytic_slot_sums};
    in->table[SCEN_T_ANALYTIC_TWIN] = (scen_table){N_OF(analytic_twin_cols),
                                                   analytic_twin_cols, 0, NULL};
    in->table[SCEN_T_REAL_SLOT] = (scen_table){N_OF(real_slot_cols), real_slot_cols,
                                               N_OF(real_slot_sums), real_slot_sums};
    in->table[SCEN_T_REAL_TWIN] = (scen_table){N_OF(real_twin_cols), real_twin_cols,
                                               0, NULL};
    in->nepisode = N_OF(episode_cols);
    in->episode = episode_cols;
    in->episode_from = episode_from;
}

static int diten__create(void **self, const scen_setup *s, dtfl_err *err)
{
    *self = NULL;
    diten *d = calloc(1, sizeof *d);
    if (d == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "scenario: out of memory");
    d->setup = s;
    d->cfg = *(const scen_diten_setup *)s->params;
    d->U = s->world.users;
    d->S = s->world.servers;
    d->T = s->slots;
    d->scale = (scen_diten_scale){s->world.width, s->world.height,
                                  (double)s->world.samples[1],
                                  s->world.twin_bits[1] > 0 ? s->world.twin_bits[1] : 1.0};
    if (diten__alloc(d) < 0) {
        diten__destroy(d);
        return dtfl_err_set(err, DTFL_ENOMEM, "scenario: out of memory");
    }
    diten__info(d);
    for (int u = 0; u < d->U; u++)
        d->assoc[u] = -1;
    *self = d;
    return 0;
}

static const scen_info *diten__info_of(void *self) { return &((diten *)self)->info; }

static int diten__reset(void *self, int episode, dtfl_err *err)
{
    diten *d = self;
    int rc = scen__world(d->setup, episode, &d->world, NULL, err);
    for (int u = 0; u < d->U; u++)
        d->assoc[u] = -1;
    d->t = 0;
    return rc;
}

/* The status information g_{s,u} of slot t (Sec. III of 003). */
static int diten__observe(void *self, scen_obs *so, dtfl_err *err)
{
    (void)err;
    diten *d = self;
    const int U = d->U, S = d->S, t = d->t;
    const twin_world *w = d->world;
    if (t > 0)
        twin_world_step(d->world, t);
    for (int u = 0; u < U; u++) {
        twin_world_user_xy(w, u, &d->user_xy[2 * u], &d->user_xy[2 * u + 1]);
        d->phi[u] = twin_world_user_phi(w, u);
        d->bits[u] = twin_world_user_twin_bits(w, u);
        d->n_new[u] = twin_world_new_samples(w, u, t);
        d->n_prev[u] = t > 0 ? twin_world_new_samples(w, u, t - 1) : 0;
        for (int k = 0; k < S; k++)
            d->dist[(size_t)u * S + k] = twin_world_user_server_dist(w, u, k);
    }
    for (int k = 0; k < S; k++) {
        twin_world_server_xy(w, k, &d->server_xy[2 * k], &d->server_xy[2 * k + 1]);
        d->p[k] = twin_world_server_p(w, k);
        d->q[k] = twin_world_server_q(w, k);
        d->eps[k] = twin_world_server_eps(w, k);
        for (int j = 0; j < S; j++)
            d->sdist[(size_t)k * S + j] = twin_world_server_dist(w, k, j);
    }
    d->obs = (scen_diten_obs){t, U, S, d->user_xy, d->server_xy, d->p, d->q,
                              d->eps, d->dist, d->sdist, d->phi, d->bits,
                              d->n_new, d->n_prev, d->assoc};
    *so = (scen_obs){t, 1, &d->obs};
    return 0;
}

static void diten__agent_obs(void *self, int a, float *x)
{
    (void)a;
    diten *d = self;
    scen_diten_state(&d->scale, &d->obs, x);
}

void scen_diten_allocate(const scen_diten_setup *cfg, uint64_t seed,
                         uint32_t count, const scen_diten_obs *o,
                         const int *assoc, double *gamma)
{
    switch (cfg->allocation) {
    case SCEN_DITEN_ALLOC_OPTIMAL:
        scen_diten_gamma_optimal(&cfg->model, o, assoc, gamma);
        return;
    case SCEN_DITEN_ALLOC_RANDOM:
        /* keyed by (seed, user, allocation count): the same in every run */
        for (int u = 0; u < o->users; u++) {
            dtfl_rng r;
            dtfl_rng_init(&r, seed, DTFL_STREAM_POLICY, 0x40000000u + (uint32_t)u,
                          count);
            gamma[u] = dtfl_rng_uniform(&r);
        }
        return;
    case SCEN_DITEN_ALLOC_FULL:
        for (int u = 0; u < o->users; u++)
            gamma[u] = 1.0;
        return;
    case SCEN_DITEN_ALLOC_FIXED:
        for (int u = 0; u < o->users; u++)
            gamma[u] = cfg->gamma;
        return;
    }
}

static int diten__step(void *self, const scen_action *a, scen_result *r,
                       dtfl_err *err)
{
    diten *d = self;
    const int *next = a->discrete;
    scen_diten_allocate(&d->cfg, d->setup->seed, d->nrandom, &d->obs, next,
                        d->gamma);
    d->nrandom += d->cfg.allocation == SCEN_DITEN_ALLOC_RANDOM;
    for (int u = 0; u < d->U; u++)
        if (!(d->gamma[u] >= 0.0 && d->gamma[u] <= 1.0))
            return dtfl_err_set(err, DTFL_EINTERNAL,
                                "allocation gave user %d gamma %g", u,
                                d->gamma[u]);
    scen_diten_evaluate(&d->cfg.model, &d->obs, next, d->gamma, d->scratch,
                        &d->ev);
    d->moved = 0;
    for (int u = 0; u < d->U; u++)
        d->moved += d->assoc[u] >= 0 && d->assoc[u] != next[u];
    memcpy(d->assoc, next, sizeof(int) * (size_t)d->U);
    d->reward[0] = d->ev.reward;
    r->reward = d->reward;
    r->done = d->t == d->T - 1;
    d->t++;
    return 0;
}

static double diten__rho(const diten *d, int u)
{
    return scen_diten_utility(&d->cfg.model,
                              d->n_new[u] + d->gamma[u] * d->n_prev[u], d->phi[u]);
}

static void diten__row(void *self, scen_table_id t, int u, double *v)
{
    const diten *d = self;
    const scen_diten_eval *e = &d->ev;
    switch (t) {
    case SCEN_T_ANALYTIC_SLOT:
        v[DC_MIG] = d->moved;
        v[DC_UTIL] = e->utility;
        v[DC_COST] = e->cost;
        v[DC_NORM] = e->cost_norm;
        v[DC_OBJ] = e->objective;
        v[DC_REW] = e->reward;
        v[DC_VIOL] = e->violations;
        return;
    case SCEN_T_ANALYTIC_TWIN:
        v[0] = d->assoc[u];
        v[1] = d->n_new[u];
        v[2] = d->n_prev[u];
        v[3] = d->gamma[u];
        v[4] = diten__rho(d, u);
        return;
    case SCEN_T_REAL_SLOT:
        v[0] = e->utility;
        v[1] = e->cost;
        v[2] = e->objective;
        v[3] = e->reward;
        v[4] = e->violations;
        return;
    case SCEN_T_REAL_TWIN:
        v[0] = diten__rho(d, u);
        return;
    case SCEN_T_COUNT:
        return;
    }
}

static void diten__effects(void *self, scen_effects *e)
{
    diten *d = self;
    *e = (scen_effects){.server = d->assoc, .share = d->gamma}; /* syncs are samples */
}

static int diten__describe(void *self, const char **key, const char **text,
                           double *num, int cap)
{
    static const char *alloc[4] = {"fixed", "optimal", "random", "full"};
    diten *d = self;
    if (cap < 4)
        return 0;
    key[0] = "allocation", text[0] = alloc[d->cfg.allocation];
    key[1] = "users", text[1] = NULL, num[1] = d->U;
    key[2] = "servers", text[2] = NULL, num[2] = d->S;
    key[3] = "phi", text[3] = NULL, num[3] = d->setup->world.phi;
    return 4;
}

/* State: u32 slot done, u32 random allocations, U u32 servers. */
static int diten__save(void *self, uint8_t *buf, size_t *len, dtfl_err *err)
{
    diten *d = self;
    size_t need = 8 + 4 * (size_t)d->U;
    if (buf != NULL) {
        if (*len < need)
            return dtfl_err_set(err, DTFL_ERANGE, "scenario state: buffer");
        dtfl_put_u32(buf, (uint32_t)d->t);
        dtfl_put_u32(buf + 4, d->nrandom);
        for (int u = 0; u < d->U; u++)
            dtfl_put_u32(buf + 8 + 4 * u, (uint32_t)d->assoc[u]);
    }
    *len = need;
    return 0;
}

static int diten__load(void *self, const uint8_t *buf, size_t len,
                       dtfl_err *err)
{
    diten *d = self;
    if (len != 8 + 4 * (size_t)d->U)
        return dtfl_err_set(err, DTFL_EDATA, "scenario state: %zu bytes for "
                                             "%d users", len, d->U);
    uint32_t t = dtfl_get_u32(buf);
    if (t == 0 || t > (uint32_t)d->T)
        return dtfl_err_set(err, DTFL_EDATA, "scenario state: slot %u of %d",
                            t, d->T);
    int rc = diten__reset(d, -1, err);
    for (uint32_t k = 1; rc == 0 && k < t; k++) /* the world at slot t - 1 */
        twin_world_step(d->world, (int)k);
    for (int u = 0; rc == 0 && u < d->U; u++) {
        d->assoc[u] = (int)dtfl_get_u32(buf + 8 + 4 * u);
        if (d->assoc[u] < 0 || d->assoc[u] >= d->S)
            rc = dtfl_err_set(err, DTFL_EDATA, "scenario state: user %d on "
                                               "server %d", u, d->assoc[u]);
    }
    d->t = (int)t;
    d->nrandom = dtfl_get_u32(buf + 4);
    return rc;
}

const scen_ops scen__diten_ops = {
    .name = "diten",
    .summary = "twin association and historical-data ratios for FL over "
               "migrating twins (DITEN)",
    .paper = "003_8fb9af7836691d5d.txt",
    .policies = scen__diten_policies,
    .default_policy = "nearest",
    .check = diten__check,
    .create = diten__create,
    .destroy = diten__destroy,
    .info = diten__info_of,
    .reset = diten__reset,
    .observe = diten__observe,
    .agent_obs = diten__agent_obs,
    .step = diten__step,
    .row = diten__row,
    .effects = diten__effects,
    .describe = diten__describe,
    .save = diten__save,
    .load = diten__load,
};
