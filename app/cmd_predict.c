/*
 * cmd_predict.c - `dtfl predict-train CONFIG [key=value ...]`: trains the
 * GRU position predictor of scenario tmo (000, Sec. 4.3.1; spec 4.4) on
 * the config's mobility and writes it as a predictor file for
 * tmo.predictor_file.
 *
 * Tracks: with a trace (mobility.model: trace) every vehicle of it, the
 * run's own PTs (the first users.count) kept for the test and the rest
 * split 8:1 into training and validation (the last ninth validates); with a mobility model,
 * tmo.gru.vehicles vehicles of their own (never the run's PTs) split
 * 80/10/10, over tmo.gru.slots slots. A vehicle's status each slot is
 * (x, y, v_x, v_y), the velocity its last slot's displacement as the
 * scenario measures it. Windows of tmo.gru.window slots every
 * tmo.gru.stride slots; the network sees x / width, y / height and
 * v / tmo.gru.v_max.
 *
 * Writes predictor.bin, train.csv (per epoch: training and validation
 * loss, learning rate), rmse.csv (position RMSE in metres by horizon 1 ..
 * tau_max on the test windows, for gru, cv and last, each forecast from a
 * window's first window - tau_max true statuses) and summary.json.
 */
#include "env.h"

#include "../sched/sched.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char predict_help[] =
    "usage: dtfl predict-train CONFIG [key=value ...]\n"
    "\n"
    "Trains scenario tmo's GRU position predictor (tmo.gru.*) on the\n"
    "config's mobility: a trace's vehicles (the run's PTs held out for the\n"
    "test), or tmo.gru.vehicles vehicles of the mobility model. Writes\n"
    "predictor.bin (for tmo.predictor_file), train.csv, rmse.csv (RMSE by\n"
    "horizon for gru, cv and last) and summary.json to `out`.\n";

/* Every vehicle's statuses: (vehicles, slots, 4) floats. */
typedef struct tracks {
    int n, T;
    float *s;
    int test_from, test_to;  /* vehicles kept for the test */
} tracks;

/* Every vehicle's statuses each slot: from the trace itself, or from a
 * world of its own users under the mobility model. */
static int predict__tracks(const app_config *cfg, tracks *tr, dtfl_err *err)
{
    twin_world_params wp;
    const int trace = cfg->mobility.model == TWIN_MOB_TRACE;
    /* a model's vehicles: users of their own seed, never the run's */
    app_world_params(cfg, trace ? 0 : (uint64_t)cfg->seed * 7919u + 0x5e0u, &wp);
    wp.users = (int)cfg->tmo.gru_vehicles;
    twin_world *w = NULL;
    twin_trace *tt = NULL;
    int rc = trace ? twin_trace_load_world(&tt, &wp, err) : twin_world_create(&w, &wp, err);
    if (rc < 0)
        return rc;
    tr->n = trace ? twin_trace_users(tt) : wp.users;
    tr->T = (int)cfg->tmo.gru_slots;
    tr->test_from = trace ? 0 : tr->n - tr->n / 10;
    tr->test_to = trace ? (int)cfg->users.count : tr->n;
    if (tr->test_to > tr->n || tr->test_to - tr->test_from < 1)
        rc = dtfl_err_set(err, DTFL_ECONFIG, "predict-train: %d vehicles leave "
                                             "none to test on", tr->n);
    tr->s = rc == 0 ? calloc((size_t)tr->n * tr->T * 4, sizeof(float)) : NULL;
    if (rc == 0 && tr->s == NULL)
        rc = dtfl_err_set(err, DTFL_ENOMEM, "predict-train: out of memory");
    for (int t = 0; rc == 0 && t < tr->T; t++) {
        if (w != NULL && t > 0)
            twin_world_step(w, t);
        for (int u = 0; u < tr->n; u++) {
            float *p = tr->s + ((size_t)u * tr->T + t) * 4;
            double x, y;
            if (w != NULL)
                twin_world_user_xy(w, u, &x, &y);
            else
                twin_trace_at(tt, u, t * wp.slot_seconds, &x, &y);
            p[0] = (float)x, p[1] = (float)y;
            p[2] = t > 0 ? (float)((x - p[-4]) / wp.slot_seconds) : 0.0f;
            p[3] = t > 0 ? (float)((y - p[-3]) / wp.slot_seconds) : 0.0f;
        }
    }
    twin_world_destroy(w);
    twin_trace_destroy(tt);
    return rc;
}

/* Windows of L slots every stride slots (from slot 1: velocities known) of
 * the vehicles [from, to) that pick() accepts; returns how many. */
