/*
 * cmd_train.c - `dtfl train CONFIG [key=value ...]`: trains the configured
 * policy of the config's scenario in analytic mode for train.episodes
 * episodes of world.slots slots (for diten, 003's Algorithm 1), then plays
 * train.eval_episodes greedy episodes on users it never trained on.
 *
 * Writes to the results folder: config.yaml; train.csv, one row per
 * training episode (the scenario's episode columns, means per slot, for
 * diten reward, objective, utility, cost and normalised cost, violations,
 * migrations; then seconds); eval.csv, one row per evaluation episode;
 * summary.json with the evaluation means; policy.bin for learned policies
 * (what dtfl run loads with sched.policy_file). Policies that do not learn
 * (nearest, static) are only evaluated.
 */
#include "env.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static const char train_help[] =
    "usage: dtfl train CONFIG [key=value ...]\n"
    "\n"
    "Trains sched.policy (a learner of the scenario: ppo, a2c, ddpg, eco-a2c,\n"
    "beta-happo, gauss-happo, beta-mappo, maddpg, ...; dtfl run --policies)\n"
    "on the scenario's models (analytic mode) for train.episodes episodes of\n"
    "world.slots slots each, then evaluates it greedily on\n"
    "train.eval_episodes episodes of unseen users.\n"
    "Writes train.csv, eval.csv, summary.json and policy.bin to `out`\n"
    "(default results/<name>). Non-learning policies are evaluated only.\n";

#define TRAIN_COLS 32 /* episode columns a scenario may declare */

typedef struct episode_stats {
    double v[TRAIN_COLS];   /* the scenario's episode columns, means per slot */
    double seconds;
} episode_stats;

/* Plays one episode; means per slot into st. */
static int train__episode(app_env *env, int ep, episode_stats *st,
                          dtfl_err *err)
{
    const scen_info *in = app_env_info(env);
    memset(st, 0, sizeof *st);
    double t0 = dtfl_now();
    int rc = app_env_reset(env, ep, err), n = 0;
    while (rc == 0) {
        rc = app_env_slot(env, err);
        if (rc < 0)
            return rc;
        const double *v = app_env_row(env, SCEN_T_ANALYTIC_SLOT, -1);
        for (int c = 0; c < in->nepisode; c++)
            st->v[c] += v[in->episode_from[c]];
        n++;
        if (rc == 1)
            break;
    }
    double k = n > 0 ? 1.0 / n : 0.0;
    for (int c = 0; c < in->nepisode; c++)
        st->v[c] *= k;
    st->seconds = dtfl_now() - t0;
    return 0;
}

/* train.csv's columns: the scenario's episode columns. */
static scen_table train__cols(const scen_info *in)
{
    return (scen_table){in->nepisode, in->episode, 0, NULL};
}

static int train__row(app_table *t, const scen_info *in, int ep,
                      const episode_stats *st)
{
    scen_table cols = train__cols(in);
    char row[1024];
    app_row_format(row, sizeof row, &cols, st->v);
    return app_table_add(t, "%d%s,%.4f", ep, row, st->seconds);
}

static int train__tables(const scen_info *in, app_table **tr, app_table **ev)
{
    scen_table cols = train__cols(in);
    char head[1024];
    if (app_table_header(head, sizeof head, "episode", &cols, "seconds") < 0)
        return DTFL_ERANGE;
    return app_table_create(tr, head) < 0 || app_table_create(ev, head) < 0
               ? DTFL_ENOMEM : 0;
}

