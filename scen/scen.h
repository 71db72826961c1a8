/*
 * scen.h - scenarios: the part of dtfl that belongs to one paper, behind one
 * interface, so the five papers share one world, one runtime and one
 * algorithm library (docs/scenarios.md walks through it with DITEN).
 *
 * A scenario is a Gymnasium environment in C (PettingZoo's parallel API
 * when it has several agents): `reset` starts an episode, `observe` moves
 * to the next slot and builds what the agents see, `step` takes every
 * agent's action and returns a reward per agent, whether the episode ended,
 * and the slot's metrics. Each agent declares its observation size and its
 * action space (a discrete part: `blocks` choices among `choices`; or a
 * continuous box) and the timescale it acts on: every slot, or at frame
 * starts (a frame is world.frame_slots slots). The tables a run writes are
 * declared by the scenario as data (columns with their printf formats), and
 * the drivers of app/ fill them: one analytic driver (the models alone) and
 * one real driver (FL over migrating twins on MPI ranks) for every
 * scenario.
 *
 * The real driver carries out a decision through effects with measured
 * costs, read from the scenario after each step: the server of every
 * user's twin (a twin whose server changes migrates, real bytes between
 * ranks), bytes sent between servers (checked, paced like migrations), and
 * the share of last slot's data each twin trains on. Its modelled metrics go
 * into the tables beside the measured ones.
 *
 * Policies serve one scenario each and are listed by it: heuristics that
 * read the scenario's own observation (scen_obs.raw), and learners of
 * sched/ (PPO, A2C, DDPG) on each agent's vector observation. A policy is
 * chosen by name (sched.policy) among the scenario's.
 *
 * What is not here: MPI, datasets, how an algorithm works inside. A
 * scenario's models never know an algorithm, and sched/ never knows a
 * scenario.
 */
#ifndef DTFL_SCEN_H
#define DTFL_SCEN_H

#include <stddef.h>
#include <stdint.h>

#include "../base/dtfl.h"
#include "../sched/sched.h"
#include "../twin/twin.h"

/* ------------------------------------------------------------------------ */
/* What a scenario declares                                                  */
/* ------------------------------------------------------------------------ */

typedef enum scen_level {
    SCEN_SLOT = 0,  /* acts every slot */
    SCEN_FRAME = 1  /* acts at the first slot of each frame */
} scen_level;

/* One agent's spaces (Gymnasium's observation_space and action_space). */
typedef struct scen_agent {
    const char *name;
    scen_level level;
    int obs_dim;          /* floats in its vector observation */
    int blocks, choices;  /* discrete action: blocks choices among choices */
    int box;              /* continuous action: box dims in [lo, hi] */
    double lo, hi;
    int stream;           /* reward stream: agents of one stream get one
                             reward (a team); multi-agent learners give each
                             stream one critic on the state (scen_ops.state) */
} scen_agent;

/* A column of a table: its name and the printf format of its value (a
 * double; counts are printed with "%.0f"). */
typedef struct scen_column {
    const char *name;
    const char *fmt;
} scen_column;

/* A summary.json entry over a table's rows: the column's mean per slot or
 * its total. */
typedef enum scen_sum { SCEN_SUM_MEAN = 0, SCEN_SUM_TOTAL = 1 } scen_sum;
typedef struct scen_summary {
    const char *key;
    int column;           /* index into the table's columns */
    scen_sum how;
} scen_summary;

typedef struct scen_table {
    int ncols;
    const scen_column *col;
    int nsums;
    const scen_summary *sum;
} scen_table;

/* The tables a scenario fills; the drivers add their own columns around
 * them (slot, user, and in real mode everything they measure). */
typedef enum scen_table_id {
    SCEN_T_ANALYTIC_SLOT = 0, /* slots.csv of an analytic run */
    SCEN_T_ANALYTIC_TWIN,     /* twins.csv of an analytic run, per user */
    SCEN_T_REAL_SLOT,         /* the modelled columns of a real run */
    SCEN_T_REAL_TWIN,         /* ... per user */
    SCEN_T_COUNT
} scen_table_id;

