/*
 * cli.c - what every subcommand does first: read CONFIG [key=value ...],
 * report every problem in FILE:LINE:COLUMN form on stderr, and pick the
 * <sysexits.h> status to end with; under MPI, agree on it over ranks and
 * on the results folder.
 */
#include "app.h"

#include "utility.h"

#include "../net/net.h"

#include <cblas.h>
#include <getopt.h>
#include <sysexits.h>

int app_options_help_only(int argc, char **argv, const char *help)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    optind = 1;
    int c = getopt_long(argc, argv, "+h", opts, NULL);
    if (c == -1)
        return -1;
    fputs(help, c == 'h' ? stdout : stderr);
    return c == 'h' ? EX_OK : EX_USAGE;
}

int app_cmd_single(int argc, char **argv, const char *help, const char *cmd,
                   int (*run)(const app_config *cfg, const char *dir, dtfl_err *err))
{
    int opt = app_options_help_only(argc, argv, help);
    if (opt >= 0)
        return opt;
    static app_config cfg; /* large; one per process */
    int status = app_load_from_args(&cfg, argc, argv, optind, cmd);
    if (status != 0)
        return status;
    openblas_set_num_threads((int)cfg.run.blas_threads);
    dtfl_err err = {0};
    char dir[APP_PATH_MAX];
    int rc = app_results_open(&cfg, dir, sizeof dir, &err);
    if (rc == 0)
        rc = run(&cfg, dir, &err);
    if (rc < 0) {
        fprintf(stderr, "dtfl %s: %s\n", cmd, err.msg);
        return dtfl_err_exit_status(rc);
    }
    return EX_OK;
}

int app_load_from_args(app_config *cfg, int argc, char **argv, int first,
                       const char *cmd)
{
    return app_load_from_args_quiet(cfg, argc, argv, first, cmd, 0);
}

int app_load_from_args_quiet(app_config *cfg, int argc, char **argv, int first,
                             const char *cmd, int quiet)
{
    if (first >= argc) {
        if (!quiet)
            fprintf(stderr, "dtfl %s: missing CONFIG (try 'dtfl %s --help')\n",
                    cmd, cmd);
        return EX_USAGE;
    }
    app_diag *diag = NULL;
    if (app_diag_create(&diag) < 0)
        return EX_OSERR;
    int rc = app_config_load(cfg, argv[first], argc - first - 1,
                             argv + first + 1, first + 1 + APP_ARGV_SHIFT,
                             diag);
    if (!quiet)
        app_diag_print(diag, stderr);
    app_diag_destroy(diag);
    if (rc == DTFL_ENOINPUT)
        return EX_NOINPUT;
    if (rc < 0)
        return EX_CONFIG;
    dtfl_err err = {0};
    if (cfg->utility.fit[0] != '\0' && /* the measured curve replaces a1..a6 */
        (rc = utility_fit_read(cfg->utility.fit, cfg->diten.a, &err)) < 0) {
        if (!quiet)
            fprintf(stderr, "dtfl %s: utility.fit: %s\n", cmd, err.msg);
        return dtfl_err_exit_status(rc);
    }
    double acc[3];
    if (cfg->taco.acc_fit[0] != '\0') { /* the measured curve replaces eq. 13's */
        if ((rc = utility_taco_fit_read(cfg->taco.acc_fit, acc, &err)) < 0) {
            if (!quiet)
                fprintf(stderr, "dtfl %s: taco.acc.fit: %s\n", cmd, err.msg);
            return dtfl_err_exit_status(rc);
        }
        cfg->taco.acc_c0 = acc[0], cfg->taco.acc_c1 = acc[1], cfg->taco.acc_kappa = acc[2];
    }
    return 0;
}

int app_agree(struct net_comm *c, int status)
{
    double v = status;
    if (net_allreduce_max(c, &v, 1, NULL) < 0)
        return EX_SOFTWARE;
    return (int)v;
}

int app_results_agree(struct net_comm *c, const app_config *cfg, char *dir,
                      size_t cap, int resume, const char *cmd, dtfl_err *err)
{
    int status = 0;
    if (!resume)
        app_config_out_dir(cfg, dir, cap);
    if (!resume && net_rank(c) == 0 && app_results_open(cfg, dir, cap, err) < 0) {
        fprintf(stderr, "dtfl %s: %s\n", cmd, err->msg);
        status = dtfl_err_exit_status(err->code);
    }
    return app_agree(c, status);
}
