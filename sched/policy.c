/*
 * policy.c - the registry of scheduling policies and the dispatch through
 * their ops. Adding a policy means writing its ops (one file) and one line
 * in the table below.
 */
#include "sched.h"

#include <stdlib.h>
#include <string.h>

extern const sched_ops sched__static_ops;
extern const sched_ops sched__nearest_ops;
extern const sched_ops sched__ppo_ops;
extern const sched_ops sched__a2c_ops;
extern const sched_ops sched__ddpg_ops;

static const sched_ops *const registry[] = {
    &sched__static_ops, &sched__nearest_ops, &sched__ppo_ops,
    &sched__a2c_ops,    &sched__ddpg_ops,
};

struct sched_policy {
    const sched_ops *ops;
    void *self;
    sched_params p;
    int training;
    int nrandom;        /* decisions made: keys random allocations */
};

int sched_count(void) { return (int)(sizeof registry / sizeof registry[0]); }
const sched_ops *sched_at(int i) { return registry[i]; }

const sched_ops *sched_find(const char *name)
{
    for (int i = 0; i < sched_count(); i++)
        if (strcmp(registry[i]->name, name) == 0)
            return registry[i];
    return NULL;
}

int sched_policy_create(sched_policy **out, const sched_params *p,
                        dtfl_err *err)
{
    *out = NULL;
    const sched_ops *ops = sched_find(p->policy);
    if (ops == NULL)
        return dtfl_err_set(err, DTFL_ECONFIG, "no scheduling policy named "
                                               "'%s'",
                            p->policy);
    sched_policy *pol = calloc(1, sizeof *pol);
    if (pol == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "policy: out of memory");
    pol->ops = ops;
    pol->p = *p;
    pol->p.policy = ops->name; /* the caller's string need not outlive us */
    int rc = ops->create(&pol->self, p, err);
    if (rc < 0) {
        free(pol);
        return rc;
    }
    *out = pol;
    return 0;
}

void sched_policy_destroy(sched_policy *pol)
{
    if (pol == NULL)
        return;
    pol->ops->destroy(pol->self);
    free(pol);
}

const char *sched_policy_name(const sched_policy *pol) { return pol->ops->name; }

/* The ratios of the configured allocation, once the association is set. */
static void policy__allocate(sched_policy *pol, const sched_obs *o,
                             sched_decision *d)
{
    switch (pol->p.allocation) {
    case SCHED_ALLOC_OPTIMAL:
        sched_gamma_optimal(&pol->p.model, o, d->assoc, d->gamma);
        return;
    case SCHED_ALLOC_RANDOM: {
        /* keyed by (seed, user, decision count): the same in every run */
        for (int u = 0; u < o->users; u++) {
            dtfl_rng r;
            dtfl_rng_init(&r, pol->p.seed, DTFL_STREAM_POLICY, 0x40000000u + (uint32_t)u,
                          (uint32_t)pol->nrandom);
            d->gamma[u] = dtfl_rng_uniform(&r);
        }
        pol->nrandom++;
        return;
    }
    case SCHED_ALLOC_FULL:
        for (int u = 0; u < o->users; u++)
            d->gamma[u] = 1.0;
        return;
    case SCHED_ALLOC_FIXED:
        for (int u = 0; u < o->users; u++)
            d->gamma[u] = pol->p.gamma;
        return;
    }
}

int sched_policy_decide(sched_policy *pol, const sched_obs *o,
                        sched_decision *d, dtfl_err *err)
{
    int rc = pol->ops->decide(pol->self, o, d, err);
    if (rc < 0)
        return rc;
    for (int u = 0; u < o->users; u++) /* range-check before allocating */
        if (d->assoc[u] < 0 || d->assoc[u] >= o->servers)
            return dtfl_err_set(err, DTFL_EINTERNAL,
                                "policy %s put user %d on server %d of %d",
                                pol->ops->name, u, d->assoc[u], o->servers);
    policy__allocate(pol, o, d);
    for (int u = 0; u < o->users; u++) {
        if (d->assoc[u] < 0 || d->assoc[u] >= o->servers)
            return dtfl_err_set(err, DTFL_EINTERNAL,
                                "policy %s put user %d on server %d of %d",
                                pol->ops->name, u, d->assoc[u], o->servers);
        if (!(d->gamma[u] >= 0.0 && d->gamma[u] <= 1.0))
            return dtfl_err_set(err, DTFL_EINTERNAL,
                                "policy %s gave user %d gamma %g",
                                pol->ops->name, u, d->gamma[u]);
    }
    return 0;
}

int sched_policy_learns(const sched_policy *pol)
{
    return pol->ops->feedback != NULL;
}

void sched_policy_set_training(sched_policy *pol, int training)
{
    pol->training = training;
    if (pol->ops->set_training != NULL)
        pol->ops->set_training(pol->self, training);
}

int sched_policy_feedback(sched_policy *pol, double reward, int done,
                          dtfl_err *err)
{
    if (pol->ops->feedback == NULL || !pol->training)
        return 0;
    return pol->ops->feedback(pol->self, reward, done, err);
}

int sched_policy_save(sched_policy *pol, uint8_t *buf, size_t *len,
                      dtfl_err *err)
{
    return pol->ops->save(pol->self, buf, len, err);
}

int sched_policy_load(sched_policy *pol, const uint8_t *buf, size_t len,
                      dtfl_err *err)
{
    return pol->ops->load(pol->self, buf, len, err);
}

int sched_nearest(const sched_obs *o, int u)
{
    int best = 0;
    const double *row = o->dist + (size_t)u * o->servers;
    for (int s = 1; s < o->servers; s++)
        if (row[s] < row[best])
            best = s;
    return best;
}
