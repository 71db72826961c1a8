/*
 * bench_happo.c - `dtfl bench happo`: the speed of Beta-HAPPO training at
 * the paper's size (configs/happo-paper.yaml's world: K 30 MUs, M 5 BSs,
 * 36 agents, 5000-slot episodes, one update of 25 epochs an episode,
 * hidden [128, 64]), on 1 and then 2 BLAS threads:
 *
 *   rollout  slots/s of the episode's slots: the world, 36 actors acting on
 *            batch-1 observations, the critics' state, masks, rewards;
 *   update   seconds and GFLOP/s of the episode's update (the FLOPs of
 *            every forward and backward pass the learner ran: 2 P and 4 P
 *            a sample for a network of P weights) as a fraction of the
 *            sgemm peak at the same thread count, measured in this run;
 *   train    seconds an episode, and 150 episodes (the paper's budget).
 *
 * Medians over 3 episodes after one to warm up. The targets:
 * rollouts >= 5000 slots/s a thread, updates >= 0.6 of the peak, 150
 * episodes <= 10 minutes on 2 cores; the paper: 87 min (PyTorch, an
 * i9-13900HX laptop). experiments/happo/torch_peer.py times the same
 * learner in PyTorch (`make bench-happo` runs both).
 */
#include "bench.h"

#include "env.h"

#include <cblas.h>
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

static const char happo_config[] =
    "scenario: happo\nmode: analytic\nmodel: {kind: softmax}\nseed: 2\n"
    "world: {width: 1000, height: 1000, slot_seconds: 0.05, slots: 5000, "
    "frame_slots: 100, distance: euclidean}\n"
    "servers: {count: 5, placement: grid, grid_cols: 3}\n"
    "users: {count: 30, samples: [1, 1], twin_bits: [2e6, 2e6]}\n"
    "mobility: {model: gauss-markov, speed: [2, 10], memory: 0.8, "
    "speed_sigma: 0.3, direction_sigma: 0.5}\n"
    "sched: {policy: beta-happo}\n";

#define HB_EPISODES 3

typedef struct hb_point {
    int threads;
    double peak;                 /* sgemm 1024^3 at these threads */
    double episode_s, rollout_slots_s, update_s, update_gflops;
} hb_point;

/* One training episode's wall seconds and its counters' growth. */
static int hb__episode(app_env *env, int ep, double *wall, sched_marl_counters *d,
                       dtfl_err *err)
{
    sched_marl_counters c0, c1;
    scen_policy_marl_counters(app_env_policy(env), &c0);
    const double t0 = dtfl_now();
    int rc = app_env_reset(env, ep, err);
    while (rc == 0)
        rc = app_env_slot(env, err);
    *wall = dtfl_now() - t0;
    scen_policy_marl_counters(app_env_policy(env), &c1);
    d->update_seconds = c1.update_seconds - c0.update_seconds;
    d->update_flops = c1.update_flops - c0.update_flops;
    d->slots = c1.slots - c0.slots;
    return rc == 1 ? 0 : rc;
}

static int hb__point(app_env *env, int threads, hb_point *pt, dtfl_err *err)
{
    openblas_set_num_threads(threads);
    double med;
    pt->threads = threads;
    pt->peak = app_bench_sgemm_peak(1024, &med);
    double ep[HB_EPISODES], ro[HB_EPISODES], up[HB_EPISODES], gf[HB_EPISODES];
    int rc = 0;
    for (int e = -1; e < HB_EPISODES && rc == 0; e++) {
        double wall;
        sched_marl_counters d;
        rc = hb__episode(env, e + 1, &wall, &d, err);
        if (rc == 0 && e >= 0) {
            ep[e] = wall;
            ro[e] = (double)d.slots / (wall - d.update_seconds);
            up[e] = d.update_seconds;
            gf[e] = d.update_flops / d.update_seconds / 1e9;
        }
    }
    if (rc == 0) {
        pt->episode_s = dtfl_median(ep, HB_EPISODES);
        pt->rollout_slots_s = dtfl_median(ro, HB_EPISODES);
        pt->update_s = dtfl_median(up, HB_EPISODES);
        pt->update_gflops = dtfl_median(gf, HB_EPISODES);
    }
    return rc;
}

static void hb__print(const hb_point *pt, int n, double fma, const char *isa, int json)
{
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "bench", "happo");
        cJSON_AddNumberToObject(o, "fma_peak_gflops_one_core", fma);
        cJSON *arr = cJSON_AddArrayToObject(o, "threads");
        for (int i = 0; i < n; i++) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddNumberToObject(e, "threads", pt[i].threads);
            cJSON_AddNumberToObject(e, "sgemm_peak_gflops", pt[i].peak);
            cJSON_AddNumberToObject(e, "episode_seconds", pt[i].episode_s);
            cJSON_AddNumberToObject(e, "rollout_slots_per_second", pt[i].rollout_slots_s);
            cJSON_AddNumberToObject(e, "update_seconds", pt[i].update_s);
            cJSON_AddNumberToObject(e, "update_gflops", pt[i].update_gflops);
            cJSON_AddNumberToObject(e, "update_fraction_of_peak", pt[i].update_gflops / pt[i].peak);
            cJSON_AddNumberToObject(e, "paper_training_minutes", 150 * pt[i].episode_s / 60);
            cJSON_AddItemToArray(arr, e);
        }
        app_bench_print_json(o);
        return;
    }
    printf("Beta-HAPPO on the happo scenario: K 30, M 5, 36 agents, 5000-slot episodes, "
           "25 epochs\none core's FMA peak %.0f GFLOP/s (%s)\n\n", fma, isa);
    printf("threads  sgemm peak  episode   rollout       update   update GFLOP/s   "
           "150 episodes\n");
    for (int i = 0; i < n; i++)
        printf("%7d  %6.1f GF/s  %6.2f s  %6.0f slots/s  %5.2f s  %6.1f (%.2f of peak)  "
               "%5.1f min\n", pt[i].threads, pt[i].peak, pt[i].episode_s,
               pt[i].rollout_slots_s, pt[i].update_s, pt[i].update_gflops,
               pt[i].update_gflops / pt[i].peak, 150 * pt[i].episode_s / 60);
    printf("\ntargets: rollout >= 5000 slots/s a thread, update >= 0.6 of the peak, 150 "
           "episodes <= 10 min on 2 cores (the paper: 87 min)\n");
}

int app_bench_happo(int json)
{
    const char *isa = NULL;
    const double fma = app_bench_fma_peak(&isa);
    dtfl_err err = {0};
    app_config cfg;
    app_env *env = NULL;
    hb_point pt[2];
    int rc = app_bench_env(happo_config, &cfg, &env, &err);
    if (rc == 0)
        scen_policy_set_training(app_env_policy(env), 1);
    for (int i = 0; i < 2 && rc == 0; i++)
        rc = hb__point(env, i + 1, &pt[i], &err);
    app_env_destroy(env);
    if (rc < 0) {
        fprintf(stderr, "dtfl bench happo: %s\n", err.msg);
        return EX_SOFTWARE;
    }
    hb__print(pt, 2, fma, isa, json);
    return EX_OK;
}
