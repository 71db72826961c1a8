/*
 * app.h - the dtfl command: configuration (schema, YAML loading with limits,
 * key=value overrides, diagnostics), the subcommands and the results folder.
 *
 * What is here: everything between the user and the modules. The resolved
 * configuration is one read-only struct after start-up; subcommands turn it
 * into the plain parameter structs the modules take.
 *
 * What is not here: learning, twins, scheduling or MPI code.
 */
#ifndef DTFL_APP_H
#define DTFL_APP_H

#include <stdint.h>
#include <stdio.h>

#include "../base/dtfl.h"

/* ------------------------------------------------------------------------ */
/* The configuration                                                        */
/* ------------------------------------------------------------------------ */

#define APP_PATH_MAX 512
#define APP_NAME_MAX 64
/* a Fashion-MNIST image: 28 x 28 pixels, a byte each */
#define APP_IMAGE_SIDE 28
#define APP_IMAGE_BITS (APP_IMAGE_SIDE * APP_IMAGE_SIDE * 8)

/* The knobs of an actor-critic learner (ppo.*, a2c.* keys). */
typedef struct app_ac_config {
    double lr_actor, lr_critic, adam_eps;
    double gamma, lambda, clip;
    int clip_vloss;
    double ent_coef, vf_coef, max_grad_norm;
    int norm_adv, norm_reward;
    int ratio_per_user;            /* 0 joint, 1 per_user */
    int64_t epochs, minibatches, rollout;
    int64_t hidden, layers;
    int activation;                /* rl_act */
    double init_hidden_gain, init_actor_gain, init_critic_gain;
    int optimizer;                 /* 0 adam, 1 rmsprop */
    double rms_alpha;
} app_ac_config;

