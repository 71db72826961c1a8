/*
 * eco_policies.c - the heuristic policies of the ecoedgetwin scenario (spec
 * 4), on the controller's view (scen_eco_obs): with the twins' estimates,
 * or, for the twinless benchmark, the nominal CPUs.
 *
 *   eco-greedy        per user: the nearest server; beta = 1 when the
 *                     view-estimated full offload beats the local run,
 *                     else 0; migrate and cache always
 *   eco-greedy-nodt   the same without the twin layer (the benchmark's
 *                     secondary reading, spec 4)
 *   eco-local         every task on its device
 *   eco-edge          nearest server, full offload, migrate, cache
 *   eco-random        uniform actions, keyed by (seed, user, slot)
 *
 * and the learners: eco-a2c (A2C with one mixed head over every user's
 * four decisions, on the twins' view) and eco-a2c-nodt (the benchmark:
 * the same learner without the twin layer).
 */
#include "eco_int.h"

#include <stdlib.h>

double scen_eco_offload_est(const scen_eco_obs *o, int u, int c)
{
    const scen_eco_model *m = o->model;
    const size_t at = (size_t)u * o->Kc + c;
    const double R = o->rate[at], D = o->D[u], out = m->out_frac * D / R;
    if (o->cached[at])
        return m->tau_r + out;
    const int hops = o->hops_host[at];
    const double bh = hops > 0 ? hops * m->tau_r + (D + m->q_bits) / m->r_bh : 0.0;
    return D / R + m->tau_r + bh + o->C[u] / o->f_srv_view[o->cand[at]] + out;
}

double scen_eco_local_est(const scen_eco_obs *o, int u)
{
    return o->C[u] / o->f_dev_view[u];
}

typedef enum { EP_GREEDY, EP_LOCAL, EP_EDGE, EP_RANDOM } eco_policy_kind;

typedef struct eco_policy {
    eco_policy_kind kind;
    uint64_t seed;
} eco_policy;

static int eco_policy__create(void **self, const scen_policy_setup *p,
                              eco_policy_kind kind, dtfl_err *err)
{
    eco_policy *e = calloc(1, sizeof *e);
    if (e == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "policy: out of memory");
    *e = (eco_policy){kind, p->setup->seed};
    *self = e;
    return 0;
}

static int eco_policy__decide(void *self, const scen_obs *so, scen_action *a,
                              dtfl_err *err)
{
    (void)err;
    const eco_policy *e = self;
    const scen_eco_obs *o = so->raw;
    scen_eco_dec d;
    scen_eco_unpack(o->U, a, &d);
    for (int u = 0; u < o->U; u++) {
        d.pick[u] = 0, d.cache[u] = d.migrate[u] = e->kind != EP_LOCAL;
        d.beta[u] = e->kind == EP_EDGE ? 1.0 : 0.0;
        if (e->kind == EP_GREEDY)
            d.beta[u] = scen_eco_offload_est(o, u, 0) < scen_eco_local_est(o, u);
        if (e->kind == EP_RANDOM) {
            dtfl_rng r;
            dtfl_rng_init(&r, e->seed, DTFL_STREAM_POLICY, (uint32_t)u, (uint32_t)so->slot);
            d.pick[u] = (int)dtfl_rng_below(&r, (uint32_t)o->Kc);
            d.cache[u] = (int)dtfl_rng_below(&r, 2);
            d.migrate[u] = (int)dtfl_rng_below(&r, 2);
            d.beta[u] = dtfl_rng_uniform(&r);
        }
    }
    return 0;
}

static void eco_policy__destroy(void *self) { free(self); }

#define ECO_POLICY(id, label, text, kind, flags)                               \
    static int id##__create(void **self, const scen_policy_setup *p,           \
                            dtfl_err *err)                                     \
    {                                                                          \
        return eco_policy__create(self, p, kind, err);                         \
    }                                                                          \
    static const scen_policy_ops id = {label, text, NULL, id##__create,        \
                                       eco_policy__decide, scen__stateless_save,   \
                                       scen__stateless_load, eco_policy__destroy,  \
                                       flags}

ECO_POLICY(eco_greedy, "eco-greedy", "nearest server; offload all when the "
           "twins' estimate says it is faster, else run locally; migrate and "
           "cache", EP_GREEDY, 0);
ECO_POLICY(eco_greedy_nodt, "eco-greedy-nodt", "eco-greedy without the twin "
           "layer: nominal CPUs, no twin energy (a benchmark)", EP_GREEDY, SCEN_POLICY_TWINLESS);
ECO_POLICY(eco_local, "eco-local", "every task on its device (no twins)",
           EP_LOCAL, SCEN_POLICY_TWINLESS);
ECO_POLICY(eco_edge, "eco-edge", "nearest server, full offload, migrate, "
           "cache (no twins)", EP_EDGE, SCEN_POLICY_TWINLESS);
ECO_POLICY(eco_random, "eco-random", "uniform actions (no twins)", EP_RANDOM, SCEN_POLICY_TWINLESS);

static const scen_policy_ops eco_a2c = {
    "eco-a2c", "EcoEdgeTwin: A2C over every user's server, share, cache and "
    "migration (one mixed head) on the twins' view", "a2c",
    NULL, NULL, NULL, NULL, NULL, SCEN_POLICY_JOINT};
static const scen_policy_ops eco_a2c_nodt = {
    "eco-a2c-nodt", "the benchmark: eco-a2c without the twin layer (nominal "
    "view, no twin energy)", "a2c", NULL, NULL, NULL, NULL, NULL,
    SCEN_POLICY_JOINT | SCEN_POLICY_TWINLESS};

const scen_policy_ops *const scen__eco_policies[] = {
    &eco_a2c, &eco_a2c_nodt, &eco_greedy, &eco_greedy_nodt, &eco_local, &eco_edge,
    &eco_random, NULL};
