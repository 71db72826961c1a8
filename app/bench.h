/*
 * bench.h - internal to app/: the benchmarks of `dtfl bench`.
 */
#ifndef DTFL_APP_BENCH_H
#define DTFL_APP_BENCH_H

#include "app.h"

#include <cjson/cJSON.h>

struct app_env;
/* A benchmark's scenario from its built-in config text, reset to the run's
 * own users (cfg must outlive the env). */
/* Slots/s of training the env's policy: the median over 3 episodes after
 * one to warm up (episodes keyed 0..3). */
int app_bench_learning(struct app_env *env, double *slots_s, dtfl_err *err);
int app_bench_env(const char *text, app_config *cfg, struct app_env **env,
                  dtfl_err *err);

/* Prints a --json report and deletes it (NULL: prints nothing). */
void app_bench_print_json(cJSON *o);

/* Best GFLOP/s of an n x n x n sgemm over several runs on the current
 * BLAS threads; *median gets the median (bench_train.c). */
double app_bench_sgemm_peak(int n, double *median);

/* The sgemm ceiling every benchmark divides by (bench_blas.c): the best
 * one-core sgemm 1024^3 GFLOP/s of the loaded kernels (*own, *own_median)
 * and, when this CPU runs a newer core type than the one loaded, of that
 * core measured in a child dtfl; *core names the winner. */
double app_bench_ceiling(double *own, double *own_median, const char **core);
/* The one-core FMA peak, measured on the widest vectors (*isa). */
double app_bench_fma_peak(const char **isa);
/* blas_core and blas_chosen_by into a report. */
void app_bench_describe_blas(cJSON *o);

int app_bench_blas(int json);
/* One line: the sgemm peak of the loaded kernels (for bench blas's
 * children). */
int app_bench_sgemm(void);
int app_bench_train(int json);
/* Seconds per analytic slot at U x S = 1e5..1e7 and the fitted exponent. */
int app_bench_scale(int json);
int app_bench_rl(int json);
/* `dtfl bench rl --scenario ecoedgetwin` (bench_eco.c) */
int app_bench_eco(int json);
/* Beta-HAPPO's training at the paper's size (bench_happo.c) */
int app_bench_happo(int json);
/* The TACO engine at I = 40, M = 10 (export_path: the instance of frame 50
 * as JSON for the peer, or NULL). */
int app_bench_taco(const char *export_path, int json);
/* The TMO engine at I = 40, M = 10 (export_path: slot 500's problem as
 * JSON for the peer, or NULL). */
int app_bench_tmo(const char *export_path, int json);
int app_bench_gamma(int json);
/* A long analytic run (slots >= 2000) with its memory watched. */
int app_bench_soak(int slots, int json);
/* Needs at least two MPI ranks. */
int app_bench_migrate(int argc, char **argv, int json);

#endif /* DTFL_APP_BENCH_H */
