/*
 * env.h - internal to app/: a config's scenario and policy (scenario.c,
 * env.c) and the drivers built on them: analytic mode (run_analytic.c),
 * training (cmd_train.c), and rank 0 of real mode (run_slot.c).
 */
#ifndef DTFL_APP_ENV_H
#define DTFL_APP_ENV_H

#include "app.h"

#include "../scen/diten.h"
#include "../scen/eco.h"
#include "../scen/happo.h"
#include "../scen/scen.h"
#include "../scen/taco.h"
#include "../scen/tmo.h"
#include "../scen/toy.h"
#include "../twin/twin.h"

/* Storage of every scenario's section; scen_setup.params points at the
 * chosen one's. */
typedef struct app_scen_params {
    scen_diten_setup diten;
    scen_taco_setup taco;
    scen_tmo_setup tmo;
    scen_toy_setup toy;
    scen_eco_setup eco;
    scen_happo_setup happo;
} app_scen_params;

/* World parameters; users' positions, movement and arrivals are keyed by
 * user_seed (0: the run's seed), servers always by the run's seed. */
void app_world_params(const app_config *cfg, uint64_t user_seed,
                      twin_world_params *p);
void app_diten_params(const app_config *cfg, scen_diten_params *p);
/* The scenario's setup from a config (its section into params); ppo.rollout
 * 0 means one episode of world.slots. */
void app_scen_setup(const app_config *cfg, app_scen_params *params,
                    scen_setup *s);

/* The scenario of a config with its policy (sched.policy), in evaluation
 * mode, played slot by slot. */
typedef struct app_env app_env;

int app_env_create(app_env **out, const app_config *cfg, dtfl_err *err);
/* The same, its multi-agent learner one of `ranks` replicas that play
 * marl.envs environments between them (this one env_rank's), gathering
 * rows through gather (sched_marl_params). */
int app_env_create_ranked(app_env **out, const app_config *cfg, int env_rank, int ranks,
                          int (*gather)(void *ctx, double *table, int rows, int width),
                          void *ctx, dtfl_err *err);
void app_env_destroy(app_env *e);
/* A fresh episode: the servers of the config's seed, users keyed by
 * (seed, episode). Episode -1 has the run's own users, those a real-mode
 * `dtfl run` of the config sees. */
int app_env_reset(app_env *e, int episode, dtfl_err *err);
/* One slot: the scenario observes, the policy decides, the scenario steps,
 * the policy is fed the rewards. Returns 1 when the episode ended. */
int app_env_slot(app_env *e, dtfl_err *err);
/* The same in two halves (benchmarks look at a slot's observation before
 * the policy acts): the observation (NULL on error, valid until act), then
 * decide, step and feedback. */
const scen_obs *app_env_observe(app_env *e, dtfl_err *err);
int app_env_act(app_env *e, dtfl_err *err);
const scen_info *app_env_info(const app_env *e);
scen *app_env_scen(app_env *e);
scen_policy *app_env_policy(app_env *e);
/* Table t's values for the last slot (user u for the twin tables), valid
 * until the next call. */
const double *app_env_row(app_env *e, int table, int u);
/* What the real driver carries out for the last slot. */
void app_env_effects(app_env *e, scen_effects *fx);
/* The seconds each twin's work took in the last slot (U), for the scenario. */
void app_env_measured(app_env *e, const double *twin_s);

/* A policy's weights from a policy file (sched.policy_file), checked
 * against the sizes the policy was built for; "" loads nothing. Then
 * training is set to sched.learn. */
int app_policy_setup(scen_policy *pol, const app_config *cfg, dtfl_err *err);
/* Writes the policy's weights to DIR/policy.bin (temporary name, rename). */
int app_policy_save(scen_policy *pol, const char *dir, dtfl_err *err);

/* Called after every slot of an analytic run (dtfl bench soak watches
 * memory with it). */
typedef struct app_watch {
    void (*slot)(void *ctx, int t);
    void *ctx;
} app_watch;
/* `dtfl run` in analytic mode (run_analytic.c): the run's slots on the
 * scenario's models alone, into the results folder dir. watch may be NULL;
 * a watched run prints no closing line. */
int app_run_analytic(const app_config *cfg, const char *dir,
                     const app_watch *watch, dtfl_err *err);

/* CSV text of declared tables (table_text.c). A header: head, the table's
 * column names, then tail (may be NULL), comma-separated; DTFL_ERANGE when
 * it does not fit cap. */
int app_table_header(char *buf, size_t cap, const char *head,
                     const scen_table *t, const char *tail);
/* A row's values, each after a comma, in its column's format; returns the
 * length written (truncated at cap). */
size_t app_row_format(char *buf, size_t cap, const scen_table *t,
                      const double *v);

#endif /* DTFL_APP_ENV_H */
