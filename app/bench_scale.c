/*
 * bench_scale.c - `dtfl bench scale`: seconds per analytic slot of the
 * diten scenario with the nearest baseline and the optimal allocation (the
 * policy and solver every sweep runs), at U x S from 1e5 to 1e7 (U = 10 S),
 * and the exponent k of time ~ (U S)^k fitted by least squares on the logs:
 * 1 is linear. One core; median over the slots after one warm-up slot; the
 * world's creation is not counted.
 */
#include "bench.h"
#include "env.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#define SCALE_POINTS 5
#define SCALE_SLOTS 8

/* Median seconds per slot at U users and S servers. */
static int scale__point(int U, int S, double *seconds, dtfl_err *err)
{
    char text[512];
    snprintf(text, sizeof text,
             "mode: analytic\nmodel: {kind: 2nn}\nusers: {count: %d, "
             "samples: [200, 1000], twin_bits: [4400, 4600]}\n"
             "servers: {count: %d, placement: uniform, p: [120, 150], "
             "q: [1400, 1500], eps: [54, 56]}\nworld: {slots: %d}\n"
             "mobility: {model: waypoint, speed: [0.5, 1.5]}\n"
             "sched: {policy: nearest, allocation: optimal}\n",
             U, S, SCALE_SLOTS + 1);
    app_config *cfg = malloc(sizeof *cfg);
    app_diag *diag = NULL;
    if (cfg == NULL || app_diag_create(&diag) < 0) {
        free(cfg);
        return dtfl_err_set(err, DTFL_ENOMEM, "bench: out of memory");
    }
    int rc = app_config_load_text(cfg, "bench-scale", text, strlen(text), 0,
                                  NULL, 0, app_limits_default(), diag);
    app_diag_destroy(diag);
    app_env *env = NULL;
    if (rc < 0)
        rc = dtfl_err_set(err, DTFL_EINTERNAL, "bench: built-in config");
    if (rc == 0 && (rc = app_env_create(&env, cfg, err)) == 0)
        rc = app_env_reset(env, -1, err);
    double t[SCALE_SLOTS + 1];
    for (int k = 0; rc == 0 && k <= SCALE_SLOTS; k++) {
        double t0 = dtfl_now();
        rc = app_env_slot(env, err);
        t[k] = dtfl_now() - t0;
        rc = rc < 0 ? rc : 0;
    }
    if (rc == 0)
        *seconds = dtfl_median(t + 1, SCALE_SLOTS); /* slot 0 warms up */
    app_env_destroy(env);
    free(cfg);
    return rc;
}

int app_bench_scale(int json)
{
    const double us[SCALE_POINTS] = {1e5, 3.16e5, 1e6, 3.16e6, 1e7};
    int U[SCALE_POINTS], S[SCALE_POINTS];
    double sec[SCALE_POINTS];
    dtfl_err err = {0};
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (int i = 0; i < SCALE_POINTS; i++) {
        S[i] = (int)lround(sqrt(us[i] / 10.0));
        U[i] = 10 * S[i];
        if (scale__point(U[i], S[i], &sec[i], &err) < 0) {
            fprintf(stderr, "dtfl bench scale: %s\n", err.msg);
            return EX_SOFTWARE;
        }
        double x = log((double)U[i] * S[i]), y = log(sec[i]);
        sx += x, sy += y, sxx += x * x, sxy += x * y;
    }
    const int n = SCALE_POINTS;
    double k = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    /* the worst ratio of time per U S to that of the smallest point */
    double worst = 0.0;
    for (int i = 1; i < n; i++) {
        double r = (sec[i] / ((double)U[i] * S[i])) / (sec[0] / ((double)U[0] * S[0]));
        worst = r > worst ? r : worst;
    }
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "bench", "scale");
        cJSON *arr = cJSON_AddArrayToObject(o, "points");
        for (int i = 0; i < n; i++) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddNumberToObject(e, "users", U[i]);
            cJSON_AddNumberToObject(e, "servers", S[i]);
            cJSON_AddNumberToObject(e, "seconds_per_slot", sec[i]);
            cJSON_AddItemToArray(arr, e);
        }
        cJSON_AddNumberToObject(o, "exponent", k);
        cJSON_AddNumberToObject(o, "worst_ratio_to_linear", worst);
        app_bench_print_json(o);
        return EX_OK;
    }
    printf("analytic slots of diten, nearest + optimal allocation, one core "
           "(median of %d slots)\n\n%8s %8s %12s %14s %12s\n", SCALE_SLOTS, "U",
           "S", "U x S", "s per slot", "vs linear");
    for (int i = 0; i < n; i++)
        printf("%8d %8d %12.3g %14.5f %12.2f\n", U[i], S[i], (double)U[i] * S[i],
               sec[i], (sec[i] / ((double)U[i] * S[i])) / (sec[0] / ((double)U[0] * S[0])));
    printf("\nfitted exponent of time ~ (U S)^k: k = %.3f (1 is linear); worst "
           "time per U S %.2fx the smallest point's (target <= 1.5); U = %d, "
           "S = %d: %.3f s per slot (target <= 1)\n", k, worst, U[n - 1], S[n - 1],
           sec[n - 1]);
    return EX_OK;
}
