/*
 * run_slot.c - the phases of one slot of `dtfl run` (see run.h): decide,
 * migrate, synchronise, train and aggregate here; fine-tune, evaluate and
 * serve tasks in run_eval.c. Every rank runs every phase; learning calls go
 * to fl/, messages to net/.
 *
 * Random streams: training order of server k in slot t comes from
 * (seed, SHUFFLE, k, t); a user's new samples from (seed, DRAW, u, t).
 * The order of work within a stream is fixed (rounds, then epochs), so the
 * numbers do not depend on which rank does the work.
 */
#include "run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>


/* ---- decide ---- */

/* The scenario's modelled columns of the slot (rank 0), into model. */
static void slot__model_row(run_state *s, double *model)
{
    const double *v = app_env_row(s->env, SCEN_T_REAL_SLOT, -1);
    int n = app_env_info(s->env)->table[SCEN_T_REAL_SLOT].ncols;
    memcpy(model, v, sizeof(double) * (size_t)n);
}

/* Rank 0 plays the slot on the scenario: it observes, the policy decides,
 * the scenario scores the decision with its models (for diten eqs. 11-25:
 * what the model predicts beside what the slot then measures; a policy
 * that learns online, sched.learn, gets the predicted reward) and names its
 * effects; every rank receives the twins' servers and data shares, the
 * tasks, and the bytes between servers (run_xfer.c). */
static int slot__decide(run_state *s, int *assoc, double *model, dtfl_err *err)
{
    int rc = 0;
    if (s->rank == 0 && (rc = app_env_slot(s->env, err)) >= 0) {
        scen_effects fx;
        app_env_effects(s->env, &fx);
        memcpy(assoc, fx.server, sizeof(int) * (size_t)s->U);
        memcpy(s->gamma, fx.share, sizeof(double) * (size_t)s->U);
        for (int u = 0; u < s->U; u++) {
            s->infer[u] = fx.infer != NULL ? fx.infer[u] : 0;
            s->generic[u] = fx.generic != NULL ? fx.generic[u] : 0;
            s->generic_key[u] = fx.generic_key != NULL ? fx.generic_key[u] : 0;
            s->local[u] = fx.local != NULL ? fx.local[u] : 0;
            s->infer_key[u] = fx.infer_key != NULL ? fx.infer_key[u] : -1;
            s->hit_from[u] = fx.hit_from != NULL ? fx.hit_from[u] : -1;
        }
        s->serve_only = fx.serve_only;
        s->local_samples = fx.local_samples;
        slot__model_row(s, model);
        rc = run_xfer_take(s, &fx, err); /* run_xfer.c */
    }
    int64_t bad = rc < 0;
    int rc2 = net_allreduce_i64(s->comm, &bad, 1, err);
    if (rc < 0 || rc2 < 0)
        return rc < 0 ? rc : rc2;
    if (bad)
        return dtfl_err_set(err, DTFL_EINTERNAL, "the policy failed on rank 0");
    if ((rc = net_bcast(s->comm, assoc, sizeof(int) * (size_t)s->U, 0, err)) < 0 ||
        (rc = net_bcast(s->comm, s->gamma, sizeof(double) * (size_t)s->U, 0, err)) < 0 ||
        (rc = net_bcast(s->comm, s->infer, sizeof(int) * 6 * (size_t)s->U, 0, err)) < 0 ||
        (rc = net_bcast(s->comm, &s->serve_only, sizeof s->serve_only, 0, err)) < 0 ||
        (rc = net_bcast(s->comm, &s->local_samples, sizeof s->local_samples, 0, err)) < 0)
        return rc;
    return run_xfer_share(s, err);
}

/* The scenario's bytes between servers, after the twins moved (its
 * outcomes wait for the tasks: run_task.c); status updates applied and
 * forwarded tasks taken in as they arrive, then the statuses counted
 * (run_status.c). Arrivals are asked for only when the scenario sends
 * statuses or caches outcomes: within a rank other bytes move nothing. */
