/*
 * run.h - internal to app/: the state of `dtfl run` (real mode) and the
 * functions that build it, run one slot, record it and checkpoint it.
 *
 * One slot (DESIGN.md section 2): the world steps; on rank 0 the config's
 * scenario observes, its policy decides and the scenario scores the
 * decision and names its effects, the server of every twin and the share of
 * last slot's data it trains on, and the bytes it sends between servers,
 * which every rank receives; twins whose server changed migrate; the bytes
 * are sent; each twin's user uploads the slot's samples
 * (synchronisation); every edge server trains on its twins' data and FedAvg
 * combines the servers, rounds_per_slot times; each twin is fine-tuned from
 * the global model and evaluated on its user's own test split; rank 0
 * records the slot.
 *
 * Edge servers are logical: server s lives on rank s % P, and everything a
 * slot computes is keyed by (seed, entity, slot), so the recorded numbers are
 * the same for any number of ranks.
 */
#ifndef DTFL_APP_RUN_H
#define DTFL_APP_RUN_H

#include "env.h"

#include "../fl/fl.h"
#include "../net/net.h"
#include "../twin/twin.h"

/* Wall seconds of the phases of a slot (the slowest rank's). */
enum { RUN_T_DECIDE, RUN_T_MIGRATE, RUN_T_TRANSFER, RUN_T_SYNC, RUN_T_TRAIN,
       RUN_T_AGGREGATE, RUN_T_FINETUNE, RUN_T_EVALUATE, RUN_T_INFER, RUN_T_SLOT,
       RUN_T_COUNT };

/* Most columns of a scenario's real-mode slot table. */
#define RUN_MODEL_MAX 16

/* What one slot produced, the same on every rank after the slot. */
typedef struct run_slot_stats {
    int64_t migrations;     /* twins whose server changed */
    int64_t failed;         /* sends rejected on arrival (each resent) */
    int64_t moved_bytes;    /* encoded size of every migrating twin */
    int64_t wire_cross;     /* measured: moves between ranks */
    int64_t wire_raw;       /* measured: encoded bytes sent between ranks */
    int64_t wire_bytes;     /* measured: bytes on the wire, frames included */
    int64_t wire_transfer;  /* measured: scenario bytes sent between ranks */
    int64_t active;         /* servers with data that trained (round 0) */
    int64_t reported;       /* server updates in time, over rounds */
    int64_t dropped;        /* servers that dropped out, over rounds */
    int64_t late;           /* stragglers past the deadline, over rounds */
    int64_t rounds_kept;    /* rounds that kept the previous global model */
    int64_t users_missed;   /* users that missed the slot's upload */
    double round_time;      /* simulated, nominal round times, over rounds */
    int64_t train_samples;  /* sum over twins of |Dbar_{u,t}| */
    int64_t flops;          /* model FLOPs of training, tuning, evaluation */
    int64_t infer_samples;  /* task samples the twins classified */
    int64_t status_applied; /* twins' status updates applied */
    int64_t forwarded_images; /* task images classified from forwarded bytes */
    int64_t hits_served;    /* cache hits served from kept outcome bytes */
    int64_t hit_bytes;      /* their bytes */
    int64_t outcomes_kept;  /* outcomes the servers' caches hold after it */
    int64_t outcome_wire;   /* measured: outcome bytes sent between ranks */
    double mean_accuracy;   /* personalised models on their users' splits */
    double global_accuracy; /* global model on the test set */
    double t[RUN_T_COUNT];  /* phase seconds */
    double model[RUN_MODEL_MAX]; /* the decision scored by the scenario's
                               models (rank 0; its SCEN_T_REAL_SLOT columns,
                               for diten predicted utility, cost, objective,
                               reward, violations) */
} run_slot_stats;

typedef struct run_cache run_cache; /* run_cache.c */