typedef struct app_config {
    char name[APP_NAME_MAX];       /* run name */
    char scenario[32];             /* scen/ registry name */
    int mode;                      /* 0 real, 1 analytic */
    int64_t seed;                  /* keys every random stream */
    char out[APP_PATH_MAX];        /* results folder ("" = results/<name>) */
    struct {
        char dir[APP_PATH_MAX];    /* folder of the IDX files */
        char train_images[APP_PATH_MAX];
        char train_labels[APP_PATH_MAX];
        char test_images[APP_PATH_MAX];
        char test_labels[APP_PATH_MAX];
        int64_t train_limit;       /* first N training samples, 0 = all */
        int64_t test_limit;        /* first N test samples, 0 = all */
        char classes[8];           /* "auto" or the class count N */
    } data;
    struct {
        int kind;                  /* fl_model_kind */
    } model;
    struct {
        double lr;                 /* SGD learning rate */
        double momentum;           /* SGD momentum, 0 = none */
        double weight_decay;       /* L2 coefficient */
        int64_t batch;             /* mini-batch size */
        int64_t rounds_per_slot;   /* FL rounds (train + FedAvg) per slot */
        int64_t local_epochs;      /* epochs of local training per round */
        int64_t finetune_rounds;   /* epochs of per-twin fine-tuning */
        int64_t min_servers;       /* aggregate when this many reported */
        double min_fraction;       /* ... and this share of the eligible */
        double deadline;           /* round deadline, nominal round times */
    } fl;
    struct {
        int64_t epochs;            /* epochs of centralised training */
    } central;
    struct {
        double width, height;      /* m */
        int64_t slots;             /* T */
        int64_t frame_slots;       /* K: slots per frame */
        double slot_seconds;       /* s per slot, for mobility */
        int distance;              /* twin_distance, for l_{u,s} */
    } world;
    struct {
        int64_t count;             /* S */
        int placement;             /* twin_placement */
        char file[APP_PATH_MAX];   /* CSV of positions */
        int64_t grid_cols;         /* grid placement's columns; 0: square */
        double p[2], q[2], eps[2]; /* capacity ranges */
    } servers;
    struct {
        int64_t count;             /* U */
        double phi;                /* EMD of every user's label mix */
        int64_t samples[2];        /* new samples per slot, [lo, hi] */
        int64_t test_samples;      /* per-user test split */
        double twin_bits[2];       /* D_twin range, bits */
    } users;
    struct {
        int model;                 /* twin_mobility */
        double speed[2];           /* m/s */
        double pause;              /* s, waypoint pause */
        double memory;             /* Gauss-Markov mu */
        double speed_sigma;        /* m/s */
        double direction_sigma;    /* rad */
        char trace[APP_PATH_MAX];  /* CSV id,t,x,y, or T-Drive taxis */
        int trace_format;          /* 0 csv, 1 tdrive, 2 fcd */
        double tdrive_lon, tdrive_lat; /* projection origin, degrees */
        double trace_start_s;      /* slot 0 this far into the trace */
        int trace_episodes;        /* an episode a window of the trace */
    } mobility;
    struct {
        char policy[32];           /* registry name */
        int allocation;            /* scen_diten_allocation */
        double gamma;              /* fixed historical ratio */
        char policy_file[APP_PATH_MAX]; /* a trained policy to load */
        int learn;                 /* learn online in dtfl run */
    } sched;
    struct {
        int unit;                  /* 0 bit, 1 kbit, 2 sample: data in costs */
        double a[6];               /* a1..a6 of eqs. 11-12 */
        double n_mig, n_syn, n_cmp;
        double epochs_local, epochs_finetune; /* E_s, E_{u,s} */
        double power_mw, bandwidth_hz, gain, noise_dbm;
        double f0, beta1, beta2;
        double barrier_f, barrier_cap;
    } diten;
    struct {                       /* scenario taco (scen/taco.h) */
        double pt_power_mw, pt_cpu_ghz, pt_cycles_per_bit, pt_kappa;
        double cloud_power_w, cloud_rate_mbps;
        double path_loss, noise_dbm_hz, q_min_m;
        double es_bandwidth_mhz, es_cpu_ghz, es_cycles_per_bit, es_kappa;
        double personal_mbit[2], knowledge_mbit[2], task_mbit[2];
        double g_local, t_max_s, e_max_j, v, queue_floor_s;
        double acc_c0, acc_c1, acc_kappa; /* eq. 13's curve */
        char acc_fit[APP_PATH_MAX];   /* fit JSON of dtfl taco-fit */
        int64_t fit_x_points, fit_y_points, fit_seeds, fit_users, fit_epochs;
        double fit_scale;             /* dtfl taco-fit's grid and data */
        int delay_unit, energy_unit;  /* s | ms; J | kJ */
        int p4_shares;                /* scen_taco_shares */
        double p4_cap, p4_time_limit_ms;
        int p4_solver;                /* scen_taco_p4_solver */
        int64_t p4_pieces, p4_tangents;
        int p4_x_reopt;
        int bcd_order;                /* 0 gauss-seidel, 1 jacobi */
        double bcd_eps, alt_eps;
        int64_t bcd_max, alt_max;
        int frame_start;              /* scen_taco_start */
        int real_knowledge;           /* real mode: the cloud's images */
        int real_delay_source;        /* 0 model, 1 measured */
        int64_t real_local_samples;   /* the device model's images */
    } taco;
    struct {                       /* scenario ecoedgetwin (scen/eco.h) */
        double bandwidth_mhz, noise_w, g0, router_ms, backhaul_gbps;
        int pathloss;                 /* 3gpp | literal */
        double outcome_frac, service_mbit, latency_ms[2], w_beyond, qoe_weight;
        double psi_per_gcycle, mig_cost_per_mbit, server_w, device_w, tx_w, rx_w;
        double backhaul_mj, dt_energy_mj, w_latency, w_energy, w_qoe;
        int combine, cpu_share, reward; /* sum | max; equal | none; scaled | raw */
        int64_t candidates, contents;
        double zipf, task_kb[2], cycles[2];
        int cycles_unit;              /* byte | kbyte | bit */
        double power_w[2], budget[2], server_ghz[2], device_ghz[2];
        double load_server, load_device, load_memory, load_sigma, dt_error;
        int dt_position;
        int fading;                   /* rayleigh | none */
        double cache_mb;
    } ecoedgetwin;
    struct {                       /* scenario happo (scen/happo.h) */
        double bandwidth_mhz, noise_dbw, rho0_db, rician_k, pathloss_exp;
        int interference, energy, reward; /* the readings' indexes */
        double p_max_w, f_max_ghz, wired_mbps, lambda;
        double data_kbit[2], cycles_per_bit[2], deadline[2];
        int64_t migration_slots;
        double eps, eta, nu, queue_scale, cc_cap_ms;
        int obs_queue, cc_failures, real_pacing;
    } happo;
    struct {                       /* scenario tmo (scen/tmo.h) */
        double pt_power_mw, es_bandwidth_mhz, es_cpu_ghz, es_cycles_per_bit;
        double es_kappa, path_loss, noise_dbm_hz, gain_ref_db, d_min_m;
        double phi_mig, fibre_gbps, fibre_w;
        int mig_distance;             /* twin_distance */
        double task_mbit[2], status_mbit[2];
        int real_task;                /* none | infer */
        int exec_energy;              /* 0 paper, 1 exclude */
        double budget_pt_j, q0_j, v;
        int64_t tau_max;
        int upload_link, upload_latency; /* new | previous; once | every */
        int am_init, am_variant;      /* both | prev | balanced; paper+ls | paper */
        double am_tol, milp_time_ms, milp_gap;
        int64_t am_iters;
        double ucb_c, ucb_discount;
        int ucb_loss, ucb_drop_exec;  /* per_slot | frame_sum */
        int64_t fto_tau;
        int fto_migrate;              /* frame | slot */
        int predictor;                /* scen_tmo_pred_kind */
        char predictor_file[APP_PATH_MAX];
        int64_t gru_hidden, gru_layers, gru_epochs, gru_batch;
        double gru_lr, gru_dropout, gru_clip, gru_pr_max, gru_v_max;
        int gru_pr_draw;              /* step | sample */
        int gru_residual;             /* the head predicts the change */
        int64_t gru_patience, gru_stop_after, gru_window, gru_stride;
        int64_t gru_vehicles, gru_slots;
    } tmo;
    struct {
        double cost_0, cost_1;     /* per slot, per twin */
        double move_penalty;       /* per twin moved */
        double target;             /* share the sharer should pick */
        int64_t status_bytes;      /* status update per twin per slot */
        int sharer;                /* 0 discrete, 1 box */
    } toy;
    app_ac_config ppo, a2c;
    struct {
        double lr_actor, lr_critic, gamma, tau, noise;
        int64_t batch, buffer, learning_starts, train_every, policy_delay;
        int64_t hidden, layers;
    } ddpg;
    struct {                       /* multi-agent learners (happo, mappo) */
        int64_t hidden, hidden2;   /* widths of the two hidden layers */
        int activation;
        double lr_actor, lr_critic, adam_eps, gamma, lambda, clip, ent_coef;
        double max_grad_norm;
        int64_t epochs, minibatches, rollout, envs;
        int norm_adv, mask_inactive, order, share, critic_target, discrete;
    } marl;
    struct {                       /* MADDPG of the multi-agent learners */
        int64_t buffer, batch, warmup, train_every;
        double tau, noise;
    } maddpg;
    struct {
        int64_t episodes;          /* episodes of world.slots slots */
        int64_t eval_episodes;     /* greedy episodes after training */
    } train;
    struct {
        int64_t n[2], n_step;      /* grid of per-user sample counts */
        double phi[2], phi_step;   /* grid of EMDs */
        int64_t seeds;             /* seeds per point */
        int64_t users;             /* users per point */
        int64_t rounds;            /* FL rounds per point */
        int64_t test_samples;      /* global test images, 0 = all */
        char fit[APP_PATH_MAX];    /* fit JSON replacing diten.a */
    } utility;
    struct {
        int compression;           /* net_compression */
        double link_gbps;          /* emulated backhaul, 0 = none */
        int64_t chunk_kib;         /* migration chunk size */
        int64_t resend;            /* resends of a rejected twin */
    } net;
    struct {
        int64_t blas_threads;      /* OpenBLAS threads per process */
        char blas_core[32];        /* auto, keep or an OpenBLAS core name */
        int64_t checkpoint_every;  /* slots between checkpoints, 0 = none */
        int progress;              /* 0 auto, 1 live, 2 plain, 3 none */
        int64_t twins_every;       /* twins.csv rows every N slots, 0 none */
    } run;
    struct {
        int64_t kill_after_slot;   /* a rank kills itself after it, -1 never */
        int64_t kill_rank;         /* which rank */
        int64_t kill_mid_slot;     /* ... or dies during this slot's
                                      training, -1 never */
        double server_dropout;     /* per server per round */
        double straggler;          /* per server per round */
        double straggler_slowdown; /* a straggler's round time */
        double user_miss;          /* per user per slot */
        int migration;             /* net_fault on migration frames */
        int64_t migration_user;    /* whose twin's frames are damaged */
        int64_t migration_attempts; /* how many sends of it are damaged */
    } faults;
} app_config;

