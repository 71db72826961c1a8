/*
 * toy.c - the test scenario `toy` (toy.h) behind scen.h. Agent 0, the
 * placer, acts at frame starts: U blocks of 2 choices, the server of each
 * twin; it sees both costs and where each twin is. Agent 1, the sharer,
 * acts every slot: one block of 3 choices, the share {0, 1/2, 1}; it sees a
 * constant (a bandit). Rewards per slot:
 *   placer  -(1/U) sum_u cost[server_u] - move_penalty (1/U) moved
 *   sharer  -|share - target|
 * In real mode the twins live on the placer's servers and train on the
 * share of last slot's data. Checkpoint state: the slot and the servers.
 */
#include "scen_int.h"
#include "toy.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOY_SHARES 3

typedef struct toy {
    scen_toy_setup cfg;
    scen_agent agent[2];
    scen_info info;
    int U, T, K, t;
    int *server;     /* (U) after the last step; -1 before the first */
    double *share;   /* (U) the last step's share, the same for every twin */
    scen_transfer *status; /* (U) each twin's status update of the slot */
    int moved;
    double reward[2];
} toy;

enum { TC_COST, TC_MOVES, TC_SHARE, TC_REWARD, TC_N };

static const scen_column toy_slot_cols[TC_N] = {
    {"cost", "%.6f"}, {"migrations", "%.0f"}, {"share", "%.2f"},
    {"reward", "%.6f"}};
static const scen_summary toy_slot_sums[] = {
    {"mean_cost", TC_COST, SCEN_SUM_MEAN},
    {"migrations", TC_MOVES, SCEN_SUM_TOTAL},
    {"mean_reward", TC_REWARD, SCEN_SUM_MEAN}};
static const scen_column toy_twin_cols[] = {{"server", "%.0f"},
                                            {"cost", "%.6f"}};
static const scen_column toy_real_cols[] = {{"predicted_cost", "%.6f"},
                                            {"predicted_reward", "%.6f"},
                                            {"status_bytes", "%.0f"}};
static const scen_summary toy_real_sums[] = {
    {"mean_predicted_reward", 1, SCEN_SUM_MEAN}};
static const scen_column toy_episode_cols[] = {
    {"reward", "%.6f"}, {"cost", "%.6f"}, {"migrations", "%.4f"}};
static const int toy_episode_from[] = {TC_REWARD, TC_COST, TC_MOVES};

static int toy__check(const scen_setup *s, const char **key, char *msg,
                      size_t cap)
{
    if (s->world.servers != 2) {
        *key = "servers.count";
        snprintf(msg, cap, "servers.count: %d, but scenario toy has exactly 2 "
                           "servers (toy.cost gives their costs)",
                 s->world.servers);
        return 1;
    }
    return 0;
}

static void toy__destroy(void *self)
{
    toy *y = self;
    if (y == NULL)
        return;
    free(y->server);
    free(y->share);
    free(y->status);
    free(y);
}

static void toy__tables(toy *y)
{
    scen_info *in = &y->info;
    in->table[SCEN_T_ANALYTIC_SLOT] = (scen_table){TC_N, toy_slot_cols, 3, toy_slot_sums};
    in->table[SCEN_T_ANALYTIC_TWIN] = (scen_table){2, toy_twin_cols, 0, NULL};
    in->table[SCEN_T_REAL_SLOT] = (scen_table){3, toy_real_cols, 1, toy_real_sums};
    in->table[SCEN_T_REAL_TWIN] = (scen_table){0, NULL, 0, NULL};
    in->nepisode = 3;
    in->episode = toy_episode_cols;
    in->episode_from = toy_episode_from;
}

static int toy__create(void **self, const scen_setup *s, dtfl_err *err)
{
    *self = NULL;
    toy *y = calloc(1, sizeof *y);
    if (y == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "scenario: out of memory");
    y->cfg = *(const scen_toy_setup *)s->params;
    y->U = s->world.users;
    y->T = s->slots;
    y->K = s->frame_slots;
    y->server = malloc(sizeof(int) * (size_t)y->U);
    y->share = calloc((size_t)y->U, sizeof(double));
    y->status = calloc((size_t)y->U, sizeof(scen_transfer));
    if (y->server == NULL || y->share == NULL || y->status == NULL) {
        toy__destroy(y);
        return dtfl_err_set(err, DTFL_ENOMEM, "scenario: out of memory");
    }
    for (int u = 0; u < y->U; u++)
        y->server[u] = -1;
    y->agent[0] = (scen_agent){"placer", SCEN_FRAME, 2 + 2 * y->U, y->U, 2, 0, 0, 0, 0};
    y->agent[1] = y->cfg.sharer_box
                      ? (scen_agent){"sharer", SCEN_SLOT, 1, 0, 0, 1, 0.0, 1.0, 0}
                      : (scen_agent){"sharer", SCEN_SLOT, 1, 1, TOY_SHARES, 0, 0, 0, 0};
    y->info = (scen_info){.agents = 2, .agent = y->agent, .frame_slots = y->K,
                          .slots = y->T, .users = y->U, .servers = 2};
    toy__tables(y);
    *self = y;
    return 0;
}

