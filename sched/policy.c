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

static const sched_ops *const registry[] = {
    &sched__static_ops,
    &sched__nearest_ops,
};

struct sched_policy {
    const sched_ops *ops;
    void *self;
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

int sched_policy_decide(sched_policy *pol, const sched_obs *o,
                        sched_decision *d, dtfl_err *err)
{
    int rc = pol->ops->decide(pol->self, o, d, err);
    if (rc < 0)
        return rc;
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