static int predict__windows(const tracks *tr, int L, int stride, int from,
                            int to, int part, float *out)
{
    /* the rest: the last ninth of it (at least one vehicle) validates */
    const int rest = tr->n - (tr->test_to - tr->test_from);
    const int nval = rest / 9 > 0 ? rest / 9 : 1;
    int n = 0, rank = 0;
    for (int u = from; u < to; u++) {
        const int in_test = u >= tr->test_from && u < tr->test_to;
        const int which = in_test ? 2 : rank++ >= rest - nval ? 1 : 0;
        if (which != part)
            continue;
        for (int t0 = 1; t0 + L <= tr->T; t0 += stride, n++)
            if (out != NULL)
                memcpy(out + (size_t)n * L * 4, tr->s + ((size_t)u * tr->T + t0) * 4,
                       sizeof(float) * (size_t)L * 4);
    }
    return n;
}

typedef struct predict_log {
    app_table *t;
    char path[APP_PATH_MAX + 32];
    int epochs;
} predict_log;

static void predict__progress(int epoch, double train, double val, double lr,
                              void *ctx)
{
    predict_log *l = ctx;
    app_table_add(l->t, "%d,%.6g,%.6g,%.6g", epoch, train, val, lr);
    if (epoch % 10 == 0 || epoch == l->epochs || epoch == 1) {
        printf("epoch %d/%d: train %.4g, validation %.4g, lr %.3g\n", epoch,
               l->epochs, train, val, lr);
        fflush(stdout);
    }
}

/* RMSE (m) by horizon 1..H of gru, cv and last on the test windows. */
static int predict__rmse(sched_seq *s, const float *w, int n, int L, int H,
                         double dt, double *rmse, dtfl_err *err)
{
    double *f = malloc(sizeof(double) * (size_t)n * H * 4 + 1);
    if (f == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "predict-train: out of memory");
    const int warm = L - H;
    sched_seq_forecast(s, w, n, L, warm, H, f);
    memset(rmse, 0, sizeof(double) * 3 * (size_t)H);
    for (int k = 0; k < n; k++) {
        const float *last = w + ((size_t)k * L + warm - 1) * 4;
        for (int h = 0; h < H; h++) {
            const float *truth = w + ((size_t)k * L + warm + h) * 4;
            const double *g = f + ((size_t)k * H + h) * 4;
            const double cx = last[0] + last[2] * (h + 1) * dt, cy = last[1] + last[3] * (h + 1) * dt;
            rmse[h] += pow(g[0] - truth[0], 2) + pow(g[1] - truth[1], 2);
            rmse[H + h] += pow(cx - truth[0], 2) + pow(cy - truth[1], 2);
            rmse[2 * H + h] += pow(last[0] - truth[0], 2) + pow(last[1] - truth[1], 2);
        }
    }
    for (int k = 0; k < 3 * H; k++)
        rmse[k] = sqrt(rmse[k] / n);
    free(f);
    return 0;
}

static int predict__write(const app_config *cfg, const char *dir, sched_seq *s,
                          const double *rmse, int H, const sched_seq_report *rep,
                          const int *counts, dtfl_err *err)
{
    char path[APP_PATH_MAX + 32];
    size_t len = 0;
    sched_seq_save(s, NULL, &len, err);
    uint8_t *buf = malloc(len);
    int rc = buf == NULL ? dtfl_err_set(err, DTFL_ENOMEM, "out of memory")
                         : sched_seq_save(s, buf, &len, err);
    if (rc == 0 && (rc = app_results_path(dir, "predictor.bin", path, sizeof path, err)) == 0)
        rc = dtfl_file_write_atomic(path, buf, len, err);
    free(buf);
    app_table *t = NULL;
    if (rc == 0 && app_table_create(&t, "horizon,gru_m,cv_m,last_m") < 0)
        rc = dtfl_err_set(err, DTFL_ENOMEM, "out of memory");
    for (int h = 0; rc == 0 && h < H; h++)
        app_table_add(t, "%d,%.3f,%.3f,%.3f", h + 1, rmse[h], rmse[H + h], rmse[2 * H + h]);
    if (rc == 0 && (rc = app_results_path(dir, "rmse.csv", path, sizeof path, err)) == 0)
        rc = app_table_save(t, path, err);
    app_table_destroy(t);
    cJSON *o = rc == 0 ? cJSON_CreateObject() : NULL;
    if (rc == 0 && o == NULL)
        rc = dtfl_err_set(err, DTFL_ENOMEM, "summary: out of memory");
    if (rc < 0)
        return rc;
    cJSON_AddStringToObject(o, "command", "predict-train");
    cJSON_AddStringToObject(o, "name", cfg->name);
    const char *part[3] = {"train_windows", "val_windows", "test_windows"};
    for (int k = 0; k < 3; k++)
        cJSON_AddNumberToObject(o, part[k], counts[k]);
    cJSON_AddNumberToObject(o, "epochs", rep->epochs);
    cJSON_AddNumberToObject(o, "best_epoch", rep->best_epoch);
    cJSON_AddNumberToObject(o, "best_val_mse", rep->best_val);
    cJSON_AddNumberToObject(o, "final_lr", rep->lr);
    cJSON_AddNumberToObject(o, "rmse_gru_h1_m", rmse[0]);
    cJSON_AddNumberToObject(o, "rmse_gru_hmax_m", rmse[H - 1]);
    cJSON_AddNumberToObject(o, "rmse_cv_hmax_m", rmse[2 * H - 1]);
    cJSON_AddNumberToObject(o, "rmse_last_hmax_m", rmse[3 * H - 1]);
    cJSON_AddNumberToObject(o, "seconds", rep->seconds);
    return app_results_summary(dir, o, err);
}

