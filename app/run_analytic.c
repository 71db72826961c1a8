/*
 * run_analytic.c - `dtfl run` with mode: analytic. The run's slots played on
 * the scenario's models alone (DESIGN.md section 2): the same servers,
 * users, movement and arrivals as a real-mode run of the config, the same
 * policy (sched.policy_file loaded, sched.learn honoured), but no dataset,
 * no training and no bytes moved: each decision is scored by the scenario
 * (for diten, the utility and cost models of eqs. 11-22 and the barrier
 * reward of eqs. 24-25).
 *
 * Writes, like real mode: slots.csv (one row per slot: the slot, then the
 * scenario's analytic slot columns), twins.csv (one row per twin every
 * run.twins_every slots: slot, user, the scenario's twin columns) and
 * summary.json (the scenario's summary entries). Rows go straight to the
 * files under their temporary names and the files are renamed into place at
 * the end, so memory stays flat however long the run (`dtfl bench soak`)
 * and a run that fails leaves no table that looks whole. It runs on rank 0;
 * other ranks of an mpirun wait for it.
 */
#include "env.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Writes slot t's rows; adds the slot's values to the sums. */
static void analytic__rows(FILE *slots, FILE *twins, int twins_every,
                           app_env *env, int t, double *sum)
{
    const scen_info *in = app_env_info(env);
    const scen_table *st = &in->table[SCEN_T_ANALYTIC_SLOT];
    const scen_table *tt = &in->table[SCEN_T_ANALYTIC_TWIN];
    const double *v = app_env_row(env, SCEN_T_ANALYTIC_SLOT, -1);
    char row[4096];
    app_row_format(row, sizeof row, st, v);
    fprintf(slots, "%d%s\n", t, row);
    for (int c = 0; c < st->ncols; c++)
        sum[c] += v[c];
    for (int u = 0; twins_every > 0 && t % twins_every == 0 && u < in->users; u++) {
        app_row_format(row, sizeof row, tt, app_env_row(env, SCEN_T_ANALYTIC_TWIN, u));
        fprintf(twins, "%d,%d%s\n", t, u, row);
    }
}

static int analytic__summary(const app_config *cfg, const char *dir,
                             app_env *env, const double *sum, int T,
                             double seconds, dtfl_err *err)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "summary: out of memory");
    const scen_table *st = &app_env_info(env)->table[SCEN_T_ANALYTIC_SLOT];
    cJSON_AddStringToObject(o, "command", "run");
    cJSON_AddStringToObject(o, "name", cfg->name);
    cJSON_AddStringToObject(o, "mode", "analytic");
    cJSON_AddStringToObject(o, "policy", scen_policy_name(app_env_policy(env)));
    cJSON_AddNumberToObject(o, "servers", (double)cfg->servers.count);
    cJSON_AddNumberToObject(o, "users", (double)cfg->users.count);
    cJSON_AddNumberToObject(o, "slots", T);
    for (int i = 0; i < st->nsums; i++) {
        const scen_summary *m = &st->sum[i];
        double total = sum[m->column];
        cJSON_AddNumberToObject(o, m->key, m->how == SCEN_SUM_MEAN ? total / T : total);
    }
    cJSON_AddNumberToObject(o, "seconds", seconds);
    return app_results_summary(dir, o, err);
}

/* The closing line: the summary's entries. */
static void analytic__say(const scen_table *st, const double *sum, int T)
{
    printf("dtfl run: analytic, %d slots:", T);
    for (int i = 0; i < st->nsums; i++) {
        const scen_summary *m = &st->sum[i];
        double total = sum[m->column];
        printf(" %s %.4g", m->key, m->how == SCEN_SUM_MEAN ? total / T : total);
    }
    printf("\n");
}

/* Opens DIR/name under its temporary name with its header written. */
static int analytic__open(const char *dir, const char *name, const char *prefix,
                          const scen_table *t, dtfl_afile **f, dtfl_err *err)
{
    char path[APP_PATH_MAX + 32], head[4096];
    int rc = app_results_path(dir, name, path, sizeof path, err);
    if (rc == 0 && app_table_header(head, sizeof head, prefix, t, NULL) < 0)
        rc = dtfl_err_set(err, DTFL_EINTERNAL, "%s: header too long", name);
    if (rc == 0 && (rc = dtfl_afile_open(f, path, err)) == 0)
        fprintf(dtfl_afile_stream(*f), "%s\n", head);
    return rc;
}

int app_run_analytic(const app_config *cfg, const char *dir,
                     const app_watch *watch, dtfl_err *err)
{
    app_env *env = NULL;
    dtfl_afile *slots = NULL, *twins = NULL;
    double *sum = NULL;
    double t0 = dtfl_now();
    int rc = app_env_create(&env, cfg, err), T = 0;
    const scen_info *in = rc == 0 ? app_env_info(env) : NULL;
    if (rc == 0)
        rc = app_policy_setup(app_env_policy(env), cfg, err);
    if (rc == 0 &&
        (sum = calloc((size_t)in->table[SCEN_T_ANALYTIC_SLOT].ncols + 1,
                      sizeof(double))) == NULL)
        rc = dtfl_err_set(err, DTFL_ENOMEM, "analytic run: out of memory");
    if (rc == 0 &&
        (rc = analytic__open(dir, "slots.csv", "slot",
                             &in->table[SCEN_T_ANALYTIC_SLOT], &slots, err)) == 0)
        rc = analytic__open(dir, "twins.csv", "slot,user",
                            &in->table[SCEN_T_ANALYTIC_TWIN], &twins, err);
    if (rc == 0)
        rc = app_env_reset(env, -1, err); /* the run's own users */
    for (int done = 0; rc == 0 && !done; T++) {
        if ((rc = app_env_slot(env, err)) < 0)
            break;
        done = rc;
        rc = 0;
        analytic__rows(dtfl_afile_stream(slots), dtfl_afile_stream(twins),
                       (int)cfg->run.twins_every, env, T, sum);
        if (watch != NULL)
            watch->slot(watch->ctx, T);
    }
    /* the tables are renamed into place only when whole */
    if (rc == 0 && (rc = dtfl_afile_commit(slots, err)) == 0) {
        slots = NULL;
        rc = dtfl_afile_commit(twins, err);
        twins = NULL;
    }
    if (rc == 0 && cfg->sched.learn && scen_policy_learns(app_env_policy(env)))
        rc = app_policy_save(app_env_policy(env), dir, err);
    if (rc == 0)
        rc = analytic__summary(cfg, dir, env, sum, T, dtfl_now() - t0, err);
    if (rc == 0 && watch == NULL)
        analytic__say(&in->table[SCEN_T_ANALYTIC_SLOT], sum, T);
    dtfl_afile_abort(slots);
    dtfl_afile_abort(twins);
    free(sum);
    app_env_destroy(env);
    return rc;
}