/* What one instance of a scenario is, after create. */
typedef struct scen_info {
    int agents;
    const scen_agent *agent;   /* (agents) */
    int frame_slots;           /* K: slots per frame */
    int slots;                 /* T: slots per episode */
    int users, servers;        /* U twins, S edge servers */
    int tasks;                 /* the real driver serves tasks
                                  (scen_effects.infer) and records them */
    int state_dim;             /* the critics' global state (scen_ops.state);
                                  0: none */
    scen_table table[SCEN_T_COUNT];
    /* train.csv (per episode): the means per slot of these columns of the
     * analytic slot table, under these names and formats */
    int nepisode;
    const scen_column *episode;      /* (nepisode) */
    const int *episode_from;         /* (nepisode) analytic slot columns */
} scen_info;

/* ------------------------------------------------------------------------ */
/* What a scenario gets, sees and returns                                    */
/* ------------------------------------------------------------------------ */

/* Everything a scenario is built from: the shared world of the config, the
 * sizes of time, the learners' knobs, and its own config section. */
typedef struct scen_setup {
    const char *scenario;        /* registry name */
    twin_world_params world;     /* servers, users, mobility; user_seed 0 */
    int slots;                   /* T: world.slots */
    int frame_slots;             /* K: world.frame_slots */
    uint64_t seed;
    const void *params;          /* the scenario's section (its own type) */
    rl_ac_params ppo, a2c;       /* knobs of the learners */
    rl_ddpg_params ddpg;
    sched_marl_params marl;      /* the multi-agent learners' (algorithm,
                                    head and agents set by the policy) */
} scen_setup;

/* What the agents see at a slot. */
typedef struct scen_obs {
    int slot;                    /* t within the episode, from 0 */
    int frame_start;             /* t % K == 0 */
    const void *raw;             /* the scenario's own observation (its
                                    heuristic policies read it) */
} scen_obs;

/* Every agent's action at a slot; agent a's part starts at the offsets of
 * scen_action_offsets. */
typedef struct scen_action {
    int *discrete;               /* sum over agents of blocks */
    double *box;                 /* sum over agents of box */
} scen_action;

/* What a step returns; arrays owned by the scenario, valid until its next
 * call. */
typedef struct scen_result {
    const double *reward;        /* (agents) */
    int done;                    /* the episode ended (T slots) */
} scen_result;

/* Bytes a scenario sends from one server to another in a slot (a status
 * update, task data, a model download); SCEN_CLOUD is the cloud (rank 0). */
#define SCEN_CLOUD (-1)
typedef struct scen_transfer {
    int from, to;                /* servers, or SCEN_CLOUD */
    int64_t bytes;
    int status;                  /* 1: a status update of twin `twin`: the
                                    real driver sends it as a record heading
                                    the bytes and applies it on arrival to
                                    the twin's status (scen_info.status) */
    int twin;
    double value[4];             /* what the record carries (twin_status) */
    double bytes_per_s;          /* its pace across ranks (0: the link's) */
    int task;                    /* 1: twin `twin`'s task forwarded, its
                                    infer[twin] images of scen_effects.
                                    infer_key[twin] (the driver sizes the
                                    bytes: a record, labels, pixels); the
                                    receiving rank classifies those bytes */
    int outcome;                 /* 1: twin `twin`'s task outcome (its
                                    predicted labels), sent after the task
                                    ran, kept in server `to`'s cache under
                                    infer_key[twin] (scen_ops.caches) */
} scen_transfer;

/* The effects of the last step for the real driver. */
typedef struct scen_effects {
    const int *server;           /* (U) the server of each twin */
    const double *share;         /* (U) share of last slot's data, [0, 1] */
    int ntransfers;              /* bytes between servers, sent after the */
    const scen_transfer *transfer; /* twins migrated (ntransfers) */
    int serve_only;              /* 1: nothing trains this slot (no new
                                    samples, FL rounds or fine-tuning): the
                                    twins move, bytes go, tasks are served */
    const int *infer;            /* (U) samples each twin's model classifies
                                    on its server's rank (its task); NULL:
                                    none */
    const int *generic;          /* (U) images of the global label mix each
                                    twin's training set holds besides its
                                    user's (knowledge from the cloud); NULL:
                                    none */
    const int *generic_key;      /* (U) which draw of them: the same key, the
                                    same images (e.g. the slot they came) */
    const int *infer_key;        /* (U) which images a task is: the same
                                    key, the same images (a content); NULL:
                                    drawn per twin and slot */
    const int *hit_from;         /* (U) the server whose cache serves the
                                    twin's task from outcome bytes it keeps
                                    (key infer_key), -1: none; NULL: none */
    int ncached;                 /* the caches after the step: server and */
    const int *cached;           /* key pairs (2 ncached) (scen_ops.caches) */
    const int *local;            /* (U) 1: the user's task runs on its
                                    device (its test split classified by a
                                    local model trained once on
                                    local_samples images of the global mix),
                                    not on its twin; NULL: none */
    int local_samples;
} scen_effects;

