/*
 * cmd_taco_fit.c - `dtfl taco-fit CONFIG [key=value ...]`: eq. 13 of 001
 * measured. A twin's accuracy is modelled as a function of its share of
 * data s = (x D + y S) / (D + S): x of the cloud's knowledge (D images of
 * the global label mix), y of its user's slot data (S images of the user's
 * own mix). For each (x, y) of taco.fit.x_points x taco.fit.y_points and
 * each of taco.fit.seeds seeds, taco.fit.users twins train from the initial
 * model on that data (real BLAS SGD, app/utility_point.c) and are scored on
 * their users' own-mix test splits. Rank 0 fits g(s) = c0 + c1 (1 - (1 -
 * s)^kappa) to the seed means of each (x, y) (scen/taco_fit.c, GSL), free
 * and at the paper's kappa = 2, and writes points.csv, fit.json (its "acc"
 * is what `taco.acc.fit: PATH` reads) and summary.json. The points spread
 * over ranks through the shared driver (utility_cmd.c).
 */
#include "utility.h"

#include "../fl/fl.h"
#include "../scen/taco.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char taco_fit_help[] =
    "usage: [mpirun -np P] dtfl taco-fit CONFIG [key=value ...]\n"
    "\n"
    "Measures a TACO twin's accuracy against its share of data s = (x D +\n"
    "y S) / (D + S) by real training and fits eq. 13 of 001 as g(s) = c0 +\n"
    "c1 (1 - (1 - s)^kappa) (the paper's: 0, 1, 2). D and S are the means of\n"
    "taco.data.knowledge_mbit and personal_mbit in images (6272 bits) times\n"
    "taco.fit.scale. For x in taco.fit.x_points values and y in\n"
    "taco.fit.y_points values over [0, 1] and taco.fit.seeds seeds,\n"
    "taco.fit.users twins train taco.fit.epochs epochs from the initial\n"
    "model on x D images of the global mix and y S of their user's mix\n"
    "(users.phi), scored on users.test_samples of their user's mix.\n"
    "\n"
    "Writes config.yaml, points.csv, fit.json and summary.json to `out`\n"
    "(default results/<name>). A config's `taco.acc.fit: PATH` then runs\n"
    "TACO on the fitted curve (its \"acc\": c0, c1, kappa).\n";

enum { TF_S, TF_ACC, TF_SECONDS, TF_WIDTH };

/* D and S in images */
static void tf__sizes(const app_config *cfg, double *D, double *S)
{
    const double k = 1e6 / APP_IMAGE_BITS * cfg->taco.fit_scale;
    *D = 0.5 * (cfg->taco.knowledge_mbit[0] + cfg->taco.knowledge_mbit[1]) * k;
    *S = 0.5 * (cfg->taco.personal_mbit[0] + cfg->taco.personal_mbit[1]) * k;
}

/* A grid point: its x, y, the images of each kind, the share s they make,
 * its seed and cell. */
typedef struct tf_point {
    double x, y, s;
    int ng, np, cell;
    int64_t seed;
} tf_point;

/* Point i: cell i / seeds, x fastest; the seed cfg.seed + i % seeds. */
static tf_point tf__point(const app_config *cfg, int i)
{
    const int xs = (int)cfg->taco.fit_x_points, ys = (int)cfg->taco.fit_y_points;
    double D, S;
    tf__sizes(cfg, &D, &S);
    tf_point p;
    p.cell = i / (int)cfg->taco.fit_seeds;
    p.seed = cfg->seed + i % cfg->taco.fit_seeds;
    p.x = (double)(p.cell % xs) / (xs - 1);
    p.y = (double)(p.cell / xs % ys) / (ys - 1);
    p.ng = (int)lround(p.x * D);
    p.np = (int)lround(p.y * S);
    const long all = lround(D) + lround(S);
    p.s = all > 0 ? (p.ng + p.np) / (double)all : 0.0;
    return p;
}

