/*
 * blas.c - the OpenBLAS kernels dtfl runs on, settled before anything else
 * (main.c calls app_blas_setup first, on every rank before MPI starts).
 *
 * OpenBLAS picks its kernels when it loads, from OPENBLAS_CORETYPE or its
 * own CPU detection, which falls back to old kernels on CPUs it does not
 * know (fl/blas.c). So dtfl decides, and when the core should change it sets
 * OPENBLAS_CORETYPE and executes itself once more (the process keeps its
 * pid, environment and arguments). Who decides, in order:
 *   - the user's OPENBLAS_CORETYPE always wins;
 *   - run.blas_core of the command's config: keep (OpenBLAS's pick), a core
 *     name, or auto (the default): the newest core type of this OpenBLAS
 *     the CPU runs, when OpenBLAS picked one of an older generation.
 * DTFL_BLAS_BY (set before the second execution) tells the new image what
 * was decided and why; the run log, summary.json and the benchmarks name
 * the core and who chose it.
 */
#include "app.h"

#include "../fl/fl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Subcommands whose CONFIG may set run.blas_core. */
static int blas__takes_config(const char *cmd)
{
    static const char *const with[] = {"run", "train", "utility-fit", "taco-fit",
                                       "central", "validate", "predict-train"};
    for (size_t i = 0; i < sizeof with / sizeof with[0]; i++)
        if (strcmp(cmd, with[i]) == 0)
            return 1;
    return 0;
}

/* run.blas_core of the command line's config (quietly: the command itself
 * reports a bad config); "auto" when there is none. */
static void blas__wanted(int argc, char **argv, char *out, size_t cap)
{
    snprintf(out, cap, "auto");
    if (argc < 3 || !blas__takes_config(argv[1]))
        return;
    int first = 2;
    char path[APP_PATH_MAX + 16];
    char *resume_argv[1] = {path};
    app_config *cfg = malloc(sizeof *cfg);
    if (cfg == NULL)
        return;
    int rc;
    if (strcmp(argv[2], "--resume") == 0 && argc > 3) {
        snprintf(path, sizeof path, "%s/config.yaml", argv[3]);
        rc = app_load_from_args_quiet(cfg, 1, resume_argv, 0, "blas", 1);
    } else {
        while (first < argc && argv[first][0] == '-')
            first++;
        rc = first < argc ? app_load_from_args_quiet(cfg, argc - 1, argv + 1,
                                                     first - 1, "blas", 1)
                          : -1;
    }
    if (rc == 0)
        snprintf(out, cap, "%s", cfg->run.blas_core);
    free(cfg);
}

void app_blas_setup(int argc, char **argv)
{
    if (getenv("DTFL_BLAS_BY") != NULL)
        return; /* decided before this execution */
    const char *current = fl_blas_core();
    char why[160];
    if (getenv("OPENBLAS_CORETYPE") != NULL) {
        setenv("DTFL_BLAS_BY", "user (OPENBLAS_CORETYPE)", 1);
        return;
    }
    char want[32];
    blas__wanted(argc, argv, want, sizeof want);
    const char *target = NULL;
    if (strcmp(want, "auto") == 0) {
        fl_cpu cpu;
        fl_cpu_detect(&cpu);
        target = fl_blas_better(&cpu, current);
        snprintf(why, sizeof why, "dtfl (OpenBLAS picked %s, older than the CPU "
                                  "runs)", current);
    } else if (strcmp(want, "keep") != 0) {
        target = want;
        snprintf(why, sizeof why, "config (run.blas_core; OpenBLAS picked %s)",
                 current);
    }
    if (target == NULL || strcasecmp(target, current) == 0) {
        setenv("DTFL_BLAS_BY", "openblas", 1);
        return;
    }
    const char *preload = getenv("LD_PRELOAD");
    if (preload != NULL && strstr(preload, "vgpreload") != NULL) {
        /* under valgrind a new image would run outside it: stay */
        setenv("DTFL_BLAS_BY", "openblas (under valgrind, no restart)", 1);
        return;
    }
    setenv("OPENBLAS_CORETYPE", target, 1);
    setenv("DTFL_BLAS_BY", why, 1);
    fflush(NULL);
    execv("/proc/self/exe", argv);
    /* could not: go on with OpenBLAS's pick, and say so */
    fprintf(stderr, "dtfl: could not restart with OPENBLAS_CORETYPE=%s; "
                    "running on OpenBLAS's %s\n", target, current);
    unsetenv("OPENBLAS_CORETYPE");
    setenv("DTFL_BLAS_BY", "openblas (a restart failed)", 1);
}

const char *app_blas_core(void) { return fl_blas_core(); }

const char *app_blas_chosen_by(void)
{
    const char *by = getenv("DTFL_BLAS_BY");
    return by != NULL ? by : "openblas";
}
