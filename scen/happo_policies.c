/*
 * happo_policies.c - the policies of the happo scenario: the heuristic
 * references of spec 4, for scale in every figure, on the scenario's own
 * view (scen_happo_obs), and the multi-agent learners of sched/.
 *
 *   fullpower     every MU at P_max; each DT follows its MU (the control
 *                 centre picks the MU's nearest BS at every frame start);
 *                 compute scores D C / (D_max C_max) (compute in
 *                 proportion to the work), wired scores D / D_max
 *   pathloss-pc   the same with p = min(P_max, P_rx / (rho0 d^-phi)), the
 *                 power that reaches the BS at P_rx without fading
 *   random        uniform unit actions, a uniform server per DT, keyed by
 *                 (seed, agent, slot)
 *
 * and the learners (marl.c, sched/rl_happo.c, rl_maddpg.c): beta-happo,
 * gauss-happo, beta-mappo, maddpg.
 */
#include "happo_int.h"

#include <math.h>
#include <stdlib.h>

typedef enum { HP_FULL, HP_PATHLOSS, HP_RANDOM } happo_policy_kind;

typedef struct happo_policy {
    happo_policy_kind kind;
    uint64_t seed;
    double p_rx;             /* W at the BS (pathloss-pc) */
} happo_policy;

#define HP_RX_DBW (-85.0)

static int happo_policy__create(void **self, const scen_policy_setup *p,
                                happo_policy_kind kind, dtfl_err *err)
{
    happo_policy *e = calloc(1, sizeof *e);
    if (e == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "policy: out of memory");
    *e = (happo_policy){kind, p->setup->seed, pow(10.0, HP_RX_DBW / 10.0)};
    *self = e;
    return 0;
}

/* Power of MU k, by the policy's rule. */
static double hp__power(const happo_policy *e, const scen_happo_obs *o, int k)
{
    const scen_happo_setup *c = o->cfg;
    if (e->kind == HP_FULL)
        return c->p_max;
    double d = o->dist[(size_t)k * o->M + o->assoc[k]];
    d = d < 1.0 ? 1.0 : d;
    const double p = e->p_rx / (c->model.rho0 * pow(d, -c->model.phi));
    return p < c->p_max ? p : c->p_max;
}

static void hp__random(const happo_policy *e, const scen_obs *so, scen_action *a)
{
    const scen_happo_obs *o = so->raw;
    const int K = o->K, M = o->M;
    for (int i = 0; i < K + M + 1; i++) {
        dtfl_rng r;
        dtfl_rng_init(&r, e->seed, DTFL_STREAM_POLICY, (uint32_t)i, (uint32_t)so->slot);
        if (i < K)
            a->box[i] = o->cfg->p_max * dtfl_rng_uniform(&r);
        else if (i < K + M)
            for (int j = 0; j < 2 * K; j++)
                a->box[K + (size_t)(i - K) * 2 * K + j] = dtfl_rng_uniform(&r);
        else
            for (int k = 0; k < K; k++)
                a->discrete[k] = (int)dtfl_rng_below(&r, (uint32_t)M);
    }
}

static int happo_policy__decide(void *self, const scen_obs *so, scen_action *a,
                                dtfl_err *err)
{
    (void)err;
    const happo_policy *e = self;
    const scen_happo_obs *o = so->raw;
    const scen_happo_setup *c = o->cfg;
    const int K = o->K, M = o->M;
    if (e->kind == HP_RANDOM) {
        hp__random(e, so, a);
        return 0;
    }
    for (int k = 0; k < K; k++) {
        a->box[k] = hp__power(e, o, k);
        a->discrete[k] = o->assoc[k];
        const double cs = o->D[k] * o->C[k] / (c->data_bits[1] * c->cycles[1]);
        const double bs = o->D[k] / c->data_bits[1];
        for (int m = 0; m < M; m++) {
            a->box[K + (size_t)m * 2 * K + k] = cs;
            a->box[K + (size_t)m * 2 * K + K + k] = bs;
        }
    }
    return 0;
}

static void happo_policy__destroy(void *self) { free(self); }

#define HAPPO_POLICY(id, label, text, kind)                                    \
    static int id##__create(void **self, const scen_policy_setup *p,           \
                            dtfl_err *err)                                     \
    {                                                                          \
        return happo_policy__create(self, p, kind, err);                       \
    }                                                                          \
    static const scen_policy_ops id = {label, text, NULL, id##__create,        \
                                       happo_policy__decide,                   \
                                       scen__stateless_save, scen__stateless_load, \
                                       happo_policy__destroy, 0}

HAPPO_POLICY(hp_full, "fullpower", "every MU at full power; each DT follows its "
             "MU; compute in proportion to D C, wire to D", HP_FULL);
HAPPO_POLICY(hp_pathloss, "pathloss-pc", "fullpower with path-loss power control "
             "(-85 dBW at the BS without fading)", HP_PATHLOSS);
HAPPO_POLICY(hp_random, "random", "uniform actions", HP_RANDOM);

static const scen_policy_ops hp_beta_happo = {
    "beta-happo", "HAPPO with Beta heads: the agents update in turn, each "
    "weighted by the ratios of those before it (the paper's)", "happo",
    NULL, NULL, NULL, NULL, NULL, 0};
static const scen_policy_ops hp_gauss_happo = {
    "gauss-happo", "HAPPO with Gaussian heads clipped to the box (G-HAPPO)",
    "happo-gauss", NULL, NULL, NULL, NULL, NULL, 0};
static const scen_policy_ops hp_beta_mappo = {
    "beta-mappo", "MAPPO with Beta heads: every agent at once, actors shared "
    "by agent type (B-MAPPO)", "mappo", NULL, NULL, NULL, NULL, NULL, 0};

static const scen_policy_ops hp_maddpg = {
    "maddpg", "MADDPG: deterministic actors, centralised critics on the state "
    "and every agent's action, replay", "maddpg", NULL, NULL, NULL, NULL, NULL, 0};

const scen_policy_ops *const scen__happo_policies[] = {
    &hp_beta_happo, &hp_gauss_happo, &hp_beta_mappo, &hp_maddpg, &hp_full,
    &hp_pathloss, &hp_random, NULL};
