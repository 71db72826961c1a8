/*
 * bench_tmo.c - `dtfl bench tmo`: the TMO engine (scen/tmo*.c, sched/seq*.c)
 * at the paper's size, I = 40 PTs, M = 10 ESs, one core:
 *   - the per-slot AM (P4) along 1000 slots of the paper's world (the
 *     policy tmo-oracle drives it; every slot's problem is solved once more
 *     on the bench's own work, warm as in a run): median and p99, with and
 *     without the local search;
 *   - one slot's problem solved cold (a fresh work each time), the number
 *     the peer is compared with;
 *   - the band split alone (P4-2-1) on the ESs of that slot;
 *   - the GRU predictor (2 layers of 30 units, 4 features): one training
 *     epoch of 10,000 windows of 30 steps in batches of 256, and one
 *     inference step for 40 PTs, with their FLOP/s against the machine's
 *     sgemm ceiling;
 *   - a whole analytic run of T = 5000 slots (the paper's preset);
 *   - beside the speeds, the AM's quality (spec E4): on 200 slots of a
 *     small world (I = 7, M = 3) in both regimes of the spec (V = Q = 1e4;
 *     V = 1e3, Q = 1e5; E^exe left out), its gap to the exact optimum from
 *     each start, from both, and with the local search.
 * --export FILE writes slot 500's problem for experiments/tmo/am_peer.py
 * (SciPy's milp for P4-1 and SLSQP for P4-2-1); experiments/tmo/gru_peer.py
 * trains the same GRU with PyTorch (make bench-tmo runs both beside dtfl).
 */
#include "bench.h"
#include "env.h"

#include "../sched/sched.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#define TM_SLOTS 1000
#define TM_EXPORT 500
#define TM_I 40
#define TM_M 10
#define TM_GRU_WINDOWS 10000
#define TM_GRU_L 30
#define TM_GRU_H 30

static int tm__env(const char *policy, int slots, app_config *cfg,
                   app_env **env, dtfl_err *err)
{
    char text[1024];
    snprintf(text, sizeof text,
             "scenario: tmo\nmode: analytic\nmodel: {kind: 2nn}\nseed: 1\n"
             "world: {width: 15000, height: 18000, slot_seconds: 1, slots: %d}\n"
             "servers: {count: %d}\nusers: {count: %d, twin_bits: [1.625e6, 3.625e6]}\n"
             "mobility: {model: waypoint, speed: [8, 25], pause: 0}\n"
             "sched: {policy: %s}\n", slots, TM_M, TM_I, policy);
    return app_bench_env(text, cfg, env, err);
}

static int tm__cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The q-quantile of n values (sorted in place). */
static double tm__quantile(double *v, int n, double q)
{
    qsort(v, (size_t)n, sizeof *v, tm__cmp);
    return v[(int)fmin(n - 1, floor(q * n))];
}

typedef struct tm_results {
    double am[TM_SLOTS], am_nols[TM_SLOTS];
    double cold, cold_nols, cold_value, cold_value_nols, band_us;
    double gru_epoch, gru_step_us, gru_train_flops, gru_step_flops;
    double run;
    double gap[2][4];     /* regime x (prev, balanced, both, both + ls) */
    int optimal[2][4];
} tm_results;

/* The problem of one slot as JSON: the model, the estimated SNRs, the
 * draws, where the DTs were, the queue; dtfl's AM answers. */
static void tm__export(FILE *f, const scen_tmo_slot *s, double value,
                       double value_nols)
{
    const scen_tmo_model *m = s->model;
    const int I = s->I, M = s->M;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "I", I);
    cJSON_AddNumberToObject(o, "M", M);
    cJSON_AddNumberToObject(o, "bw", m->bw);
    cJSON_AddNumberToObject(o, "tau", s->tau);
    cJSON_AddNumberToObject(o, "upload", s->upload);
    cJSON_AddNumberToObject(o, "Q", s->Q);
    double fixed[TM_I * TM_M], c[TM_I], cpu[TM_I];
    for (int i = 0; i < I; i++) {
        c[i] = scen_tmo_radio_w(s, i);
        cpu[i] = scen_tmo_cpu_w(s, i);
        for (int k = 0; k < M; k++)
            fixed[i * M + k] = scen_tmo_fixed(s, i, k);
    }
    cJSON_AddItemToObject(o, "snr", cJSON_CreateDoubleArray(s->snr, I * M));
    cJSON_AddItemToObject(o, "fixed", cJSON_CreateDoubleArray(fixed, I * M));
    cJSON_AddItemToObject(o, "c", cJSON_CreateDoubleArray(c, I));
    cJSON_AddItemToObject(o, "cpu", cJSON_CreateDoubleArray(cpu, I));
    cJSON_AddItemToObject(o, "prev", cJSON_CreateIntArray(s->prev, I));
    cJSON_AddNumberToObject(o, "dtfl_am_value", value_nols);
    cJSON_AddNumberToObject(o, "dtfl_am_ls_value", value);
    char *txt = cJSON_PrintUnformatted(o);
    if (txt != NULL)
        fprintf(f, "%s\n", txt);
    free(txt);
    cJSON_Delete(o);
}