static int tf__grid(const app_config *cfg, int *points, char *what, size_t cap,
                    dtfl_err *err)
{
    double n = (double)cfg->taco.fit_x_points * cfg->taco.fit_y_points *
               cfg->taco.fit_seeds, D, S;
    tf__sizes(cfg, &D, &S);
    *points = n <= 1e6 ? (int)n : 0;
    snprintf(what, cap, "%lld x by %lld y by %lld seeds; D %.0f, S %.0f images",
             (long long)cfg->taco.fit_x_points, (long long)cfg->taco.fit_y_points,
             (long long)cfg->taco.fit_seeds, D, S);
    if (n > 1e6)
        return dtfl_err_set(err, DTFL_ERANGE, "taco-fit: %.0f grid points (at "
                            "most 1000000)", n);
    if (lround(D) + lround(S) > 60000)
        return dtfl_err_set(err, DTFL_ERANGE, "taco-fit: D + S = %.0f images "
                            "(at most 60000: lower taco.fit.scale)", D + S);
    return 0;
}

static void tf__lab_size(const app_config *cfg, int *users, int *n_max)
{
    double D, S;
    tf__sizes(cfg, &D, &S);
    *users = (int)cfg->taco.fit_users;
    *n_max = (int)lround(D) + (int)lround(S);
}

static int tf__measure(utility_lab *lab, const app_config *cfg, int i,
                       double *row, char *line, size_t cap, dtfl_err *err)
{
    const tf_point p = tf__point(cfg, i);
    int rc = utility_lab_twin(lab, p.ng, p.np, cfg->users.phi, p.seed, p.cell,
                              (int)cfg->taco.fit_epochs, &row[TF_ACC], err);
    row[TF_S] = p.s;
    snprintf(line, cap, "x %.2f y %.2f seed %lld: %d + %d images, s %.3f, "
             "accuracy %.4f", p.x, p.y, (long long)p.seed, p.ng, p.np, p.s, row[TF_ACC]);
    return rc;
}

static int tf__points_csv(const app_config *cfg, const double *table, int points,
                          const char *dir, dtfl_err *err)
{
    app_table *t = NULL;
    int rc = app_table_create(&t, "x,y,seed,generic,personal,s,accuracy,seconds");
    for (int i = 0; rc == 0 && i < points; i++) {
        const tf_point p = tf__point(cfg, i);
        const double *r = table + (size_t)i * TF_WIDTH;
        rc = app_table_add(t, "%.4f,%.4f,%lld,%d,%d,%.6f,%.6f,%.3f", p.x, p.y,
                           (long long)p.seed, p.ng, p.np, p.s, r[TF_ACC], r[TF_SECONDS]);
    }
    char path[APP_PATH_MAX + 32];
    if (rc < 0)
        dtfl_err_set(err, rc, "points.csv: out of memory");
    else if ((rc = app_results_path(dir, "points.csv", path, sizeof path, err)) == 0)
        rc = app_table_save(t, path, err);
    app_table_destroy(t);
    return rc;
}

/* A fit as {"acc": [c0, c1, kappa], "r2", "rmse"}. */
static cJSON *tf__fit_json(const scen_taco_fit_result *f)
{
    cJSON *o = cJSON_CreateObject();
    const double acc[3] = {f->c0, f->c1, f->kappa};
    cJSON_AddItemToObject(o, "acc", utility_json_array(acc, 3));
    cJSON_AddNumberToObject(o, "r2", f->r2);
    cJSON_AddNumberToObject(o, "rmse", f->rmse);
    return o;
}

/* The seed means of each (x, y) into s and acc (cells). */
static int tf__means(const app_config *cfg, const double *table, int points,
                     double *s, double *acc)
{
    const int seeds = (int)cfg->taco.fit_seeds, cells = points / seeds;
    memset(s, 0, sizeof(double) * (size_t)cells);
    memset(acc, 0, sizeof(double) * (size_t)cells);
    for (int i = 0; i < points; i++) {
        s[i / seeds] = table[(size_t)i * TF_WIDTH + TF_S];
        acc[i / seeds] += table[(size_t)i * TF_WIDTH + TF_ACC] / seeds;
    }
    return cells;
}

