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
 *
 * With marl.envs E > 1 (HAPPO, MAPPO) each update takes one episode from
 * each of E environments: iteration k plays episodes kE .. kE + E - 1, and
 * under mpirun environment e plays on rank e % P, every rank holding a
 * replica of the learner that sums the environments' gradients in
 * environment order (sched_marl_params.gather: net_collect_rows), so
 * policy.bin and train.csv's columns are the same for any P. Rank 0 writes
 * the results and evaluates.
 */
#include "env.h"

#include "../net/net.h"

#include <cblas.h>
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

static const char train_help[] =
    "usage: dtfl train CONFIG [key=value ...]\n"
    "\n"
    "Trains sched.policy (a learner of the scenario: ppo, a2c, ddpg, eco-a2c,\n"
    "beta-happo, gauss-happo, beta-mappo, maddpg, ...; dtfl run --policies)\n"
    "on the scenario's models (analytic mode) for train.episodes episodes of\n"
    "world.slots slots each, then evaluates it greedily on\n"
    "train.eval_episodes episodes of unseen users.\n"
    "Writes train.csv, eval.csv, summary.json and policy.bin to `out`\n"
    "(default results/<name>). Non-learning policies are evaluated only.\n"
    "With marl.envs > 1, `mpirun -np P dtfl train ...` spreads the\n"
    "environments over P ranks; the policy is the same for any P.\n";

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
    if (rc < 0) /* e.g. a server file that cannot be read */
        return rc;
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

/* Training episode ep (from 0) of n done: its row, and every 10 episodes
 * and at the end train.csv saved and a progress line (`how` after the
 * count: how the environments run, or ""). */
static int train__log(app_table *tr, const char *trp, const scen_info *in, int ep, int n,
                      const episode_stats *st, const char *how, dtfl_err *err)
{
    train__row(tr, in, ep, st);
    if ((ep + 1) % 10 != 0 && ep + 1 != n)
        return 0;
    int rc = app_table_save(tr, trp, err);
    printf("episode %d/%d%s", ep + 1, n, how);
    train__say(in, st);
    printf(" %.2f s\n", st->seconds);
    fflush(stdout);
    return rc;
}

/* A gathering that fails ends the job: the other ranks wait in it. */
static int train__gather(void *ctx, double *table, int rows, int width)
{
    dtfl_err err = {0};
    int rc = net_collect_rows(ctx, table, rows, width, &err);
    if (rc < 0) {
        fprintf(stderr, "dtfl train: %s\n", err.msg);
        net_abort(ctx, EX_SOFTWARE);
    }
    return rc;
}

/* marl.envs > 1 takes a multi-agent on-policy learner, episodes of one
 * rollout each, and a whole number of iterations. */
static int train__envs_check(const app_config *cfg, app_env *env, dtfl_err *err)
{
    sched_marl_counters c;
    const long long E = cfg->marl.envs;
    if (scen_policy_marl_counters(app_env_policy(env), &c) < 0)
        return dtfl_err_set(err, DTFL_ECONFIG, "marl.envs %lld: %s is not a multi-agent "
                            "learner (beta-happo, gauss-happo, beta-mappo)", E,
                            cfg->sched.policy);
    if (cfg->marl.rollout != 0 && cfg->marl.rollout != cfg->world.slots)
        return dtfl_err_set(err, DTFL_ECONFIG, "marl.envs %lld: a rollout is an episode "
                            "(marl.rollout 0 or %lld, not %lld)", E,
                            (long long)cfg->world.slots, (long long)cfg->marl.rollout);
    if (cfg->train.episodes % E != 0)
        return dtfl_err_set(err, DTFL_ECONFIG, "train.episodes %lld is not a multiple of "
                            "marl.envs %lld", (long long)cfg->train.episodes, E);
    return 0;
}

/* Training with E environments (marl.envs): each iteration, this rank's
 * environments' episodes, then every episode's row gathered; rank 0 writes
 * them in episode order. */