/* One slot's problem solved cold (a fresh work every time), with and
 * without the local search; the band split alone on its ESs. */
static int tm__cold(const scen_tmo_slot *s, tm_results *r, dtfl_err *err)
{
    enum { REP = 15 };
    double t[2][REP];
    int access[TM_I];
    double u[TM_I], f[TM_I];
    int rc = 0;
    for (int ls = 0; ls < 2 && rc == 0; ls++)
        for (int k = 0; k < REP && rc == 0; k++) {
            scen_tmo_work *w = NULL;
            scen_tmo_am_opts o = {SCEN_TMO_INIT_BOTH, ls, 1e-9, 10, 0.2, 1e-6};
            double v = NAN, t0 = dtfl_now();
            rc = scen_tmo_work_create(&w, s->I, s->M, err);
            if (rc == 0)
                rc = scen_tmo_am(w, s, &o, access, u, f, &v, NULL, err);
            t[ls][k] = dtfl_now() - t0;
            *(ls ? &r->cold_value : &r->cold_value_nols) = v;
            scen_tmo_work_destroy(w);
        }
    r->cold_nols = tm__quantile(t[0], REP, 0.5);
    r->cold = tm__quantile(t[1], REP, 0.5);
    /* the band split of every ES of the answer, 200 times */
    scen_tmo_work *w = NULL;
    rc = rc == 0 ? scen_tmo_work_create(&w, s->I, s->M, err) : rc;
    double t0 = dtfl_now();
    for (int k = 0; rc == 0 && k < 200; k++)
        for (int m = 0; m < s->M; m++)
            scen_tmo_es_cost(w, s, access, m, u, f);
    r->band_us = (dtfl_now() - t0) / (200.0 * s->M) * 1e6;
    scen_tmo_work_destroy(w);
    return rc;
}

/* The AM along TM_SLOTS slots of the paper's world; slot TM_EXPORT solved
 * cold and exported. */
static int tm__am(tm_results *r, FILE *ex, dtfl_err *err)
{
    app_config cfg;
    app_env *env = NULL;
    scen_tmo_work *w[2] = {NULL, NULL};
    int rc = tm__env("tmo-oracle", TM_SLOTS, &cfg, &env, err);
    for (int k = 0; rc == 0 && k < 2; k++)
        rc = scen_tmo_work_create(&w[k], TM_I, TM_M, err);
    double x[TM_I], y[TM_I], snr[TM_I * TM_M], u[TM_I], f[TM_I];
    int access[TM_I], tau = 1;
    for (int t = 0; rc == 0 && t < TM_SLOTS; t++) {
        const scen_obs *so = app_env_observe(env, err);
        if (so == NULL) {
            rc = err->code;
            break;
        }
        const scen_tmo_obs *o = so->raw;
        for (int i = 0; i < TM_I; i++)
            x[i] = o->truth[i].x, y[i] = o->truth[i].y;
        tau = o->frame_start ? 4 : tau;
        const scen_tmo_slot s = scen_tmo_slot_of(o, x, y, tau, snr);
        for (int ls = 0; ls < 2 && rc == 0; ls++) {
            scen_tmo_am_opts opt = {SCEN_TMO_INIT_BOTH, ls, 1e-9, 10, 0.2, 1e-6};
            double v = NAN, t0 = dtfl_now();
            rc = scen_tmo_am(w[ls], &s, &opt, access, u, f, &v, NULL, err);
            (ls ? r->am : r->am_nols)[t] = dtfl_now() - t0;
        }
        if (rc == 0 && t == TM_EXPORT) {
            rc = tm__cold(&s, r, err);
            if (rc == 0 && ex != NULL)
                tm__export(ex, &s, r->cold_value, r->cold_value_nols);
        }
        if (rc == 0)
            rc = app_env_act(env, err) < 0 ? err->code : 0;
    }
    for (int k = 0; k < 2; k++)
        scen_tmo_work_destroy(w[k]);
    app_env_destroy(env);
    return rc;
}

