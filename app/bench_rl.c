/*
 * bench_rl.c - `dtfl bench rl`: the speed of PPO on the paper's DITEN
 * scenario (U = 20 users, S = 15 servers: a 780-number state, 20 choices of
 * 15 servers, two hidden layers of 128, as configs/diten-paper.yaml):
 *
 *   rollout  policy steps/s: the actor samples an action and the critic
 *            values the state, one state at a time (what acting costs);
 *   env      analytic-mode slots/s with PPO training: users move, PPO acts,
 *            the optimal allocation (eq. 26) and the models score it, and
 *            the learner updates whenever its rollout is full;
 *   update   samples/s of PPO's update (GAE, then epochs x minibatches of
 *            actor and critic forward, backward, Adam) at the default
 *            rollout of 32 slots and at one 750-slot episode per update
 *            (Algorithm 1 of 003), with GFLOP/s as a fraction of the
 *            one-core sgemm peak measured in the same run.
 *
 * One thread (OPENBLAS_NUM_THREADS=1 semantics); medians of repeated runs.
 */
#include "bench.h"

#include "env.h"

#include <cblas.h>
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#define RL_U 20
#define RL_S 15

typedef struct rl_bench {
    double rollout_steps_s, rollout_gflops;
    double env_slots_s;
    int rollouts[2];
    double update_samples_s[2], update_gflops[2], update_fraction[2];
} rl_bench;

/* Acting and updating at rollout N (k = 0: also the acting figures). */
static int rl__learner(int N, int minibatches, double peak, rl_bench *b, int k,
                       dtfl_err *err)
{
    sched_rl_speed sp;
    int rc = sched_ppo_speed(scen_diten_state_dim(RL_U, RL_S), RL_U, RL_S, N,
                             minibatches, &sp, err);
    if (rc < 0)
        return rc;
    if (k == 0) {
        b->rollout_steps_s = 1.0 / sp.act_seconds;
        b->rollout_gflops = sp.act_flops / sp.act_seconds / 1e9;
    }
    b->rollouts[k] = N;
    b->update_samples_s[k] = sp.update_samples / sp.update_seconds;
    b->update_gflops[k] = sp.update_flops / sp.update_seconds / 1e9;
    b->update_fraction[k] = b->update_gflops[k] / peak;
    return 0;
}

/* Analytic-mode slots/s of PPO training on the default DITEN scenario. */
static int rl__env(rl_bench *b, dtfl_err *err)
{
    static const char text[] = "mode: analytic\nmodel: {kind: 2nn}\nusers: {count: 20}\n"
                               "servers: {count: 15}\nworld: {slots: 750}\n"
                               "sched: {policy: ppo, allocation: optimal}\n";
    app_config cfg;
    app_env *env = NULL;
    int rc = app_bench_env(text, &cfg, &env, err);
    if (rc == 0)
        rc = app_bench_learning(env, &b->env_slots_s, err);
    app_env_destroy(env);
    return rc;
}

static void rl__print(const rl_bench *b, double peak, double peak_median, int json)
{
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "bench", "rl");
        cJSON_AddNumberToObject(o, "users", RL_U);
        cJSON_AddNumberToObject(o, "servers", RL_S);
        cJSON_AddNumberToObject(o, "sgemm_peak_gflops", peak);
        cJSON_AddNumberToObject(o, "sgemm_median_gflops", peak_median);
        cJSON_AddNumberToObject(o, "rollout_steps_per_second", b->rollout_steps_s);
        cJSON_AddNumberToObject(o, "rollout_gflops", b->rollout_gflops);
        cJSON_AddNumberToObject(o, "env_slots_per_second", b->env_slots_s);
        cJSON *arr = cJSON_AddArrayToObject(o, "updates");
        for (int k = 0; k < 2; k++) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddNumberToObject(e, "rollout", b->rollouts[k]);
            cJSON_AddNumberToObject(e, "samples_per_second", b->update_samples_s[k]);
            cJSON_AddNumberToObject(e, "gflops", b->update_gflops[k]);
            cJSON_AddNumberToObject(e, "fraction_of_peak", b->update_fraction[k]);
            cJSON_AddItemToArray(arr, e);
        }
        app_bench_print_json(o);
        return;
    }
    printf("PPO on the DITEN scenario, U = %d, S = %d, one thread\n", RL_U, RL_S);
    printf("sgemm 1024^3: peak %.1f GFLOP/s (median %.1f)\n\n", peak, peak_median);
    printf("rollout (act + value, one state): %9.0f steps/s  %6.2f GFLOP/s  "
           "%.3f of peak\n",
           b->rollout_steps_s, b->rollout_gflops, b->rollout_gflops / peak);
    printf("analytic slots with PPO learning: %9.0f slots/s  (%.2f s per "
           "750-slot episode)\n",
           b->env_slots_s, 750.0 / b->env_slots_s);
    for (int k = 0; k < 2; k++)
        printf("update, rollout %3d x 4 epochs:   %9.0f samples/s %6.1f GFLOP/s "
               " %.3f of peak\n",
               b->rollouts[k], b->update_samples_s[k], b->update_gflops[k],
               b->update_fraction[k]);
}

int app_bench_rl(int json)
{
    openblas_set_num_threads(1);
    double own = 0.0, peak_median = 0.0;
    const char *core = NULL;
    double peak = app_bench_ceiling(&own, &peak_median, &core);
    rl_bench b;
    memset(&b, 0, sizeof b);
    dtfl_err err = {0};
    int rc = rl__learner(32, 1, peak, &b, 0, &err);
    if (rc == 0)
        rc = rl__learner(750, 4, peak, &b, 1, &err);
    if (rc == 0)
        rc = rl__env(&b, &err);
    if (rc < 0) {
        fprintf(stderr, "dtfl bench rl: %s\n", err.msg);
        return EX_SOFTWARE;
    }
    rl__print(&b, peak, peak_median, json);
    return EX_OK;
}
