/*
 * cmd_run.c - `dtfl run CONFIG [key=value ...]` and `dtfl run --resume DIR`:
 * federated learning over user digital twins that migrate between edge
 * servers spread over MPI ranks (real mode). Prologue (config, results
 * folder, state), the slot loop, epilogue (summary). The phases of a slot
 * are in run_slot.c.
 *
 * Failure: problems every rank sees (config, data, a full disk) end every
 * rank with the same <sysexits.h> status and one message from rank 0; a
 * problem one rank meets alone in the middle of a slot aborts the job
 * (MPI_Abort), since the others wait in a collective for it.
 */
#include "run.h"

#include <cblas.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

static const char run_help[] =
    "usage: mpirun -np P dtfl run CONFIG [key=value ...]\n"
    "       mpirun -np P dtfl run --resume DIR\n"
    "       dtfl run --policies | --scenarios\n"
    "\n"
    "Runs world.slots slots of federated learning over the users' digital\n"
    "twins on servers.count edge servers spread over the P ranks (P = 1\n"
    "works). Each slot: users move, the scenario's policy (scenario,\n"
    "sched.policy) decides, the scenario names the server of every twin and\n"
    "its data share, twins whose server changed migrate as checked LZ4\n"
    "frames, users upload new samples, servers train and FedAvg\n"
    "fl.rounds_per_slot times,\n"
    "twins are fine-tuned and evaluated. Writes config.yaml, slots.csv,\n"
    "twins.csv and summary.json to `out` (default results/<name>), and\n"
    "checkpoints every run.checkpoint_every slots; --resume DIR continues a\n"
    "stopped run from its newest complete checkpoint (same P).\n"
    "\n"
    "With mode: analytic the slots are played on the scenario's models alone\n"
    "(same servers, users and policy; no data, training or migration) on\n"
    "rank 0, in seconds; slots.csv then holds the modelled columns (for\n"
    "diten the predicted utility, cost, objective and reward) that real mode\n"
    "records beside measured accuracy. --scenarios lists the scenarios,\n"
    "--policies every scenario's policies.\n"
    "\n"
    "As root or with more ranks than cores, Open MPI needs\n"
    "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 and\n"
    "--oversubscribe.\n";

void run_fault_kill(const run_state *s, int t, int64_t at)
{
    if (t != at || s->first_slot != 0 || s->rank != s->cfg->faults.kill_rank)
        return; /* fresh runs only: a resumed run completes */
    fflush(NULL);
    raise(SIGKILL); /* the test fault: die like a killed node */
}

/* After a step only some ranks can fail at (writing tables, a
 * checkpoint): every rank learns whether one failed and with what code, and
 * they stop together; a rank other than 0 prints its own message first. */
static int run__together(run_state *s, int rc, dtfl_err *err)
{
    double v[2] = {rc < 0, rc < 0 ? -(double)rc : 0.0};
    if (net_allreduce_max(s->comm, v, 2, err) < 0)
        return DTFL_EMPI;
    if (v[0] == 0.0)
        return 0;
    s->stop_together = 1;
    if (rc < 0 && s->rank != 0)
        fprintf(stderr, "dtfl run: rank %d: %s\n", s->rank, err->msg);
    if (rc < 0)
        return rc;
    return dtfl_err_set(err, -(int)v[1], "stopped: another rank failed (its "
                                         "message is above)");
}

/* The run's totals (summary.json): counts and sums over the slots. */
static void run__add(run_slot_stats *total, const run_slot_stats *st)
{
    total->migrations += st->migrations;
    total->failed += st->failed;
    total->moved_bytes += st->moved_bytes;
    total->wire_bytes += st->wire_bytes;
    total->wire_transfer += st->wire_transfer;
    total->flops += st->flops;
    total->reported += st->reported;
    total->dropped += st->dropped;
    total->late += st->late;
    total->rounds_kept += st->rounds_kept;
    total->users_missed += st->users_missed;
    total->round_time += st->round_time;
    total->mean_accuracy += st->mean_accuracy;
    total->forwarded_images += st->forwarded_images;
    total->hits_served += st->hits_served;
    total->hit_bytes += st->hit_bytes;
    total->outcome_wire += st->outcome_wire;
    for (int k = 0; k < RUN_MODEL_MAX; k++)
        total->model[k] += st->model[k];
    for (int k = 0; k < RUN_T_COUNT; k++)
        total->t[k] += st->t[k];
}

/* The slot loop; returns 0 or a negative code (err filled). */
static int run__loop(run_state *s, dtfl_err *err)
{
    run_slot_stats st = {0}, total = {0};
    for (int t = s->first_slot; t < s->T; t++) {
        int rc = run_slot(s, t, &st, err);
        if (rc < 0)
            return rc;
        if ((rc = run__together(s, run_record_slot(s, t, &st, err), err)) < 0)
            return rc;
        run_progress(s, t, &st);
        run__add(&total, &st);
        int every = (int)s->cfg->run.checkpoint_every;
        if (every > 0 && (t + 1) % every == 0 && t + 1 < s->T &&
            (rc = run__together(s, run_ckpt_save(s, t, err), err)) < 0)
            return rc;
        run_fault_kill(s, t, s->cfg->faults.kill_after_slot);
    }
    int rc = 0;
    if (s->rank == 0 && s->cfg->sched.learn &&
        scen_policy_learns(app_env_policy(s->env))) /* what online learning made of it */
        rc = app_policy_save(app_env_policy(s->env), s->dir, err);
    /* summary.json is written last: it marks the run complete */
    if (rc == 0)
        rc = run_record_summary(s, &st, &total, err);
    return run__together(s, rc, err);
}

