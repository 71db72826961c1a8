/*
 * tmo.h - the scenario `tmo` (000_d85991785682630a.txt, CMC 2025):
 * prediction-enhanced migration of vehicles' digital twins over edge
 * servers, on two timescales. ../shared/specs/tmo.md is the reading of the
 * paper this follows (section numbers below are the spec's).
 *
 * I vehicles (physical twins, PTs) each have one DT of D_i bits on an edge
 * server (ES); a PT offloads its task of lambda_i bits to the ES that hosts
 * its DT. Per frame of tau_k slots (chosen by UCB1) every PT uploads its
 * status of J_i bits; between uploads the controller knows positions only
 * as predicted. Per slot it decides the DT's ES (migration), the PT's band
 * share u_i and CPU share f_i, by alternating minimisation (AM) of the
 * drift-plus-penalty P4 (eq. 21) with the energy-deficit queue Q (eq. 13).
 *
 * The files: tmo_model.c (eqs. 1-10 and P4's parts), tmo_p4.c (per-ES
 * costs, P4-1 on GLPK, the exact optimum by enumeration), tmo_am.c (AM and
 * the local search of spec E4), tmo.c (the scenario: draws, uploads,
 * realised costs, the queue of eq. 13, tables), tmo_state.c (checkpoints,
 * summaries), tmo_pred.c (the controller's position estimates: last, cv,
 * oracle, gru), tmo_policies.c (TMO with its bandit, SO, FTO, nearest).
 */
#ifndef DTFL_SCEN_TMO_H
#define DTFL_SCEN_TMO_H

#include "scen.h"

/* Table 2 and the spec's readings (section 3). */
typedef struct scen_tmo_model {
    double p_pt;        /* p_i: W */
    double bw;          /* W_m: Hz per ES */
    double f_es;        /* F_m: cycle/s */
    double c_es;        /* C_m: cycle/bit */
    double rho;         /* rho_m: J s^2/cycle^3 */
    double theta;       /* path-loss exponent */
    double n0;          /* noise PSD, W/Hz */
    double g0;          /* gain at 1 m (linear; 1 = 0 dB, the paper) */
    double d_min;       /* m: distances clamped to at least this */
    double phi_mig;     /* phi: J/(bit m) of a migration (eq. 1) */
    double fibre_bps;   /* r^m: ES to cloud, bit/s */
    double fibre_w;     /* p^m: W */
    double V;           /* weight of latency, J^2/s */
    int exec_energy;    /* E^exe in E^sts (1, the paper) or left out (0,
                           spec E6: it no decision changes) */
} scen_tmo_model;

/* SNR at the full band: g0 d^-theta p |h|^2 / (N0 W) (eq. 2). */
double scen_tmo_snr(const scen_tmo_model *m, double dist, double h2);
/* r(u) = u W log2(1 + snr / u), bit/s (eq. 2). */
double scen_tmo_rate(const scen_tmo_model *m, double snr, double u);

/* One PT's part of a slot at its ES m, its shares given (eqs. 1-7, 10). */
typedef struct scen_tmo_pt_cost {
    double t_tra, t_exe, t_upl;  /* s: eqs. 4, 6, status upload */
    double e_tra, e_exe, e_mig;  /* J: eqs. 5, 7, 1 */
    double e_upl;                /* J: eq. 3, PT -> ES -> cloud */
} scen_tmo_pt_cost;

/* lambda, J, D: bits; moved: ES-ES distance of the migration (0: none);
 * upload: this slot carries the status. */
void scen_tmo_pt(const scen_tmo_model *m, double snr, double lambda,
                 double J, double D, double moved, int upload, double u,
                 double f, scen_tmo_pt_cost *c);

/* ------------------------------------------------------------------------ */
/* The slot problem P4 (eq. 21)                                             */
/* ------------------------------------------------------------------------ */

/* What P4 sees in slot t: estimated SNRs (E|h|^2 = 1, spec section 1). */
typedef struct scen_tmo_slot {
    int I, M;
    const scen_tmo_model *model;
    const double *snr;      /* (I x M) */
    const double *lambda;   /* (I) task bits */
    const double *J;        /* (I) status bits */
    const double *D;        /* (I) DT bits */
    const double *es_dist;  /* (M x M) ES-ES distances, m */
    const int *prev;        /* (I) pi_i(t-1); -1: none (placement is free) */
    double Q;               /* energy-deficit queue, J */
    int tau;                /* tau_k of the frame */
    int upload;             /* delta_t: the frame's first slot */
} scen_tmo_slot;