/* The GRU: one training epoch of random-walk windows, one inference step
 * of 40 PTs (median of 2000). */
static int tm__gru(tm_results *r, dtfl_err *err)
{
    const int N = TM_GRU_WINDOWS, L = TM_GRU_L, H = TM_GRU_H, B = 256;
    float *win = malloc(sizeof(float) * (size_t)(N + 64) * L * 4);
    sched_seq *s = NULL;
    sched_seq_params p = {4, H, 2, 1, 1};
    int rc = win == NULL ? dtfl_err_set(err, DTFL_ENOMEM, "bench: out of memory")
                         : sched_seq_create(&s, &p, B, L, err);
    dtfl_rng g;
    dtfl_rng_init(&g, 1, DTFL_STREAM_MOBILITY, 0, 0);
    for (int k = 0; rc == 0 && k < N + 64; k++) { /* cars turning at random */
        double px = dtfl_rng_range(&g, 0, 15e3), py = dtfl_rng_range(&g, 0, 18e3);
        double th = dtfl_rng_range(&g, 0, 6.283), v = dtfl_rng_range(&g, 8, 25);
        for (int j = 0; j < L; j++) {
            th += 0.2 * dtfl_rng_normal(&g);
            float *q = win + ((size_t)k * L + j) * 4;
            q[2] = (float)(v * cos(th)), q[3] = (float)(v * sin(th));
            px += q[2], py += q[3];
            q[0] = (float)px, q[1] = (float)py;
        }
    }
    const double off[4] = {0, 0, 0, 0}, sc[4] = {15e3, 18e3, 40, 40}, st[4] = {40, 40, 4, 4};
    if (rc == 0) {
        sched_seq_set_norm(s, off, sc, st);
        sched_seq_train t = {1, B, 0.05, 1e-8, 1.0, 0.2, 0.4, 0, 3, 0, 4, 1};
        sched_seq_report rep;
        double t0 = dtfl_now();
        rc = sched_seq_fit(s, win, N, win + (size_t)N * L * 4, 64, L, &t, NULL, NULL,
                           &rep, err);
        r->gru_epoch = dtfl_now() - t0;
    }
    /* forward: per step and layer 2 B 3H (nin + H), the head 2 B F H;
     * backward twice that */
    const double step = 2.0 * 3 * H * (4 + H) + 2.0 * 3 * H * (H + H) + 2.0 * 4 * H;
    r->gru_train_flops = 3.0 * step * (double)N * (L - 1);
    r->gru_step_flops = step * TM_I;
    double x[TM_I * 4], y[TM_I * 4], tt[2000];
    float *state = calloc((size_t)TM_I * 2 * H, sizeof(float));
    for (int i = 0; i < TM_I * 4; i++)
        x[i] = win[i];
    for (int k = 0; rc == 0 && state != NULL && k < 2000; k++) {
        double t0 = dtfl_now();
        sched_seq_step(s, TM_I, x, state, y);
        tt[k] = dtfl_now() - t0;
    }
    r->gru_step_us = rc == 0 && state != NULL ? tm__quantile(tt, 2000, 0.5) * 1e6 : NAN;
    free(state);
    free(win);
    sched_seq_destroy(s);
    return rc;
}