static int predict__run(const app_config *cfg, const char *dir, dtfl_err *err)
{
    tracks tr = {0};
    const int L = (int)cfg->tmo.gru_window, stride = (int)cfg->tmo.gru_stride;
    const int H = (int)cfg->tmo.tau_max;
    float *w[3] = {NULL, NULL, NULL};
    int counts[3] = {0, 0, 0};
    sched_seq *s = NULL;
    predict_log log = {NULL, "", (int)cfg->tmo.gru_epochs};
    int rc = H >= L ? dtfl_err_set(err, DTFL_ECONFIG, "tmo.gru.window %d: at "
                                                     "least tmo.tau_max + 1", L)
                    : predict__tracks(cfg, &tr, err);
    for (int k = 0; rc == 0 && k < 3; k++) {
        counts[k] = predict__windows(&tr, L, stride, 0, tr.n, k, NULL);
        w[k] = malloc(sizeof(float) * (size_t)(counts[k] + 1) * L * 4);
        if (counts[k] == 0)
            rc = dtfl_err_set(err, DTFL_ECONFIG, "predict-train: no %s windows "
                                                 "(tmo.gru.slots %d, window %d)",
                              k == 0 ? "training" : k == 1 ? "validation" : "test",
                              tr.T, L);
        else if (w[k] == NULL)
            rc = dtfl_err_set(err, DTFL_ENOMEM, "predict-train: out of memory");
        else
            predict__windows(&tr, L, stride, 0, tr.n, k, w[k]);
    }
    const int batch = (int)cfg->tmo.gru_batch;
    sched_seq_params sp = {4, (int)cfg->tmo.gru_hidden, (int)cfg->tmo.gru_layers,
                           cfg->tmo.gru_residual, (uint64_t)cfg->seed};
    if (rc == 0)
        rc = sched_seq_create(&s, &sp, batch, L, err);
    if (rc == 0 && (rc = app_results_path(dir, "train.csv", log.path, sizeof log.path, err)) == 0 &&
        app_table_create(&log.t, "epoch,train_mse,val_mse,lr") < 0)
        rc = dtfl_err_set(err, DTFL_ENOMEM, "out of memory");
    sched_seq_report rep = {0};
    if (rc == 0) {
        const double off[4] = {0, 0, 0, 0};
        const double vmax = cfg->tmo.gru_v_max, dt = cfg->world.slot_seconds;
        const double sc[4] = {cfg->world.width, cfg->world.height, vmax, vmax};
        /* a step moves a vehicle up to v_max dt; its speed by a tenth */
        const double st[4] = {vmax * dt, vmax * dt, 0.1 * vmax, 0.1 * vmax};
        sched_seq_set_norm(s, off, sc, st);
        printf("predict-train: %d vehicles, %d / %d / %d windows of %d slots\n", tr.n,
               counts[0], counts[1], counts[2], L);
        const sched_seq_train t = {
            (int)cfg->tmo.gru_epochs, batch, cfg->tmo.gru_lr, 1e-8, cfg->tmo.gru_clip,
            cfg->tmo.gru_dropout, cfg->tmo.gru_pr_max, cfg->tmo.gru_pr_draw == 1,
            (int)cfg->tmo.gru_patience, (int)cfg->tmo.gru_stop_after,
            (H + 1) / 2, (uint64_t)cfg->seed};
        rc = sched_seq_fit(s, w[0], counts[0], w[1], counts[1], L, &t,
                           predict__progress, &log, &rep, err);
    }
    if (log.t != NULL && rc == 0)
        rc = app_table_save(log.t, log.path, err);
    double rmse[3 * 64];
    if (rc == 0)
        rc = predict__rmse(s, w[2], counts[2], L, H, cfg->world.slot_seconds, rmse, err);
    if (rc == 0)
        rc = predict__write(cfg, dir, s, rmse, H, &rep, counts, err);
    if (rc == 0)
        printf("RMSE at %d slots ahead: gru %.1f m, cv %.1f m, last %.1f m "
               "(%.0f s, best epoch %d)\n", H, rmse[H - 1], rmse[2 * H - 1],
               rmse[3 * H - 1], rep.seconds, rep.best_epoch);
    app_table_destroy(log.t);
    sched_seq_destroy(s);
    for (int k = 0; k < 3; k++)
        free(w[k]);
    free(tr.s);
    return rc;
}

int app_cmd_predict(int argc, char **argv)
{
    return app_cmd_single(argc, argv, predict_help, "predict-train", predict__run);
}
