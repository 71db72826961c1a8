/*
 * env_lib.c - a scenario as a library for other languages (libdtfl_env.so,
 * read with Python's ctypes by experiments/ecoedgetwin/torch_peer.py): the
 * Gymnasium loop without a policy, the caller acting. A config file and its
 * key=value overrides make the scenario; reset starts an episode; each step
 * takes every agent's action (the scenario's discrete choices and box
 * values, scen_action_size) and returns agent 0's reward, the next
 * observation of agent 0 (scen_ops.agent_obs) and whether the episode
 * ended. Errors come back as negative DTFL_E* codes, their message from
 * dtfl_env_error.
 *
 * What is not here: policies, MPI, results files.
 */
#include "env.h"

#include <stdlib.h>
#include <string.h>

typedef struct dtfl_env {
    app_config cfg;
    app_scen_params params;
    scen_setup setup;
    scen *sc;
    int nd, nb;                 /* the action's sizes */
    scen_action act;
    dtfl_err err;
} dtfl_env;

/* The interface (exported; no header: ctypes reads the symbols). */
int dtfl_env_open(dtfl_env **out, const char *path, int noverrides,
                  char *const *overrides);
void dtfl_env_close(dtfl_env *e);
/* The benchmark without twins (scen_ops.twinless; others ignore it). */
void dtfl_env_twinless(dtfl_env *e, int on)
{
    const scen_ops *ops = scen_ops_of(e->sc);
    if (ops->twinless != NULL)
        ops->twinless(scen_self(e->sc), on);
}

const char *dtfl_env_error(const dtfl_env *e);
void dtfl_env_sizes(const dtfl_env *e, int *obs_dim, int *discrete, int *box);
int dtfl_env_reset(dtfl_env *e, int episode, float *obs);
int dtfl_env_step(dtfl_env *e, const int *discrete, const double *box,
                  double *reward, float *obs, int *done);
void dtfl_env_twinless(dtfl_env *e, int on);

int dtfl_env_open(dtfl_env **out, const char *path, int noverrides,
                  char *const *overrides)
{
    *out = NULL;
    dtfl_env *e = calloc(1, sizeof *e);
    app_diag *diag = NULL;
    if (e == NULL || app_diag_create(&diag) < 0) {
        free(e);
        return DTFL_ENOMEM;
    }
    int rc = app_config_load(&e->cfg, path, noverrides, overrides, 1, diag);
    if (rc < 0)
        app_diag_print(diag, stderr);
    app_diag_destroy(diag);
    if (rc == 0) {
        app_scen_setup(&e->cfg, &e->params, &e->setup);
        rc = scen_create(&e->sc, &e->setup, &e->err);
    }
    if (rc == 0) {
        scen_action_size(scen_info_of(e->sc), &e->nd, &e->nb);
        e->act.discrete = calloc((size_t)e->nd + 1, sizeof(int));
        e->act.box = calloc((size_t)e->nb + 1, sizeof(double));
        if (e->act.discrete == NULL || e->act.box == NULL)
            rc = dtfl_err_set(&e->err, DTFL_ENOMEM, "env: out of memory");
    }
    *out = e; /* even on failure: dtfl_env_error tells, close frees */
    return rc;
}

void dtfl_env_close(dtfl_env *e)
{
    if (e == NULL)
        return;
    scen_destroy(e->sc);
    free(e->act.discrete);
    free(e->act.box);
    free(e);
}

const char *dtfl_env_error(const dtfl_env *e) { return e != NULL ? e->err.msg : "no env"; }

void dtfl_env_sizes(const dtfl_env *e, int *obs_dim, int *discrete, int *box)
{
    *obs_dim = scen_info_of(e->sc)->agent[0].obs_dim;
    *discrete = e->nd;
    *box = e->nb;
}

/* The next slot's observation of agent 0 into obs. */
static int env__observe(dtfl_env *e, float *obs)
{
    scen_obs o;
    const scen_ops *ops = scen_ops_of(e->sc);
    int rc = ops->observe(scen_self(e->sc), &o, &e->err);
    if (rc == 0)
        ops->agent_obs(scen_self(e->sc), 0, obs);
    return rc;
}

int dtfl_env_reset(dtfl_env *e, int episode, float *obs)
{
    int rc = scen_ops_of(e->sc)->reset(scen_self(e->sc), episode, &e->err);
    return rc == 0 ? env__observe(e, obs) : rc;
}

int dtfl_env_step(dtfl_env *e, const int *discrete, const double *box,
                  double *reward, float *obs, int *done)
{
    memcpy(e->act.discrete, discrete, sizeof(int) * (size_t)e->nd);
    memcpy(e->act.box, box, sizeof(double) * (size_t)e->nb);
    scen_result r;
    int rc = scen_ops_of(e->sc)->step(scen_self(e->sc), &e->act, &r, &e->err);
    if (rc < 0)
        return rc;
    *reward = r.reward[0];
    *done = r.done;
    return r.done ? 0 : env__observe(e, obs);
}
