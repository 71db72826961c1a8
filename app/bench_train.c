/*
 * bench_train.c - `dtfl bench train`: the one-core sgemm ceiling (the best
 * core type this CPU runs, bench_blas.c), then samples/s and GFLOP/s of one
 * SGD step (zero grads, forward, backward, update) of each model at batch
 * 10 and 50, as fractions of it. Targets (issue 12): cnn at batch 50 >=
 * 0.60, 2nn at batch 10 >= 0.35, 2nn at batch 50 >= 0.70.
 */
#include "bench.h"

#include "../fl/fl.h"

#include <cblas.h>
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <sysexits.h>

double app_bench_sgemm_peak(int n, double *median)
{
    float *a = malloc(sizeof(float) * (size_t)n * n * 3);
    if (a == NULL)
        return 0.0;
    float *b = a + (size_t)n * n, *c = b + (size_t)n * n;
    for (size_t i = 0; i < (size_t)n * n; i++) {
        a[i] = (float)(i % 17) * 0.01f;
        b[i] = (float)(i % 13) * 0.01f;
        c[i] = 0.0f;
    }
    enum { RUNS = 9 };
    double g[RUNS], best = 0.0;
    for (int r = -1; r < RUNS; r++) {
        double t = dtfl_now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f,
                    a, n, b, n, 0.0f, c, n);
        t = dtfl_now() - t;
        if (r < 0)
            continue; /* warm-up */
        g[r] = 2.0 * n * n * n / t / 1e9;
        best = g[r] > best ? g[r] : best;
    }
    *median = dtfl_median(g, RUNS);
    free(a);
    return best;
}

typedef struct train_result {
    fl_model_kind kind;
    int batch;
    double ms_per_step, samples_per_s, gflops, fraction;
} train_result;

/* Median time of one SGD step (zero grads, forward, backward, update). */
static int bench__train_step(fl_model_kind kind, int B, double peak,
                             train_result *out, dtfl_err *err)
{
    fl_model_shape shape = {kind, 28, 28, 10};
    fl_model *m = NULL;
    fl_sgd *o = NULL;
    float *x = NULL;
    uint8_t *y = NULL;
    int rc = fl_model_create(&m, shape, B, err);
    if (rc < 0)
        goto done;
    fl_model_init(m, 1);
    fl_sgd_params sp = {0.01f, 0.0f, 0.0f};
    if ((rc = fl_sgd_create(&o, fl_model_nparams(m), sp, err)) < 0)
        goto done;
    x = malloc(sizeof(float) * (size_t)B * 784);
    y = malloc((size_t)B);
    if (x == NULL || y == NULL) {
        rc = dtfl_err_set(err, DTFL_ENOMEM, "bench: out of memory");
        goto done;
    }
    dtfl_rng r;
    dtfl_rng_init(&r, 1, DTFL_STREAM_INIT, 999, 0);
    for (int i = 0; i < B * 784; i++)
        x[i] = (float)dtfl_rng_uniform(&r);
    for (int i = 0; i < B; i++)
        y[i] = (uint8_t)(i % 10);
    enum { MAXREP = 400 };
    double t[MAXREP];
    int n = 0;
    double start = dtfl_now();
    for (int rep = -3; rep < MAXREP; rep++) {
        double t0 = dtfl_now();
        fl_model_zero_grads(m);
        fl_model_backward(m, x, y, B, NULL);
        fl_sgd_step(o, fl_model_params(m), fl_model_grads(m));
        double dt = dtfl_now() - t0;
        if (rep >= 0)
            t[n++] = dt;
        if (n >= 10 && dtfl_now() - start > 0.5)
            break;
    }
    double med = dtfl_median(t, n);
    double flops = (fl_model_flops_forward(m) + fl_model_flops_backward(m)) * B;
    *out = (train_result){kind, B, med * 1e3, B / med, flops / med / 1e9,
                          flops / med / 1e9 / peak};
done:
    free(x);
    free(y);
    fl_sgd_destroy(o);
    fl_model_destroy(m);
    return rc;
}

int app_bench_train(int json)
{
    openblas_set_num_threads(1);
    double own = 0.0, peak_median = 0.0;
    const char *core = NULL;
    double peak = app_bench_ceiling(&own, &peak_median, &core);
    const fl_model_kind kinds[] = {FL_MODEL_SOFTMAX, FL_MODEL_2NN, FL_MODEL_CNN};
    const int batches[] = {10, 50};
    train_result res[6];
    dtfl_err err = {0};
    for (int k = 0; k < 3; k++)
        for (int b = 0; b < 2; b++)
            if (bench__train_step(kinds[k], batches[b], peak, &res[k * 2 + b],
                                  &err) < 0) {
                fprintf(stderr, "dtfl bench train: %s\n", err.msg);
                return EX_SOFTWARE;
            }
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "bench", "train");
        cJSON_AddNumberToObject(o, "blas_threads", 1);
        cJSON_AddNumberToObject(o, "sgemm_peak_gflops", peak);
        cJSON_AddStringToObject(o, "sgemm_peak_core", core);
        cJSON_AddNumberToObject(o, "sgemm_loaded_gflops", own);
        cJSON_AddNumberToObject(o, "sgemm_median_gflops", peak_median);
        cJSON *arr = cJSON_AddArrayToObject(o, "steps");
        for (int i = 0; i < 6; i++) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "model", fl_model_kind_name(res[i].kind));
            cJSON_AddNumberToObject(e, "batch", res[i].batch);
            cJSON_AddNumberToObject(e, "ms_per_step", res[i].ms_per_step);
            cJSON_AddNumberToObject(e, "samples_per_second", res[i].samples_per_s);
            cJSON_AddNumberToObject(e, "gflops", res[i].gflops);
            cJSON_AddNumberToObject(e, "fraction_of_peak", res[i].fraction);
            cJSON_AddItemToArray(arr, e);
        }
        app_bench_print_json(o);
        return EX_OK;
    }
    printf("sgemm 1024^3, 1 thread: ceiling %.1f GFLOP/s (core %s); the loaded "
           "kernels %.1f (median %.1f)\n\n", peak, core, own, peak_median);
    printf("%-8s %5s %10s %12s %9s %9s %s\n", "model", "batch", "ms/step",
           "samples/s", "GFLOP/s", "of peak", "target");
    for (int i = 0; i < 6; i++) {
        const char *target = "";
        if (res[i].kind == FL_MODEL_CNN && res[i].batch == 50)
            target = res[i].fraction >= 0.60 ? ">= 0.60 met" : ">= 0.60 MISSED";
        if (res[i].kind == FL_MODEL_2NN && res[i].batch == 10)
            target = res[i].fraction >= 0.35 ? ">= 0.35 met" : ">= 0.35 MISSED";
        if (res[i].kind == FL_MODEL_2NN && res[i].batch == 50)
            target = res[i].fraction >= 0.70 ? ">= 0.70 met" : ">= 0.70 MISSED";
        printf("%-8s %5d %10.3f %12.0f %9.1f %9.2f %s\n",
               fl_model_kind_name(res[i].kind), res[i].batch,
               res[i].ms_per_step, res[i].samples_per_s, res[i].gflops,
               res[i].fraction, target);
    }
    return EX_OK;
}

