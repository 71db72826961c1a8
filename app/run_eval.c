/*
 * run_eval.c - what the twins' models do after a slot's training (run.h):
 * fine-tuning each twin from the global model on its own data, evaluating
 * it on its user's test split and the global model on the test set, and
 * serving tasks: each twin classifying the images of its task (a
 * scenario's effects.infer) where it lives. A user whose task runs on its
 * device (effects.local) has its test split classified by the device model
 * instead, trained once on a few images of the global mix. Each twin's
 * seconds of work go to s->twin_s (the scenario's measured op).
 *
 * Random streams: a twin's fine-tuning order comes from
 * (seed, SHUFFLE, 2^31 + u, t); a task's images from (seed, TEST, 2^30 +
 * u, t); the device model's images from (seed, DRAW, 2^28, 0); so the
 * numbers do not depend on which rank does the work.
 */
#include "run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TWIN_STREAM_BASE 0x80000000u

int run__finetune(run_state *s, int t, int64_t *trained, double *flops,
                          dtfl_err *err)
{
    for (int u = 0; u < s->U; u++) {
        twin_dt *dt = s->twins[u];
        if (dt == NULL)
            continue;
        int n = 0;
        double t0 = dtfl_now();
        int k = run__stage_twin(s, u, &n);
        if (k < 0)
            return dtfl_err_set(err, DTFL_ENOMEM, "twin %d: out of memory", u);
        trained[u] = k;
        dtfl_rng order;
        dtfl_rng_init(&order, (uint64_t)s->cfg->seed, DTFL_STREAM_SHUFFLE,
                      TWIN_STREAM_BASE + (uint32_t)u, (uint32_t)t);
        *flops += run__fit(s, s->global_w, n, (int)s->cfg->fl.finetune_rounds,
                            &order);
        memcpy(dt->weights, fl_model_params(s->model), sizeof(float) * s->nparams);
        s->twin_s[u] += dtfl_now() - t0;
    }
    return 0;
}

/* Correct predictions of weights w on samples s (exact integer). */
static int64_t eval__correct(run_state *s, const float *w, const fl_samples *smp,
                             uint8_t *pred, double *flops)
{
    memcpy(fl_model_params(s->model), w, sizeof(float) * s->nparams);
    fl_stats st;
    fl_classify(s->model, s->batch, smp, pred, &st);
    *flops += st.flops;
    return llround(st.accuracy * (double)st.samples);
}

/* The device model (once, on the ranks that need it): the initial model
 * trained fl.local_epochs epochs on s->local_samples training images drawn
 * by (seed, DRAW, 2^28, 0), so it is the same on every rank. */
static int eval__local_model(run_state *s, double *flops, dtfl_err *err)
{
    const int n = s->local_samples;
    if (s->local_w != NULL)
        return 0;
    if ((s->local_w = malloc(sizeof(float) * s->nparams)) == NULL ||
        run__stage_room(s, (size_t)n) < 0)
        return dtfl_err_set(err, DTFL_ENOMEM, "the device model: out of memory");
    dtfl_rng r, order;
    dtfl_rng_init(&r, (uint64_t)s->cfg->seed, DTFL_STREAM_DRAW, 0x10000000u, 0);
    for (int i = 0; i < n; i++) {
        const uint32_t j = dtfl_rng_below(&r, (uint32_t)s->train->n);
        memcpy(s->stage_x + (size_t)i * s->dim, s->train->x + (size_t)j * s->dim,
               (size_t)s->dim);
        s->stage_y[i] = s->train->y[j];
    }
    fl_model_init(s->model, (uint64_t)s->cfg->seed);
    memcpy(s->local_w, fl_model_params(s->model), sizeof(float) * s->nparams);
    dtfl_rng_init(&order, (uint64_t)s->cfg->seed, DTFL_STREAM_SHUFFLE, 0x10000000u, 0);
    *flops += run__fit(s, s->local_w, n, (int)s->cfg->fl.local_epochs, &order);
    memcpy(s->local_w, fl_model_params(s->model), sizeof(float) * s->nparams);
    return 0;
}

int run__evaluate(run_state *s, int64_t *correct, int64_t *tested,
                  int64_t *global_correct, double *flops, dtfl_err *err)
{
    const int n = (int)s->cfg->users.test_samples;
    for (int u = 0; u < s->U; u++)
        if (s->twins[u] != NULL && s->local[u] && eval__local_model(s, flops, err) < 0)
            return err->code;
    for (int u = 0; u < s->U; u++) {
        if (s->twins[u] == NULL)
            continue;
        const int32_t *idx = s->test_idx + (size_t)u * n;
        double t0 = dtfl_now();
        for (int i = 0; i < n; i++) {
            memcpy(s->stage_x + (size_t)i * s->dim,
                   s->test->x + (size_t)idx[i] * s->dim, (size_t)s->dim);
            s->stage_y[i] = s->test->y[idx[i]];
        }
        fl_samples smp = {n, s->dim, s->stage_x, s->stage_y};
        const float *w = s->local[u] ? s->local_w : s->twins[u]->weights;
        correct[u] = eval__correct(s, w, &smp, NULL, flops);
        tested[u] = n;
        if (!s->local[u]) /* the device's work is not the server's */
            s->twin_s[u] += dtfl_now() - t0;
    }
    /* the global model on this rank's slice of the test set */
    int lo = (int)((int64_t)s->test->n * s->rank / s->P);
    int hi = (int)((int64_t)s->test->n * (s->rank + 1) / s->P);
    fl_samples slice = {hi - lo, s->dim, s->test->x + (size_t)lo * s->dim,
                        s->test->y + lo};
    *global_correct = hi > lo ? eval__correct(s, s->global_w, &slice, NULL, flops) : 0;
    return 0;
}

/* Each twin of this rank classifies its task's samples with its own model:
 * s->infer[u] test images, the forwarded bytes or drawn by its key
 * (run_task.c); the results go into correct and tested (U each), and the
 * predicted labels are kept for the outcome when the scenario caches. */
int run__infer(run_state *s, int t, int64_t *correct, int64_t *tested,
                       double *flops, dtfl_err *err)
{
    memset(s->pred_n, 0, sizeof(int) * (size_t)s->U); /* no outcome yet */
    for (int u = 0; u < s->U; u++) {
        const int n = s->infer[u];
        if (s->twins[u] == NULL || n <= 0)
            continue;
        double t0 = dtfl_now();
        int rc = run_task_stage(s, u, t, err);
        if (rc == 0 && s->caches && run_task_keep_pred(s, u, n) < 0)
            rc = dtfl_err_set(err, DTFL_ENOMEM, "twin %d's outcome: out of memory", u);
        if (rc < 0)
            return rc;
        fl_samples smp = {n, s->dim, s->stage_x, s->stage_y};
        correct[u] = eval__correct(s, s->twins[u]->weights, &smp,
                                   s->caches ? s->pred[u] : NULL, flops);
        tested[u] = n;
        s->twin_s[u] += dtfl_now() - t0;
    }
    for (int u = 0; u < s->U; u++) /* a forwarded task whose twin did not run it */
        if (s->task_in[u] != NULL)
            return dtfl_err_set(err, DTFL_EPROTOCOL, "twin %d's forwarded task arrived "
                                "on rank %d but was not run", u, s->rank);
    return 0;
}