typedef struct run_state {
    const app_config *cfg;
    net_comm *comm;
    int rank, P;
    int U, S, classes, dim, T;
    fl_dataset *train, *test;
    double *global_mix;     /* (classes,) label mix of the training set */
    double *user_mix;       /* (U, classes) each user's mix at EMD phi */
    int32_t *test_idx;      /* (U, test_samples) each user's test split */
    twin_world *world;
    fl_model *model;
    fl_sgd *sgd;
    fl_batch *batch;
    size_t nparams;
    float *global_w;        /* (nparams,) the global model */
    float **server_w;       /* (S,) weights of the servers this rank owns */
    twin_dt **twins;        /* (U,) the twins this rank holds */
    int *assoc;             /* (U,) server of each twin; -1 before slot 0 */
    double *gamma;          /* (U,) share of last slot's data of the slot */
    int *infer;             /* (U,) task samples of each twin in the slot */
    int *generic;           /* (U,) the cloud's images in each twin's data */
    int *generic_key;       /* (U,) which draw of them */
    int *local;             /* (U,) the user's task runs on its device */
    int *infer_key;         /* (U,) which images a task is (-1: per twin) */
    int *hit_from;          /* (U,) the server whose cache serves it, -1 */
    int local_samples;      /* the device model's training images */
    float *local_w;         /* (nparams,) the device model; NULL until used */
    int serve_only;         /* the slot trains nothing (scen_effects) */
    app_env *env;           /* rank 0 only: the scenario and its policy */
    net_transfer *xfer;     /* the slot's transfers (every rank) */
    int nxfer, xfer_cap;
    int64_t *stale;         /* (U + 1,) each twin's staleness, then the
                               statuses applied in the slot (run_status.c) */
    int64_t applied;        /* statuses applied on this rank this slot */
    int status;             /* the scenario sends status updates
                               (scen_ops.status): the same on every rank */
    int nout;               /* of the transfers, the last nout are outcomes,
                               sent after the tasks ran (run_task.c) */
    int caches;             /* the scenario caches outcomes (scen_ops.caches) */
    int *cached;            /* the model's caches after the slot: (server,
                               key) pairs, ncached of them (every rank) */
    int ncached, cached_cap;
    run_cache *cache;       /* the outcome bytes this rank's servers keep */
    uint8_t **task_in;      /* (U,) a forwarded task's labels, then pixels,
                               as they arrived; NULL: none */
    int *task_n;            /* (U,) its images */
    int64_t task_wire_images; /* images of forwarded tasks that arrived */
    uint8_t **pred;         /* (U,) the labels a twin's task got this slot */
    int *pred_n;            /* (U,) of them (0 until its task ran) */
    int slot_now;           /* the slot being played */
    net_migrate_params mig;
    twin_faults faults;     /* simulated edge faults (faults.*, fl.deadline) */
    int64_t *fate;          /* (S,) each server's part in the round */
    uint8_t *took_part;     /* (S,) servers aggregated in the slot */
    double wire_bps;        /* measured ping-pong rate between ranks 0, 1 */
    /* scratch */
    uint8_t *stage_x, *stage_y;  /* a server's training set, (cap, dim) */
    size_t stage_cap;
    int32_t *pick, *draw;        /* sample picks and draws */
    int64_t *per_user;           /* (3U + 8,) results summed over ranks */
    double *twin_s;              /* (U,) seconds of each twin's work in the
                                    slot, for the scenario (measured op) */
    int *stage_n;                /* (U,) samples a twin staged in a round */
    /* outputs (rank 0) */
    app_table *slots_csv, *twins_csv;
    char dir[APP_PATH_MAX];
    int first_slot;              /* 0, or the slot after a checkpoint */
    int stop_together;           /* the error is known to every rank: stop
                                    without MPI_Abort, rank 0 reports it */
    double t_start;
} run_state;

/* run_setup.c: everything a run needs, from the config; and its release. */
int run_setup(run_state *s, const app_config *cfg, net_comm *comm,
              const char *dir, dtfl_err *err);
void run_free(run_state *s);

/* run_status.c: twins' status updates (scen_transfer.status). The record
 * heading transfer x, built from t at slot; applying one as it arrives
 * (net_transfer_arrived, ctx the run_state); after the slot's transfers,
 * every twin's staleness and the count applied, summed over ranks into
 * s->stale (a no-op for a scenario without status). */
void run_status_head(net_transfer *x, const scen_transfer *t, int slot);
int run_status_arrived(void *ctx, int i, const net_transfer *t, const uint8_t *head,
                       size_t head_len, uint64_t digest, dtfl_err *err);
int run_status_gather(run_state *s, int t, dtfl_err *err);

/* The magic of the record heading a transfer's bytes, which says its kind
 * (little-endian "DTST", "DTTK", "DTOC"). */
#define RUN_STATUS_MAGIC 0x54534454u
#define RUN_TASK_MAGIC 0x4b545444u
#define RUN_OUTCOME_MAGIC 0x434f5444u

/* run_xfer.c: the slot's transfers, taken from the effects on rank 0,
 * shared with every rank (with the model's caches), and both ends of each
 * served by its kind (net_transfer_io, ctx the run_state). */
int run_xfer_take(run_state *s, const scen_effects *fx, dtfl_err *err);
int run_xfer_share(run_state *s, dtfl_err *err);
int run_xfer_fill(void *ctx, int i, const net_transfer *t, uint8_t *p, size_t n,
                  dtfl_err *err);
int run_xfer_arrived(void *ctx, int i, const net_transfer *t, const uint8_t *p,
                     size_t len, uint64_t digest, dtfl_err *err);

/* run_task.c: tasks and their outcomes (scen_transfer.task, outcome). A
 * record of RUN_TASK_HEAD bytes heads each (magic, twin, slot, key, n,
 * pixels per image; u32 each), then n labels and, for a task, n images. */
