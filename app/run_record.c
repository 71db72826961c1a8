/*
 * run_record.c - what `dtfl run` writes (rank 0 only): slots.csv (one row per
 * slot), twins.csv (one row per twin per slot), summary.json at the end, and
 * a progress line (live with an ETA on a terminal, a plain line per slot
 * otherwise). Tables are rewritten whole and renamed into place each slot.
 *
 * Columns ending in _s are seconds and columns starting with wire_ are
 * measurements of this execution (how many moves crossed ranks, bytes sent):
 * they depend on the machine and the rank count. Every other column is
 * determined by the config and the seed, the same for any rank count.
 */
#include "run.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The driver's columns before and after the scenario's modelled ones. */
static const char slots_head[] =
    "slot,migrations,failed,moved_bytes,active_servers,train_samples,flops,"
    "mean_accuracy,global_accuracy";
static const char slots_tail[] =
    "servers_reported,servers_dropped,servers_late,rounds_kept,round_time,"
    "users_missed,took_part,wire_cross_rank,wire_raw_bytes,wire_bytes,"
    "wire_transfer_bytes,decide_s,migrate_s,transfer_s,sync_s,train_s,"
    "aggregate_s,finetune_s,evaluate_s,slot_s";
static const char slots_tasks[] = ",infer_samples,infer_s";
/* a scenario whose transfers update twins' status (run_state.status): the
 * statuses applied, and each twin's staleness, measured on its twin */
static const char slots_status[] = ",status_applied";
/* a scenario whose servers cache outcomes (run_state.caches): forwarded
 * task images classified from the bytes that came, hits served from kept
 * outcome bytes, the outcomes kept, their bytes between ranks */
static const char slots_caches[] =
    ",forwarded_images,hits_served,hit_bytes,outcomes_kept,wire_outcome_bytes";
static const char twins_head[] =
    "slot,user,server,synced,new_samples,train_samples,gamma,accuracy";

int run_record_open(run_state *s, dtfl_err *err)
{
    if (s->rank != 0)
        return 0;
    const scen_info *in = app_env_info(s->env);
    char slots[2048], twins[1024], tail[1024];
    /* a scenario with tasks: what they cost, measured */
    snprintf(tail, sizeof tail, "%s%s%s%s", slots_tail, in->tasks ? slots_tasks : "",
             s->status ? slots_status : "", s->caches ? slots_caches : "");
    if (app_table_header(slots, sizeof slots, slots_head,
                       &in->table[SCEN_T_REAL_SLOT], tail) < 0 ||
        app_table_header(twins, sizeof twins, twins_head, &in->table[SCEN_T_REAL_TWIN],
                         s->status ? "stale" : NULL) < 0)
        return dtfl_err_set(err, DTFL_EINTERNAL, "tables: headers too long");
    if (app_table_create(&s->slots_csv, slots) < 0 ||
        app_table_create(&s->twins_csv, twins) < 0)
        return dtfl_err_set(err, DTFL_ENOMEM, "tables: out of memory");
    return 0;
}

/* took_part: the ids of the servers whose update was aggregated in at
 * least one round of the slot, separated by spaces. */
static int record__took_part(const run_state *s, char **text)
{
    size_t cap = (size_t)s->S * 6 + 1, used = 0;
    char *p = malloc(cap);
    if (p == NULL)
        return DTFL_ENOMEM;
    p[0] = '\0';
    for (int k = 0; k < s->S; k++)
        if (s->took_part[k])
            used += (size_t)snprintf(p + used, cap - used, "%s%d",
                                     used ? " " : "", k);
    *text = p;
    return 0;
}

static int record__twins(run_state *s, int t)
{
    const int64_t *v = s->per_user; /* correct, tested, trained per user */
    const int every = (int)s->cfg->run.twins_every;
    const scen_table *tab = &app_env_info(s->env)->table[SCEN_T_REAL_TWIN];
    char model[512], stale[32] = "";
    int rc = 0;
    if (every == 0 || t % every != 0)
        return 0;
    for (int u = 0; u < s->U && rc == 0; u++) {
        int missed = twin_fault_user_misses(&s->faults, (uint64_t)s->cfg->seed, u, t);
        app_row_format(model, sizeof model, tab,
                       app_env_row(s->env, SCEN_T_REAL_TWIN, u));
        if (s->status)
            snprintf(stale, sizeof stale, ",%lld", (long long)s->stale[u]);
        rc = app_table_add(s->twins_csv, "%d,%d,%d,%d,%d,%lld,%.6f,%.6f%s%s", t,
                           u, s->assoc[u], !missed,
                           missed ? 0 : twin_world_new_samples(s->world, u, t),
                           (long long)v[2 * s->U + u], s->gamma[u],
                           v[s->U + u] ? (double)v[u] / (double)v[s->U + u] : 0.0,
                           model, stale);
    }
    return rc;
}