/* ------------------------------------------------------------------------ */
/* Policies                                                                  */
/* ------------------------------------------------------------------------ */

struct scen_ops;

/* What a policy is created with: its scenario (type and instance). */
typedef struct scen_policy_setup {
    const struct scen_ops *scen;
    void *scen_self;
    const scen_info *info;
    const scen_setup *setup;
} scen_policy_setup;

/* A heuristic policy of one scenario (learned ones are built from sched/). */
typedef struct scen_policy_ops {
    const char *name;
    const char *summary;
    const char *learner;  /* a sched/ algorithm (ppo, a2c, ddpg) on every
                             agent's vector observation; NULL for heuristics,
                             which give the functions below */
    int (*create)(void **self, const scen_policy_setup *p, dtfl_err *err);
    int (*decide)(void *self, const scen_obs *o, scen_action *a,
                  dtfl_err *err);
    /* state for checkpoints (size from *len with buf NULL) */
    int (*save)(void *self, uint8_t *buf, size_t *len, dtfl_err *err);
    int (*load)(void *self, const uint8_t *buf, size_t len, dtfl_err *err);
    void (*destroy)(void *self);
    unsigned flags;       /* SCEN_POLICY_* below */
} scen_policy_ops;

/* The benchmark without the digital-twin layer: the scenario's view
 * without its twins' estimates and no twin energy (scen_ops.twinless;
 * scenarios without such a layer ignore it). */
#define SCEN_POLICY_TWINLESS 1u
/* A learner: one over every agent's action (the agents act every slot and
 * share agent 0's observation and reward), a mixed head where the agents'
 * spaces differ; else one learner per agent. */
#define SCEN_POLICY_JOINT 2u

/* ------------------------------------------------------------------------ */
/* The scenario interface                                                    */
/* ------------------------------------------------------------------------ */

typedef struct scen_ops {
    const char *name;            /* `scenario:` in a config; its section */
    const char *summary;
    const char *paper;           /* the seed file it implements */
    const scen_policy_ops *const *policies; /* NULL-terminated */
    const char *default_policy;  /* when sched.policy is not set */
    /* refuses a setup it cannot run: writes the config key at fault and a
     * message; 0 when it can */
    int (*check)(const scen_setup *s, const char **key, char *msg, size_t cap);
    int (*create)(void **self, const scen_setup *s, dtfl_err *err);
    void (*destroy)(void *self);
    const scen_info *(*info)(void *self);
    /* a fresh episode: users keyed by (seed, episode); episode -1 has the
     * run's own users, those a real-mode run of the config sees */
    int (*reset)(void *self, int episode, dtfl_err *err);
    /* the next slot: the world moves on (not before slot 0) and the agents'
     * observations are built */
    int (*observe)(void *self, scen_obs *o, dtfl_err *err);
    /* agent a's vector observation of the last observe (obs_dim floats) */
    void (*agent_obs)(void *self, int a, float *x);
    /* optional: the global state of the last observe (state_dim floats),
     * what centralised critics see */
    void (*state)(void *self, float *x);
    /* optional: which of agent a's action values (its blocks, then its box
     * dims) acted on its reward in the last step (1) or not (0) */
    void (*action_mask)(void *self, int a, uint8_t *mask);
    /* applies the action, scores it, ends the slot */
    int (*step)(void *self, const scen_action *act, scen_result *r,
                dtfl_err *err);
    /* the values of a table's columns for the last step: user u for the
     * twin tables, -1 for the slot tables */
    void (*row)(void *self, scen_table_id t, int u, double *vals);
    /* the real driver's effects of the last step */
    void (*effects)(void *self, scen_effects *e);
    /* optional, real mode: the seconds each twin's work took on its
     * server's rank in the slot of the last step (its share of the
     * server's training, its fine-tuning, its evaluation and task),
     * measured after the effects and before the next observe; a scenario
     * may feed them to its models (taco.real.delay_source) */
    void (*measured)(void *self, const double *twin_s);
    /* its transfers carry twins' status updates (scen_transfer.status):
     * the real driver records each twin's staleness and the count applied */
    int status;
    /* its servers cache task outcomes (scen_effects.hit_from, cached,
     * scen_transfer.outcome): the real driver keeps the outcome bytes on
     * the servers' ranks, serves hits from them and records both */
    int caches;
    /* optional: the policy is the twinless benchmark (1) or not (0); set
     * when a policy is created for the instance */
    void (*twinless)(void *self, int on);
    /* describes the instance for a training summary: key/value pairs,
     * numbers (text NULL) or text; returns how many it wrote */
    int (*describe)(void *self, const char **key, const char **text,
                    double *num, int cap);
    /* state for checkpoints (after a slot): load restores the instance to
     * the slot after it on the run's own users */
    int (*save)(void *self, uint8_t *buf, size_t *len, dtfl_err *err);
    int (*load)(void *self, const uint8_t *buf, size_t len, dtfl_err *err);
} scen_ops;