static int slot__transfer(run_state *s, int t, run_slot_stats *st, dtfl_err *err)
{
    net_transfer_stats ts = {0};
    const net_transfer_io io = {run_xfer_fill, run_xfer_arrived, s};
    const int n = s->nxfer - s->nout, real = s->status || s->caches;
    int rc = n == 0 ? 0
                    : net_transfer_run(s->comm, &s->mig, s->S, s->xfer, n,
                                       real ? &io : NULL, &ts, err);
    if (rc == 0)
        rc = run_status_gather(s, t, err);
    if (rc < 0)
        return dtfl_err_prefix(err, "slot %d", t);
    st->wire_transfer = ts.bytes_wire;
    st->status_applied = s->stale[s->U];
    return 0;
}

/* ---- migrate ---- */

/* Every twin lives on exactly one rank, the one of its server. */
static int slot__conserved(run_state *s, int t, dtfl_err *err)
{
    int64_t *held = s->per_user; /* scratch, zeroed here */
    memset(held, 0, sizeof(int64_t) * (size_t)s->U);
    for (int u = 0; u < s->U; u++) {
        if (s->twins[u] == NULL)
            continue;
        held[u] = 1;
        if (net_server_rank(s->assoc[u], s->P) != s->rank)
            return dtfl_err_set(err, DTFL_EINTERNAL,
                                "slot %d: rank %d holds twin %d of server %d",
                                t, s->rank, u, s->assoc[u]);
    }
    int rc = net_allreduce_i64(s->comm, held, s->U, err);
    if (rc < 0)
        return rc;
    for (int u = 0; u < s->U; u++)
        if (held[u] != 1)
            return dtfl_err_set(err, DTFL_EINTERNAL,
                                "slot %d: twin %d lives on %lld ranks", t, u,
                                (long long)held[u]);
    return 0;
}

/* Sends moves[0, n) and resends the rejected ones up to net.resend times
 * (a rejected twin stays at its source, so it can be sent again). The test
 * fault faults.migration damages the first faults.migration_attempts sends
 * of one twin. Leaves in moves[0, *left) the moves that never went. */
static int slot__send(run_state *s, int t, net_move *moves, int n, int *failed,
                      int *left, run_slot_stats *st, dtfl_err *err)
{
    const app_config *c = s->cfg;
    net_migrate_params p = s->mig;
    p.fault_user = (int)c->faults.migration_user;
    int rc = 0;
    for (int attempt = 0; n > 0 && attempt <= c->net.resend && rc == 0; attempt++) {
        p.fault = attempt < c->faults.migration_attempts
                      ? (net_fault)c->faults.migration : NET_FAULT_NONE;
        net_migrate_stats ms;
        char why[DTFL_ERR_MSG_MAX];
        rc = net_migrate(s->comm, &p, s->S, moves, n, s->twins, failed, &ms, why,
                         sizeof why, err);
        if (rc < 0)
            break;
        if (why[0] != '\0')
            fprintf(stderr, "dtfl run: rank %d, slot %d, send %d: a twin stayed "
                            "at its source: %s\n",
                    s->rank, t, attempt + 1, why);
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (!failed[i])
                s->assoc[moves[i].user] = moves[i].to;
            else
                moves[k++] = moves[i];
        }
        n = k;
        st->migrations += attempt == 0 ? ms.moves : 0;
        st->failed += ms.failed;
        st->wire_cross += ms.cross_rank;
        st->wire_raw += ms.bytes_raw;
        st->wire_bytes += ms.bytes_wire;
    }
    *left = n;
    return rc;
}