static int train__envs(app_env *env, const app_config *cfg, net_comm *comm, app_table *tr,
                       const char *trp, dtfl_err *err)
{
    const scen_info *in = app_env_info(env);
    const int E = (int)cfg->marl.envs, iters = (int)(cfg->train.episodes / E);
    const int rank = comm != NULL ? net_rank(comm) : 0, P = comm != NULL ? net_size(comm) : 1;
    const int W = in->nepisode + 1;
    char how[64];
    snprintf(how, sizeof how, " (%d environments on %d ranks)", E, P);
    double *tab = calloc((size_t)E * W, sizeof(double));
    int rc = tab == NULL ? dtfl_err_set(err, DTFL_ENOMEM, "train: out of memory") : 0;
    for (int it = 0; it < iters && rc == 0; it++) {
        for (int e = rank; e < E && rc == 0; e += P) {
            episode_stats st;
            rc = train__episode(env, it * E + e, &st, err);
            memcpy(tab + (size_t)e * W, st.v, sizeof(double) * (size_t)in->nepisode);
            tab[(size_t)e * W + in->nepisode] = st.seconds;
        }
        if (rc == 0 && P > 1)
            rc = net_collect_rows(comm, tab, E, W, err);
        for (int e = 0; e < E && rc == 0 && rank == 0; e++) {
            episode_stats st = {{0}, tab[(size_t)e * W + in->nepisode]};
            memcpy(st.v, tab + (size_t)e * W, sizeof(double) * (size_t)in->nepisode);
            rc = train__log(tr, trp, in, it * E + e, iters * E, &st, how, err);
        }
    }
    free(tab);
    return rc;
}

/* Trains (learning policies) and evaluates; writes the results folder (rank
 * 0 of comm, or the only process when comm is NULL). */
static int train__ranked(const app_config *cfg, const char *dir, net_comm *comm,
                         dtfl_err *err)
{
    app_env *env = NULL;
    app_table *tr = NULL, *ev = NULL;
    const int P = comm != NULL ? net_size(comm) : 1;
    const int rank = comm != NULL ? net_rank(comm) : 0;
    int rc = app_env_create_ranked(&env, cfg, rank, P, P > 1 ? train__gather : NULL, comm, err);
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
    const int envs = E > 0 && cfg->marl.envs > 1;
    if (envs && (rc = train__envs_check(cfg, env, err)) < 0)
        goto done;
    scen_policy_set_training(pol, 1);
    if (envs)
        rc = train__envs(env, cfg, comm, tr, trp, err);
    for (int ep = 0; ep < E && rc == 0 && !envs; ep++) {
        episode_stats st;
        if ((rc = train__episode(env, ep, &st, err)) < 0)
            break;
        rc = train__log(tr, trp, in, ep, E, &st, "", err);
    }
    if (rank != 0) /* the other ranks' replicas are done */
        goto done;
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

static int train__run(const app_config *cfg, const char *dir, dtfl_err *err)
{
    return train__ranked(cfg, dir, NULL, err);
}

/* marl.envs > 1: the environments over the MPI ranks (one rank without
 * mpirun); a rank that fails ends the job, since the others wait for it. */
static int train__mpi(int argc, char **argv)
{
    net_comm *comm = NULL;
    dtfl_err err = {0};
    if (net_mpi_create(&argc, &argv, &comm, &err) < 0) {
        fprintf(stderr, "dtfl train: %s\n", err.msg);
        return EX_SOFTWARE;
    }
    const int rank = net_rank(comm);
    static app_config cfg;
    char dir[APP_PATH_MAX] = "";
    int status = app_load_from_args_quiet(&cfg, argc, argv, optind, "train", rank != 0);
    status = app_agree(comm, status);
    if (status == 0 && cfg.marl.envs < net_size(comm)) {
        if (rank == 0)
            fprintf(stderr, "dtfl train: marl.envs %lld on %d ranks: each rank plays one "
                            "environment at least\n", (long long)cfg.marl.envs,
                    net_size(comm));
        status = EX_USAGE;
    }
    if (status == 0) {
        openblas_set_num_threads((int)cfg.run.blas_threads);
        status = app_results_agree(comm, &cfg, dir, sizeof dir, 0, "train", &err);
    }
    if (status == 0) {
        int rc = train__ranked(&cfg, dir, comm, &err);
        if (rc < 0) {
            fprintf(stderr, "dtfl train: %s\n", err.msg);
            net_abort(comm, dtfl_err_exit_status(rc));
        }
    }
    net_comm_destroy(comm);
    return status;
}

int app_cmd_train(int argc, char **argv)
{
    int opt = app_options_help_only(argc, argv, train_help);
    if (opt >= 0)
        return opt;
    static app_config cfg; /* only to see marl.envs; errors are told below */
    if (app_load_from_args_quiet(&cfg, argc, argv, optind, "train", 1) == 0 &&
        cfg.marl.envs > 1)
        return train__mpi(argc, argv);
    return app_cmd_single(argc, argv, train_help, "train", train__run);
}
