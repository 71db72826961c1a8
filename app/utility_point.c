/*
 * utility_point.c - one point of the data-utility curves (Fig. 3 of 003):
 * U users (utility.users) each hold n training samples whose label mix is at
 * EMD phi from the global mix (eq. 10); they run utility.rounds FL rounds
 * (fl.local_epochs of SGD each from the global model, then FedAvg weighted
 * by sample counts, eq. 4), and the global model is scored on the task's
 * test images: the accuracy the paper plots. Then each user's twin is
 * fine-tuned from the global model (fl.finetune_rounds epochs) and scored on
 * its user's own-mix test split (users.test_samples), as the runtime does;
 * that is the `personal` column.
 *
 * Every draw is keyed by (seed, user, cell): a point's result depends on the
 * config and its grid position only, never on which rank measures it.
 *
 * What is not here: MPI (the command spreads points over ranks), files.
 */
#include "utility.h"

#include "../fl/fl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct utility_lab {
    const app_config *cfg;
    const fl_dataset *train, *test;
    fl_model *model;
    fl_sgd *sgd;
    fl_batch *batch;
    size_t np;            /* parameters */
    int L, U, dim;
    float *global;        /* (np,) */
    double *acc;          /* (np,) FedAvg accumulator */
    double global_mix[FL_MAX_CLASSES], test_mix[FL_MAX_CLASSES];
    uint8_t *x, *y;       /* (U, n_max, dim) and (U, n_max) training data */
    uint8_t *tx, *ty;     /* (U, test_n, dim) and (U, test_n) test splits */
    int32_t *idx;         /* draw scratch, max(n_max, test_n) */
    int n_max, test_n;
};

void utility_lab_destroy(utility_lab *lab)
{
    if (lab == NULL)
        return;
    fl_model_destroy(lab->model);
    fl_sgd_destroy(lab->sgd);
    fl_batch_destroy(lab->batch);
    free(lab->global);
    free(lab->acc);
    free(lab->x);
    free(lab->y);
    free(lab->tx);
    free(lab->ty);
    free(lab->idx);
    free(lab);
}

int utility_lab_create(utility_lab **out, const app_config *cfg,
                       const fl_dataset *train, const fl_dataset *test,
                       int users, int n_max, dtfl_err *err)
{
    *out = NULL;
    utility_lab *lab = calloc(1, sizeof *lab);
    if (lab == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "utility: out of memory");
    lab->cfg = cfg;
    lab->train = train;
    lab->test = test;
    lab->L = train->classes;
    lab->U = users;
    lab->dim = train->dim;
    lab->n_max = n_max;
    lab->test_n = (int)cfg->users.test_samples;
    fl_dataset_mix(train, lab->global_mix);
    fl_dataset_mix(test, lab->test_mix);
    fl_model_shape shape = {(fl_model_kind)cfg->model.kind, train->rows,
                            train->cols, lab->L};
    fl_sgd_params sp = {(float)cfg->fl.lr, (float)cfg->fl.momentum,
                        (float)cfg->fl.weight_decay};
    int rc = fl_model_create(&lab->model, shape, (int)cfg->fl.batch, err);
    if (rc == 0) {
        lab->np = fl_model_nparams(lab->model);
        if ((rc = fl_sgd_create(&lab->sgd, lab->np, sp, err)) == 0)
            rc = fl_batch_create(&lab->batch, lab->model, err);
    }
    if (rc < 0) {
        utility_lab_destroy(lab);
        return rc;
    }
    size_t U = (size_t)lab->U, D = (size_t)lab->dim;
    size_t most = (size_t)(lab->n_max > lab->test_n ? lab->n_max : lab->test_n);
    lab->global = malloc(sizeof(float) * lab->np);
    lab->acc = malloc(sizeof(double) * lab->np);
    lab->x = malloc(U * (size_t)lab->n_max * D);
    lab->y = malloc(U * (size_t)lab->n_max);
    lab->tx = malloc(U * (size_t)lab->test_n * D);
    lab->ty = malloc(U * (size_t)lab->test_n);
    lab->idx = malloc(sizeof(int32_t) * most);
    if (lab->global == NULL || lab->acc == NULL || lab->x == NULL ||
        lab->y == NULL || lab->tx == NULL || lab->ty == NULL || lab->idx == NULL) {
        utility_lab_destroy(lab);
        return dtfl_err_set(err, DTFL_ENOMEM, "utility: out of memory for %d "
                            "users of %d samples", (int)U, lab->n_max);
    }
    *out = lab;
    return 0;
}