#define RUN_TASK_HEAD 24
typedef struct run_task_record {
    int task;                /* 1: a task, 0: an outcome */
    uint32_t twin, slot, key, n, dim;
    const uint8_t *labels;   /* (n) */
    const uint8_t *pixels;   /* (n, dim), a task's; NULL for an outcome */
} run_task_record;
/* 0, or -1 when p is not one whole record (fuzz_task) */
int run_task_record_parse(const uint8_t *p, size_t len, run_task_record *r);
/* x's head and size when t is a task or an outcome (else untouched) */
void run_task_head(net_transfer *x, const scen_transfer *t, const run_state *s, int slot);
/* a task's or an outcome's bytes built on the sending rank, and taken in
 * on the receiving one (a task for its twin, an outcome into the cache) */
int run_task_fill(void *ctx, int i, const net_transfer *t, uint8_t *p, size_t n,
                  dtfl_err *err);
int run_task_arrived(void *ctx, int i, const net_transfer *t, const uint8_t *p,
                     size_t len, dtfl_err *err);
/* twin u's task images at slot t into the staging area: the forwarded
 * bytes when they arrived, else drawn by its key */
int run_task_stage(run_state *s, int u, int t, dtfl_err *err);
/* room for the n labels twin u's task gets this slot (s->pred[u]) */
int run_task_keep_pred(run_state *s, int u, int n);
/* after the tasks ran: hits served, outcomes sent and kept, the caches cut
 * to the model's; counts into st (every rank) */
int run_task_outcomes(run_state *s, int t, run_slot_stats *st, dtfl_err *err);

/* run_cache.c: the outcome bytes of this rank's servers. */
int run_cache_create(run_cache **out);
void run_cache_destroy(run_cache *c);
void run_cache_clear(run_cache *c);
int run_cache_count(const run_cache *c);
int run_cache_put(run_cache *c, int server, int key, const uint8_t *bytes, uint32_t len,
                  dtfl_err *err);
/* a kept outcome read back and checked (its length at *len) */
int run_cache_get(const run_cache *c, int server, int key, size_t *len, dtfl_err *err);
/* drops what the n (server, key) pairs do not name; an error when one of
 * this rank's pairs has no bytes */
int run_cache_cut(run_cache *c, const int *pairs, int n, int P, int rank, dtfl_err *err);
size_t run_cache_encoded_size(const run_cache *c);
void run_cache_encode(const run_cache *c, uint8_t *p);
int run_cache_decode(run_cache *c, const uint8_t *p, size_t len, int servers, int P,
                     int rank, const char *path, dtfl_err *err);

/* run_slot.c: one slot, all phases; every rank calls it. */
int run_slot(run_state *s, int t, run_slot_stats *out, dtfl_err *err);

/* Shared by run_slot.c and run_eval.c: room for n samples in the staging
 * area; twin u's training set appended at *n (its size, or a negative code);
 * the model trained from w for `epochs` epochs on the staged samples [0, n)
 * (the FLOPs spent). */
int run__stage_room(run_state *s, size_t n);
int run__stage_twin(run_state *s, int u, int *n);
double run__fit(run_state *s, const float *w, int n, int epochs, dtfl_rng *order);

/* run_eval.c: every twin of this rank fine-tuned from the global model on
 * its own data (samples into trained, per user); evaluated on its user's
 * test split (correct, tested per user; by the device model instead when
 * s->local[u]) and the global model on this rank's slice of the test set;
 * its task's images classified (correct, tested). FLOPs are added to
 * *flops; each twin's seconds to s->twin_s. */
int run__finetune(run_state *s, int t, int64_t *trained, double *flops,
                  dtfl_err *err);
int run__evaluate(run_state *s, int64_t *correct, int64_t *tested,
                  int64_t *global_correct, double *flops, dtfl_err *err);
int run__infer(run_state *s, int t, int64_t *correct, int64_t *tested,
               double *flops, dtfl_err *err);

/* run_record.c: tables, progress and summary (rank 0 writes). */
int run_record_open(run_state *s, dtfl_err *err);
int run_record_slot(run_state *s, int t, const run_slot_stats *st,
                    dtfl_err *err);
int run_record_summary(run_state *s, const run_slot_stats *last,
                       const run_slot_stats *total, dtfl_err *err);
void run_progress(const run_state *s, int t, const run_slot_stats *st);

/* cmd_run.c: the test fault faults.kill_*: rank faults.kill_rank of a fresh
 * run kills itself (SIGKILL) when t equals `at`, the slot of the key. */
void run_fault_kill(const run_state *s, int t, int64_t at);

/* run_ckpt.c: checkpoints every rank writes its part of. */
int run_ckpt_save(run_state *s, int t, dtfl_err *err);
/* Finds the newest complete checkpoint in s->dir and restores it; sets
 * s->first_slot. Returns 0, or DTFL_ENOINPUT when there is none. */
int run_ckpt_load(run_state *s, dtfl_err *err);

#endif /* DTFL_APP_RUN_H */