static int slot__migrate(run_state *s, int t, int *next, run_slot_stats *st,
                         dtfl_err *err)
{
    int rc = 0;
    net_move *moves = NULL;
    int *failed = NULL;
    if (s->assoc[0] < 0) { /* slot 0: twins are established where decided */
        for (int u = 0; u < s->U && rc == 0; u++) {
            s->assoc[u] = next[u];
            if (net_server_rank(next[u], s->P) != s->rank)
                continue;
            rc = twin_dt_create(&s->twins[u], (uint32_t)u, s->dim, s->nparams,
                                twin_world_user_twin_bits(s->world, u),
                                (uint64_t)s->cfg->seed, err);
            if (rc == 0)
                memcpy(s->twins[u]->weights, s->global_w,
                       sizeof(float) * s->nparams);
        }
        return rc < 0 ? rc : slot__conserved(s, t, err);
    }
    moves = calloc((size_t)s->U, sizeof *moves);
    failed = calloc((size_t)s->U, sizeof(int));
    int n = 0, left = 0;
    if (moves == NULL || failed == NULL) {
        rc = dtfl_err_set(err, DTFL_ENOMEM, "migration: out of memory");
        goto done;
    }
    /* the bytes each move would carry, the same whatever the ranks */
    for (int u = 0; u < s->U; u++)
        if (next[u] != s->assoc[u]) {
            moves[n++] = (net_move){u, s->assoc[u], next[u]};
            if (s->twins[u] != NULL)
                st->moved_bytes += (int64_t)twin_dt_encode_bound(s->twins[u]);
        }
    if ((rc = slot__send(s, t, moves, n, failed, &left, st, err)) < 0)
        goto done;
    int64_t mb = st->moved_bytes;
    if ((rc = net_allreduce_i64(s->comm, &mb, 1, err)) < 0)
        goto done;
    st->moved_bytes = mb;
    if ((rc = slot__conserved(s, t, err)) < 0 || left == 0)
        goto done;
    s->stop_together = 1; /* every rank knows which moves failed */
    rc = dtfl_err_set(err, DTFL_EPROTOCOL,
                      "slot %d: twin %d could not move from server %d to "
                      "server %d: rejected %lld time(s), net.resend is %lld; "
                      "the twin stays on server %d and the run stops "
                      "(%d twin(s) in all)",
                      t, moves[0].user, moves[0].from, moves[0].to,
                      (long long)s->cfg->net.resend + 1,
                      (long long)s->cfg->net.resend, moves[0].from, left);
done:
    free(moves);
    free(failed);
    return rc;
}

/* ---- synchronise: users upload the slot's samples to their twins ---- */

/* A user that misses the slot (faults.user_miss) uploads nothing: its twin
 * keeps the data it had and trains on that. */
static int slot__sync(run_state *s, int t, run_slot_stats *st, dtfl_err *err)
{
    const int L = s->classes;
    for (int u = 0; u < s->U; u++) {
        twin_dt *dt = s->twins[u];
        int missed = twin_fault_user_misses(&s->faults, (uint64_t)s->cfg->seed, u, t);
        st->users_missed += missed; /* the same count on every rank */
        if (dt == NULL || missed)
            continue;
        int n = twin_world_new_samples(s->world, u, t);
        int counts[FL_MAX_CLASSES];
        fl_mix_counts(s->user_mix + (size_t)u * L, s->global_mix, L, n,
                      s->cfg->users.phi, counts, NULL);
        int rc = fl_draw(s->train, counts, (uint64_t)s->cfg->seed,
                         DTFL_STREAM_DRAW, (uint32_t)u, (uint32_t)t, s->draw, err);
        if (rc < 0)
            return dtfl_err_prefix(err, "user %d, slot %d", u, t);
        for (int i = 0; i < n; i++) {
            memcpy(s->stage_x + (size_t)i * s->dim,
                   s->train->x + (size_t)s->draw[i] * s->dim, (size_t)s->dim);
            s->stage_y[i] = s->train->y[s->draw[i]];
        }
        if ((rc = twin_dt_sync(dt, (uint32_t)t, n, s->stage_x, s->stage_y, err)) < 0)
            return rc;
    }
    return 0;
}

/* ---- train and aggregate ---- */

/* Makes room for n samples in the staging area. */
int run__stage_room(run_state *s, size_t n)
{
    if (n <= s->stage_cap)
        return 0;
    size_t cap = s->stage_cap * 2 > n ? s->stage_cap * 2 : n;
    uint8_t *x = realloc(s->stage_x, cap * (size_t)s->dim);
    if (x == NULL)
        return DTFL_ENOMEM;
    s->stage_x = x;
    uint8_t *y = realloc(s->stage_y, cap);
    if (y == NULL)
        return DTFL_ENOMEM;
    s->stage_y = y;
    s->stage_cap = cap;
    return 0;
}

/* Appends twin u's training set Dbar_{u,t} (eq. 3) to the staging area at
 * *n, and the cloud's images it holds (s->generic[u] of the training set,
 * uniform: the global label mix, drawn by (seed, DRAW, 2^29 + u, key));
 * returns its size, or a negative code when out of memory. */