int run_record_slot(run_state *s, int t, const run_slot_stats *st,
                    dtfl_err *err)
{
    if (s->rank != 0)
        return 0;
    const double *tt = st->t;
    char *took = NULL, model[1024], tasks[192] = "";
    if (app_env_info(s->env)->tasks)
        snprintf(tasks, sizeof tasks, ",%lld,%.4f", (long long)st->infer_samples,
                 tt[RUN_T_INFER]);
    if (s->status) /* after the tasks' columns, as in the header */
        snprintf(tasks + strlen(tasks), sizeof tasks - strlen(tasks), ",%lld",
                 (long long)st->status_applied);
    if (s->caches)
        snprintf(tasks + strlen(tasks), sizeof tasks - strlen(tasks),
                 ",%lld,%lld,%lld,%lld,%lld", (long long)st->forwarded_images,
                 (long long)st->hits_served, (long long)st->hit_bytes,
                 (long long)st->outcomes_kept, (long long)st->outcome_wire);
    app_row_format(model, sizeof model,
                   &app_env_info(s->env)->table[SCEN_T_REAL_SLOT], st->model);
    int rc = record__took_part(s, &took);
    if (rc == 0)
        rc = app_table_add(
            s->slots_csv,
            "%d,%lld,%lld,%lld,%lld,%lld,%lld,%.6f,%.6f%s,"
            "%lld,%lld,%lld,%lld,%.6g,%lld,%s,"
            "%lld,%lld,%lld,%lld,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f%s",
            t, (long long)st->migrations, (long long)st->failed,
            (long long)st->moved_bytes, (long long)st->active,
            (long long)st->train_samples, (long long)st->flops, st->mean_accuracy,
            st->global_accuracy, model,
            (long long)st->reported, (long long)st->dropped, (long long)st->late,
            (long long)st->rounds_kept, st->round_time,
            (long long)st->users_missed, took, (long long)st->wire_cross,
            (long long)st->wire_raw, (long long)st->wire_bytes,
            (long long)st->wire_transfer, tt[RUN_T_DECIDE], tt[RUN_T_MIGRATE],
            tt[RUN_T_TRANSFER], tt[RUN_T_SYNC], tt[RUN_T_TRAIN],
            tt[RUN_T_AGGREGATE], tt[RUN_T_FINETUNE], tt[RUN_T_EVALUATE],
            tt[RUN_T_SLOT], tasks);
    free(took);
    if (rc == 0)
        rc = record__twins(s, t);
    if (rc < 0)
        return dtfl_err_set(err, DTFL_ENOMEM, "tables: out of memory");
    char path[APP_PATH_MAX + 32];
    if ((rc = app_results_path(s->dir, "slots.csv", path, sizeof path, err)) < 0 ||
        (rc = app_table_save(s->slots_csv, path, err)) < 0 ||
        (rc = app_results_path(s->dir, "twins.csv", path, sizeof path, err)) < 0)
        return rc;
    return app_table_save(s->twins_csv, path, err);
}

/* Live progress needs a terminal at the other end; under mpirun a rank's
 * stdout is a pseudo-terminal of Open MPI even when the output goes to a
 * file, so `auto` is plain there. */
static int record__live(const run_state *s)
{
    int mode = s->cfg->run.progress;
    if (mode != 0)
        return mode == 1;
    return isatty(STDOUT_FILENO) && getenv("OMPI_COMM_WORLD_SIZE") == NULL &&
           getenv("PMIX_RANK") == NULL && getenv("PMI_RANK") == NULL;
}

void run_progress(const run_state *s, int t, const run_slot_stats *st)
{
    if (s->rank != 0 || s->cfg->run.progress == 3)
        return;
    int done = t + 1 - s->first_slot, left = s->T - t - 1;
    double elapsed = dtfl_now() - s->t_start;
    double eta = done > 0 ? elapsed / done * left : 0.0;
    if (record__live(s)) {
        printf("\r\033[Kslot %d/%d  accuracy %.3f  global %.3f  migrations %lld  "
               "%.2f s/slot  ETA %.0f s",
               t + 1, s->T, st->mean_accuracy, st->global_accuracy,
               (long long)st->migrations, st->t[RUN_T_SLOT], eta);
        if (left == 0)
            printf("\n");
    } else {
        printf("slot %d/%d accuracy %.4f global %.4f migrations %lld "
               "seconds %.3f eta %.0f\n",
               t + 1, s->T, st->mean_accuracy, st->global_accuracy,
               (long long)st->migrations, st->t[RUN_T_SLOT], eta);
    }
    fflush(stdout);
}