/* ------------------------------------------------------------------------ */
/* Diagnostics: every problem found, as FILE:LINE:COLUMN: message           */
/* ------------------------------------------------------------------------ */

typedef struct app_diag app_diag;

int app_diag_create(app_diag **out);
void app_diag_destroy(app_diag *d);
/* Records one problem. source orders files before overrides; line and col
 * are 1-based, or 0 for a problem with the whole file ("FILE: message"). */
void app_diag_add(app_diag *d, const char *file, int source, int line, int col,
                  const char *fmt, ...) __attribute__((format(printf, 6, 7)));
int app_diag_count(const app_diag *d);
/* Prints every problem, sorted by source, line and column, one per line. */
void app_diag_print(app_diag *d, FILE *out);
/* The i-th message after sorting (for tests). */
const char *app_diag_message(app_diag *d, int i);

/* ------------------------------------------------------------------------ */
/* Loading                                                                  */
/* ------------------------------------------------------------------------ */

/* Limits that keep a hostile file cheap to reject. */
typedef struct app_limits {
    size_t max_bytes;    /* file size */
    int max_depth;       /* nesting of mappings and sequences */
    size_t max_nodes;    /* nodes after alias expansion */
    size_t max_scalar;   /* bytes in one scalar */
} app_limits;

app_limits app_limits_default(void);

