/*
 * utility.h - internal to app/: `dtfl utility-fit`, the data-utility curves
 * of Fig. 3 of 003 measured by real training (utility_point.c), their files
 * (utility_io.c) and the command (cmd_utility.c).
 */
#ifndef DTFL_APP_UTILITY_H
#define DTFL_APP_UTILITY_H

#include "app.h"

struct fl_dataset;

/* The grid of a config: cells (n, phi) in phi-major order, n ascending,
 * then seeds; point i is cell i / seeds with seed cfg.seed + i % seeds. */
typedef struct utility_grid {
    int n_count, phi_count, seeds;
    int points;                  /* n_count * phi_count * seeds */
} utility_grid;

int utility_grid_make(const app_config *cfg, utility_grid *g, dtfl_err *err);
/* The n, phi, seed and cell of point i. */
void utility_grid_point(const app_config *cfg, const utility_grid *g, int i,
                        int64_t *n, double *phi, int64_t *seed, int *cell);

/* One measured point: a row of points.csv. */
typedef struct utility_point {
    double accuracy;    /* global model on the task's test images (Fig. 3) */
    double personal;    /* fine-tuned twins on their users' own-mix splits */
    double emd;         /* mean EMD of the users' sample counts */
    double seconds;     /* wall time of the point on its rank */
} utility_point;
#define UTILITY_POINT_WIDTH 4 /* doubles per point, for net_collect_rows */

typedef struct utility_lab utility_lab;

/* A model, optimiser and buffers for measuring points on the given data. */
int utility_lab_create(utility_lab **out, const app_config *cfg,
                       const struct fl_dataset *train,
                       const struct fl_dataset *test, dtfl_err *err);
void utility_lab_destroy(utility_lab *lab);
/* FL rounds then fine-tuning for utility.users users holding n samples at
 * EMD phi (draws keyed by seed and cell, never by rank). */
int utility_lab_measure(utility_lab *lab, int64_t n, double phi,
                        int64_t seed, int cell, utility_point *out,
                        dtfl_err *err);

/* Fit files: {"a": [a1..a6], "se": [...], "r2", "rmse", ...}. Writing
 * takes a cJSON object (void * keeps cJSON out of this header). */
int utility_fit_read(const char *path, double a[6], dtfl_err *err);

#endif /* DTFL_APP_UTILITY_H */