static int tf__write(const app_config *cfg, const double *table, int points,
                     const char *dir, int P, double wall, dtfl_err *err)
{
    int rc = tf__points_csv(cfg, table, points, dir, err);
    if (rc < 0)
        return rc;
    double *s = malloc(sizeof(double) * (size_t)points), *acc = malloc(sizeof(double) * (size_t)points);
    if (s == NULL || acc == NULL)
        rc = dtfl_err_set(err, DTFL_ENOMEM, "fit: out of memory");
    scen_taco_fit_result free_fit = {0}, two = {0}, paper = {0};
    int cells = rc == 0 ? tf__means(cfg, table, points, s, acc) : 0;
    if (rc == 0)
        rc = scen_taco_fit(s, acc, cells, 0.0, &free_fit, err);
    if (rc == 0)
        rc = scen_taco_fit(s, acc, cells, 2.0, &two, err);
    double ss = 0.0, mean = 0.0, sst = 0.0; /* the paper's curve as it stands */
    for (int j = 0; rc == 0 && j < cells; j++)
        mean += acc[j] / cells;
    for (int j = 0; rc == 0 && j < cells; j++) {
        double r = acc[j] - (1.0 - (1.0 - s[j]) * (1.0 - s[j]));
        ss += r * r, sst += (acc[j] - mean) * (acc[j] - mean);
    }
    paper = (scen_taco_fit_result){0.0, 1.0, 2.0, 1.0 - ss / sst, sqrt(ss / (cells > 0 ? cells : 1))};
    free(s);
    free(acc);
    if (rc < 0)
        return rc;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "model", "eq. 13 of 001: g(s) = c0 + c1 (1 - (1 - "
                            "s)^kappa), s = (x D + y S) / (D + S)");
    cJSON_AddStringToObject(o, "accuracy", "twins trained from the initial "
                            "model, on their users' own-mix test splits");
    cJSON_AddStringToObject(o, "model_kind", fl_model_kind_name(cfg->model.kind));
    const double acc3[3] = {free_fit.c0, free_fit.c1, free_fit.kappa};
    cJSON_AddItemToObject(o, "acc", utility_json_array(acc3, 3));
    cJSON_AddNumberToObject(o, "r2", free_fit.r2);
    cJSON_AddNumberToObject(o, "rmse", free_fit.rmse);
    cJSON_AddItemToObject(o, "kappa2", tf__fit_json(&two));
    cJSON_AddItemToObject(o, "paper", tf__fit_json(&paper));
    cJSON_AddNumberToObject(o, "points", points);
    cJSON_AddNumberToObject(o, "fitted_cells", cells);
    char path[APP_PATH_MAX + 32];
    if ((rc = app_results_path(dir, "fit.json", path, sizeof path, err)) == 0)
        rc = app_results_write_json(path, o, err);
    cJSON_Delete(o);
    if (rc < 0)
        return rc;
    double busy = 0.0;
    for (int i = 0; i < points; i++)
        busy += table[(size_t)i * TF_WIDTH + TF_SECONDS];
    printf("fit of eq. 13 (%d seed means): c0 %.4f c1 %.4f kappa %.3f, R^2 %.4f, "
           "RMSE %.4f\n  at kappa 2: c0 %.4f c1 %.4f, R^2 %.4f, RMSE %.4f\n"
           "  the paper's curve (0, 1, 2): R^2 %.4f, RMSE %.4f\n"
           "%d ranks, %.1f s wall, %.1f s in points; results in %s\n",
           cells, free_fit.c0, free_fit.c1, free_fit.kappa, free_fit.r2,
           free_fit.rmse, two.c0, two.c1, two.r2, two.rmse, paper.r2, paper.rmse,
           P, wall, busy, dir);
    cJSON *sm = cJSON_CreateObject();
    cJSON_AddStringToObject(sm, "command", "taco-fit");
    cJSON_AddStringToObject(sm, "name", cfg->name);
    cJSON_AddNumberToObject(sm, "ranks", P);
    cJSON_AddNumberToObject(sm, "points", points);
    cJSON_AddNumberToObject(sm, "r2", free_fit.r2);
    cJSON_AddNumberToObject(sm, "kappa", free_fit.kappa);
    cJSON_AddNumberToObject(sm, "point_seconds", busy);
    cJSON_AddNumberToObject(sm, "wall_seconds", wall);
    return app_results_summary(dir, sm, err);
}

int app_cmd_taco_fit(int argc, char **argv)
{
    static const utility_cmd cmd = {"taco-fit", taco_fit_help, TF_WIDTH, tf__grid,
                                    tf__lab_size, tf__measure, tf__write};
    return utility_cmd_run(&cmd, argc, argv);
}
