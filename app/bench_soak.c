/*
 * bench_soak.c - `dtfl bench soak [--slots N]`: a long analytic run (N =
 * 100,000 slots by default) whose memory must stay flat. The run is the one
 * `dtfl run` makes with mode: analytic, on the DITEN scenario of `bench rl`
 * (U = 20, S = 15), with PPO learning online (rollouts, updates, Adam) so
 * every allocation of a long run is exercised; tables stream to a scratch
 * results folder that is removed afterwards (twins.csv every 1000 slots).
 *
 * Reported: the resident set size (VmRSS) before the run, after the first
 * 1000 slots (warm: buffers made and the first updates done) and at the
 * end, the largest seen, and the growth after warm-up per 100,000 slots by
 * a least-squares line through a sample every 1000 slots. This benchmark's
 * figure is memory, so there is no speed ceiling to divide by; slots/s is
 * given beside it.
 */
#include "bench.h"
#include "env.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#define SOAK_EVERY 1000

typedef struct soak {
    int64_t *rss;  /* (n,) VmRSS after slots SOAK_EVERY, 2 SOAK_EVERY, ... */
    int n, cap;
    int64_t peak;
} soak;

static void soak__slot(void *ctx, int t)
{
    soak *k = ctx;
    if ((t + 1) % SOAK_EVERY != 0 || k->n == k->cap)
        return;
    int64_t r = dtfl_rss_bytes();
    k->rss[k->n++] = r;
    k->peak = r > k->peak ? r : k->peak;
}

/* Least-squares slope of rss over the samples, bytes per sample. */
static double soak__slope(const soak *k)
{
    double n = k->n, sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (int i = 0; i < k->n; i++) {
        sx += i;
        sy += (double)k->rss[i];
        sxx += (double)i * i;
        sxy += (double)i * (double)k->rss[i];
    }
    double d = n * sxx - sx * sx;
    return d > 0 ? (n * sxy - sx * sy) / d : 0.0;
}

static int soak__config(app_config *cfg, int slots, const char *dir)
{
    char text[512];
    int n = snprintf(text, sizeof text,
                     "mode: analytic\nmodel: {kind: 2nn}\nusers: {count: 20}\n"
                     "servers: {count: 15}\nworld: {slots: %d}\n"
                     "sched: {policy: ppo, allocation: optimal, learn: true}\n"
                     "run: {twins_every: %d}\nout: '%s'\n",
                     slots, SOAK_EVERY, dir);
    app_diag *diag = NULL;
    if (app_diag_create(&diag) < 0)
        return -1;
    int rc = app_config_load_text(cfg, "bench-soak", text, (size_t)n, 0, NULL, 0,
                                  app_limits_default(), diag);
    if (rc < 0)
        app_diag_print(diag, stderr);
    app_diag_destroy(diag);
    return rc;
}

/* Removes the scratch results folder (files only, then the folder). */
static void soak__remove(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    char path[APP_PATH_MAX + 300];
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (e->d_name[0] != '.' || strlen(e->d_name) > 2) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
    closedir(d);
    rmdir(dir);
}

static void soak__print(const soak *k, int slots, int64_t before, double secs,
                        int json)
{
    const double MiB = 1024.0 * 1024.0;
    int64_t warm = k->rss[0], end = k->rss[k->n - 1];
    double per100k = soak__slope(k) * (100000.0 / SOAK_EVERY);
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "bench", "soak");
        cJSON_AddNumberToObject(o, "slots", slots);
        cJSON_AddNumberToObject(o, "seconds", secs);
        cJSON_AddNumberToObject(o, "slots_per_second", slots / secs);
        cJSON_AddNumberToObject(o, "rss_before_bytes", (double)before);
        cJSON_AddNumberToObject(o, "rss_warm_bytes", (double)warm);
        cJSON_AddNumberToObject(o, "rss_end_bytes", (double)end);
        cJSON_AddNumberToObject(o, "rss_peak_bytes", (double)k->peak);
        cJSON_AddNumberToObject(o, "growth_bytes", (double)(end - warm));
        cJSON_AddNumberToObject(o, "growth_per_100k_slots_bytes", per100k);
        app_bench_print_json(o);
        return;
    }
    printf("soak: %d analytic slots of the DITEN scenario (U 20, S 15), PPO "
           "learning online\n", slots);
    printf("  %.1f s, %.0f slots/s\n", secs, slots / secs);
    printf("  RSS before %.2f MiB, after %d slots %.2f MiB, at the end %.2f "
           "MiB, peak %.2f MiB\n",
           before / MiB, SOAK_EVERY, warm / MiB, end / MiB, k->peak / MiB);
    printf("  growth after warm-up %+.3f MiB; fitted %+.3f MiB per 100k "
           "slots\n",
           (end - warm) / MiB, per100k / MiB);
}

int app_bench_soak(int slots, int json)
{
    if (slots < 2 * SOAK_EVERY) {
        fprintf(stderr, "dtfl bench soak: --slots must be at least %d\n",
                2 * SOAK_EVERY);
        return EX_USAGE;
    }
    const char *tmp = getenv("TMPDIR");
    char dir[APP_PATH_MAX];
    /* mkdtemp's template: it replaces the six Xs */
    snprintf(dir, sizeof dir, "%s/dtfl-soak-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        perror("dtfl bench soak: scratch folder");
        return EX_CANTCREAT;
    }
    app_config cfg;
    soak k = {calloc((size_t)slots / SOAK_EVERY, sizeof(int64_t)), 0,
              slots / SOAK_EVERY, 0};
    int status = EX_OK;
    if (k.rss == NULL || soak__config(&cfg, slots, dir) < 0) {
        fprintf(stderr, "dtfl bench soak: cannot set up\n");
        status = EX_SOFTWARE;
    }
    if (status == EX_OK) {
        int64_t before = dtfl_rss_bytes();
        app_watch w = {soak__slot, &k};
        dtfl_err err = {0};
        double t0 = dtfl_now();
        if (app_run_analytic(&cfg, dir, &w, &err) < 0) {
            fprintf(stderr, "dtfl bench soak: %s\n", err.msg);
            status = dtfl_err_exit_status(err.code);
        } else if (k.n < 2 || k.rss[0] < 0) {
            fprintf(stderr, "dtfl bench soak: no RSS readings (/proc?)\n");
            status = EX_OSERR;
        } else {
            soak__print(&k, slots, before, dtfl_now() - t0, json);
        }
    }
    soak__remove(dir);
    free(k.rss);
    return status;
}