/* The registry: every scenario, and lookup by name. */
int scen_count(void);
const scen_ops *scen_at(int i);
const scen_ops *scen_find(const char *name);
/* A scenario's policy by name, or NULL. */
const scen_policy_ops *scen_policy_find(const scen_ops *s, const char *name);
/* The scenario that has a policy of this name, first in registry order, or
 * NULL (to tell a user where a policy belongs). */
const scen_ops *scen_policy_owner(const char *name);

/* Offsets of agent a's parts in a scen_action. */
void scen_action_offsets(const scen_info *in, int a, int *discrete, int *box);
/* Sizes of a scen_action's arrays over every agent. */
void scen_action_size(const scen_info *in, int *discrete, int *box);

/* ------------------------------------------------------------------------ */
/* An instance and its policy                                                */
/* ------------------------------------------------------------------------ */

/* A scenario instance with its ops (what the drivers hold). */
typedef struct scen scen;

int scen_create(scen **out, const scen_setup *s, dtfl_err *err);
void scen_destroy(scen *sc);
const scen_ops *scen_ops_of(const scen *sc);
void *scen_self(scen *sc);
const scen_info *scen_info_of(const scen *sc);
const scen_setup *scen_setup_of(const scen *sc);

typedef struct scen_policy scen_policy;

/* The scenario's policy of this name for the instance; ECONFIG naming the
 * scenario's policies when it has none of the name. */
int scen_policy_create(scen_policy **out, scen *sc, const char *name,
                       dtfl_err *err);
void scen_policy_destroy(scen_policy *p);
const char *scen_policy_name(const scen_policy *p);
/* Decides every agent's action (frame-level agents keep their action
 * between frame starts), then checks it against the agents' spaces; a
 * policy that breaks them is an internal error. */
int scen_policy_decide(scen_policy *p, const scen_obs *o, scen_action *a,
                       dtfl_err *err);
/* Whether the policy learns from feedback. */
int scen_policy_learns(const scen_policy *p);
/* Training (explore and learn) or evaluation (greedy); policies start in
 * evaluation. */
void scen_policy_set_training(scen_policy *p, int training);
/* The rewards of the last decision (one per agent), whether the slot ended
 * a frame and whether it ended the episode; a frame-level agent learns from
 * the sum of its rewards over the frame. No-op unless learning. */
int scen_policy_feedback(scen_policy *p, const double *reward, int frame_end,
                         int done, dtfl_err *err);
/* The policy's state: the learners' weights (a policy file) or a
 * heuristic's memory (checkpoints). */
int scen_policy_save(scen_policy *p, uint8_t *buf, size_t *len,
                     dtfl_err *err);
int scen_policy_load(scen_policy *p, const uint8_t *buf, size_t len,
                     dtfl_err *err);
/* A multi-agent learner's counters (seconds and FLOPs of acting and
 * updating); -1 for other policies. */
int scen_policy_marl_counters(const scen_policy *p, sched_marl_counters *c);
/* The actions frame-level agents hold until the next frame start (sizes of
 * scen_action_size), for checkpoints taken inside a frame. */
void scen_policy_held(scen_policy *p, int **discrete, double **box);

#endif /* DTFL_SCEN_H */
