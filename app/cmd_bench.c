/*
 * cmd_bench.c - `dtfl bench WHAT [--json]`: speed measured against the
 * ceilings of this machine, measured in the same run. Benchmarks are not
 * tests: they report, they do not pass or fail (the exit status is 0 when
 * the measurement ran). One file per benchmark: bench_blas.c, bench_train.c,
 * bench_migrate.c, bench_gamma.c, bench_rl.c (bench_eco.c for its
 * ecoedgetwin case), bench_happo.c, bench_soak.c, bench_taco.c, bench_tmo.c.
 *
 * Method (OSU style): warm up, then time repeated runs and report the median
 * (ceilings report their best run: a peak is a maximum).
 */
#include "bench.h"
#include "env.h"

#include <cjson/cJSON.h>

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

static const char bench_help[] =
    "usage: dtfl bench WHAT [--json] [--slots N] [--export FILE] [--scenario S]\n"
    "\n"
    "  blas     the OpenBLAS core in use and who chose it, the sgemm peak of\n"
    "           every core type this CPU runs (each in a child process) and\n"
    "           the measured one-core FMA peak: the ceilings of the others\n"
    "  train    one-core OpenBLAS sgemm peak, then one SGD step of softmax,\n"
    "           2nn and cnn at batch 10 and 50 as samples/s, GFLOP/s and the\n"
    "           fraction of the ceiling (targets: cnn@50 >= 0.60, 2nn@10 >=\n"
    "           0.35, 2nn@50 >= 0.70)\n"
    "  scale    seconds per analytic slot (diten, nearest + optimal\n"
    "           allocation) at U x S = 1e5..1e7 and the fitted exponent of\n"
    "           time ~ (U S)^k (targets: k near 1, <= 1 s at U 10000, S 1000)\n"
    "  gamma    time to solve one slot's historical-data allocation (eq. 26)\n"
    "           globally, U = 20 and S = 9 to 21 (target < 100 us at 21),\n"
    "           and how often a local method stops short of the optimum\n"
    "  rl       PPO on the DITEN scenario (U = 20, S = 15): policy steps/s,\n"
    "           analytic slots/s while learning, update samples/s and GFLOP/s\n"
    "           as a fraction of the sgemm peak; --scenario ecoedgetwin: its\n"
    "           A2C at the paper's size (60 users, a 2715-float view, 3 x 256\n"
    "           ReLU, one mixed head): act steps/s, update samples/s, analytic\n"
    "           training steps/s (target 1000)\n"
    "  happo    Beta-HAPPO training at 002's size (36 agents, 5000-slot\n"
    "           episodes, 25 epochs) on 1 and 2 threads: rollout slots/s,\n"
    "           update GFLOP/s as a fraction of the sgemm peak, seconds an\n"
    "           episode and for 150 (targets: 5000 slots/s a thread, 0.6 of\n"
    "           the peak, 10 min on 2 cores)\n"
    "  migrate  under mpirun -np 2: twins (Fashion-MNIST images, 2NN\n"
    "           weights) moved between two ranks with none, lz4 and auto\n"
    "           frames, unpaced and over emulated 10 and 1 Gbit/s links,\n"
    "           against memcpy, MPI ping-pong and LZ4 speeds of the same run\n"
    "  taco     the TACO engine (scenario taco) at I = 40, M = 10, K = 10: one\n"
    "           slot of BCD (target <= 0.5 ms), one exact P4 (<= 1 ms), a frame\n"
    "           start, 200-frame runs of taco (<= 3 s), lot and cro (<= 7 s);\n"
    "           --export FILE writes an instance for experiments/taco/peer.py\n"
    "  tmo      the TMO engine (scenario tmo) at I = 40, M = 10: the AM slot\n"
    "           (median < 3 ms, p99 < 250 ms), the band split (< 20 us), a GRU\n"
    "           epoch of 10k windows and a step for 40 PTs (< 20 us), a run of\n"
    "           T = 5000 (<= 15 s); --export FILE writes a slot's problem for\n"
    "           experiments/tmo/am_peer.py\n"
    "  soak     --slots N (default 100000) analytic slots of the DITEN\n"
    "           scenario with PPO learning online: resident memory after\n"
    "           warm-up and at the end, and its growth per 100k slots\n"
    "\n"
    "Numbers are medians of repeated runs after a warm-up; --json prints\n"
    "them as one JSON object on stdout instead of a table.\n";

void app_bench_print_json(cJSON *o)
{
    if (o != NULL && !cJSON_HasObjectItem(o, "blas_core"))
        app_bench_describe_blas(o);
    char *s = o != NULL ? cJSON_Print(o) : NULL;
    if (s != NULL)
        printf("%s\n", s);
    cJSON_free(s);
    cJSON_Delete(o);
}