/* A finished run has its summary.json, the last file a run writes. */
static int run__finished(const char *dir)
{
    char path[APP_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    return access(path, F_OK) == 0;
}

/* --policies: every scenario's policies; --scenarios: the scenarios. */
static void run__list(int scenarios)
{
    for (int i = 0; i < scen_count(); i++) {
        const scen_ops *sc = scen_at(i);
        if (scenarios) {
            printf("%-11s %s (paper: %s)\n", sc->name, sc->summary, sc->paper);
            continue;
        }
        for (int k = 0; sc->policies[k] != NULL; k++)
            printf("%-11s %-15s %s\n", sc->name, sc->policies[k]->name,
                   sc->policies[k]->summary);
    }
}

int app_cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {"resume", required_argument, NULL, 'r'},
                                         {"policies", no_argument, NULL, 'p'},
                                         {"scenarios", no_argument, NULL, 's'},
                                         {NULL, 0, NULL, 0}};
    const char *resume = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+hr:ps", opts, NULL)) != -1) {
        if (c == 'h' || c == 'p' || c == 's') {
            c == 'h' ? (void)fputs(run_help, stdout) : run__list(c == 's');
            return EX_OK;
        }
        if (c == 'r') {
            resume = optarg;
            continue;
        }
        fputs(run_help, stderr);
        return EX_USAGE;
    }
    if (resume != NULL && optind < argc) {
        fprintf(stderr, "dtfl run: --resume takes its config from DIR; no "
                        "CONFIG or overrides\n");
        return EX_USAGE;
    }
    net_comm *comm = NULL;
    dtfl_err err = {0};
    if (net_mpi_create(&argc, &argv, &comm, &err) < 0) {
        fprintf(stderr, "dtfl run: %s\n", err.msg);
        return EX_SOFTWARE;
    }
    const int rank = net_rank(comm);
    app_config cfg;
    char dir[APP_PATH_MAX] = "", cfgpath[APP_PATH_MAX + 16];
    char *resume_argv[] = {cfgpath};
    int status;
    if (resume != NULL) {
        snprintf(dir, sizeof dir, "%s", resume);
        snprintf(cfgpath, sizeof cfgpath, "%s/config.yaml", resume);
        status = app_load_from_args_quiet(&cfg, 1, resume_argv, 0, "run", rank != 0);
    } else {
        status = app_load_from_args_quiet(&cfg, argc, argv, optind, "run", rank != 0);
    }
    status = app_agree(comm, status);
    if (status == 0 && resume != NULL && cfg.mode == 1) {
        if (rank == 0)
            fprintf(stderr, "dtfl run: analytic runs keep no checkpoints; run "
                            "the config again\n");
        status = EX_USAGE;
    }
    if (status == 0 && resume != NULL && run__finished(resume)) {
        if (rank == 0)
            printf("dtfl run: %s is complete (it has summary.json); nothing "
                   "to resume\n", resume);
        net_comm_destroy(comm);
        return EX_OK;
    }
    if (status == 0)
        openblas_set_num_threads((int)cfg.run.blas_threads);
    if (status == 0)
        status = app_results_agree(comm, &cfg, dir, sizeof dir, resume != NULL, "run", &err);
    if (status == 0 && cfg.mode == 1) { /* analytic: rank 0 plays the slots */
        int rc = rank == 0 ? app_run_analytic(&cfg, dir, NULL, &err) : 0;
        if (rc < 0)
            fprintf(stderr, "dtfl run: %s\n", err.msg);
        status = app_agree(comm, rc < 0 ? dtfl_err_exit_status(rc) : 0);
        net_comm_destroy(comm);
        return status;
    }
    run_state s;
    memset(&s, 0, sizeof s);
    if (status == 0) {
        int rc = run_setup(&s, &cfg, comm, dir, &err);
        if (rc == 0)
            rc = run_record_open(&s, &err);
        if (rc == 0 && resume != NULL)
            rc = run_ckpt_load(&s, &err);
        if (rc < 0 && rank == 0)
            fprintf(stderr, "dtfl run: %s\n", err.msg);
        status = app_agree(comm, rc < 0 ? dtfl_err_exit_status(rc) : 0);
    }
    if (status == 0 && rank == 0)
        printf("dtfl run: %d users, %d servers on %d ranks, %d slots from "
               "slot %d, results in %s; OpenBLAS core %s (chosen by %s)\n",
               s.U, s.S, s.P, s.T, s.first_slot, dir, app_blas_core(),
               app_blas_chosen_by());
    if (status == 0) {
        int rc = run__loop(&s, &err);
        if (rc < 0 && s.stop_together) { /* every rank stops the same way */
            if (rank == 0)
                fprintf(stderr, "dtfl run: %s\n", err.msg);
            status = dtfl_err_exit_status(rc);
        } else if (rc < 0) {
            fprintf(stderr, "dtfl run: rank %d: %s\n", rank, err.msg);
            net_abort(comm, dtfl_err_exit_status(rc));
            status = dtfl_err_exit_status(rc);
        }
    }
    run_free(&s);
    net_comm_destroy(comm);
    return status;
}