/* Part of P4 that only a_im decides (E^exe, E^mig, fibre; spec 4.3's A). */
double scen_tmo_fixed(const scen_tmo_slot *s, int i, int m);
/* The weight of 1/r_im(u_i) (c_i, P4-2-1) and of 1/f_i (P4-2-2). */
double scen_tmo_radio_w(const scen_tmo_slot *s, int i);
double scen_tmo_cpu_w(const scen_tmo_slot *s, int i);
/* w_im(u_i, f_i): PT i's share of P4 at ES m. */
double scen_tmo_pair(const scen_tmo_slot *s, int i, int m, double u, double f);

typedef struct scen_tmo_work scen_tmo_work;
int scen_tmo_work_create(scen_tmo_work **out, int I, int M, dtfl_err *err);
void scen_tmo_work_destroy(scen_tmo_work *w);

/* g_m(S): the least P4 cost of ES m serving the PTs on it under access
 * (P4-2-1 and P4-2-2 solved); writes their u, f when not NULL. */
double scen_tmo_es_cost(scen_tmo_work *w, const scen_tmo_slot *s,
                        const int *access, int m, double *u, double *f);
/* sum_m g_m: P4's value of an assignment with its best shares. */
double scen_tmo_value(scen_tmo_work *w, const scen_tmo_slot *s,
                      const int *access, double *u, double *f);

/* P4-1: a minimising sum w_im(u_i, f_i) a_im with one ES per PT and the
 * knapsacks sum_i u_i a_im <= 1, sum_i f_i a_im <= 1 per ES, on GLPK from
 * access (when it is feasible) with a time limit and gap; writes access and
 * returns the value in *value. Time out with no point: access is kept. */
int scen_tmo_assign(scen_tmo_work *w, const scen_tmo_slot *s, const double *u,
                    const double *f, double time_limit_s, double gap,
                    int *access, double *value, dtfl_err *err);
/* The same by enumerating M^I (tests; I <= 8); returns the value (INFINITY:
 * no feasible assignment). */
double scen_tmo_assign_brute(const scen_tmo_slot *s, const double *u,
                             const double *f, int *access);
/* P4's optimum by enumerating M^I with g_m of every subset (tests; I <= 8,
 * M <= 4): writes access and returns the value. */
double scen_tmo_exact(scen_tmo_work *w, const scen_tmo_slot *s, int *access);

/* ------------------------------------------------------------------------ */
/* AM (Sec. 4.3.2) and the local search (spec 4.3, E4)                      */
/* ------------------------------------------------------------------------ */

typedef enum scen_tmo_init {
    SCEN_TMO_INIT_BOTH = 0,      /* run from both, keep the better */
    SCEN_TMO_INIT_PREV = 1,      /* 1 / |cohort of pi_i(t-1)| */
    SCEN_TMO_INIT_BALANCED = 2   /* 1 / ceil(I / M) */
} scen_tmo_init;

typedef struct scen_tmo_am_opts {
    scen_tmo_init init;
    int local_search;     /* moves and swaps on exact per-ES costs after */
    double tol;           /* relative decrease that ends AM */
    int iters;            /* AM iterations at most */
    double time_limit_s;  /* of each P4-1 */
    double gap;           /* of each P4-1 */
} scen_tmo_am_opts;

typedef struct scen_tmo_am_info {
    int iters;            /* AM iterations of the run kept */
    int moves;            /* improving moves and swaps of the local search */
    double am_value;      /* before the local search */
    int rising;           /* half-steps that raised the objective (0) */
} scen_tmo_am_info;

/* P4 by AM: writes access (I), u, f (I) and returns 0 with *value = P4's
 * value; info may be NULL. */
int scen_tmo_am(scen_tmo_work *w, const scen_tmo_slot *s,
                const scen_tmo_am_opts *o, int *access, double *u, double *f,
                double *value, scen_tmo_am_info *info, dtfl_err *err);

/* ------------------------------------------------------------------------ */
/* The scenario's section (tmo.*) and what the policies see                 */
/* ------------------------------------------------------------------------ */

typedef enum scen_tmo_pred_kind {
    SCEN_TMO_PRED_CV = 0,      /* constant velocity from the last status */
    SCEN_TMO_PRED_LAST = 1,    /* the last uploaded position */
    SCEN_TMO_PRED_ORACLE = 2,  /* the true position (an ablation) */
    SCEN_TMO_PRED_GRU = 3      /* the paper's 2-layer GRU, autoregressive */
} scen_tmo_pred_kind;