int run__stage_twin(run_state *s, int u, int *n)
{
    const twin_dt *dt = s->twins[u];
    const int g = s->generic[u];
    if (run__stage_room(s, (size_t)*n + dt->cur.n + dt->prev.n + (size_t)g) < 0)
        return DTFL_ENOMEM;
    int k = twin_dt_training_set(dt, s->gamma[u], (uint64_t)s->cfg->seed, s->pick);
    for (int i = 0; i < k; i++) {
        int j = s->pick[i];
        const twin_buf *b = j < dt->cur.n ? &dt->cur : &dt->prev;
        int at = j < dt->cur.n ? j : j - dt->cur.n;
        memcpy(s->stage_x + (size_t)(*n + i) * s->dim, b->x + (size_t)at * s->dim,
               (size_t)s->dim);
        s->stage_y[*n + i] = b->y[at];
    }
    dtfl_rng r;
    dtfl_rng_init(&r, (uint64_t)s->cfg->seed, DTFL_STREAM_DRAW, 0x20000000u + (uint32_t)u,
                  (uint32_t)s->generic_key[u]);
    for (int i = k; i < k + g; i++) {
        const uint32_t j = dtfl_rng_below(&r, (uint32_t)s->train->n);
        memcpy(s->stage_x + (size_t)(*n + i) * s->dim, s->train->x + (size_t)j * s->dim,
               (size_t)s->dim);
        s->stage_y[*n + i] = s->train->y[j];
    }
    *n += k + g;
    return k + g;
}

/* Trains the model, starting from w, for `epochs` epochs on the staged
 * samples [0, n); returns the FLOPs spent. */
double run__fit(run_state *s, const float *w, int n, int epochs,
                        dtfl_rng *order)
{
    memcpy(fl_model_params(s->model), w, sizeof(float) * s->nparams);
    fl_sgd_reset(s->sgd);
    fl_samples smp = {n, s->dim, s->stage_x, s->stage_y};
    double flops = 0.0;
    for (int e = 0; e < epochs; e++) {
        fl_stats st;
        fl_train_epoch(s->model, s->sgd, s->batch, &smp, (int)s->cfg->fl.batch,
                       order, &st);
        flops += st.flops;
    }
    return flops;
}

/* What a server did in a round (s->fate, summed over ranks: each server
 * lives on one rank). */
enum { FATE_IDLE = 0,     /* no twins: not asked */
       FATE_REPORTED = 1, /* its update is in the round */
       FATE_SLOW = 2,     /* a straggler, in time: the round waited for it */
       FATE_DROPPED = 3,  /* dropped out: no training, no update */
       FATE_LATE = 4 };   /* a straggler past fl.deadline: update dropped */

/* Server k's local training of round r; sets its fate, vec and weight. */
static int slot__train_server(run_state *s, int t, int r, int k, float **vec,
                              double *weight, dtfl_rng *order,
                              run_slot_stats *st, double *flops, dtfl_err *err)
{
    int held = 0;
    for (int u = 0; u < s->U; u++)
        held += s->assoc[u] == k && s->twins[u] != NULL;
    if (held == 0)
        return 0; /* no twins: this server sits the round out */
    double time;
    twin_server_fault f = twin_fault_server(&s->faults, (uint64_t)s->cfg->seed,
                                            k, t, r, &time);
    if (f == TWIN_SERVER_DROPPED) { /* before its data is staged for nothing */
        s->fate[k] = FATE_DROPPED;
        return 0;
    }
    int n = 0;
    double t0 = dtfl_now();
    for (int u = 0; u < s->U; u++) /* its twins, user order */
        if (s->assoc[u] == k && s->twins[u] != NULL &&
            (s->stage_n[u] = run__stage_twin(s, u, &n)) < 0)
            return dtfl_err_set(err, DTFL_ENOMEM, "server %d: out of memory "
                                                  "staging data", k);
    *flops += run__fit(s, s->global_w, n, (int)s->cfg->fl.local_epochs, order);
    const double took = dtfl_now() - t0;
    for (int u = 0; u < s->U && n > 0; u++) /* its twins' shares of the work */
        if (s->assoc[u] == k && s->twins[u] != NULL)
            s->twin_s[u] += took * s->stage_n[u] / n;
    if (r == 0)
        st->active++;
    if (f == TWIN_SERVER_LATE) {
        s->fate[k] = FATE_LATE;
        return 0;
    }
    memcpy(s->server_w[k], fl_model_params(s->model), sizeof(float) * s->nparams);
    vec[k] = s->server_w[k];
    weight[k] = n; /* D_{s,t} of eq. 4 */
    s->fate[k] = time > 1.0 ? FATE_SLOW : FATE_REPORTED;
    return 0;
}

