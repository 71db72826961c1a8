/*
 * env.c - a config's scenario and its policy, played slot by slot: the
 * loop every driver shares (DESIGN.md section 2). Each slot the scenario
 * observes (the world moves on), the policy decides every agent's action,
 * the scenario steps (applies and scores the action) and the policy is fed
 * the rewards. Analytic mode (run_analytic.c, cmd_train.c) is this loop
 * alone; real mode (run_slot.c) runs it on rank 0 and carries out the
 * scenario's effects with real training and migration.
 *
 * An episode keeps the config's servers (placement and capacities keyed by
 * the seed) and draws new users: their starts, movement and arrivals are
 * keyed by (seed, episode).
 */
#include "env.h"

#include "../scen/scen.h"

#include <stdlib.h>
#include <string.h>

struct app_env {
    app_scen_params params;   /* storage of the scenario's section */
    scen_setup setup;
    scen *sc;
    scen_policy *pol;
    const scen_info *info;
    scen_obs obs;
    scen_result res;
    scen_action act;
    double *vals;             /* (most columns) a row's values */
};

void app_env_destroy(app_env *e)
{
    if (e == NULL)
        return;
    scen_policy_destroy(e->pol);
    scen_destroy(e->sc);
    free(e->act.discrete);
    free(e->act.box);
    free(e->vals);
    free(e);
}

int app_env_create(app_env **out, const app_config *cfg, dtfl_err *err)
{
    return app_env_create_ranked(out, cfg, 0, 1, NULL, NULL, err);
}

int app_env_create_ranked(app_env **out, const app_config *cfg, int env_rank, int ranks,
                          int (*gather)(void *ctx, double *table, int rows, int width),
                          void *ctx, dtfl_err *err)
{
    *out = NULL;
    app_env *e = calloc(1, sizeof *e);
    if (e == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "scenario: out of memory");
    app_scen_setup(cfg, &e->params, &e->setup);
    e->setup.marl.env_rank = env_rank, e->setup.marl.env_ranks = ranks;
    e->setup.marl.gather = gather, e->setup.marl.gather_ctx = ctx;
    int rc = scen_create(&e->sc, &e->setup, err);
    if (rc == 0)
        rc = scen_policy_create(&e->pol, e->sc, cfg->sched.policy, err);
    if (rc == 0) {
        e->info = scen_info_of(e->sc);
        int nd, nb, most = 1;
        scen_action_size(e->info, &nd, &nb);
        for (int t = 0; t < SCEN_T_COUNT; t++)
            most = e->info->table[t].ncols > most ? e->info->table[t].ncols : most;
        e->act.discrete = calloc((size_t)nd + 1, sizeof(int));
        e->act.box = calloc((size_t)nb + 1, sizeof(double));
        e->vals = calloc((size_t)most, sizeof(double));
        if (e->act.discrete == NULL || e->act.box == NULL || e->vals == NULL)
            rc = dtfl_err_set(err, DTFL_ENOMEM, "scenario: out of memory");
    }
    if (rc < 0) {
        app_env_destroy(e);
        return rc;
    }
    *out = e;
    return 0;
}

int app_env_reset(app_env *e, int episode, dtfl_err *err)
{
    return scen_ops_of(e->sc)->reset(scen_self(e->sc), episode, err);
}

const scen_obs *app_env_observe(app_env *e, dtfl_err *err)
{
    return scen_ops_of(e->sc)->observe(scen_self(e->sc), &e->obs, err) == 0 ? &e->obs
                                                                             : NULL;
}

int app_env_act(app_env *e, dtfl_err *err)
{
    const scen_ops *ops = scen_ops_of(e->sc);
    void *self = scen_self(e->sc);
    int rc = scen_policy_decide(e->pol, &e->obs, &e->act, err);
    if (rc == 0)
        rc = ops->step(self, &e->act, &e->res, err);
    if (rc < 0)
        return rc;
    int frame_end = (e->obs.slot + 1) % e->info->frame_slots == 0;
    rc = scen_policy_feedback(e->pol, e->res.reward, frame_end, e->res.done, err);
    return rc < 0 ? rc : e->res.done;
}

int app_env_slot(app_env *e, dtfl_err *err)
{
    return app_env_observe(e, err) != NULL ? app_env_act(e, err) : err->code;
}

const scen_info *app_env_info(const app_env *e) { return e->info; }
scen *app_env_scen(app_env *e) { return e->sc; }
scen_policy *app_env_policy(app_env *e) { return e->pol; }

const double *app_env_row(app_env *e, int table, int u)
{
    scen_ops_of(e->sc)->row(scen_self(e->sc), (scen_table_id)table, u, e->vals);
    return e->vals;
}

void app_env_effects(app_env *e, scen_effects *fx)
{
    scen_ops_of(e->sc)->effects(scen_self(e->sc), fx);
}

void app_env_measured(app_env *e, const double *twin_s)
{
    const scen_ops *o = scen_ops_of(e->sc);
    if (o->measured != NULL)
        o->measured(scen_self(e->sc), twin_s);
}
