/*
 * bench.h - internal to app/: the benchmarks of `dtfl bench`.
 */
#ifndef DTFL_APP_BENCH_H
#define DTFL_APP_BENCH_H

#include "app.h"

/* Median of n samples (sorts v). */
double app_bench_median(double *v, int n);

int app_bench_train(int json);
int app_bench_gamma(int json);
/* Needs at least two MPI ranks. */
int app_bench_migrate(int argc, char **argv, int json);

#endif /* DTFL_APP_BENCH_H */
