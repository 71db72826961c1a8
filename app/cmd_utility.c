/*
 * cmd_utility.c - `dtfl utility-fit CONFIG [key=value ...]`: measures the
 * data-utility curves of Fig. 3 of 003 by real training and fits eqs. 11-12.
 *
 * The grid points (utility.n x utility.phi x utility.seeds) are independent:
 * point i runs on rank i % P (utility_point.c), and the rows are collected in
 * grid order, so the files are the same for any rank count (except the
 * seconds). Rank 0 writes points.csv, fits a1..a6 to the global-model
 * accuracies (the paper's) and to the fine-tuned twins' accuracies, each
 * averaged over seeds per (n, phi) cell (scen_diten_fit, GSL), and writes
 * fit.json (R^2 over the cell means, and over every point as r2_points)
 * and summary.json.
 */
#include "utility.h"

#include "../fl/fl.h"
#include "../net/net.h"
#include "../scen/diten.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char utility_help[] =
    "usage: [mpirun -np P] dtfl utility-fit CONFIG [key=value ...]\n"
    "\n"
    "Measures accuracy against each user's sample count n and label skew\n"
    "(EMD phi) by real FL training, as Fig. 3 of 003, and fits a1..a6 of\n"
    "its eqs. 11-12. For every point of utility.n x utility.phi and each of\n"
    "utility.seeds seeds, utility.users users hold n samples at EMD phi, run\n"
    "utility.rounds FL rounds (fl.local_epochs each, FedAvg), and the global\n"
    "model is scored on utility.test_samples test images (the paper's\n"
    "accuracy); then each twin is fine-tuned (fl.finetune_rounds) and scored\n"
    "on its user's own-mix split (the personal accuracy).\n"
    "\n"
    "Points are spread over MPI ranks (point i on rank i % P) and gathered\n"
    "in grid order. Writes config.yaml, points.csv, fit.json and\n"
    "summary.json to `out` (default results/<name>); plot them with\n"
    "experiments/utility/fig3.py. A config's `utility.fit: PATH` then runs\n"
    "the DITEN models on the fitted a1..a6.\n";

static const double paper_a[6] = {0.8862, 6.8382, 0.0006, 0.9172, -0.0231, 0.8366};

static int utility__grid(const app_config *cfg, int *points, char *what,
                         size_t cap, dtfl_err *err)
{
    utility_grid g;
    int rc = utility_grid_make(cfg, &g, err);
    *points = g.points;
    snprintf(what, cap, "%d n x %d phi x %d seeds", g.n_count, g.phi_count, g.seeds);
    return rc;
}

static void utility__lab_size(const app_config *cfg, int *users, int *n_max)
{
    *users = (int)cfg->utility.users;
    *n_max = (int)cfg->utility.n[1];
}

static int utility__point(utility_lab *lab, const app_config *cfg, int i,
                          double *row, char *line, size_t cap, dtfl_err *err)
{
    utility_grid g;
    int64_t n, seed;
    double phi;
    int cell;
    utility_point pt;
    int rc = utility_grid_make(cfg, &g, err);
    if (rc == 0) {
        utility_grid_point(cfg, &g, i, &n, &phi, &seed, &cell);
        rc = utility_lab_measure(lab, n, phi, seed, cell, &pt, err);
    }
    if (rc < 0)
        return rc;
    row[0] = pt.accuracy, row[1] = pt.personal, row[2] = pt.emd;
    snprintf(line, cap, "n %lld phi %.2f seed %lld: accuracy %.4f personal %.4f",
             (long long)n, phi, (long long)seed, pt.accuracy, pt.personal);
    return 0;
}

