/*
 * main.c - the dtfl command: finds the subcommand and hands it the rest of
 * the command line. Each subcommand lives in its own cmd_*.c file, parses
 * its own options with getopt_long and returns a <sysexits.h> status.
 */
#include "app.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

typedef struct app_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
} app_command;

static const app_command commands[] = {
    {"validate", "check a config and print it with every default filled in",
     app_cmd_validate},
    {"run", "federated learning over migrating twins on MPI ranks",
     app_cmd_run},
    {"train", "train a learned policy on a scenario's models (analytic)",
     app_cmd_train},
    {"predict-train", "train tmo's GRU position predictor on the mobility",
     app_cmd_predict},
    {"utility-fit", "measure accuracy vs samples and skew, fit eqs. 11-12 of 003",
     app_cmd_utility},
    {"taco-fit", "measure a twin's accuracy vs its data share, fit eq. 13 of 001",
     app_cmd_taco_fit},
    {"central", "train one model on the whole dataset (the FL ceiling)",
     app_cmd_central},
    {"bench", "measure speed as a fraction of this machine's ceilings",
     app_cmd_bench},
};
static const int ncommands = (int)(sizeof commands / sizeof commands[0]);

static void main__usage(FILE *out)
{
    fprintf(out,
            "usage: dtfl COMMAND [options] [CONFIG] [key=value ...]\n"
            "\n"
            "A testbed for federated learning over digital twins in edge "
            "networks.\n\ncommands:\n");
    for (int i = 0; i < ncommands; i++)
        fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'dtfl COMMAND --help' describes one command. Exit "
                 "statuses follow <sysexits.h>:\n"
                 "64 usage, 65 bad data, 66 missing input, 73 cannot create "
                 "output, 78 bad config.\n");
}

/* What a command printed must have reached stdout: a full disk or a closed
 * pipe behind it (`dtfl validate x.yaml > /dev/full`) is an error, not a
 * silent success. */
static int main__close_stdout(int status)
{
    if (fflush(stdout) == 0 && !ferror(stdout))
        return status;
    fprintf(stderr, "dtfl: standard output: %s\n", strerror(errno));
    return status == EX_OK ? EX_IOERR : status;
}

int main(int argc, char **argv)
{
    app_blas_setup(argc, argv); /* may execute dtfl once more */
    if (argc < 2) {
        main__usage(stderr);
        return EX_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        main__usage(stdout);
        return EX_OK;
    }
    int best = -1, bestd = 1 << 30;
    for (int i = 0; i < ncommands; i++) {
        if (strcmp(argv[1], commands[i].name) == 0)
            return main__close_stdout(commands[i].run(argc - 1, argv + 1));
        int d = app_edit_distance(argv[1], commands[i].name);
        if (d < bestd) {
            bestd = d;
            best = i;
        }
    }
    if (bestd <= 2)
        fprintf(stderr, "dtfl: unknown command '%s' (did you mean '%s'?)\n",
                argv[1], commands[best].name);
    else
        fprintf(stderr, "dtfl: unknown command '%s' (try 'dtfl --help')\n",
                argv[1]);
    return EX_USAGE;
}