int app_bench_env(const char *text, app_config *cfg, app_env **env,
                  dtfl_err *err)
{
    *env = NULL;
    app_diag *diag = NULL;
    if (app_diag_create(&diag) < 0)
        return dtfl_err_set(err, DTFL_ENOMEM, "bench: out of memory");
    int rc = app_config_load_text(cfg, "bench", text, strlen(text), 0, NULL, 0,
                                  app_limits_default(), diag);
    if (rc < 0) /* a built-in config that does not load is dtfl's fault */
        app_diag_print(diag, stderr);
    app_diag_destroy(diag);
    if (rc < 0)
        return dtfl_err_set(err, DTFL_EINTERNAL, "bench: built-in config");
    rc = app_env_create(env, cfg, err);
    return rc == 0 ? app_env_reset(*env, -1, err) : rc;
}

int app_bench_learning(app_env *env, double *slots_s, dtfl_err *err)
{
    scen_policy_set_training(app_env_policy(env), 1);
    double s[3];
    int rc = 0;
    for (int ep = -1; ep < 3 && rc == 0; ep++) {
        double t0 = dtfl_now();
        int n = 0;
        rc = app_env_reset(env, ep + 1, err);
        while (rc == 0) {
            rc = app_env_slot(env, err);
            n++;
            if (rc == 1) {
                rc = 0;
                break;
            }
        }
        if (ep >= 0)
            s[ep] = n / (dtfl_now() - t0);
    }
    if (rc == 0)
        *slots_s = dtfl_median(s, 3);
    return rc;
}

int app_cmd_bench(int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"slots", required_argument, NULL, 's'},
                                         {"export", required_argument, NULL, 'e'},
                                         {"scenario", required_argument, NULL, 'S'},
                                         {NULL, 0, NULL, 0}};
    int c, json = 0, slots = 100000;
    const char *export_path = NULL, *scenario = "diten";
    optind = 1;
    while ((c = getopt_long(argc, argv, "hjs:e:S:", opts, NULL)) != -1) {
        if (c == 'e') {
            export_path = optarg;
            continue;
        }
        if (c == 'S') {
            scenario = optarg;
            continue;
        }
        if (c == 'h') {
            fputs(bench_help, stdout);
            return EX_OK;
        }
        if (c == 'j') {
            json = 1;
            continue;
        }
        if (c == 's') {
            char *end = NULL;
            slots = (int)strtol(optarg, &end, 10);
            if (end != optarg && *end == '\0')
                continue;
        }
        fputs(bench_help, stderr);
        return EX_USAGE;
    }
    if (optind >= argc) {
        fputs(bench_help, stderr);
        return EX_USAGE;
    }
    if (strcmp(argv[optind], "sgemm") == 0)
        return app_bench_sgemm();
    const char *rank = getenv("OMPI_COMM_WORLD_RANK");
    if (!json && (rank == NULL || strcmp(rank, "0") == 0))
        printf("OpenBLAS core %s (chosen by %s)\n", app_blas_core(),
               app_blas_chosen_by());
    if (strcmp(argv[optind], "blas") == 0)
        return app_bench_blas(json);
    if (strcmp(argv[optind], "train") == 0)
        return app_bench_train(json);
    if (strcmp(argv[optind], "scale") == 0)
        return app_bench_scale(json);
    if (strcmp(argv[optind], "gamma") == 0)
        return app_bench_gamma(json);
    if (strcmp(argv[optind], "rl") == 0 && strcmp(scenario, "ecoedgetwin") == 0)
        return app_bench_eco(json);
    if (strcmp(argv[optind], "rl") == 0 && strcmp(scenario, "diten") == 0)
        return app_bench_rl(json);
    if (strcmp(argv[optind], "rl") == 0) {
        fprintf(stderr, "dtfl bench rl: --scenario diten or ecoedgetwin, not "
                "'%s'\n", scenario);
        return EX_USAGE;
    }
    if (strcmp(argv[optind], "happo") == 0)
        return app_bench_happo(json);
    if (strcmp(argv[optind], "taco") == 0)
        return app_bench_taco(export_path, json);
    if (strcmp(argv[optind], "tmo") == 0)
        return app_bench_tmo(export_path, json);
    if (strcmp(argv[optind], "soak") == 0)
        return app_bench_soak(slots, json);
    if (strcmp(argv[optind], "migrate") == 0)
        return app_bench_migrate(argc, argv, json);
    fprintf(stderr, "dtfl bench: unknown benchmark '%s'\n\n%s", argv[optind],
            bench_help);
    return EX_USAGE;
}