/* After a round's training: every rank learns each server's fate; the round
 * aggregates (eq. 4) when fl_quorum says enough reported, else the global
 * model stays as it was. */
static int slot__close_round(run_state *s, float *const *vec,
                             const double *weight, run_slot_stats *st,
                             dtfl_err *err)
{
    int rc = net_allreduce_i64(s->comm, s->fate, s->S, err);
    if (rc < 0)
        return rc;
    int reported = 0, eligible = 0;
    double longest = 0.0;
    for (int k = 0; k < s->S; k++) {
        int64_t f = s->fate[k];
        eligible += f != FATE_IDLE;
        reported += f == FATE_REPORTED || f == FATE_SLOW;
        st->dropped += f == FATE_DROPPED;
        st->late += f == FATE_LATE;
        double time = f == FATE_REPORTED ? 1.0
                      : f == FATE_SLOW   ? s->faults.slowdown
                      : f == FATE_LATE   ? s->faults.deadline
                                         : 0.0;
        longest = time > longest ? time : longest;
    }
    st->round_time += longest;
    st->reported += reported;
    if (!fl_quorum(reported, eligible, (int)s->cfg->fl.min_servers,
                   s->cfg->fl.min_fraction)) {
        st->rounds_kept++;
        return 0;
    }
    for (int k = 0; k < s->S; k++)
        s->took_part[k] |= s->fate[k] == FATE_REPORTED || s->fate[k] == FATE_SLOW;
    double total = 0.0;
    return net_fedavg(s->comm, s->S, weight, vec, s->nparams, s->global_w,
                      &total, err);
}

static int slot__train(run_state *s, int t, run_slot_stats *st, double *flops,
                       dtfl_err *err)
{
    double *weight = calloc((size_t)s->S, sizeof(double));
    dtfl_rng *order = calloc((size_t)s->S, sizeof(dtfl_rng));
    float **vec = calloc((size_t)s->S, sizeof(float *));
    if (weight == NULL || order == NULL || vec == NULL) {
        free(weight);
        free(order);
        free(vec);
        return dtfl_err_set(err, DTFL_ENOMEM, "training: out of memory");
    }
    for (int k = 0; k < s->S; k++)
        dtfl_rng_init(&order[k], (uint64_t)s->cfg->seed, DTFL_STREAM_SHUFFLE,
                      (uint32_t)k, (uint32_t)t);
    memset(s->took_part, 0, (size_t)s->S);
    int rc = 0;
    for (int r = 0; r < s->cfg->fl.rounds_per_slot && rc == 0; r++) {
        double t0 = dtfl_now();
        memset(s->fate, 0, sizeof(int64_t) * (size_t)s->S);
        for (int k = 0; k < s->S && rc == 0; k++) {
            vec[k] = NULL;
            weight[k] = 0.0;
            if (net_server_rank(k, s->P) == s->rank)
                rc = slot__train_server(s, t, r, k, vec, weight, &order[k], st,
                                        flops, err);
        }
        if (rc == 0)
            run_fault_kill(s, t, s->cfg->faults.kill_mid_slot);
        double t1 = dtfl_now();
        if (rc == 0)
            rc = slot__close_round(s, vec, weight, st, err);
        st->t[RUN_T_TRAIN] += t1 - t0;
        st->t[RUN_T_AGGREGATE] += dtfl_now() - t1;
    }
    free(weight);
    free(order);
    free(vec);
    return rc;
}

/* ---- the slot ---- */

