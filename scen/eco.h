/*
 * eco.h - the scenario `ecoedgetwin` (004_f278a938a6f2a03d.txt, EcoEdgeTwin,
 * arXiv 2405.06507): users on taxis among edge servers; each slot each user
 * has one task of a cacheable content, and per user the controller picks a
 * server among the nearest few, an offloading share, whether to cache the
 * outcome there and whether to migrate the user's service there (else the
 * task is forwarded over the backhaul to the service's host). Digital twins
 * of the servers and devices estimate their available CPU with an error;
 * the benchmark is the same controller without the twin layer.
 * ../shared/specs/ecoedgetwin.md is the reading of the paper this follows
 * (section numbers below are the spec's); the paper is four pages and most
 * of its formulas needed a reading, each a key of the ecoedgetwin section.
 *
 * The files: eco_model.c (eqs. 3, 6-11, 13 as pure functions), eco_cache.c
 * (the LRU of eq. 5), eco_world.c (the scenario's draws: CPUs, AR(1) loads,
 * the twins' estimates, fading, contents), eco.c (the scenario: a slot
 * resolved and scored, tables), eco_state.c (learners' view, checkpoints,
 * summaries), eco_policies.c (greedy, local, edge, random).
 */
#ifndef DTFL_SCEN_ECO_H
#define DTFL_SCEN_ECO_H

#include "scen.h"

/* ------------------------------------------------------------------------ */
/* The models (eco_model.c)                                                  */
/* ------------------------------------------------------------------------ */

typedef enum scen_eco_pathloss {
    SCEN_ECO_PL_3GPP = 0,   /* 128.1 + 37.6 log10(d_km) dB, no extra 1/d */
    SCEN_ECO_PL_LITERAL = 1 /* eq. 6 as printed: g0 / d (d in m) */
} scen_eco_pathloss;

/* Every constant of the models, SI units (bit, cycle, Hz, s, W, J). */
typedef struct scen_eco_model {
    double bw, noise;        /* B: Hz; sigma^2: W (eq. 6) */
    int pathloss;            /* scen_eco_pathloss */
    double g0;               /* literal path gain */
    double tau_r;            /* router queueing, s */
    double r_bh;             /* backhaul, bit/s */
    double out_frac;         /* D^out = out_frac D */
    double q_bits;           /* Q_j: the service's state, bits */
    double l_min, l_max;     /* eq. 11's window, s */
    double w_beyond;         /* W_b: W past l_max */
    double lam_w;            /* lambda^w; lambda^s = 1 - lambda^w */
    double psi;              /* service cost per cycle */
    double c_f;              /* migration cost per bit (eq. 3) */
    double e_srv, e_dev;     /* busy power of a server, a device: W */
    double p_tx, p_rx;       /* server downlink, device receive: W */
    double e_bh;             /* backhaul, J per bit per hop */
    double dt_energy;        /* J per twin per slot (the twin layer) */
    int combine_max;         /* eq. 7: local + edge (0) or max (1) */
    int cpu_equal;           /* tasks at a server share its CPU (1) */
    double w[3];             /* eq. 13: latency, energy, QoE weights */
    int reward_raw;          /* eq. 13 unscaled (1) or scaled (0) */
} scen_eco_model;

/* r = B log2(1 + p gain |h|^2 / sigma^2), bit/s (eq. 6): gain by the
 * path-loss reading at distance d (m, at least 10). */
double scen_eco_gain(const scen_eco_model *m, double d);
double scen_eco_rate(const scen_eco_model *m, double p, double gain, double h2);
/* Eq. 11: 1 up to l_min, falling linearly to 0 at l_max, W_b past it. */
double scen_eco_w(const scen_eco_model *m, double latency);
/* The local part's gap (the paragraph before eq. 7): the twin estimates f^,
 * the CPU runs at f^ - f~ = f_act; gap = lambda f~ / (f^ (f^ - f~)), so
 * lambda / f^ + gap = lambda / f_act. */
double scen_eco_gap(double lambda, double f_est, double f_act);
/* Eq. 9 as printed: -lambda (f^ - f) / (f (f + f^)), about half the gap. */
double scen_eco_g9(double lambda, double f_est, double f_act);

/* One user's task in a slot, resolved (which server processes it, what it
 * crosses) and the CPUs it meets. */
typedef struct scen_eco_task {
    double D, C;             /* bits, cycles */
    double beta;             /* offloaded share; alpha = 1 - beta */
    int hit;                 /* served from the cache at its server */
    int migrate_hops;        /* the service moves this many hops (h_j = 1), */
    int forward_hops;        /* or the task is forwarded this far (or 0) */
    int migrated;            /* h_j */
    double rate;             /* to its server, bit/s */
    double p;                /* its transmit power, W */
    double budget;           /* B_j */
    double f_dev_est, f_dev; /* the device's CPU: estimated, real */
    double f_srv_est, f_srv; /* the processing server's */
    int n_srv;               /* tasks processed there this slot */
} scen_eco_task;

