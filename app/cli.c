/*
 * cli.c - what every subcommand does first: read CONFIG [key=value ...],
 * report every problem in FILE:LINE:COLUMN form on stderr, and pick the
 * <sysexits.h> status to end with.
 */
#include "app.h"

#include <sysexits.h>

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
    return 0;
}