/* Loads the file at path (app_config_load) or the text in buf/len named
 * `name` (app_config_load_text), applies the key=value overrides, validates
 * everything against the schema and fills cfg. Overrides are reported as
 * argv[argv_index + i]. Returns 0, or DTFL_ECONFIG with every problem in
 * diag (DTFL_ENOINPUT when the file cannot be read). */
int app_config_load(app_config *cfg, const char *path, int noverrides,
                    char *const *overrides, int argv_index, app_diag *diag);
int app_config_load_text(app_config *cfg, const char *name, const char *buf,
                         size_t len, int noverrides, char *const *overrides,
                         int argv_index, app_limits lim, app_diag *diag);

/* Writes the resolved configuration as YAML, every key in schema order. */
void app_config_dump(const app_config *cfg, FILE *out);

/* The results folder of a run: cfg->out, or results/<name>. */
void app_config_out_dir(const app_config *cfg, char *buf, size_t cap);

/* data.classes as fl_dataset_load takes it: N, or 0 for auto. */
int app_config_classes(const app_config *cfg);

/* Path of a data file (joined to data.dir unless absolute). */
int app_config_data_path(const app_config *cfg, const char *file, char *buf,
                         size_t cap, dtfl_err *err);

/* ------------------------------------------------------------------------ */
/* Subcommands: each returns a <sysexits.h> exit status                     */
/* ------------------------------------------------------------------------ */

int app_cmd_validate(int argc, char **argv);
int app_cmd_central(int argc, char **argv);
int app_cmd_bench(int argc, char **argv);
int app_cmd_run(int argc, char **argv);
int app_cmd_utility(int argc, char **argv);
int app_cmd_taco_fit(int argc, char **argv);
int app_cmd_train(int argc, char **argv);
int app_cmd_predict(int argc, char **argv);

/* Shared by subcommands that take only --help: parses the options;
 * returns -1 to go on (optind at CONFIG), or the exit status after printing
 * help (EX_OK for --help on stdout, EX_USAGE on stderr otherwise). */