static const scen_info *toy__info(void *self) { return &((toy *)self)->info; }

static int toy__reset(void *self, int episode, dtfl_err *err)
{
    (void)episode;
    (void)err;
    toy *y = self;
    for (int u = 0; u < y->U; u++)
        y->server[u] = -1;
    y->t = 0;
    return 0;
}

static int toy__observe(void *self, scen_obs *o, dtfl_err *err)
{
    (void)err;
    toy *y = self;
    *o = (scen_obs){y->t, y->t % y->K == 0, y};
    return 0;
}

static void toy__agent_obs(void *self, int a, float *x)
{
    toy *y = self;
    if (a == 1) {
        x[0] = 1.0f;
        return;
    }
    double top = fmax(fabs(y->cfg.cost[0]), fabs(y->cfg.cost[1]));
    top = top > 0 ? top : 1.0;
    x[0] = (float)(y->cfg.cost[0] / top);
    x[1] = (float)(y->cfg.cost[1] / top);
    for (int u = 0; u < y->U; u++) {
        x[2 + 2 * u] = y->server[u] == 0 ? 1.0f : 0.0f;
        x[3 + 2 * u] = y->server[u] == 1 ? 1.0f : 0.0f;
    }
}

static double toy__cost(const toy *y)
{
    double c = 0.0;
    for (int u = 0; u < y->U; u++)
        c += y->cfg.cost[y->server[u]];
    return c / y->U;
}

static int toy__step(void *self, const scen_action *a, scen_result *r,
                     dtfl_err *err)
{
    (void)err;
    toy *y = self;
    y->moved = 0;
    for (int u = 0; u < y->U; u++) {
        y->moved += y->server[u] >= 0 && y->server[u] != a->discrete[u];
        y->server[u] = a->discrete[u];
    }
    double share = y->cfg.sharer_box ? a->box[0]
                                     : a->discrete[y->U] / (double)(TOY_SHARES - 1);
    for (int u = 0; u < y->U; u++)
        y->share[u] = share;
    y->reward[0] = -toy__cost(y) - y->cfg.move_penalty * y->moved / y->U;
    y->reward[1] = -fabs(share - y->cfg.target);
    r->reward = y->reward;
    r->done = y->t == y->T - 1;
    y->t++;
    return 0;
}

static void toy__row(void *self, scen_table_id t, int u, double *v)
{
    const toy *y = self;
    const double reward = y->reward[0] + y->reward[1];
    switch (t) {
    case SCEN_T_ANALYTIC_SLOT:
        v[TC_COST] = toy__cost(y);
        v[TC_MOVES] = y->moved;
        v[TC_SHARE] = y->share[0];
        v[TC_REWARD] = reward;
        return;
    case SCEN_T_ANALYTIC_TWIN:
        v[0] = y->server[u];
        v[1] = y->cfg.cost[y->server[u]];
        return;
    case SCEN_T_REAL_SLOT:
        v[0] = toy__cost(y);
        v[1] = reward;
        v[2] = (double)y->cfg.status_bytes * y->U;
        return;
    case SCEN_T_REAL_TWIN:
    case SCEN_T_COUNT:
        return;
    }
}

static void toy__effects(void *self, scen_effects *e)
{
    toy *y = self;
    for (int u = 0; u < y->U; u++) /* to the other server */
        y->status[u] = (scen_transfer){.from = y->server[u], .to = 1 - y->server[u],
                                       .bytes = y->cfg.status_bytes};
    *e = (scen_effects){.server = y->server, .share = y->share,
                        .ntransfers = y->cfg.status_bytes > 0 ? y->U : 0,
                        .transfer = y->status};
}

static int toy__describe(void *self, const char **key, const char **text,
                         double *num, int cap)
{
    toy *y = self;
    if (cap < 2)
        return 0;
    key[0] = "users", text[0] = NULL, num[0] = y->U;
    key[1] = "frame_slots", text[1] = NULL, num[1] = y->K;
    return 2;
}

