/*
 * run_setup.c - builds the state of `dtfl run` from a config: data and
 * per-user label mixes and test splits, the world, the model and optimiser,
 * the scenario and its policy (rank 0), the migration settings and the
 * scratch buffers. Every rank builds the same world and the same global
 * model from the seed.
 */
#include "run.h"

#include <stdlib.h>
#include <string.h>

void run_free(run_state *s)
{
    if (s->twins != NULL)
        for (int u = 0; u < s->U; u++)
            twin_dt_destroy(s->twins[u]);
    if (s->server_w != NULL)
        for (int k = 0; k < s->S; k++)
            free(s->server_w[k]);
    free(s->server_w);
    free(s->twins);
    free(s->assoc);
    free(s->gamma);
    free(s->infer);
    for (int u = 0; s->task_in != NULL && u < s->U; u++)
        free(s->task_in[u]);
    for (int u = 0; s->pred != NULL && u < s->U; u++)
        free(s->pred[u]);
    free(s->task_in);
    free(s->pred);
    free(s->cached);
    run_cache_destroy(s->cache);
    free(s->global_w);
    free(s->global_mix);
    free(s->user_mix);
    free(s->test_idx);
    free(s->stage_x);
    free(s->stage_y);
    free(s->pick);
    free(s->draw);
    free(s->per_user);
    free(s->stale);
    free(s->local_w);
    free(s->fate);
    free(s->took_part);
    free(s->xfer);
    app_table_destroy(s->slots_csv);
    app_table_destroy(s->twins_csv);
    app_env_destroy(s->env);
    fl_batch_destroy(s->batch);
    fl_sgd_destroy(s->sgd);
    fl_model_destroy(s->model);
    twin_world_destroy(s->world);
    fl_dataset_destroy(s->train);
    fl_dataset_destroy(s->test);
    memset(s, 0, sizeof *s);
}

/* Label mixes at EMD phi and test splits with the user's own mix. */
static int setup__users(run_state *s, dtfl_err *err)
{
    const app_config *c = s->cfg;
    const int L = s->classes, n = (int)c->users.test_samples;
    s->global_mix = calloc((size_t)L, sizeof(double));
    s->user_mix = calloc((size_t)s->U * L, sizeof(double));
    s->test_idx = calloc((size_t)s->U * n, sizeof(int32_t));
    if (s->global_mix == NULL || s->user_mix == NULL || s->test_idx == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "users: out of memory");
    fl_dataset_mix(s->train, s->global_mix);
    double test_mix[FL_MAX_CLASSES];
    fl_dataset_mix(s->test, test_mix);
    for (int u = 0; u < s->U; u++) {
        double *mix = s->user_mix + (size_t)u * L;
        int rc = fl_mix_for_user(mix, s->global_mix, L, c->users.phi,
                                 (uint64_t)c->seed, (uint32_t)u, NULL, err);
        if (rc < 0)
            return dtfl_err_prefix(err, "users.phi");
        int counts[FL_MAX_CLASSES];
        fl_mix_counts(mix, test_mix, L, n, c->users.phi, counts, NULL);
        rc = fl_draw(s->test, counts, (uint64_t)c->seed, DTFL_STREAM_TEST,
                     (uint32_t)u, 0, s->test_idx + (size_t)u * n, err);
        if (rc < 0)
            return dtfl_err_prefix(err, "user %d's test split (users.test_samples "
                                        "%d)", u, n);
    }
    return 0;
}

static int setup__model(run_state *s, dtfl_err *err)
{
    const app_config *c = s->cfg;
    fl_model_shape shape = {(fl_model_kind)c->model.kind, s->train->rows,
                            s->train->cols, s->classes};
    int rc = fl_model_create(&s->model, shape, (int)c->fl.batch, err);
    if (rc < 0)
        return rc;
    s->nparams = fl_model_nparams(s->model);
    fl_model_init(s->model, (uint64_t)c->seed);
    fl_sgd_params sp = {(float)c->fl.lr, (float)c->fl.momentum,
                        (float)c->fl.weight_decay};
    if ((rc = fl_sgd_create(&s->sgd, s->nparams, sp, err)) < 0 ||
        (rc = fl_batch_create(&s->batch, s->model, err)) < 0)
        return rc;
    s->global_w = malloc(sizeof(float) * s->nparams);
    s->server_w = calloc((size_t)s->S, sizeof *s->server_w);
    if (s->global_w == NULL || s->server_w == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "model: out of memory");
    memcpy(s->global_w, fl_model_params(s->model), sizeof(float) * s->nparams);
    for (int k = 0; k < s->S; k++)
        if (net_server_rank(k, s->P) == s->rank &&
            (s->server_w[k] = malloc(sizeof(float) * s->nparams)) == NULL)
            return dtfl_err_set(err, DTFL_ENOMEM,
                                "server weights: out of memory");
    return 0;
}

