/*
 * run_analytic.c - `dtfl run` with mode: analytic. The run's slots played on
 * the models of 003 alone (DESIGN.md section 2): the same servers, users,
 * movement and arrivals as a real-mode run of the config, the same policy
 * (sched.policy_file loaded, sched.learn honoured), but no dataset, no
 * training and no bytes moved: each decision is scored by the utility and
 * cost models (eqs. 11-22) and the barrier reward (eqs. 24-25).
 *
 * Writes, like real mode: slots.csv (one row per slot), twins.csv (one row
 * per twin every run.twins_every slots) and summary.json. Rows go straight
 * to the files under their temporary names and the files are renamed into
 * place at the end, so memory stays flat however long the run (`dtfl bench
 * soak`) and a run that fails leaves no table that looks whole. It runs on
 * rank 0; other ranks of an mpirun wait for it.
 */
#include "app.h"

#include "../sched/sched.h"
#include "../twin/twin.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

static const char analytic_slots_header[] =
    "slot,migrations,predicted_utility,predicted_cost,predicted_cost_norm,"
    "predicted_objective,predicted_reward,violations";

static const char analytic_twins_header[] =
    "slot,user,server,new_samples,prev_samples,gamma,predicted_utility";

typedef struct analytic_totals {
    double utility, cost, objective, reward;
    long violations, migrations;
} analytic_totals;

/* Writes slot t's rows; adds to the totals. */
static void analytic__rows(FILE *slots, FILE *twins, int twins_every,
                           const app_env *env, const sched_diten_params *m,
                           int t, const sched_diten_eval *ev, int moved,
                           analytic_totals *tot)
{
    const sched_obs *o = app_env_obs(env);
    const int *assoc = app_env_assoc(env);
    const double *gamma = app_env_gamma(env);
    fprintf(slots, "%d,%d,%.6f,%.6g,%.6f,%.6f,%.6f,%d\n", t, moved, ev->utility,
            ev->cost, ev->cost_norm, ev->objective, ev->reward, ev->violations);
    for (int u = 0; twins_every > 0 && t % twins_every == 0 && u < o->users; u++) {
        double rho = sched_diten_utility(m, o->n_new[u] + gamma[u] * o->n_prev[u],
                                         o->phi[u]);
        fprintf(twins, "%d,%d,%d,%d,%d,%.6f,%.6f\n", t, u, assoc[u], o->n_new[u],
                o->n_prev[u], gamma[u], rho);
    }
    tot->utility += ev->utility;
    tot->cost += ev->cost;
    tot->objective += ev->objective;
    tot->reward += ev->reward;
    tot->violations += ev->violations;
    tot->migrations += moved;
}

static int analytic__summary(const app_config *cfg, const char *dir,
                             const sched_policy *pol, const analytic_totals *tot,
                             int T, double seconds, dtfl_err *err)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "summary: out of memory");
    cJSON_AddStringToObject(o, "command", "run");
    cJSON_AddStringToObject(o, "name", cfg->name);
    cJSON_AddStringToObject(o, "mode", "analytic");
    cJSON_AddStringToObject(o, "policy", sched_policy_name(pol));
    cJSON_AddNumberToObject(o, "servers", (double)cfg->servers.count);
    cJSON_AddNumberToObject(o, "users", (double)cfg->users.count);
    cJSON_AddNumberToObject(o, "slots", T);
    cJSON_AddNumberToObject(o, "mean_predicted_utility", tot->utility / T);
    cJSON_AddNumberToObject(o, "mean_predicted_cost", tot->cost / T);
    cJSON_AddNumberToObject(o, "mean_predicted_objective", tot->objective / T);
    cJSON_AddNumberToObject(o, "mean_predicted_reward", tot->reward / T);
    cJSON_AddNumberToObject(o, "violations", (double)tot->violations);
    cJSON_AddNumberToObject(o, "migrations", (double)tot->migrations);
    cJSON_AddNumberToObject(o, "seconds", seconds);
    return app_results_summary(dir, o, err);
}

/* Opens DIR/name under its temporary name with its header written. */
static int analytic__open(const char *dir, const char *name, const char *header,
                          dtfl_afile **f, dtfl_err *err)
{
    char path[APP_PATH_MAX + 32];
    int rc = app_results_path(dir, name, path, sizeof path, err);
    if (rc == 0 && (rc = dtfl_afile_open(f, path, err)) == 0)
        fprintf(dtfl_afile_stream(*f), "%s\n", header);
    return rc;
}

int app_run_analytic(const app_config *cfg, const char *dir,
                     const app_watch *watch, dtfl_err *err)
{
    app_env *env = NULL;
    sched_policy *pol = NULL;
    dtfl_afile *slots = NULL, *twins = NULL;
    sched_params sp;
    sched_diten_params m;
    analytic_totals tot = {0};
    app_sched_params(cfg, &sp);
    app_diten_params(cfg, &m);
    double t0 = dtfl_now();
    int rc = app_env_create(&env, cfg, err), T = 0;
    if (rc == 0 && (rc = sched_policy_create(&pol, &sp, err)) == 0)
        rc = app_policy_setup(pol, cfg, err);
    if (rc == 0 &&
        (rc = analytic__open(dir, "slots.csv", analytic_slots_header, &slots, err)) == 0)
        rc = analytic__open(dir, "twins.csv", analytic_twins_header, &twins, err);
    if (rc == 0)
        rc = app_env_reset(env, -1, err); /* the run's own users */
    for (int done = 0; rc == 0 && !done; T++) {
        sched_diten_eval ev;
        int moved = 0;
        if ((rc = app_env_slot(env, pol, &ev, &moved, err)) < 0)
            break;
        done = rc;
        rc = 0;
        analytic__rows(dtfl_afile_stream(slots), dtfl_afile_stream(twins),
                       (int)cfg->run.twins_every, env, &m, T, &ev, moved, &tot);
        if (watch != NULL)
            watch->slot(watch->ctx, T);
    }
    /* the tables are renamed into place only when whole */
    if (rc == 0 && (rc = dtfl_afile_commit(slots, err)) == 0) {
        slots = NULL;
        rc = dtfl_afile_commit(twins, err);
        twins = NULL;
    }
    if (rc == 0 && cfg->sched.learn && sched_policy_learns(pol))
        rc = app_policy_save(pol, dir, err);
    if (rc == 0)
        rc = analytic__summary(cfg, dir, pol, &tot, T, dtfl_now() - t0, err);
    if (rc == 0 && watch == NULL)
        printf("dtfl run: analytic, %d slots: objective %.4f utility %.4f "
               "reward %.4f per slot, %ld migrations, %ld violations\n",
               T, tot.objective / T, tot.utility / T, tot.reward / T,
               tot.migrations, tot.violations);
    dtfl_afile_abort(slots);
    dtfl_afile_abort(twins);
    sched_policy_destroy(pol);
    app_env_destroy(env);
    return rc;
}
