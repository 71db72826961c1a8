/*
 * diten_policies.c - the policies of the DITEN scenario: the two heuristics
 * below, and the learned ones (ppo, the paper's Algorithm 1; a2c, baseline
 * 1; ddpg, baseline 4), which are sched/'s learners on the state of
 * diten_state.c. The two association policies that need no learning:
 *   static   the association of the first slot (nearest server then) is kept
 *            for the whole run: twins never migrate;
 *   nearest  every twin goes to its user's nearest server that keeps the
 *            constraints C2 (computation) and C3 (synchronisation) of 003
 *            with the twins placed before it (baseline 2; users in id order;
 *            loads counted at gamma = 0, the least a server must carry; a
 *            user no server can take goes to its nearest).
 * The historical ratios come from the configured allocation (diten.c).
 * Checkpoint state: the kept association (static) or nothing.
 */
#include "diten.h"
#include "scen_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct fixed_state {
    scen_diten_params model;
    int nusers;     /* 0 until the first decision */
    int *first;     /* (nusers,) the association kept by `static` */
} fixed_state;

static int fixed__create(void **self, const scen_policy_setup *p,
                         dtfl_err *err)
{
    fixed_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "policy: out of memory");
    s->model = ((const scen_diten_setup *)p->setup->params)->model;
    *self = s;
    return 0;
}

static void fixed__destroy(void *self)
{
    fixed_state *s = self;
    if (s == NULL)
        return;
    free(s->first);
    free(s);
}

int scen_diten_nearest(const scen_diten_obs *o, int u)
{
    int best = 0;
    const double *row = o->dist + (size_t)u * o->servers;
    for (int s = 1; s < o->servers; s++)
        if (row[s] < row[best])
            best = s;
    return best;
}

static int nearest__decide(void *self, const scen_obs *so, scen_action *a,
                           dtfl_err *err)
{
    fixed_state *st = self;
    const scen_diten_obs *o = so->raw;
    int *assoc = a->discrete;
    const scen_diten_params *m = &st->model;
    const int S = o->servers;
    double *cmp = calloc(2 * (size_t)S, sizeof(double)), *syn = cmp + S;
    if (cmp == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "policy: out of memory");
    const double rate = scen_diten_rate(m);
    for (int u = 0; u < o->users; u++) {
        /* the first server in order of distance (ties by id) that keeps C2
         * and C3 is the one of least (distance, id) among those that do:
         * one pass, O(S), no sort */
        const double *dist = o->dist + (size_t)u * S;
        double data = o->n_new[u] * m->unit_per_sample;
        int nearest = 0, fit = -1;
        for (int s = 0; s < S; s++) {
            if (dist[s] < dist[nearest])
                nearest = s;
            if (fit >= 0 && !(dist[s] < dist[fit]))
                continue;
            double c = m->n_cmp * o->eps[s] * data * (m->E_s + m->E_us);
            double y = m->n_syn * data / rate * dist[s];
            if (cmp[s] + c <= o->q[s] && syn[s] + y <= o->p[s])
                fit = s;
        }
        int s = assoc[u] = fit >= 0 ? fit : nearest;
        cmp[s] += m->n_cmp * o->eps[s] * data * (m->E_s + m->E_us);
        syn[s] += m->n_syn * data / rate * dist[s];
    }
    free(cmp);
    return 0;
}

static int static__decide(void *self, const scen_obs *so, scen_action *a,
                          dtfl_err *err)
{
    fixed_state *s = self;
    const scen_diten_obs *o = so->raw;
    int *assoc = a->discrete;
    if (s->first == NULL) {
        s->first = malloc(sizeof(int) * (size_t)o->users);
        if (s->first == NULL)
            return dtfl_err_set(err, DTFL_ENOMEM, "policy: out of memory");
        s->nusers = o->users;
        for (int u = 0; u < o->users; u++)
            s->first[u] = scen_diten_nearest(o, u);
    }
    if (s->nusers != o->users)
        return dtfl_err_set(err, DTFL_EINTERNAL,
                            "static policy: %d users, first saw %d", o->users,
                            s->nusers);
    for (int u = 0; u < o->users; u++)
        assoc[u] = s->first[u];
    return 0;
}

/* State: u32 nusers, then nusers u32 servers. */
static int fixed__save(void *self, uint8_t *buf, size_t *len, dtfl_err *err)
{
    (void)err;
    fixed_state *s = self;
    size_t need = 4 + 4 * (size_t)s->nusers;
    if (buf != NULL) {
        if (*len < need)
            return dtfl_err_set(err, DTFL_ERANGE, "policy state: buffer");
        dtfl_put_u32(buf, (uint32_t)s->nusers);
        for (int u = 0; u < s->nusers; u++)
            dtfl_put_u32(buf + 4 + 4 * u, (uint32_t)s->first[u]);
    }
    *len = need;
    return 0;
}

static int fixed__load(void *self, const uint8_t *buf, size_t len,
                       dtfl_err *err)
{
    fixed_state *s = self;
    if (len < 4)
        return dtfl_err_set(err, DTFL_EDATA, "policy state: %zu bytes", len);
    uint32_t n = dtfl_get_u32(buf);
    if (n > (1u << 24) || len != 4 + 4 * (size_t)n)
        return dtfl_err_set(err, DTFL_EDATA,
                            "policy state: %zu bytes for %u users", len, n);
    free(s->first);
    s->first = NULL;
    s->nusers = (int)n;
    if (n == 0)
        return 0;
    s->first = malloc(sizeof(int) * n);
    if (s->first == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "policy: out of memory");
    for (uint32_t u = 0; u < n; u++)
        s->first[u] = (int)dtfl_get_u32(buf + 4 + 4 * u);
    return 0;
}

static const scen_policy_ops diten_static = {
    "static", "the first slot's nearest servers, kept (no migration)", NULL,
    fixed__create, static__decide, fixed__save, fixed__load, fixed__destroy, 0};

static const scen_policy_ops diten_nearest = {
    "nearest", "nearest server keeping C2 and C3, every slot (003, baseline 2)",
    NULL, fixed__create, nearest__decide, fixed__save, fixed__load,
    fixed__destroy, 0};

static const scen_policy_ops diten_ppo = {
    "ppo", "PPO-clip twin association (003, Algorithm 1)", "ppo",
    NULL, NULL, NULL, NULL, NULL, 0};

static const scen_policy_ops diten_a2c = {
    "a2c", "advantage actor-critic association (003, baseline 1)", "a2c",
    NULL, NULL, NULL, NULL, NULL, 0};

static const scen_policy_ops diten_ddpg = {
    "ddpg", "DDPG scores per user and server, best per user (003, baseline 4)",
    "ddpg", NULL, NULL, NULL, NULL, NULL, 0};

const scen_policy_ops *const scen__diten_policies[] = {
    &diten_static, &diten_nearest, &diten_ppo, &diten_a2c, &diten_ddpg, NULL};
