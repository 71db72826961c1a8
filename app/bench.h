/*
 * bench.h - internal to app/: the benchmarks of `dtfl bench`.
 */
#ifndef DTFL_APP_BENCH_H
#define DTFL_APP_BENCH_H

#include "app.h"

#include <cjson/cJSON.h>

/* Prints a --json report and deletes it (NULL: prints nothing). */
void app_bench_print_json(cJSON *o);

/* Best GFLOP/s of an n x n x n sgemm over several runs on the current
 * BLAS threads; *median gets the median (bench_train.c). */
double app_bench_sgemm_peak(int n, double *median);

int app_bench_train(int json);
int app_bench_rl(int json);
int app_bench_gamma(int json);
/* A long analytic run (slots >= 2000) with its memory watched. */
int app_bench_soak(int slots, int json);
/* Needs at least two MPI ranks. */
int app_bench_migrate(int argc, char **argv, int json);

#endif /* DTFL_APP_BENCH_H */