int run_record_summary(run_state *s, const run_slot_stats *last,
                       const run_slot_stats *total, dtfl_err *err)
{
    if (s->rank != 0)
        return 0;
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "summary: out of memory");
    const app_config *c = s->cfg;
    cJSON_AddStringToObject(o, "command", "run");
    cJSON_AddStringToObject(o, "name", c->name);
    cJSON_AddStringToObject(o, "mode", "real");
    cJSON_AddStringToObject(o, "policy", scen_policy_name(app_env_policy(s->env)));
    cJSON_AddStringToObject(o, "model", fl_model_kind_name(c->model.kind));
    cJSON_AddNumberToObject(o, "ranks", s->P);
    cJSON_AddNumberToObject(o, "servers", s->S);
    cJSON_AddNumberToObject(o, "users", s->U);
    cJSON_AddNumberToObject(o, "slots", s->T);
    cJSON_AddNumberToObject(o, "parameters", (double)s->nparams);
    cJSON_AddNumberToObject(o, "final_mean_accuracy", last->mean_accuracy);
    cJSON_AddNumberToObject(o, "final_global_accuracy", last->global_accuracy);
    /* means over the slots of this execution (since --resume, if any) */
    double n = s->T - s->first_slot > 0 ? s->T - s->first_slot : 1;
    cJSON_AddNumberToObject(o, "mean_accuracy", total->mean_accuracy / n);
    const scen_table *mt = &app_env_info(s->env)->table[SCEN_T_REAL_SLOT];
    for (int i = 0; i < mt->nsums; i++) { /* the scenario's modelled means */
        const scen_summary *m = &mt->sum[i];
        double v = total->model[m->column];
        cJSON_AddNumberToObject(o, m->key, m->how == SCEN_SUM_MEAN ? v / n : v);
    }
    cJSON_AddNumberToObject(o, "migrations", (double)total->migrations);
    cJSON_AddNumberToObject(o, "failed_migrations", (double)total->failed);
    cJSON_AddNumberToObject(o, "moved_bytes", (double)total->moved_bytes);
    cJSON_AddNumberToObject(o, "wire_bytes", (double)total->wire_bytes);
    cJSON_AddNumberToObject(o, "wire_transfer_bytes", (double)total->wire_transfer);
    cJSON_AddNumberToObject(o, "flops", (double)total->flops);
    if (s->caches) { /* tasks and outcomes: run_task.c */
        cJSON_AddNumberToObject(o, "forwarded_images", (double)total->forwarded_images);
        cJSON_AddNumberToObject(o, "hits_served", (double)total->hits_served);
        cJSON_AddNumberToObject(o, "hit_bytes", (double)total->hit_bytes);
        cJSON_AddNumberToObject(o, "wire_outcome_bytes", (double)total->outcome_wire);
    }
    cJSON *f = cJSON_AddObjectToObject(o, "faults"); /* simulated edge faults */
    cJSON_AddNumberToObject(f, "server_updates_in_time", (double)total->reported);
    cJSON_AddNumberToObject(f, "server_dropouts", (double)total->dropped);
    cJSON_AddNumberToObject(f, "late_updates", (double)total->late);
    cJSON_AddNumberToObject(f, "rounds_kept", (double)total->rounds_kept);
    cJSON_AddNumberToObject(f, "round_time", total->round_time);
    cJSON_AddNumberToObject(f, "users_missed", (double)total->users_missed);
    cJSON_AddNumberToObject(o, "pingpong_bytes_per_second", s->wire_bps);
    cJSON *ph = cJSON_AddObjectToObject(o, "seconds");
    static const char *names[RUN_T_COUNT] = {"decide", "migrate", "transfer",
                                             "sync", "train", "aggregate",
                                             "finetune", "evaluate", "slots"};
    for (int i = 0; i < RUN_T_COUNT; i++)
        cJSON_AddNumberToObject(ph, names[i], total->t[i]);
    cJSON_AddNumberToObject(ph, "wall", dtfl_now() - s->t_start);
    return app_results_summary(s->dir, o, err);
}