/* What the task cost (eqs. 3, 7-11). est: as the view's CPUs predict. */
typedef struct scen_eco_user {
    double l_local, l_local_est;  /* alpha C at the device, s */
    double l_edge, l_edge_est;    /* uplink, router, backhaul, compute,
                                     outcome: s (0 with beta = 0) */
    double latency, latency_est;  /* eq. 7 */
    double gap_edge, g9;          /* the compute gap, eq. 9 as printed */
    double e_dev, e_up, e_down;   /* device compute, uplink, downlink: J */
    double e_srv, e_tx, e_bh;     /* server busy time, downlink, backhaul */
    double energy, e_local;       /* eq. 8's part of the user; all local */
    double compute;               /* its edge compute time, s (in l_edge) */
    double cost_mig;              /* eq. 3 */
    double qoe;                   /* eq. 10 */
} scen_eco_user;

void scen_eco_user_of(const scen_eco_model *m, const scen_eco_task *t,
                      scen_eco_user *u);

/* Eq. 13 (the sign fixed: QoE is rewarded): scaled, -w1 mean(L / l_max) -
 * w2 E / E_loc + w3 mean(QoE); raw, -(w1 sum L + w2 E) + w3 sum QoE. */
double scen_eco_reward(const scen_eco_model *m, int U, double sum_latency,
                       double energy, double energy_local, double sum_qoe);

/* ------------------------------------------------------------------------ */
/* The cache of eq. 5 (eco_cache.c)                                         */
/* ------------------------------------------------------------------------ */

/* Each server's outcomes of contents, at most `capacity` bytes of content
 * each, least recently used evicted first. Plain data, for checkpoints. */
typedef struct scen_eco_cache {
    int servers, contents;
    double capacity;         /* bits */
    double *used;            /* (servers) bits held */
    uint32_t *stamp;         /* (servers x contents) last use + 1; 0: absent */
    uint32_t clock;
} scen_eco_cache;

int scen_eco_cache_init(scen_eco_cache *c, int servers, int contents,
                        double capacity, dtfl_err *err);
void scen_eco_cache_free(scen_eco_cache *c);
void scen_eco_cache_clear(scen_eco_cache *c);
int scen_eco_cache_has(const scen_eco_cache *c, int server, int content);
/* A hit refreshes the content's use. */
void scen_eco_cache_touch(scen_eco_cache *c, int server, int content);
/* Inserts content (size bits) at server, evicting the least recently used
 * until it fits; a content larger than the capacity is not kept. */
void scen_eco_cache_put(scen_eco_cache *c, int server, int content, double size,
                        const double *sizes);

/* ------------------------------------------------------------------------ */
/* The scenario's setup (the ecoedgetwin section)                           */
/* ------------------------------------------------------------------------ */

typedef struct scen_eco_setup {
    scen_eco_model model;
    int candidates;          /* K_c nearest servers a user may pick */
    int contents;            /* K */
    double zipf;             /* popularity exponent */
    double task_bits[2];     /* D_k range */
    double cycles_per_bit[2];/* c_k range (per byte / 8 at the default) */
    double power[2];         /* p_j range, W */
    double budget[2];        /* B_j range */
    double f_srv[2], f_dev[2]; /* nominal CPUs, Hz */
    double load_srv, load_dev; /* mean background loads */
    double load_memory, load_sigma; /* AR(1) */
    double dt_error;         /* eps: the twins' error over sigma */
    int dt_position;         /* the twin predicts the next position */
    int fading_none;         /* |h|^2 = 1 (1) instead of Rayleigh, Exp(1) per
                                user, server and slot (0) */
    double cache_bits;       /* Z_i */
    int grid_cols;           /* hops: the server grid's columns (0: sqrt) */
    double sample_bits;      /* real mode: bits of one image; a task's
                                offloaded share is beta D / sample_bits
                                images the service classifies */
} scen_eco_setup;

/* The controller's knowledge at a slot (the heuristics read it; the
 * learners see eco_state.c's vector of it). Per user u: candidates K_c
 * servers nearest first (cand[u K_c + c]); views of a server or device's
 * CPU: the twin's estimate, or the nominal F (1 - mean load) without the
 * twin layer (`twinless`). */
typedef struct scen_eco_obs {
    int U, S, Kc, twinless;
    const scen_eco_model *model;
    const int *cand;         /* (U x Kc) */
    const double *rate;      /* (U x Kc) with this slot's fading */
    const double *dist;      /* (U x Kc) m */
    const int *hops_host;    /* (U x Kc) hops from the candidate to the host */
    const int *cached;       /* (U x Kc) the content is cached there */
    const double *f_srv_view, *f_dev_view; /* (S), (U) */
    const double *D, *C;     /* (U) this slot's task */
    const int *host;         /* (U) */
} scen_eco_obs;

/* A decision for one slot, per user. */
typedef struct scen_eco_dec {
    int *pick;               /* (U) index among the candidates */
    int *cache, *migrate;    /* (U) 0 or 1 */
    double *beta;            /* (U) [0, 1] */
} scen_eco_dec;

void scen_eco_unpack(int U, const scen_action *a, scen_eco_dec *d);

/* The view-estimated latency of user u's task fully offloaded to candidate
 * c (a hit when cached; a migration when it is not the host; its CPU alone)
 * and run locally: what greedy compares. */
double scen_eco_offload_est(const scen_eco_obs *o, int u, int c);
double scen_eco_local_est(const scen_eco_obs *o, int u);

#endif