static int utility__points_csv(const app_config *cfg, const utility_grid *g,
                               const double *table, const char *dir,
                               dtfl_err *err)
{
    app_table *t = NULL;
    int rc = app_table_create(&t, "n,phi,seed,accuracy,personal_accuracy,emd,"
                                  "seconds");
    if (rc < 0)
        return dtfl_err_set(err, rc, "points.csv: out of memory");
    for (int i = 0; rc == 0 && i < g->points; i++) {
        int64_t n, seed;
        double phi;
        int cell;
        utility_grid_point(cfg, g, i, &n, &phi, &seed, &cell);
        const double *r = table + (size_t)i * UTILITY_POINT_WIDTH;
        rc = app_table_add(t, "%lld,%.4f,%lld,%.6f,%.6f,%.6f,%.3f", (long long)n,
                           phi, (long long)seed, r[0], r[1], r[2], r[3]);
    }
    char path[APP_PATH_MAX + 32];
    if (rc == 0 && (rc = app_results_path(dir, "points.csv", path, sizeof path, err)) == 0)
        rc = app_table_save(t, path, err);
    else if (rc < 0 && err->code == 0)
        dtfl_err_set(err, rc, "points.csv: out of memory");
    app_table_destroy(t);
    return rc;
}

/* R^2 of the curve a over every point (each seed) of column col. */
static double utility__r2_points(const app_config *cfg, const utility_grid *g,
                                 const double *table, int col, const double a[6])
{
    scen_diten_params p = scen_diten_defaults();
    memcpy(p.a, a, sizeof p.a);
    double mean = 0.0, sst = 0.0, ssr = 0.0;
    for (int i = 0; i < g->points; i++)
        mean += table[(size_t)i * UTILITY_POINT_WIDTH + col] / g->points;
    for (int i = 0; i < g->points; i++) {
        int64_t n, seed;
        double phi, y = table[(size_t)i * UTILITY_POINT_WIDTH + col];
        int cell;
        utility_grid_point(cfg, g, i, &n, &phi, &seed, &cell);
        double r = y - scen_diten_utility(&p, (double)n, phi);
        ssr += r * r;
        sst += (y - mean) * (y - mean);
    }
    return sst > 0 ? 1.0 - ssr / sst : NAN;
}

/* Fits column col of the table, averaged over seeds per (n, phi) cell (the
 * curve, not the seed-to-seed noise, is what eqs. 11-12 model); adds the
 * result to o under name. */
static int utility__fit(const app_config *cfg, const utility_grid *g,
                        const double *table, int col, cJSON *o,
                        const char *name, scen_diten_fit_result *res,
                        dtfl_err *err)
{
    const int m = g->points / g->seeds;
    double *n = calloc((size_t)m, sizeof(double)), *phi = calloc((size_t)m, sizeof(double)),
           *acc = calloc((size_t)m, sizeof(double));
    int rc = n == NULL || phi == NULL || acc == NULL
                 ? dtfl_err_set(err, DTFL_ENOMEM, "fit: out of memory") : 0;
    for (int i = 0; rc == 0 && i < g->points; i++) {
        int64_t ni, seed;
        int cell;
        utility_grid_point(cfg, g, i, &ni, &phi[i / g->seeds], &seed, &cell);
        n[cell] = (double)ni;
        acc[cell] += table[(size_t)i * UTILITY_POINT_WIDTH + col] / g->seeds;
    }
    if (rc == 0)
        rc = scen_diten_fit(n, phi, acc, m, cfg->diten.a, res, err);
    if (rc == 0) {
        cJSON *f = cJSON_AddObjectToObject(o, name);
        cJSON_AddItemToObject(f, "a", utility_json_array(res->a, 6));
        cJSON_AddItemToObject(f, "se", utility_json_array(res->se, 6));
        cJSON *b = cJSON_AddArrayToObject(f, "at_bound");
        for (int k = 0; k < 6; k++)
            cJSON_AddItemToArray(b, cJSON_CreateBool(res->at_bound[k]));
        cJSON_AddNumberToObject(f, "r2", res->r2);
        cJSON_AddNumberToObject(f, "rmse", res->rmse);
        cJSON_AddNumberToObject(f, "r2_points", utility__r2_points(cfg, g, table, col, res->a));
        cJSON_AddNumberToObject(f, "fitted_cells", m);
        cJSON_AddNumberToObject(f, "iterations", res->iterations);
        cJSON_AddBoolToObject(f, "converged", res->converged);
    }
    free(n);
    free(phi);
    free(acc);
    return rc;
}