/* Draws n samples of `counts` from d into (x, y), keyed by (seed, stream,
 * user, cell). */
static int lab__draw(utility_lab *lab, const fl_dataset *d, const int *counts,
                     int n, int64_t seed, uint32_t stream, int u, int cell,
                     uint8_t *x, uint8_t *y, dtfl_err *err)
{
    int rc = fl_draw(d, counts, (uint64_t)seed, stream, (uint32_t)u,
                     (uint32_t)cell, lab->idx, err);
    if (rc < 0)
        return rc;
    for (int i = 0; i < n; i++) {
        memcpy(x + (size_t)i * lab->dim, d->x + (size_t)lab->idx[i] * lab->dim,
               (size_t)lab->dim);
        y[i] = d->y[lab->idx[i]];
    }
    return 0;
}

/* Every user's n training samples and test split at EMD phi; *emd gets the
 * mean EMD of the training counts. */
static int lab__users(utility_lab *lab, int n, double phi, int64_t seed,
                      int cell, double *emd, dtfl_err *err)
{
    const int L = lab->L;
    *emd = 0.0;
    for (int u = 0; u < lab->U; u++) {
        double mix[FL_MAX_CLASSES], got = 0.0;
        int counts[FL_MAX_CLASSES];
        int rc = fl_mix_for_user(mix, lab->global_mix, L, phi, (uint64_t)seed,
                                 (uint32_t)u, NULL, err);
        if (rc < 0)
            return dtfl_err_prefix(err, "phi %g", phi);
        fl_mix_counts(mix, lab->global_mix, L, n, phi, counts, &got);
        *emd += got / lab->U;
        rc = lab__draw(lab, lab->train, counts, n, seed, DTFL_STREAM_DRAW, u,
                       cell, lab->x + (size_t)u * lab->n_max * lab->dim,
                       lab->y + (size_t)u * lab->n_max, err);
        if (rc == 0) {
            fl_mix_counts(mix, lab->test_mix, L, lab->test_n, phi, counts, NULL);
            rc = lab__draw(lab, lab->test, counts, lab->test_n, seed,
                           DTFL_STREAM_TEST, u, cell,
                           lab->tx + (size_t)u * lab->test_n * lab->dim,
                           lab->ty + (size_t)u * lab->test_n, err);
        }
        if (rc < 0)
            return dtfl_err_prefix(err, "user %d, n %d, phi %g", u, n, phi);
    }
    return 0;
}

static fl_samples lab__view(const utility_lab *lab, const uint8_t *x,
                            const uint8_t *y, int n)
{
    fl_samples s = {n, lab->dim, x, y};
    return s;
}

/* `epochs` of SGD from the global weights on user u's n samples; the
 * shuffle is keyed by (seed, user, cell, pass). */
static void lab__fit(utility_lab *lab, int u, int n, int epochs, int64_t seed,
                     int cell, int pass)
{
    memcpy(fl_model_params(lab->model), lab->global, sizeof(float) * lab->np);
    fl_sgd_reset(lab->sgd);
    fl_samples s = lab__view(lab, lab->x + (size_t)u * lab->n_max * lab->dim,
                             lab->y + (size_t)u * lab->n_max, n);
    dtfl_rng order;
    dtfl_rng_init(&order, (uint64_t)seed, DTFL_STREAM_SHUFFLE,
                  (uint32_t)(cell * lab->U + u), (uint32_t)pass);
    for (int e = 0; e < epochs; e++) {
        fl_stats st;
        fl_train_epoch(lab->model, lab->sgd, lab->batch, &s,
                       (int)lab->cfg->fl.batch, &order, &st);
    }
}

