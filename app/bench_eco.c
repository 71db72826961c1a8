/*
 * bench_eco.c - `dtfl bench rl --scenario ecoedgetwin`: the speed of
 * EcoEdgeTwin's A2C (eco-a2c) at the paper's size, as
 * configs/ecoedgetwin-paper.yaml sets it: 60 users among 45 servers, a
 * 2715-float view, actor and critic of three hidden ReLU layers of 256,
 * one mixed head of 60 x (5 + 2 + 2) logits and 60 Gaussian values,
 * RMSprop, rollouts of 5 steps:
 *
 *   act      steps/s: the mixed head samples and the critic values one
 *            state (what acting costs);
 *   update   samples/s of one A2C update of a 5-step rollout (forward,
 *            backward, RMSprop for both networks);
 *   train    analytic-mode training steps/s: the scenario's slot and view,
 *            acting and updating (eco-a2c's own training loop);
 *
 * each with GFLOP/s as a fraction of the one-core sgemm peak measured in
 * the same run. experiments/ecoedgetwin/torch_peer.py times the same
 * networks and update in PyTorch (`make bench-eco` runs both).
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

static const char eco_config[] =
    "scenario: ecoedgetwin\nmode: analytic\nmodel: {kind: 2nn}\n"
    "world: {width: 3000, height: 3000, slot_seconds: 60, slots: 60}\n"
    "servers: {count: 45, placement: grid, grid_cols: 9}\n"
    "users: {count: 60, samples: [1, 1]}\n"
    "mobility: {model: waypoint, speed: [2.5, 4.5], pause: 60}\n"
    "a2c: {hidden: 256, layers: 3, activation: relu, optimizer: rmsprop, "
    "gamma: 0.99, rollout: 5}\n"
    "sched: {policy: eco-a2c}\n";

typedef struct eco_bench {
    int obs_dim, U, S;
    sched_rl_speed sp;
    double train_steps_s;
} eco_bench;

/* The learner's parameters, as eco-a2c builds them from the config. */
static rl_ac_params eco__params(const app_env *env, const rl_ac_params *a2c)
{
    const scen_info *in = app_env_info(env);
    rl_ac_params p = *a2c;
    p.obs_dim = in->agent[0].obs_dim;
    p.head = RL_HEAD_MIXED;
    p.nblocks = 0;
    for (int a = 0; a < in->agents; a++)
        p.block[p.nblocks++] = in->agent[a].box > 0
                                   ? (rl_block){1, in->agent[a].box, 1}
                                   : (rl_block){0, in->agent[a].blocks, in->agent[a].choices};
    return p;
}

static void eco__print(const eco_bench *b, double peak, double peak_median, int json)
{
    const double act_gf = b->sp.act_flops / b->sp.act_seconds / 1e9;
    const double upd_sps = b->sp.update_samples / b->sp.update_seconds;
    const double upd_gf = b->sp.update_flops / b->sp.update_seconds / 1e9;
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "bench", "rl");
        cJSON_AddStringToObject(o, "scenario", "ecoedgetwin");
        cJSON_AddNumberToObject(o, "users", b->U);
        cJSON_AddNumberToObject(o, "servers", b->S);
        cJSON_AddNumberToObject(o, "obs_dim", b->obs_dim);
        cJSON_AddNumberToObject(o, "sgemm_peak_gflops", peak);
        cJSON_AddNumberToObject(o, "sgemm_median_gflops", peak_median);
        cJSON_AddNumberToObject(o, "act_steps_per_second", 1.0 / b->sp.act_seconds);
        cJSON_AddNumberToObject(o, "act_gflops", act_gf);
        cJSON_AddNumberToObject(o, "update_samples_per_second", upd_sps);
        cJSON_AddNumberToObject(o, "update_gflops", upd_gf);
        cJSON_AddNumberToObject(o, "train_steps_per_second", b->train_steps_s);
        app_bench_print_json(o);
        return;
    }
    printf("eco-a2c on the ecoedgetwin scenario, U = %d, S = %d, view %d, one thread\n",
           b->U, b->S, b->obs_dim);
    printf("sgemm 1024^3: peak %.1f GFLOP/s (median %.1f)\n\n", peak, peak_median);
    printf("act (mixed head + value, one state): %8.0f steps/s   %6.2f GFLOP/s  "
           "%.3f of peak\n", 1.0 / b->sp.act_seconds, act_gf, act_gf / peak);
    printf("update (rollout 5, RMSprop):         %8.0f samples/s %6.2f GFLOP/s  "
           "%.3f of peak\n", upd_sps, upd_gf, upd_gf / peak);
    printf("analytic training (env + learner):   %8.0f steps/s   (target 1000; "
           "%.1f s per 100 episodes)\n", b->train_steps_s, 6000.0 / b->train_steps_s);
}

int app_bench_eco(int json)
{
    openblas_set_num_threads(1);
    double own = 0.0, peak_median = 0.0;
    const char *core = NULL;
    double peak = app_bench_ceiling(&own, &peak_median, &core);
    eco_bench b;
    memset(&b, 0, sizeof b);
    dtfl_err err = {0};
    app_config cfg;
    app_env *env = NULL;
    int rc = app_bench_env(eco_config, &cfg, &env, &err);
    if (rc == 0) {
        app_scen_params params;
        scen_setup setup;
        app_scen_setup(&cfg, &params, &setup);
        rl_ac_params p = eco__params(env, &setup.a2c);
        b.obs_dim = p.obs_dim;
        b.U = app_env_info(env)->users;
        b.S = app_env_info(env)->servers;
        rc = sched_ac_speed(&p, &b.sp, &err);
    }
    if (rc == 0)
        rc = app_bench_learning(env, &b.train_steps_s, &err);
    app_env_destroy(env);
    if (rc < 0) {
        fprintf(stderr, "dtfl bench rl --scenario ecoedgetwin: %s\n", err.msg);
        return EX_SOFTWARE;
    }
    eco__print(&b, peak, peak_median, json);
    return EX_OK;
}