static int train__summary(const app_config *cfg, const char *dir, app_env *env,
                          const episode_stats *mean, int evals, double seconds,
                          dtfl_err *err)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "summary: out of memory");
    const scen_info *in = app_env_info(env);
    cJSON_AddStringToObject(o, "command", "train");
    cJSON_AddStringToObject(o, "name", cfg->name);
    cJSON_AddStringToObject(o, "policy", scen_policy_name(app_env_policy(env)));
    const char *key[16], *text[16];
    double num[16];
    scen *sc = app_env_scen(env);
    int nd = scen_ops_of(sc)->describe(scen_self(sc), key, text, num, 16);
    for (int i = 0; i < nd; i++) {
        if (text[i] != NULL)
            cJSON_AddStringToObject(o, key[i], text[i]);
        else
            cJSON_AddNumberToObject(o, key[i], num[i]);
    }
    cJSON_AddNumberToObject(o, "slots", (double)cfg->world.slots);
    cJSON_AddNumberToObject(o, "episodes", (double)cfg->train.episodes);
    cJSON_AddNumberToObject(o, "eval_episodes", evals);
    char name[80];
    for (int c = 0; c < in->nepisode; c++) {
        snprintf(name, sizeof name, "eval_%s", in->episode[c].name);
        cJSON_AddNumberToObject(o, name, mean->v[c]);
    }
    cJSON_AddNumberToObject(o, "seconds", seconds);
    return app_results_summary(dir, o, err);
}

/* "reward 1.2345 objective ...": an episode's means, for the progress. */
static void train__say(const scen_info *in, const episode_stats *st)
{
    for (int c = 0; c < in->nepisode; c++)
        printf(" %s %.4f", in->episode[c].name, st->v[c]);
}

/* Trains (learning policies) and evaluates; writes the results folder. */
static int train__run(const app_config *cfg, const char *dir, dtfl_err *err)
{
    app_env *env = NULL;
    app_table *tr = NULL, *ev = NULL;
    int rc = app_env_create(&env, cfg, err);
    const scen_info *in = rc == 0 ? app_env_info(env) : NULL;
    if (rc == 0 && in->nepisode > TRAIN_COLS)
        rc = dtfl_err_set(err, DTFL_EINTERNAL, "scenario %s declares %d episode "
                                               "columns, more than %d",
                          cfg->scenario, in->nepisode, TRAIN_COLS);
    if (rc == 0 && train__tables(in, &tr, &ev) < 0)
        rc = dtfl_err_set(err, DTFL_ENOMEM, "tables: out of memory");
    char trp[APP_PATH_MAX + 32], evp[APP_PATH_MAX + 32];
    if (rc == 0 && (rc = app_results_path(dir, "train.csv", trp, sizeof trp, err)) == 0)
        rc = app_results_path(dir, "eval.csv", evp, sizeof evp, err);
    if (rc < 0)
        goto done;
    scen_policy *pol = app_env_policy(env);
    double t0 = dtfl_now();
    const int E = scen_policy_learns(pol) ? (int)cfg->train.episodes : 0;
    scen_policy_set_training(pol, 1);
    for (int ep = 0; ep < E && rc == 0; ep++) {
        episode_stats st;
        if ((rc = train__episode(env, ep, &st, err)) < 0)
            break;
        train__row(tr, in, ep, &st);
        if ((ep + 1) % 10 == 0 || ep + 1 == E) {
            rc = app_table_save(tr, trp, err);
            printf("episode %d/%d", ep + 1, E);
            train__say(in, &st);
            printf(" %.2f s\n", st.seconds);
            fflush(stdout);
        }
    }
    if (rc == 0 && E > 0)
        rc = app_policy_save(pol, dir, err);
    scen_policy_set_training(pol, 0);
    episode_stats mean = {0};
    const int V = (int)cfg->train.eval_episodes;
    for (int k = 0; k < V && rc == 0; k++) {
        episode_stats st;
        /* evaluation users were never trained on: episodes after the last */
        if ((rc = train__episode(env, (int)cfg->train.episodes + k, &st, err)) < 0)
            break;
        train__row(ev, in, k, &st);
        for (int c = 0; c < in->nepisode; c++)
            mean.v[c] += st.v[c] / V;
    }
    if (rc == 0)
        rc = app_table_save(ev, evp, err);
    if (rc == 0)
        rc = train__summary(cfg, dir, env, &mean, V, dtfl_now() - t0, err);
    if (rc == 0) {
        printf("evaluation (%d episodes):", V);
        train__say(in, &mean);
        printf("\n");
    }
done:
    app_table_destroy(tr);
    app_table_destroy(ev);
    app_env_destroy(env);
    return rc;
}

int app_cmd_train(int argc, char **argv)
{
    return app_cmd_single(argc, argv, train_help, "train", train__run);
}
