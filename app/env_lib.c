/*
 * env_lib.c - a scenario as a library for other languages (libdtfl_env.so,
 * read with Python's ctypes by experiments/ecoedgetwin/torch_peer.py): the
 * Gymnasium loop without a policy, the caller acting (and, for scenarios
 * of several agents, every agent's observation, reward and mask and the
 * critics' state: experiments/happo/torch_peer.py). A config file and its
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

/* Every agent's action applied; r the step's result. */
static int env__step(dtfl_env *e, const int *discrete, const double *box, scen_result *r)
{
    memcpy(e->act.discrete, discrete, sizeof(int) * (size_t)e->nd);
    memcpy(e->act.box, box, sizeof(double) * (size_t)e->nb);
    return scen_ops_of(e->sc)->step(scen_self(e->sc), &e->act, r, &e->err);
}

int dtfl_env_step(dtfl_env *e, const int *discrete, const double *box,
                  double *reward, float *obs, int *done)
{
    scen_result r;
    int rc = env__step(e, discrete, box, &r);
    if (rc < 0)
        return rc;
    *reward = r.reward[0];
    *done = r.done;
    return r.done ? 0 : env__observe(e, obs);
}

/* ------------------------------------------------------------------------ */
/* Several agents (experiments/happo/torch_peer.py): every agent's space,   */
/* observation, reward and mask, and the critics' state                     */
/* ------------------------------------------------------------------------ */

int dtfl_env_agents(const dtfl_env *e, int *state_dim);
void dtfl_env_agent(const dtfl_env *e, int a, int *obs_dim, int *blocks, int *choices,
                    int *box, double *lo, double *hi, int *stream);
void dtfl_env_agent_obs(dtfl_env *e, int a, float *obs);
int dtfl_env_state(dtfl_env *e, float *x);
int dtfl_env_mask(dtfl_env *e, int a, uint8_t *mask);
int dtfl_env_step_all(dtfl_env *e, const int *discrete, const double *box,
                      double *rewards, int *done);

int dtfl_env_agents(const dtfl_env *e, int *state_dim)
{
    const scen_info *in = scen_info_of(e->sc);
    *state_dim = in->state_dim;
    return in->agents;
}

void dtfl_env_agent(const dtfl_env *e, int a, int *obs_dim, int *blocks, int *choices,
                    int *box, double *lo, double *hi, int *stream)
{
    const scen_agent *g = &scen_info_of(e->sc)->agent[a];
    *obs_dim = g->obs_dim, *blocks = g->blocks, *choices = g->choices, *box = g->box;
    *lo = g->lo, *hi = g->hi, *stream = g->stream;
}

/* Agent a's observation of the last reset or step. */
void dtfl_env_agent_obs(dtfl_env *e, int a, float *obs)
{
    scen_ops_of(e->sc)->agent_obs(scen_self(e->sc), a, obs);
}

/* The critics' state of the last reset or step; -1 without one. */
int dtfl_env_state(dtfl_env *e, float *x)
{
    const scen_ops *ops = scen_ops_of(e->sc);
    if (ops->state == NULL)
        return -1;
    ops->state(scen_self(e->sc), x);
    return 0;
}

/* Which of agent a's values acted in the last step; -1 when the scenario
 * does not say (all did). */
int dtfl_env_mask(dtfl_env *e, int a, uint8_t *mask)
{
    const scen_ops *ops = scen_ops_of(e->sc);
    if (ops->action_mask == NULL)
        return -1;
    ops->action_mask(scen_self(e->sc), a, mask);
    return 0;
}

/* dtfl_env_step with every agent's reward (agents) and no observation
 * copied: read them with dtfl_env_agent_obs and dtfl_env_state. */
int dtfl_env_step_all(dtfl_env *e, const int *discrete, const double *box,
                      double *rewards, int *done)
{
    scen_result r;
    int rc = env__step(e, discrete, box, &r);
    if (rc < 0)
        return rc;
    memcpy(rewards, r.reward, sizeof(double) * (size_t)scen_info_of(e->sc)->agents);
    *done = r.done;
    if (r.done)
        return 0;
    scen_obs o;
    return scen_ops_of(e->sc)->observe(scen_self(e->sc), &o, &e->err);
}