int utility_lab_measure(utility_lab *lab, int64_t n64, double phi, int64_t seed,
                        int cell, utility_point *out, dtfl_err *err)
{
    const app_config *c = lab->cfg;
    const int n = (int)n64;
    memset(out, 0, sizeof *out);
    int rc = lab__users(lab, n, phi, seed, cell, &out->emd, err);
    if (rc < 0)
        return rc;
    fl_model_init(lab->model, (uint64_t)seed);
    memcpy(lab->global, fl_model_params(lab->model), sizeof(float) * lab->np);
    for (int r = 0; r < c->utility.rounds; r++) { /* FL rounds, eq. 4 */
        memset(lab->acc, 0, sizeof(double) * lab->np);
        for (int u = 0; u < lab->U; u++) {
            lab__fit(lab, u, n, (int)c->fl.local_epochs, seed, cell, r);
            fl_fedavg_add(lab->acc, fl_model_params(lab->model), lab->np, n);
        }
        fl_fedavg_finish(lab->global, lab->acc, lab->np, (double)n * lab->U);
    }
    /* the paper's accuracy: the global model on the task's test images */
    int tn = c->utility.test_samples > 0 && c->utility.test_samples < lab->test->n
                 ? (int)c->utility.test_samples : lab->test->n;
    fl_samples ts = lab__view(lab, lab->test->x, lab->test->y, tn);
    fl_stats st;
    memcpy(fl_model_params(lab->model), lab->global, sizeof(float) * lab->np);
    fl_evaluate(lab->model, lab->batch, &ts, &st);
    out->accuracy = st.accuracy;
    /* the runtime's accuracy: fine-tuned twins on their users' splits */
    for (int u = 0; u < lab->U; u++) {
        lab__fit(lab, u, n, (int)c->fl.finetune_rounds, seed, cell,
                 (int)c->utility.rounds);
        fl_samples us = lab__view(lab, lab->tx + (size_t)u * lab->test_n * lab->dim,
                                  lab->ty + (size_t)u * lab->test_n, lab->test_n);
        fl_evaluate(lab->model, lab->batch, &us, &st);
        out->personal += st.accuracy / lab->U;
    }
    return 0;
}

/* TACO's twin (001): n_personal samples at EMD phi and n_generic of the
 * global mix (the cloud's knowledge, drawn as the runtime draws them: entity
 * 2^29 + u), `epochs` of SGD from the initial model, scored on the user's
 * own-mix split; the mean over the lab's users. */
int utility_lab_twin(utility_lab *lab, int n_generic, int n_personal, double phi,
                     int64_t seed, int cell, int epochs, double *acc,
                     dtfl_err *err)
{
    const int n = n_generic + n_personal, L = lab->L;
    double emd;
    *acc = 0.0;
    if (n > lab->n_max)
        return dtfl_err_set(err, DTFL_ERANGE, "taco-fit: %d samples (at most %d)",
                            n, lab->n_max);
    int rc = lab__users(lab, n_personal, phi, seed, cell, &emd, err);
    int counts[FL_MAX_CLASSES];
    fl_mix_counts(lab->global_mix, lab->global_mix, L, n_generic, 0.0, counts, NULL);
    for (int u = 0; rc == 0 && u < lab->U; u++) {
        size_t at = (size_t)u * lab->n_max + (size_t)n_personal;
        rc = lab__draw(lab, lab->train, counts, n_generic, seed, DTFL_STREAM_DRAW,
                       0x20000000 + u, cell, lab->x + at * lab->dim, lab->y + at, err);
    }
    if (rc < 0)
        return rc;
    fl_model_init(lab->model, (uint64_t)seed);
    memcpy(lab->global, fl_model_params(lab->model), sizeof(float) * lab->np);
    for (int u = 0; u < lab->U; u++) {
        lab__fit(lab, u, n, epochs, seed, cell, 0);
        fl_samples us = lab__view(lab, lab->tx + (size_t)u * lab->test_n * lab->dim,
                                  lab->ty + (size_t)u * lab->test_n, lab->test_n);
        fl_stats st;
        fl_evaluate(lab->model, lab->batch, &us, &st);
        *acc += st.accuracy / lab->U;
    }
    return 0;
}

int utility_grid_make(const app_config *cfg, utility_grid *g, dtfl_err *err)
{
    const int64_t *n = cfg->utility.n;
    const double *phi = cfg->utility.phi;
    g->n_count = (int)((n[1] - n[0]) / cfg->utility.n_step) + 1;
    /* phi steps: count the points up to the last within half a step's 1e-9 */
    g->phi_count = (int)floor((phi[1] - phi[0]) / cfg->utility.phi_step + 1e-9) + 1;
    g->seeds = (int)cfg->utility.seeds;
    double points = (double)g->n_count * g->phi_count * g->seeds;
    if (points > 1e6)
        return dtfl_err_set(err, DTFL_ERANGE, "utility: %.0f grid points "
                            "(at most 1000000)", points);
    g->points = (int)points;
    return 0;
}

void utility_grid_point(const app_config *cfg, const utility_grid *g, int i,
                        int64_t *n, double *phi, int64_t *seed, int *cell)
{
    *cell = i / g->seeds;
    *seed = cfg->seed + i % g->seeds;
    *n = cfg->utility.n[0] + (int64_t)(*cell % g->n_count) * cfg->utility.n_step;
    double x = cfg->utility.phi[0] + (*cell / g->n_count) * cfg->utility.phi_step;
    *phi = round(x * 1e9) / 1e9; /* 0.6, not 0.6000000000000001 */
}
