/*
 * utility_cmd.c - the driver shared by the commands that measure accuracy
 * by real training on a grid of independent points (`dtfl utility-fit` of
 * 003, `dtfl taco-fit` of 001): MPI start, the config, the results folder,
 * point i on rank i % P through the command's measure function, the rows
 * gathered in grid order (so the files are the same for any rank count,
 * except the seconds), and the command's write function on rank 0.
 */
#include "utility.h"

#include "../fl/fl.h"
#include "../net/net.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

void openblas_set_num_threads(int num_threads);

/* Measures this rank's points into table (points, c->width). */
static int cmd__measure(const utility_cmd *c, const app_config *cfg, int points,
                        int rank, int P, double *table, dtfl_err *err)
{
    fl_dataset *train = NULL, *test = NULL;
    utility_lab *lab = NULL;
    int users = 0, n_max = 0;
    c->lab_size(cfg, &users, &n_max);
    int rc = app_data_load(cfg, &train, &test, err);
    if (rc == 0)
        rc = utility_lab_create(&lab, cfg, train, test, users, n_max, err);
    int mine = 0, of_mine = (points - rank + P - 1) / P;
    for (int i = rank; rc == 0 && i < points; i += P) {
        char line[200] = "";
        double t0 = dtfl_now();
        double *row = table + (size_t)i * c->width;
        rc = c->measure(lab, cfg, i, row, line, sizeof line, err);
        if (rc < 0)
            break;
        row[c->width - 1] = dtfl_now() - t0;
        if (rank == 0 && cfg->run.progress != 3)
            printf("point %d/%d (rank 0: %d/%d) %s, %.1f s\n", i + 1, points,
                   ++mine, of_mine, line, row[c->width - 1]);
        fflush(stdout);
    }
    utility_lab_destroy(lab);
    fl_dataset_destroy(train);
    fl_dataset_destroy(test);
    return rc;
}

int utility_cmd_run(const utility_cmd *c, int argc, char **argv)
{
    int opt = app_options_help_only(argc, argv, c->help);
    if (opt >= 0)
        return opt;
    net_comm *comm = NULL;
    dtfl_err err = {0};
    if (net_mpi_create(&argc, &argv, &comm, &err) < 0) {
        fprintf(stderr, "dtfl %s: %s\n", c->name, err.msg);
        return EX_SOFTWARE;
    }
    const int rank = net_rank(comm), P = net_size(comm);
    double t0 = dtfl_now();
    app_config cfg;
    int points = 0;
    char dir[APP_PATH_MAX] = "", what[160] = "";
    double *table = NULL;
    int status = app_agree(comm, app_load_from_args_quiet(
                                     &cfg, argc, argv, optind, c->name, rank != 0));
    if (status == 0 && c->grid(&cfg, &points, what, sizeof what, &err) < 0) {
        if (rank == 0)
            fprintf(stderr, "dtfl %s: %s\n", c->name, err.msg);
        status = EX_CONFIG;
    }
    if (status == 0) {
        openblas_set_num_threads((int)cfg.run.blas_threads);
        status = app_results_agree(comm, &cfg, dir, sizeof dir, 0, c->name, &err);
    }
    if (status == 0) {
        if (rank == 0)
            printf("dtfl %s: %d points (%s) on %d ranks, results in %s\n", c->name,
                   points, what, P, dir);
        table = calloc((size_t)points * (size_t)c->width, sizeof(double));
        int rc = table == NULL ? dtfl_err_set(&err, DTFL_ENOMEM, "out of memory")
                               : cmd__measure(c, &cfg, points, rank, P, table, &err);
        if (rc < 0)
            fprintf(stderr, "dtfl %s: rank %d: %s\n", c->name, rank, err.msg);
        status = app_agree(comm, rc < 0 ? dtfl_err_exit_status(rc) : 0);
    }
    if (status == 0 && net_collect_rows(comm, table, points, c->width, &err) < 0)
        status = EX_SOFTWARE;
    if (status == 0 && rank == 0) {
        int rc = c->write(&cfg, table, points, dir, P, dtfl_now() - t0, &err);
        if (rc < 0) {
            fprintf(stderr, "dtfl %s: %s\n", c->name, err.msg);
            status = dtfl_err_exit_status(rc);
        }
    }
    status = app_agree(comm, status);
    free(table);
    net_comm_destroy(comm);
    return status;
}

cJSON *utility_json_array(const double *v, int n)
{
    cJSON *a = cJSON_CreateArray();
    for (int k = 0; a != NULL && k < n; k++)
        cJSON_AddItemToArray(a, cJSON_CreateNumber(v[k]));
    return a;
}