/* points.csv, fit.json (the global-accuracy fit at the top level, the
 * personal one under "personal") and summary.json; rank 0 only. */
static int utility__write(const app_config *cfg, const double *table,
                          int points, const char *dir, int P, double wall,
                          dtfl_err *err)
{
    utility_grid grid, *g = &grid;
    int rc = utility_grid_make(cfg, g, err);
    (void)points; /* g->points */
    if (rc == 0)
        rc = utility__points_csv(cfg, g, table, dir, err);
    if (rc < 0)
        return rc;
    scen_diten_fit_result fg, fp;
    cJSON *o = cJSON_CreateObject(), *wrap = cJSON_CreateObject();
    if (o == NULL || wrap == NULL) {
        cJSON_Delete(o);
        cJSON_Delete(wrap);
        return dtfl_err_set(err, DTFL_ENOMEM, "fit.json: out of memory");
    }
    cJSON_AddStringToObject(o, "model", "eqs. 11-12 of 003: rho = v - a1 exp(-a2 "
                            "(a3 n)^v), v = a4 exp(-((a5 + phi) / a6)^2)");
    cJSON_AddStringToObject(o, "accuracy", "global model after the FL rounds, "
                            "on the task's test images");
    cJSON_AddStringToObject(o, "model_kind", fl_model_kind_name(cfg->model.kind));
    cJSON_AddNumberToObject(o, "points", g->points);
    cJSON_AddItemToObject(o, "paper_a", utility_json_array(paper_a, 6));
    rc = utility__fit(cfg, g, table, 0, wrap, "global", &fg, err);
    if (rc == 0) { /* the global fit's numbers at the top level */
        cJSON *f = cJSON_DetachItemFromObject(wrap, "global");
        for (cJSON *k = f->child; k != NULL; k = f->child)
            cJSON_AddItemToObject(o, k->string, cJSON_DetachItemViaPointer(f, k));
        cJSON_Delete(f);
        rc = utility__fit(cfg, g, table, 1, o, "personal", &fp, err);
    }
    cJSON_Delete(wrap);
    char path[APP_PATH_MAX + 32];
    if (rc == 0 && (rc = app_results_path(dir, "fit.json", path, sizeof path, err)) == 0)
        rc = app_results_write_json(path, o, err);
    cJSON_Delete(o);
    if (rc < 0)
        return rc;
    double busy = 0.0;
    for (int i = 0; i < g->points; i++)
        busy += table[(size_t)i * UTILITY_POINT_WIDTH + 3];
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "command", "utility-fit");
    cJSON_AddStringToObject(s, "name", cfg->name);
    cJSON_AddNumberToObject(s, "ranks", P);
    cJSON_AddNumberToObject(s, "points", g->points);
    cJSON_AddNumberToObject(s, "r2", fg.r2);
    cJSON_AddNumberToObject(s, "rmse", fg.rmse);
    cJSON_AddNumberToObject(s, "personal_r2", fp.r2);
    cJSON_AddNumberToObject(s, "point_seconds", busy);
    cJSON_AddNumberToObject(s, "wall_seconds", wall);
    printf("fit of the global accuracy (%d seed means): R^2 %.4f, RMSE %.4f\n",
           g->points / g->seeds, fg.r2, fg.rmse);
    for (int k = 0; k < 6; k++)
        printf("  a%d = %10.4g +- %-10.3g (paper %g)%s\n", k + 1, fg.a[k],
               fg.se[k], paper_a[k], fg.at_bound[k] ? " at its bound" : "");
    printf("fit of the personal accuracy: R^2 %.4f, RMSE %.4f\n"
           "%d ranks, %.1f s wall, %.1f s in points; results in %s\n",
           fp.r2, fp.rmse, P, wall, busy, dir);
    return app_results_summary(dir, s, err);
}

int app_cmd_utility(int argc, char **argv)
{
    static const utility_cmd cmd = {"utility-fit", utility_help, UTILITY_POINT_WIDTH,
                                    utility__grid, utility__lab_size, utility__point,
                                    utility__write};
    return utility_cmd_run(&cmd, argc, argv);
}