/* The AM's gaps to the exact optimum on slots of a small world. */
static int tm__gaps(tm_results *r, dtfl_err *err)
{
    enum { SLOTS = 200, I = 7, M = 3 };
    app_config cfg;
    app_env *env = NULL;
    scen_tmo_work *w = NULL;
    char text[512];
    snprintf(text, sizeof text, "scenario: tmo\nmode: analytic\nseed: 2\n"
             "model: {kind: 2nn}\nworld: {width: 15000, height: 18000, "
             "slot_seconds: 1, slots: %d}\nservers: {count: %d}\nusers: "
             "{count: %d}\nmobility: {model: waypoint, speed: [8, 25]}\n"
             "sched: {policy: tmo-oracle}\n", SLOTS, M, I);
    int rc = app_bench_env(text, &cfg, &env, err);
    if (rc == 0)
        rc = scen_tmo_work_create(&w, I, M, err);
    const scen_tmo_init init[4] = {SCEN_TMO_INIT_PREV, SCEN_TMO_INIT_BALANCED,
                                   SCEN_TMO_INIT_BOTH, SCEN_TMO_INIT_BOTH};
    double x[I], y[I], snr[I * M], u[I], f[I];
    int a[I];
    for (int t = 0; rc == 0 && t < SLOTS; t++) {
        const scen_obs *so = app_env_observe(env, err);
        if (so == NULL) {
            rc = err->code;
            break;
        }
        const scen_tmo_obs *o = so->raw;
        for (int i = 0; i < I; i++)
            x[i] = o->truth[i].x, y[i] = o->truth[i].y;
        for (int reg = 0; t > 0 && reg < 2 && rc == 0; reg++) {
            scen_tmo_slot s = scen_tmo_slot_of(o, x, y, 2, snr);
            scen_tmo_model md = *s.model;
            md.V = reg ? 1e3 : 1e4, md.exec_energy = 0;
            s.model = &md, s.Q = reg ? 1e5 : 1e4, s.upload = t % 2;
            const double opt = scen_tmo_exact(w, &s, a);
            for (int k = 0; k < 4 && rc == 0; k++) {
                scen_tmo_am_opts ao = {init[k], k == 3, 1e-9, 10, 10.0, 1e-9};
                double v = NAN;
                rc = scen_tmo_am(w, &s, &ao, a, u, f, &v, NULL, err);
                r->gap[reg][k] += (v - opt) / opt / (SLOTS - 1);
                r->optimal[reg][k] += v <= opt * (1 + 1e-9);
            }
        }
        if (rc == 0)
            rc = app_env_act(env, err) < 0 ? err->code : 0;
    }
    scen_tmo_work_destroy(w);
    app_env_destroy(env);
    return rc;
}

static int tm__run(tm_results *r, dtfl_err *err)
{
    app_config cfg;
    app_env *env = NULL;
    int rc = tm__env("tmo", 5000, &cfg, &env, err);
    double t0 = dtfl_now();
    while (rc == 0)
        rc = app_env_slot(env, err) == 1 ? 1 : rc;
    r->run = dtfl_now() - t0;
    app_env_destroy(env);
    return rc < 0 ? rc : 0;
}

