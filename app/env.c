/*
 * env.c - analytic mode (DESIGN.md section 2): the slots of the DITEN
 * scenario played on the models of 003 alone, no training and no migration
 * of bytes: users move, the policy decides association and ratios, the
 * decision is scored by the utility and cost models (eqs. 11-22) and the
 * barrier reward (eqs. 24-25), which the policy learns from. This is how
 * policies train over hundreds of episodes in seconds.
 *
 * An episode keeps the config's servers (placement and capacities keyed by
 * the seed) and draws new users: their starts, movement and arrivals are
 * keyed by (seed, episode).
 */
#include "app.h"

#include "../sched/sched.h"
#include "../twin/twin.h"

#include <stdlib.h>
#include <string.h>

struct app_env {
    const app_config *cfg;
    sched_diten_params model;
    twin_world *world;
    app_obs *obs;
    int U, S, T, t;
    int *assoc;      /* (U) twins' servers; -1 before the first slot */
    int *next;       /* (U) the decision */
    double *gamma;   /* (U) */
    double *scratch; /* (3S) */
};

void app_env_destroy(app_env *e)
{
    if (e == NULL)
        return;
    twin_world_destroy(e->world);
    app_obs_destroy(e->obs);
    free(e->assoc);
    free(e->gamma);
    free(e);
}

int app_env_create(app_env **out, const app_config *cfg, dtfl_err *err)
{
    *out = NULL;
    app_env *e = calloc(1, sizeof *e);
    if (e == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "environment: out of memory");
    e->cfg = cfg;
    e->U = (int)cfg->users.count;
    e->S = (int)cfg->servers.count;
    e->T = (int)cfg->world.slots;
    app_diten_params(cfg, &e->model);
    e->assoc = malloc(sizeof(int) * 2 * (size_t)e->U);
    e->gamma = malloc(sizeof(double) * ((size_t)e->U + 3 * (size_t)e->S));
    int rc = 0;
    if (e->assoc == NULL || e->gamma == NULL)
        rc = dtfl_err_set(err, DTFL_ENOMEM, "environment: out of memory");
    if (rc == 0)
        rc = app_obs_create(&e->obs, e->U, e->S, err);
    if (rc < 0) {
        app_env_destroy(e);
        return rc;
    }
    e->next = e->assoc + e->U;
    e->scratch = e->gamma + e->U;
    *out = e;
    return 0;
}

int app_env_reset(app_env *e, int episode, dtfl_err *err)
{
    twin_world_destroy(e->world);
    e->world = NULL;
    twin_world_params wp;
    /* a user seed for each episode, never 0 (0 means "the run's seed") */
    uint64_t useed = episode < 0 ? 0u
                                 : (uint64_t)e->cfg->seed * 1000003u + (uint64_t)episode + 1u;
    app_world_params(e->cfg, useed, &wp);
    int rc = twin_world_create(&e->world, &wp, err);
    for (int u = 0; u < e->U; u++)
        e->assoc[u] = -1;
    e->t = 0;
    return rc;
}

int app_env_slot(app_env *e, sched_policy *pol, sched_diten_eval *ev,
                 int *migrations, dtfl_err *err)
{
    if (e->t > 0)
        twin_world_step(e->world, e->t);
    const sched_obs *o = app_obs_fill(e->obs, e->world, e->t, e->assoc);
    sched_decision d = {e->next, e->gamma};
    int rc = sched_policy_decide(pol, o, &d, err);
    if (rc < 0)
        return rc;
    sched_diten_evaluate(&e->model, o, e->next, e->gamma, e->scratch, ev);
    int moved = 0;
    for (int u = 0; u < e->U; u++)
        moved += e->assoc[u] >= 0 && e->assoc[u] != e->next[u];
    if (migrations != NULL)
        *migrations = moved;
    int done = e->t == e->T - 1;
    if ((rc = sched_policy_feedback(pol, ev->reward, done, err)) < 0)
        return rc;
    memcpy(e->assoc, e->next, sizeof(int) * (size_t)e->U);
    e->t++;
    return done;
}

const int *app_env_assoc(const app_env *e) { return e->assoc; }
const double *app_env_gamma(const app_env *e) { return e->gamma; }
const sched_obs *app_env_obs(const app_env *e) { return app_obs_last(e->obs); }