/* The engine of the policies: AM's and the bandit's knobs. */
typedef struct scen_tmo_engine {
    scen_tmo_am_opts am;
    double ucb_c;             /* weight of UCB1's bonus */
    int ucb_frame_sum;        /* eq. 18 literally: the frame's sum (1), or
                                 its mean per slot (0, spec E2) */
    int ucb_drop_exec;        /* leave Q sum E^exe out of the loss */
    double ucb_discount;      /* 1: UCB1; < 1 discounted */
    int fto_tau;              /* FTO's fixed period */
    int fto_migrate_slot;     /* FTO migrates every slot (1) or at frame
                                 starts only (0, [31]) */
    scen_tmo_pred_kind predictor;
    const char *predictor_file; /* the GRU's (dtfl predict-train) */
} scen_tmo_engine;

typedef struct scen_tmo_setup {
    scen_tmo_model model;
    double lambda[2], J[2];   /* bits: uniform ranges of lambda_i(t), J_i(t) */
    double weight_bits;       /* bits of a DT's model weights: D_i is these
                                 plus the world's twin bits of PT i (the
                                 twin a real run moves) */
    double sample_bits;       /* bits of one image: a task of lambda bits is
                                 lambda / sample_bits images (real mode) */
    int real_tasks;           /* real mode: each DT classifies its task's
                                 images on its ES's rank (1) or not (0) */
    double budget_pt;         /* J per PT per slot the decisions may spend
                                 (b of spec 3); C/T adds E[E^exe] per PT
                                 when the model counts it */
    double q0;                /* Q(0), J */
    int tau_max;
    int upload_prev_link;     /* the status goes over last slot's link (1)
                                 or the one chosen for the slot (0) */
    int upload_every_slot;    /* T^upl counted in every slot of the frame
                                 (1, eq. 10 literally) or once (0) */
    int es_manhattan;         /* ES-ES distance of eq. 1: Manhattan (1) or
                                 Euclidean (0) */
    double v_max;             /* m/s: the speed features' scale */
    scen_tmo_engine engine;
} scen_tmo_setup;

/* The budget per slot C/T of eq. 13 for I PTs. */
double scen_tmo_budget(const scen_tmo_setup *c, int I);

/* One PT's status as uploaded: position (m) and velocity (m/s). */
typedef struct scen_tmo_status {
    double x, y, vx, vy;
} scen_tmo_status;

/* What slot t-1 realised, for the bandit's loss (eq. 18). */
typedef struct scen_tmo_realised {
    int valid;                /* 0 before the first slot */
    double resp;              /* T^resp(t-1), s */
    double sts;               /* E^sts(t-1), J */
    double exec;              /* sum E^exe(t-1), J (inside sts) */
    double lts;               /* E^lts(t^(k)) / tau_k of its frame, J */
    double Q;                 /* Q(t-1), J */
} scen_tmo_realised;

/* One slot's observation (scen_obs.raw): what the controller knows.
 * Arrays per PT (I), per ES (M) or per ES pair (M x M, row m). */
typedef struct scen_tmo_obs {
    int slot, T, I, M;
    const scen_tmo_setup *cfg;
    int frame_start;          /* a frame starts: choose tau; every PT's
                                 status arrives (status_slot = slot) */
    int tau;                  /* the frame's tau (0 at a frame start) */
    int frame_slot;           /* slots since the frame started */
    const scen_tmo_status *status; /* (I) the last uploaded */
    const int *status_slot;   /* (I) when it was uploaded */
    const scen_tmo_status *truth;  /* (I) the true status now: for the
                                      oracle ablation only */
    const double *es_x, *es_y;/* (M) ES positions, m */
    const double *es_dist;    /* (M x M) of eq. 1, m */
    const double *lambda, *J, *D; /* (I) bits */
    const int *prev;          /* (I) pi_i(t-1), -1 before the first slot */
    double Q;                 /* Q(t), J */
    double width, height, slot_s; /* the world, m and s */
    scen_tmo_realised last;
} scen_tmo_obs;

/* A decision: the access (I), shares (I) and, at frame starts, tau. Agents
 * (tmo.c): "placement" (I blocks of M), "shares" (box 2I: u then f),
 * "period" (one block of tau_max + 1: 0 inside a frame). */
typedef struct scen_tmo_dec {
    int *access;
    double *u, *f;
    int tau;
} scen_tmo_dec;

/* The slot problem P4 the controller sees at o with the PTs believed at
 * (x, y) (I each) in a frame of tau slots: SNRs for E|h|^2 = 1 into snr
 * (I x M); the rest points into o. */
scen_tmo_slot scen_tmo_slot_of(const scen_tmo_obs *o, const double *x,
                               const double *y, int tau, double *snr);

void scen_tmo_pack(int I, const scen_tmo_dec *d, scen_action *a);
void scen_tmo_unpack(int I, const scen_action *a, scen_tmo_dec *d);

#endif
