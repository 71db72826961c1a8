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
} utility_point;
#define UTILITY_POINT_WIDTH 4 /* a row: the three, then the point's seconds */

typedef struct utility_lab utility_lab;

/* A model, optimiser and buffers for measuring points on the given data:
 * `users` users of at most n_max training samples each. */
int utility_lab_create(utility_lab **out, const app_config *cfg,
                       const struct fl_dataset *train,
                       const struct fl_dataset *test, int users, int n_max,
                       dtfl_err *err);
void utility_lab_destroy(utility_lab *lab);
/* FL rounds then fine-tuning for utility.users users holding n samples at
 * EMD phi (draws keyed by seed and cell, never by rank). */
int utility_lab_measure(utility_lab *lab, int64_t n, double phi,
                        int64_t seed, int cell, utility_point *out,
                        dtfl_err *err);

/* TACO's twin (001): each user's twin trains `epochs` epochs from the
 * initial model on n_personal samples at EMD phi plus n_generic of the global
 * mix; *acc is the mean accuracy on the users' own-mix splits. */
int utility_lab_twin(utility_lab *lab, int n_generic, int n_personal, double phi,
                     int64_t seed, int cell, int epochs, double *acc,
                     dtfl_err *err);

/* A command measuring independent grid points by real training
 * (utility_cmd.c): point i runs on rank i % P, rows are gathered in grid
 * order, rank 0 writes. */
typedef struct utility_cmd {
    const char *name, *help;
    int width;   /* doubles per point; the driver sets the last, seconds */
    /* the point count, and a few words on the grid for the first line */
    int (*grid)(const app_config *cfg, int *points, char *what, size_t cap,
                dtfl_err *err);
    /* users per point and the most training samples one holds */
    void (*lab_size)(const app_config *cfg, int *users, int *n_max);
    /* point i into row (width - 1 values); line: its progress line */
    int (*measure)(utility_lab *lab, const app_config *cfg, int i, double *row,
                   char *line, size_t cap, dtfl_err *err);
    int (*write)(const app_config *cfg, const double *table, int points,
                 const char *dir, int P, double wall, dtfl_err *err);
} utility_cmd;

int utility_cmd_run(const utility_cmd *c, int argc, char **argv);
/* A JSON array of n numbers. */
struct cJSON *utility_json_array(const double *v, int n);

/* Fit files: {"a": [a1..a6], "se": [...], "r2", "rmse", ...}. Writing
 * takes a cJSON object (void * keeps cJSON out of this header). */
int utility_fit_read(const char *path, double a[6], dtfl_err *err);
/* {"acc": [c0, c1, kappa], ...}: eq. 13's curve of 001 (`dtfl taco-fit`). */
int utility_taco_fit_read(const char *path, double acc[3], dtfl_err *err);

#endif /* DTFL_APP_UTILITY_H */
