/*
 * cmd_train.c - `dtfl train CONFIG [key=value ...]`: trains the configured
 * scheduling policy in analytic mode for train.episodes episodes of
 * world.slots slots (003, Algorithm 1), then plays train.eval_episodes
 * greedy episodes on users it never trained on.
 *
 * Writes to the results folder: config.yaml; train.csv, one row per
 * training episode (mean reward, objective, utility, cost and normalised
 * cost per slot, violations, migrations, seconds); eval.csv, one row per
 * evaluation episode; summary.json with the evaluation means; policy.bin
 * for learned policies (what dtfl run loads with sched.policy_file).
 * Policies that do not learn (nearest, static) are only evaluated.
 */
#include "app.h"

#include "../sched/sched.h"

#include <cblas.h>
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

static const char train_help[] =
    "usage: dtfl train CONFIG [key=value ...]\n"
    "\n"
    "Trains sched.policy (ppo, a2c, ddpg) on the models of 003 (analytic\n"
    "mode) for train.episodes episodes of world.slots slots each, with the\n"
    "historical ratios of sched.allocation, then evaluates it greedily on\n"
    "train.eval_episodes episodes of unseen users. Writes train.csv,\n"
    "eval.csv, summary.json and policy.bin to `out` (default\n"
    "results/<name>). Non-learning policies are evaluated only.\n";

typedef struct episode_stats {
    double reward, objective, utility, cost, cost_norm, violations, migrations;
    double seconds;
} episode_stats;

/* Plays one episode; means per slot into st. */
static int train__episode(app_env *env, sched_policy *pol, int ep,
                          episode_stats *st, dtfl_err *err)
{
    memset(st, 0, sizeof *st);
    double t0 = dtfl_now();
    int rc = app_env_reset(env, ep, err), n = 0;
    while (rc == 0) {
        sched_diten_eval ev;
        int moved = 0;
        rc = app_env_slot(env, pol, &ev, &moved, err);
        if (rc < 0)
            return rc;
        st->reward += ev.reward;
        st->objective += ev.objective;
        st->utility += ev.utility;
        st->cost += ev.cost;
        st->cost_norm += ev.cost_norm;
        st->violations += ev.violations;
        st->migrations += moved;
        n++;
        if (rc == 1)
            break;
    }
    double k = n > 0 ? 1.0 / n : 0.0;
    st->reward *= k;
    st->objective *= k;
    st->utility *= k;
    st->cost *= k;
    st->cost_norm *= k;
    st->violations *= k;
    st->migrations *= k;
    st->seconds = dtfl_now() - t0;
    return 0;
}

static int train__row(app_table *t, int ep, const episode_stats *st)
{
    return app_table_add(t, "%d,%.6f,%.6f,%.6f,%.4f,%.6f,%.4f,%.4f,%.4f", ep,
                         st->reward, st->objective, st->utility, st->cost,
                         st->cost_norm, st->violations, st->migrations,
                         st->seconds);
}

static const char train_header[] =
    "episode,reward,objective,utility,cost,cost_norm,violations,migrations,"
    "seconds";

static int train__summary(const app_config *cfg, const char *dir,
                          const char *policy, const episode_stats *mean,
                          int evals, double seconds, dtfl_err *err)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "summary: out of memory");
    cJSON_AddStringToObject(o, "command", "train");
    cJSON_AddStringToObject(o, "name", cfg->name);
    cJSON_AddStringToObject(o, "policy", policy);
    static const char *alloc[4] = {"fixed", "optimal", "random", "full"};
    cJSON_AddStringToObject(o, "allocation", alloc[cfg->sched.allocation]);
    cJSON_AddNumberToObject(o, "users", (double)cfg->users.count);
    cJSON_AddNumberToObject(o, "servers", (double)cfg->servers.count);
    cJSON_AddNumberToObject(o, "phi", cfg->users.phi);
    cJSON_AddNumberToObject(o, "slots", (double)cfg->world.slots);
    cJSON_AddNumberToObject(o, "episodes", (double)cfg->train.episodes);
    cJSON_AddNumberToObject(o, "eval_episodes", evals);
    cJSON_AddNumberToObject(o, "eval_reward", mean->reward);
    cJSON_AddNumberToObject(o, "eval_objective", mean->objective);
    cJSON_AddNumberToObject(o, "eval_utility", mean->utility);
    cJSON_AddNumberToObject(o, "eval_cost", mean->cost);
    cJSON_AddNumberToObject(o, "eval_cost_norm", mean->cost_norm);
    cJSON_AddNumberToObject(o, "eval_violations", mean->violations);
    cJSON_AddNumberToObject(o, "eval_migrations", mean->migrations);
    cJSON_AddNumberToObject(o, "seconds", seconds);
    return app_results_summary(dir, o, err);
}