static int setup__buffers(run_state *s, dtfl_err *err)
{
    const size_t U = (size_t)s->U;
    const int most = (int)s->cfg->users.samples[1];
    s->twins = calloc(U, sizeof *s->twins);
    s->assoc = malloc(sizeof(int) * U);
    s->gamma = calloc(2 * U, sizeof(double));
    s->twin_s = s->gamma + U;
    s->infer = calloc(9 * U, sizeof(int)); /* the first six broadcast at once */
    s->generic = s->infer + U;
    s->generic_key = s->generic + U;
    s->local = s->generic_key + U;
    s->infer_key = s->local + U;
    s->hit_from = s->infer_key + U;
    s->stage_n = s->hit_from + U;
    s->pred_n = s->stage_n + U;
    s->task_n = s->pred_n + U;
    s->task_in = calloc(U, sizeof *s->task_in);
    s->pred = calloc(U, sizeof *s->pred);
    /* staging grows on demand; start with room for a test split or two
     * twins' data */
    s->stage_cap = (size_t)most * 4 + (size_t)s->cfg->users.test_samples;
    s->stage_x = malloc(s->stage_cap * (size_t)s->dim);
    s->stage_y = malloc(s->stage_cap);
    s->pick = malloc(sizeof(int32_t) * 2 * (size_t)most);
    s->draw = malloc(sizeof(int32_t) * (size_t)most);
    s->per_user = calloc(3 * U + 8, sizeof(int64_t));
    s->stale = calloc(U + 1, sizeof(int64_t));
    s->fate = calloc((size_t)s->S, sizeof(int64_t));
    s->took_part = calloc((size_t)s->S, 1);
    if (s->twins == NULL || s->assoc == NULL || s->gamma == NULL || s->infer == NULL ||
        s->stage_x == NULL || s->stage_y == NULL || s->pick == NULL ||
        s->draw == NULL || s->per_user == NULL || s->stale == NULL || s->fate == NULL ||
        s->took_part == NULL || s->task_in == NULL || s->pred == NULL ||
        run_cache_create(&s->cache) < 0)
        return dtfl_err_set(err, DTFL_ENOMEM, "run buffers: out of memory");
    for (size_t u = 0; u < U; u++)
        s->assoc[u] = s->infer_key[u] = s->hit_from[u] = -1;
    return 0;
}

/* Migration settings; the wire rate `auto` assumes is measured here. */
static int setup__net(run_state *s, dtfl_err *err)
{
    const app_config *c = s->cfg;
    int rc = net_pingpong(s->comm, 1u << 22, 3, &s->wire_bps, err);
    if (rc < 0)
        return rc;
    s->mig.compression = (net_compression)c->net.compression;
    s->mig.link_bytes_per_s = c->net.link_gbps * 1e9 / 8.0;
    s->mig.wire_bytes_per_s = s->mig.link_bytes_per_s > 0
                                  ? s->mig.link_bytes_per_s
                                  : s->wire_bps;
    s->mig.chunk_bytes = (size_t)c->net.chunk_kib * 1024;
    s->mig.expect = (twin_dt_expect){s->dim, s->nparams, s->classes};
    s->faults = (twin_faults){c->faults.server_dropout, c->faults.straggler,
                              c->faults.straggler_slowdown, c->fl.deadline,
                              c->faults.user_miss};
    return 0;
}

int run_setup(run_state *s, const app_config *cfg, net_comm *comm,
              const char *dir, dtfl_err *err)
{
    memset(s, 0, sizeof *s);
    s->cfg = cfg;
    s->comm = comm;
    s->rank = net_rank(comm);
    s->P = net_size(comm);
    s->U = (int)cfg->users.count;
    s->S = (int)cfg->servers.count;
    s->T = (int)cfg->world.slots;
    s->t_start = dtfl_now();
    const scen_ops *ops = scen_find(cfg->scenario);
    s->status = ops != NULL && ops->status;
    s->caches = ops != NULL && ops->caches;
    if (dir == NULL || dir[0] == '\0') /* never write beside "/" */
        return dtfl_err_set(err, DTFL_EINTERNAL, "run: no results folder");
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    int rc = app_data_load(cfg, &s->train, &s->test, err);
    if (rc < 0)
        return rc;
    s->classes = s->train->classes;
    s->dim = s->train->dim;
    twin_world_params wp;
    app_world_params(cfg, 0, &wp);
    if ((rc = twin_world_create(&s->world, &wp, err)) < 0 ||
        (rc = setup__users(s, err)) < 0 || (rc = setup__model(s, err)) < 0 ||
        (rc = setup__buffers(s, err)) < 0 || (rc = setup__net(s, err)) < 0)
        return rc;
    if (s->rank == 0) { /* the scenario and its policy, on the run's users */
        if ((rc = app_env_create(&s->env, cfg, err)) < 0 ||
            (rc = app_env_reset(s->env, -1, err)) < 0)
            return rc;
        if (app_env_info(s->env)->table[SCEN_T_REAL_SLOT].ncols > RUN_MODEL_MAX)
            return dtfl_err_set(err, DTFL_EINTERNAL, "scenario %s: more than "
                                                     "%d modelled columns",
                                cfg->scenario, RUN_MODEL_MAX);
        rc = app_policy_setup(app_env_policy(s->env), cfg, err);
    }
    return rc;
}
