/*
 * cmd_central.c - `dtfl central CONFIG [key=value ...]`: trains the
 * configured model on the whole training set with mini-batch SGD, the
 * accuracy ceiling that federated runs are compared against.
 *
 * Writes to the results folder: config.yaml (resolved), epochs.csv (one row
 * per epoch: loss, train and test accuracy, seconds), model.bin and
 * summary.json, each atomically.
 */
#include "app.h"

#include "../fl/fl.h"

#include <cjson/cJSON.h>

static const char central_help[] =
    "usage: dtfl central CONFIG [key=value ...]\n"
    "\n"
    "Centralised training of model.kind on the data.* training set for\n"
    "central.epochs epochs (fl.lr, fl.momentum, fl.weight_decay, fl.batch),\n"
    "evaluated on the test set after every epoch. Results go to the folder\n"
    "named by `out` (default results/<name>): config.yaml, epochs.csv,\n"
    "model.bin, summary.json.\n";

/* Everything a run of `central` holds, released in one place. */
typedef struct central_run {
    fl_dataset *train, *test;
    fl_model *model;
    fl_sgd *sgd;
    fl_batch *batch;
    app_table *epochs;
    cJSON *summary;
} central_run;

static void central__free(central_run *r)
{
    cJSON_Delete(r->summary);
    app_table_destroy(r->epochs);
    fl_batch_destroy(r->batch);
    fl_sgd_destroy(r->sgd);
    fl_model_destroy(r->model);
    fl_dataset_destroy(r->test);
    fl_dataset_destroy(r->train);
}

static int central__setup(central_run *r, const app_config *cfg,
                          dtfl_err *err)
{
    int rc = app_data_load(cfg, &r->train, &r->test, err);
    if (rc < 0)
        return rc;
    fl_model_shape shape = {(fl_model_kind)cfg->model.kind, r->train->rows,
                            r->train->cols, r->train->classes};
    if ((rc = fl_model_create(&r->model, shape, (int)cfg->fl.batch, err)) < 0)
        return rc;
    fl_model_init(r->model, (uint64_t)cfg->seed);
    fl_sgd_params sp = {(float)cfg->fl.lr, (float)cfg->fl.momentum,
                        (float)cfg->fl.weight_decay};
    if ((rc = fl_sgd_create(&r->sgd, fl_model_nparams(r->model), sp, err)) < 0)
        return rc;
    if ((rc = fl_batch_create(&r->batch, r->model, err)) < 0)
        return rc;
    if (app_table_create(&r->epochs,
                         "epoch,loss,train_accuracy,test_loss,test_accuracy,"
                         "seconds,samples_per_second,gflops") < 0)
        return dtfl_err_set(err, DTFL_ENOMEM, "out of memory");
    return 0;
}

static int central__summary(central_run *r, const app_config *cfg,
                            const char *dir, double seconds,
                            const fl_stats *last, double best, dtfl_err *err)
{
    cJSON *s = r->summary = cJSON_CreateObject();
    if (s == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "out of memory");
    cJSON_AddStringToObject(s, "command", "central");
    cJSON_AddStringToObject(s, "name", cfg->name);
    cJSON_AddStringToObject(s, "model", fl_model_kind_name(cfg->model.kind));
    cJSON_AddNumberToObject(s, "parameters", (double)fl_model_nparams(r->model));
    cJSON_AddNumberToObject(s, "train_samples", r->train->n);
    cJSON_AddNumberToObject(s, "test_samples", r->test->n);
    cJSON_AddNumberToObject(s, "epochs", (double)cfg->central.epochs);
    cJSON_AddNumberToObject(s, "test_accuracy", last->accuracy);
    cJSON_AddNumberToObject(s, "test_loss", last->loss);
    cJSON_AddNumberToObject(s, "best_test_accuracy", best);
    cJSON_AddNumberToObject(s, "seconds", seconds);
    cJSON_AddNumberToObject(s, "blas_threads", (double)cfg->run.blas_threads);
    char path[APP_PATH_MAX + 64];
    int rc = app_results_path(dir, "summary.json", path, sizeof path, err);
    if (rc == 0)
        rc = app_results_write_json(path, s, err);
    return rc;
}

static int central__train(central_run *r, const app_config *cfg,
                          const char *dir, dtfl_err *err)
{
    fl_samples train = fl_dataset_samples(r->train);
    fl_samples test = fl_dataset_samples(r->test);
    char csv[APP_PATH_MAX + 64], bin[APP_PATH_MAX + 64];
    int rc;
    if ((rc = app_results_path(dir, "epochs.csv", csv, sizeof csv, err)) < 0 ||
        (rc = app_results_path(dir, "model.bin", bin, sizeof bin, err)) < 0)
        return rc;
    double t0 = dtfl_now(), best = 0.0;
    fl_stats ev = {0};
    for (int e = 1; e <= cfg->central.epochs; e++) {
        dtfl_rng shuffle;
        dtfl_rng_init(&shuffle, (uint64_t)cfg->seed, DTFL_STREAM_SHUFFLE, 0,
                      (uint32_t)e);
        double te = dtfl_now();
        fl_stats tr;
        fl_train_epoch(r->model, r->sgd, r->batch, &train, (int)cfg->fl.batch,
                       &shuffle, &tr);
        double secs = dtfl_now() - te;
        fl_evaluate(r->model, r->batch, &test, &ev);
        best = ev.accuracy > best ? ev.accuracy : best;
        app_table_add(r->epochs, "%d,%.6f,%.6f,%.6f,%.6f,%.3f,%.1f,%.2f", e,
                      tr.loss, tr.accuracy, ev.loss, ev.accuracy, secs,
                      tr.samples / secs, tr.flops / secs / 1e9);
        if ((rc = app_table_save(r->epochs, csv, err)) < 0)
            return rc;
        printf("epoch %d/%lld  loss %.4f  train %.4f  test %.4f  %.1f s\n", e,
               (long long)cfg->central.epochs, tr.loss, tr.accuracy,
               ev.accuracy, secs);
        fflush(stdout);
    }
    if ((rc = fl_model_save(r->model, bin, err)) < 0)
        return rc;
    return central__summary(r, cfg, dir, dtfl_now() - t0, &ev, best, err);
}

/* Loads the data, trains, writes the results. */
static int central__run(const app_config *cfg, const char *dir, dtfl_err *err)
{
    central_run r = {0};
    int rc = central__setup(&r, cfg, err);
    if (rc == 0) {
        printf("central: %s, %d training and %d test samples, results in %s\n",
               fl_model_kind_name(cfg->model.kind), r.train->n, r.test->n, dir);
        rc = central__train(&r, cfg, dir, err);
    }
    central__free(&r);
    return rc;
}

int app_cmd_central(int argc, char **argv)
{
    return app_cmd_single(argc, argv, central_help, "central", central__run);
}