static void tm__print(const tm_results *r, double ceiling, int json)
{
    double am[TM_SLOTS], nols[TM_SLOTS];
    memcpy(am, r->am, sizeof am);
    memcpy(nols, r->am_nols, sizeof nols);
    const double med = tm__quantile(am, TM_SLOTS, 0.5), p99 = tm__quantile(am, TM_SLOTS, 0.99);
    const double med0 = tm__quantile(nols, TM_SLOTS, 0.5), p990 = tm__quantile(nols, TM_SLOTS, 0.99);
    const double train_gf = r->gru_train_flops / r->gru_epoch * 1e-9;
    const double step_gf = r->gru_step_flops / (r->gru_step_us * 1e-6) * 1e-9;
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "bench", "tmo");
        app_bench_describe_blas(o);
        cJSON_AddNumberToObject(o, "am_median_ms", med * 1e3);
        cJSON_AddNumberToObject(o, "am_p99_ms", p99 * 1e3);
        cJSON_AddNumberToObject(o, "am_nols_median_ms", med0 * 1e3);
        cJSON_AddNumberToObject(o, "am_nols_p99_ms", p990 * 1e3);
        cJSON_AddNumberToObject(o, "am_cold_ms", r->cold * 1e3);
        cJSON_AddNumberToObject(o, "am_nols_cold_ms", r->cold_nols * 1e3);
        cJSON_AddNumberToObject(o, "band_split_us", r->band_us);
        cJSON_AddNumberToObject(o, "gru_epoch_s", r->gru_epoch);
        cJSON_AddNumberToObject(o, "gru_epoch_gflops", train_gf);
        cJSON_AddNumberToObject(o, "gru_step_40_us", r->gru_step_us);
        cJSON_AddNumberToObject(o, "gru_step_gflops", step_gf);
        cJSON_AddNumberToObject(o, "sgemm_ceiling_gflops", ceiling);
        cJSON_AddNumberToObject(o, "run_5000_s", r->run);
        static const char *const names[4] = {"prev", "balanced", "both", "both_ls"};
        for (int reg = 0; reg < 2; reg++)
            for (int k = 0; k < 4; k++) {
                char key[64];
                snprintf(key, sizeof key, "am_gap_%s_%s", reg ? "energy" : "balanced_regime", names[k]);
                cJSON_AddNumberToObject(o, key, r->gap[reg][k]);
                snprintf(key, sizeof key, "am_optimal_%s_%s", reg ? "energy" : "balanced_regime", names[k]);
                cJSON_AddNumberToObject(o, key, r->optimal[reg][k]);
            }
        app_bench_print_json(o);
        return;
    }
    printf("TMO engine, I = %d, M = %d, one core; AM medians over %d slots of the "
           "paper's world\n", TM_I, TM_M, TM_SLOTS);
    printf("  %-46s %8.3f ms, p99 %7.2f ms  (target < 3, p99 < 250)\n",
           "AM slot (both starts, local search), warm", med * 1e3, p99 * 1e3);
    printf("  %-46s %8.3f ms, p99 %7.2f ms\n", "AM slot without the local search, warm",
           med0 * 1e3, p990 * 1e3);
    printf("  %-46s %8.3f ms  (%.3f ms without the local search)\n",
           "slot 500's AM cold (a fresh work)", r->cold * 1e3, r->cold_nols * 1e3);
    printf("  %-46s %8.2f us  (target < 20)\n", "band split of one ES (P4-2-1)", r->band_us);
    printf("  %-46s %8.2f s   (%.2f GFLOP/s, %.3f of the %.0f GFLOP/s sgemm ceiling)\n",
           "GRU epoch, 10k windows of 30, batch 256", r->gru_epoch, train_gf,
           train_gf / ceiling, ceiling);
    printf("  %-46s %8.2f us  (target < 20; %.2f GFLOP/s)\n", "GRU step for 40 PTs",
           r->gru_step_us, step_gf);
    printf("  %-46s %8.2f s   (target <= 15)\n", "analytic run, T = 5000, tmo", r->run);
    printf("AM's mean gap to the exact optimum, 199 slots of I = 7, M = 3 (spec E4):\n");
    for (int reg = 0; reg < 2; reg++)
        printf("  %-24s prev %6.2f%%  balanced %6.2f%%  both %6.2f%%  both + local "
               "search %7.4f%%  (optimal %d, %d, %d, %d)\n",
               reg ? "V 1e3, Q 1e5:" : "V = Q = 1e4:", 100 * r->gap[reg][0],
               100 * r->gap[reg][1], 100 * r->gap[reg][2], 100 * r->gap[reg][3],
               r->optimal[reg][0], r->optimal[reg][1], r->optimal[reg][2],
               r->optimal[reg][3]);
    printf("\nthe peers: make bench-tmo (experiments/tmo/am_peer.py, gru_peer.py)\n");
}

int app_bench_tmo(const char *export_path, int json)
{
    static tm_results r;
    dtfl_err err = {0};
    memset(&r, 0, sizeof r);
    FILE *ex = NULL;
    if (export_path != NULL && (ex = fopen(export_path, "w")) == NULL) {
        fprintf(stderr, "dtfl bench tmo: %s: cannot create\n", export_path);
        return EX_CANTCREAT;
    }
    double own, own_med;
    const char *core;
    const double ceiling = app_bench_ceiling(&own, &own_med, &core);
    int rc = tm__am(&r, ex, &err);
    if (rc == 0)
        rc = tm__gru(&r, &err);
    if (rc == 0)
        rc = tm__run(&r, &err);
    if (rc == 0)
        rc = tm__gaps(&r, &err);
    if (ex != NULL && fclose(ex) != 0 && rc == 0)
        rc = dtfl_err_set(&err, DTFL_EIO, "%s: cannot write", export_path);
    if (rc < 0) {
        fprintf(stderr, "dtfl bench tmo: %s\n", err.msg);
        return dtfl_err_exit_status(rc);
    }
    tm__print(&r, ceiling, json);
    return EX_OK;
}