/* State: u32 slot done, U u32 servers. */
static int toy__save(void *self, uint8_t *buf, size_t *len, dtfl_err *err)
{
    toy *y = self;
    size_t need = 4 + 4 * (size_t)y->U;
    if (buf != NULL) {
        if (*len < need)
            return dtfl_err_set(err, DTFL_ERANGE, "scenario state: buffer");
        dtfl_put_u32(buf, (uint32_t)y->t);
        for (int u = 0; u < y->U; u++)
            dtfl_put_u32(buf + 4 + 4 * u, (uint32_t)y->server[u]);
    }
    *len = need;
    return 0;
}

static int toy__load(void *self, const uint8_t *buf, size_t len, dtfl_err *err)
{
    toy *y = self;
    if (len != 4 + 4 * (size_t)y->U)
        return dtfl_err_set(err, DTFL_EDATA, "scenario state: %zu bytes", len);
    y->t = (int)dtfl_get_u32(buf);
    for (int u = 0; u < y->U; u++) {
        y->server[u] = (int)dtfl_get_u32(buf + 4 + 4 * u);
        if (y->server[u] < 0 || y->server[u] > 1)
            return dtfl_err_set(err, DTFL_EDATA, "scenario state: server %d",
                                y->server[u]);
    }
    if (y->t <= 0 || y->t > y->T)
        return dtfl_err_set(err, DTFL_EDATA, "scenario state: slot %d", y->t);
    return 0;
}

/* ---- policies ---- */

/* The optimum: every twin on the cheaper server, the share nearest the
 * target. */
static int cheapest__decide(void *self, const scen_obs *o, scen_action *a,
                            dtfl_err *err)
{
    (void)self;
    (void)err;
    const toy *y = o->raw;
    int best = y->cfg.cost[1] < y->cfg.cost[0];
    for (int u = 0; u < y->U; u++)
        a->discrete[u] = best;
    if (y->cfg.sharer_box)
        a->box[0] = y->cfg.target;
    else
        a->discrete[y->U] = (int)lround(y->cfg.target * (TOY_SHARES - 1));
    return 0;
}

/* Every twin moves to the other server at each frame start; share 1. */
static int swap__decide(void *self, const scen_obs *o, scen_action *a,
                        dtfl_err *err)
{
    (void)self;
    (void)err;
    const toy *y = o->raw;
    for (int u = 0; u < y->U; u++)
        a->discrete[u] = (o->slot / y->K + u) % 2;
    if (y->cfg.sharer_box)
        a->box[0] = 1.0;
    else
        a->discrete[y->U] = TOY_SHARES - 1;
    return 0;
}

static int stateless__create(void **self, const scen_policy_setup *p,
                             dtfl_err *err)
{
    (void)p;
    (void)err;
    *self = NULL; /* no state */
    return 0;
}

static void stateless__destroy(void *self) { (void)self; }

static const scen_policy_ops toy_cheapest = {
    "cheapest", "the optimum: every twin on the cheaper server, the target share",
    NULL, stateless__create, cheapest__decide, scen__stateless_save,
    scen__stateless_load, stateless__destroy, 0};
static const scen_policy_ops toy_swap = {
    "swap", "every twin to the other server each frame, share 1", NULL,
    stateless__create, swap__decide, scen__stateless_save, scen__stateless_load,
    stateless__destroy, 0};
static const scen_policy_ops toy_ppo = {
    "ppo", "PPO per agent", "ppo", NULL, NULL, NULL, NULL, NULL, 0};
static const scen_policy_ops toy_a2c = {
    "a2c", "A2C per agent", "a2c", NULL, NULL, NULL, NULL, NULL, 0};

static const scen_policy_ops *const toy_policies[] = {
    &toy_cheapest, &toy_swap, &toy_ppo, &toy_a2c, NULL};

const scen_ops scen__toy_ops = {
    .name = "toy",
    .summary = "test scenario: two servers, a placer per frame and a sharer "
               "per slot, known optimum",
    .paper = "none: it tests the interface",
    .policies = toy_policies,
    .default_policy = "cheapest",
    .check = toy__check,
    .create = toy__create,
    .destroy = toy__destroy,
    .info = toy__info,
    .reset = toy__reset,
    .observe = toy__observe,
    .agent_obs = toy__agent_obs,
    .step = toy__step,
    .row = toy__row,
    .effects = toy__effects,
    .describe = toy__describe,
    .save = toy__save,
    .load = toy__load,
};