/* Sums the per-user results and counters over ranks and fills st. */
static int slot__gather(run_state *s, run_slot_stats *st, double flops,
                        int64_t global_correct, dtfl_err *err)
{
    const int U = s->U;
    int64_t *v = s->per_user; /* correct (U), tested (U), trained (U), ... */
    v[3 * U] = llround(flops);
    v[3 * U + 1] = global_correct;
    v[3 * U + 2] = st->active;
    int rc = net_allreduce_i64(s->comm, v, 3 * U + 3, err);
    if (rc < 0)
        return rc;
    double acc = 0.0;
    st->train_samples = 0;
    for (int u = 0; u < U; u++) {
        acc += v[U + u] > 0 ? (double)v[u] / (double)v[U + u] : 0.0;
        st->train_samples += v[2 * U + u];
    }
    st->mean_accuracy = acc / U;
    st->flops = v[3 * U];
    st->global_accuracy = (double)v[3 * U + 1] / (double)s->test->n;
    st->active = v[3 * U + 2];
    return net_allreduce_max(s->comm, st->t, RUN_T_COUNT, err);
}

/* Each twin's seconds of work (on its rank) to rank 0's scenario, which
 * may put them beside its models in the slot's row (read again). */
static int slot__measured(run_state *s, run_slot_stats *st, dtfl_err *err)
{
    const scen_ops *ops = scen_find(s->cfg->scenario);
    if (ops == NULL || ops->measured == NULL) /* the scenario reads none */
        return 0;
    int rc = net_allreduce_max(s->comm, s->twin_s, s->U, err);
    if (rc == 0 && s->rank == 0) {
        app_env_measured(s->env, s->twin_s);
        slot__model_row(s, st->model);
    }
    return rc;
}

int run_slot(run_state *s, int t, run_slot_stats *st, dtfl_err *err)
{
    memset(st, 0, sizeof *st);
    memset(s->twin_s, 0, sizeof(double) * (size_t)s->U);
    s->slot_now = t;
    double t0 = dtfl_now(), flops = 0.0;
    if (t > 0)
        twin_world_step(s->world, t);
    int *next = malloc(sizeof(int) * (size_t)s->U);
    if (next == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "slot: out of memory");
    int rc = slot__decide(s, next, st->model, err);
    double t1 = dtfl_now();
    if (rc == 0)
        rc = slot__migrate(s, t, next, st, err);
    free(next);
    double t1b = dtfl_now();
    if (rc == 0)
        rc = slot__transfer(s, t, st, err);
    double t2 = dtfl_now();
    const int learn = !s->serve_only;
    if (rc == 0 && learn)
        rc = slot__sync(s, t, st, err);
    double t3 = dtfl_now();
    if (rc == 0 && learn)
        rc = slot__train(s, t, st, &flops, err);
    if (rc < 0)
        return rc;
    double t4 = dtfl_now();
    int64_t *v = s->per_user, global_correct = 0;
    memset(v, 0, sizeof(int64_t) * (3 * (size_t)s->U + 8));
    if (learn && (rc = run__finetune(s, t, v + 2 * s->U, &flops, err)) < 0)
        return rc;
    double t5 = dtfl_now();
    if (learn && /* a serve-only slot's accuracy is its tasks' */
        (rc = run__evaluate(s, v, v + s->U, &global_correct, &flops, err)) < 0)
        return rc;
    double t6 = dtfl_now();
    if ((rc = run__infer(s, t, v, v + s->U, &flops, err)) < 0 ||
        (rc = run_task_outcomes(s, t, st, err)) < 0)
        return rc;
    double t7 = dtfl_now();
    for (int u = 0; u < s->U; u++)
        st->infer_samples += s->infer[u];
    st->t[RUN_T_DECIDE] = t1 - t0;
    st->t[RUN_T_MIGRATE] = t1b - t1;
    st->t[RUN_T_TRANSFER] = t2 - t1b;
    st->t[RUN_T_SYNC] = t3 - t2;
    st->t[RUN_T_FINETUNE] = t5 - t4;
    st->t[RUN_T_EVALUATE] = t6 - t5;
    st->t[RUN_T_INFER] = t7 - t6;
    st->t[RUN_T_SLOT] = t7 - t0;
    if ((rc = slot__gather(s, st, flops, global_correct, err)) < 0)
        return rc;
    return slot__measured(s, st, err);
}