int app_options_help_only(int argc, char **argv, const char *help);
/* A one-process subcommand that takes only --help and CONFIG [key=value
 * ...] (train, predict-train, central): loads the config, sets the BLAS
 * threads, opens the results folder and calls run with it; returns the
 * exit status, printing "dtfl CMD: message" on an error. */
int app_cmd_single(int argc, char **argv, const char *help, const char *cmd,
                   int (*run)(const app_config *cfg, const char *dir, dtfl_err *err));
/* Shared by subcommands: loads CONFIG [key=value ...] from argv[first..],
 * prints every problem to stderr; returns 0 or the exit status to end with
 * (EX_USAGE without a config, EX_NOINPUT when it cannot be read, EX_CONFIG
 * when it is invalid). */
int app_load_from_args(app_config *cfg, int argc, char **argv, int first,
                       const char *cmd);
/* The same, printing nothing when quiet (MPI ranks other than 0). */
int app_load_from_args_quiet(app_config *cfg, int argc, char **argv, int first,
                             const char *cmd, int quiet);
struct net_comm;
/* The largest status over ranks: every rank ends the same way. */
int app_agree(struct net_comm *c, int status);
/* Every rank learns the results folder from the config (or, resuming, keeps
 * dir); rank 0 creates it; all agree on the outcome (a status). */
int app_results_agree(struct net_comm *c, const app_config *cfg, char *dir,
                      size_t cap, int resume, const char *cmd, dtfl_err *err);

/* Subcommands see argv without the program name: argv[i] of a subcommand is
 * argv[i + APP_ARGV_SHIFT] of the process, which is what messages name. */
#define APP_ARGV_SHIFT 1

/* ------------------------------------------------------------------------ */
/* Results folders                                                          */
/* ------------------------------------------------------------------------ */

/* A CSV table kept in memory and rewritten atomically on every save, so the
 * file on disk is always a whole table. */
typedef struct app_table app_table;

int app_table_create(app_table **out, const char *header);
void app_table_destroy(app_table *t);
int app_table_add(app_table *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int app_table_save(const app_table *t, const char *path, dtfl_err *err);
/* The table as text (header and rows), and replacing it (for resuming). */
const char *app_table_text(const app_table *t, size_t *len);
int app_table_set_text(app_table *t, const char *text, size_t len);

/* Creates the results folder and writes config.yaml into it, which also
 * proves the folder writable before any work starts. */
int app_results_open(const app_config *cfg, char *dir, size_t cap,
                     dtfl_err *err);
/* dir/name into buf. */
int app_results_path(const char *dir, const char *name, char *buf, size_t cap,
                     dtfl_err *err);
/* Writes a cJSON object (passed as void * to keep cJSON out of this header)
 * as pretty JSON, atomically. */
int app_results_write_json(const char *path, const void *json, dtfl_err *err);
/* Writes json as dir/summary.json and deletes it, written or not. */
int app_results_summary(const char *dir, void *json, dtfl_err *err);

/* ------------------------------------------------------------------------ */
/* Data of a config                                                         */
/* ------------------------------------------------------------------------ */

struct fl_dataset;

/* Loads the configured training and test sets (data.* keys); the test set is
 * forced to the training set's class count. */
int app_data_load(const app_config *cfg, struct fl_dataset **train,
                  struct fl_dataset **test, dtfl_err *err);

/* ------------------------------------------------------------------------ */
/* BLAS kernels (blas.c)                                                    */
/* ------------------------------------------------------------------------ */

/* Settles the OpenBLAS core before any work (main.c, first thing): the
 * user's OPENBLAS_CORETYPE, else run.blas_core of the command's config
 * (auto: the newest core type the CPU runs when OpenBLAS picked an older
 * one), re-executing dtfl once with OPENBLAS_CORETYPE set when the core
 * must change. */
void app_blas_setup(int argc, char **argv);
/* The core in use and who chose it, for logs, summaries and benchmarks. */
const char *app_blas_core(void);
const char *app_blas_chosen_by(void);

/* Levenshtein distance between two strings (for did-you-mean). */
int app_edit_distance(const char *a, const char *b);

#endif /* DTFL_APP_H */