/* Trains (learning policies) and evaluates; writes the results folder. */
static int train__run(const app_config *cfg, const char *dir, dtfl_err *err)
{
    app_env *env = NULL;
    sched_policy *pol = NULL;
    app_table *tr = NULL, *ev = NULL;
    sched_params sp;
    app_sched_params(cfg, &sp);
    int rc = app_env_create(&env, cfg, err);
    if (rc == 0)
        rc = sched_policy_create(&pol, &sp, err);
    if (rc == 0 && (app_table_create(&tr, train_header) < 0 ||
                    app_table_create(&ev, train_header) < 0))
        rc = dtfl_err_set(err, DTFL_ENOMEM, "tables: out of memory");
    char trp[APP_PATH_MAX + 32], evp[APP_PATH_MAX + 32];
    if (rc == 0 && ((rc = app_results_path(dir, "train.csv", trp, sizeof trp, err)) < 0 ||
                    (rc = app_results_path(dir, "eval.csv", evp, sizeof evp, err)) < 0))
        goto done;
    double t0 = dtfl_now();
    const int E = sched_policy_learns(pol) ? (int)cfg->train.episodes : 0;
    sched_policy_set_training(pol, 1);
    for (int ep = 0; ep < E && rc == 0; ep++) {
        episode_stats st;
        if ((rc = train__episode(env, pol, ep, &st, err)) < 0)
            break;
        train__row(tr, ep, &st);
        if ((ep + 1) % 10 == 0 || ep + 1 == E) {
            rc = app_table_save(tr, trp, err);
            printf("episode %d/%d reward %.4f objective %.4f utility %.4f "
                   "violations %.2f %.2f s\n",
                   ep + 1, E, st.reward, st.objective, st.utility, st.violations,
                   st.seconds);
            fflush(stdout);
        }
    }
    if (rc == 0 && E > 0)
        rc = app_policy_save(pol, dir, err);
    sched_policy_set_training(pol, 0);
    episode_stats mean = {0};
    const int V = (int)cfg->train.eval_episodes;
    for (int k = 0; k < V && rc == 0; k++) {
        episode_stats st;
        /* evaluation users were never trained on: episodes after the last */
        if ((rc = train__episode(env, pol, (int)cfg->train.episodes + k, &st, err)) < 0)
            break;
        train__row(ev, k, &st);
        mean.reward += st.reward / V;
        mean.objective += st.objective / V;
        mean.utility += st.utility / V;
        mean.cost += st.cost / V;
        mean.cost_norm += st.cost_norm / V;
        mean.violations += st.violations / V;
        mean.migrations += st.migrations / V;
    }
    if (rc == 0)
        rc = app_table_save(ev, evp, err);
    if (rc == 0)
        rc = train__summary(cfg, dir, sched_policy_name(pol), &mean, V,
                            dtfl_now() - t0, err);
    if (rc == 0)
        printf("evaluation (%d episodes): reward %.4f objective %.4f utility "
               "%.4f cost %.1f violations %.2f\n",
               V, mean.reward, mean.objective, mean.utility, mean.cost,
               mean.violations);
done:
    app_table_destroy(tr);
    app_table_destroy(ev);
    sched_policy_destroy(pol);
    app_env_destroy(env);
    return rc;
}

int app_cmd_train(int argc, char **argv)
{
    int opt = app_options_help_only(argc, argv, train_help);
    if (opt >= 0)
        return opt;
    app_config cfg;
    int status = app_load_from_args(&cfg, argc, argv, optind, "train");
    if (status != 0)
        return status;
    openblas_set_num_threads((int)cfg.run.blas_threads);
    dtfl_err err = {0};
    char dir[APP_PATH_MAX];
    int rc = app_results_open(&cfg, dir, sizeof dir, &err);
    if (rc == 0)
        rc = train__run(&cfg, dir, &err);
    if (rc < 0) {
        fprintf(stderr, "dtfl train: %s\n", err.msg);
        return dtfl_err_exit_status(rc);
    }
    return EX_OK;
}
