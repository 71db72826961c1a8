/*
 * taco.h - the scenario `taco` (001_38e8dfa56ff79ffb.txt, TMC 2024): human
 * digital twins placed at the edge on two timescales. Read docs/taco.md
 * first; ../shared/specs/taco.md is the reading of the paper this follows.
 *
 * I people (physical twins, PTs) walk among M edge servers (ESs). Each PT's
 * virtual twin on its ES is a generic model, built at each frame start from
 * a share x_i of the cloud's D_i bits of knowledge (downloaded over fibre),
 * plus a customised model updated every slot from a share y_i of the PT's
 * S_i bits of own data (uploaded over the air). A task of lambda_i bits runs
 * on the twin (z_i = 1, accuracy eq. 13 from the data behind the twin) or on
 * the PT's local app (z_i = 0, accuracy g_local). Decisions: the access
 * a_i (an ES) and x_i per placement; y_i, the bandwidth share b_i, the CPU
 * share f_i and z_i per slot. Budgets on each PT's delay and the system's
 * energy become virtual queues (eqs. 21-22); the controller minimises the
 * drift-plus-penalty bracket of eq. 26 (delay and energy weighted by the
 * queues, minus V times accuracy).
 *
 * The files: taco_model.c (eqs. 1-13 as pure functions), taco.c (the
 * scenario: draws, queues, tables), taco_p4.c (the frame problem P4: the
 * closed-form x and the assignment on GLPK, a brute-force enumerator, the
 * auction CRO uses), taco_pme.c (P4 by the paper's piecewise-McCormick
 * MILP), taco_bcd.c (the slot problem P5 by block-coordinate
 * descent), taco_policies.c (TACO's alternation, LOT, CRO, ablations).
 */
#ifndef DTFL_SCEN_TACO_H
#define DTFL_SCEN_TACO_H

#include "scen.h"

/* ------------------------------------------------------------------------ */
/* Parameters (the taco.* section; Table II and the spec's readings)         */
/* ------------------------------------------------------------------------ */

typedef struct scen_taco_model {
    double p_pt, p_cloud;   /* p_i, p_c: W */
    double theta;           /* path-loss exponent */
    double n0;              /* noise, W/Hz */
    double q_min;           /* m: distances are clamped to at least this */
    double bw;              /* B_m, Hz */
    double f_es, f_pt;      /* F_m, F_i: cycle/s */
    double c_es, c_pt;      /* C_m, C_i: cycle/bit */
    double k_es, k_pt;      /* rho_m, rho_i: J s^2/cycle^3 */
    double r_cloud;         /* r_c: bit/s */
    double g_local;         /* accuracy of the local app */
    double acc_c0, acc_c1;  /* eq. 13 as g(s) = c0 + c1 (1 - (1 - s)^kappa): */
    double acc_kappa;       /* the paper's 0, 1, 2; `dtfl taco-fit` fits them */
    double t_max;           /* T_max_i: s per frame per PT (eq. 17d) */
    double e_max;           /* E_max: J per frame, the system (eq. 17e) */
    double V;               /* weight of accuracy in the bracket */
    double h0;              /* queue floor added to every delay weight, s */
    double delay_unit;      /* queue values per s (1: s, 1e3: ms) */
    double energy_unit;     /* queue values per J (1: J, 1e-3: kJ) */
} scen_taco_model;

typedef enum scen_taco_shares {
    SCEN_TACO_SHARES_CAP = 0,    /* P4 prices an equal split after joining
                                    and caps PTs per ES (the default) */
    SCEN_TACO_SHARES_INHERIT = 1 /* last slot's shares in P4's rows, as the
                                    paper writes it: a partition MILP */
} scen_taco_shares;

typedef enum scen_taco_start {
    SCEN_TACO_START_GREEDY = 0,  /* each frame start from offload-all */
    SCEN_TACO_START_INHERIT = 1  /* from last slot's decision (the paper's
                                    text; locks PTs into local, spec 7.7) */
} scen_taco_start;

typedef enum scen_taco_p4_solver {
    SCEN_TACO_P4_EXACT = 0,      /* closed-form x per pair, then the
                                    assignment (spec 4.2; the default) */
    SCEN_TACO_P4_PME = 1         /* the paper's Algorithm 1: the piecewise
                                    McCormick MILP P4-3, rounding, repair */
} scen_taco_p4_solver;

/* The solvers' knobs, shared by every policy of the scenario. */
typedef struct scen_taco_engine {
    scen_taco_shares shares;
    double cap;             /* PTs per ES at most ceil(cap I / M) */
    double time_limit_s;    /* of P4's MILP (inherit shares) */
    int jacobi;             /* BCD blocks from the last iterate (Algorithm 2
                               as printed) instead of Gauss-Seidel */
    double bcd_eps;         /* relative change that ends BCD */
    int bcd_max;            /* BCD iterations at most */
    double alt_eps;         /* relative change that ends the alternation */
    int alt_max;            /* alternations of P4 and P5 at most */
    scen_taco_start start;
    scen_taco_p4_solver solver;
    int pme_pieces;         /* N: pieces of each x_i in P4-3 */
    int pme_tangents;       /* points of phi_i's epigraph in P4-3 */
    int pme_x_reopt;        /* after rounding, x* at the chosen ES (1) or
                               the MILP's x_i (0: Algorithm 1 as printed) */
} scen_taco_engine;

typedef struct scen_taco_setup {
    scen_taco_model model;
    double S[2], D[2], lambda[2]; /* bits: uniform ranges of S_i(tau),
                                     D_i(t), lambda_i(tau) */
    double sample_bits;      /* bits of one image: the x_i D_i bits of
                                knowledge a twin gets are x_i D_i /
                                sample_bits images of the global mix (real
                                mode) */
    int real_knowledge;      /* real mode: the cloud sends them and the twin
                                trains on them (1), or neither (0) */
    int local_samples;       /* real mode: a local task (z_i = 0) is its
                                PT's test split classified by a device
                                model trained on this many images (0: by
                                the twin, as if offloaded) */
    int delay_measured;      /* real mode: the delay queues take eq. 18 with
                                the twin's measured work at its ES in place
                                of T_ud + T_exec (1), or as modelled (0) */
    scen_taco_engine engine;
} scen_taco_setup;

/* ------------------------------------------------------------------------ */
/* The models (taco_model.c)                                                 */
/* ------------------------------------------------------------------------ */

/* Q^-theta p |h|^2 / (N0 B): the PT's SNR with the whole band. */
double scen_taco_snr(const scen_taco_model *m, double Q, double h2);
/* r(b) = b B log2(1 + snr / b), bit/s (after eq. 4; 0 at b = 0). */
double scen_taco_rate(const scen_taco_model *m, double b, double snr);
/* dr/db and d2r/db2 (eq. 31 with Q for S_im). */
double scen_taco_rate_db(const scen_taco_model *m, double b, double snr);
double scen_taco_rate_db2(const scen_taco_model *m, double b, double snr);
/* g_edge(s) = c0 + c1 (1 - (1 - s)^kappa) (eq. 13: 0, 1, 2; concave and
 * increasing on [0, 1] for c1 > 0, kappa >= 1). */
double scen_taco_g_edge(const scen_taco_model *m, double s);
/* The share v in [0, 1] minimising k v + V c1 (1 - s)^kappa where
 * s = (w v + rest) / all: the closed form of every x and y block (P4's x*,
 * P5-1, CRO's x). */
double scen_taco_share_opt(const scen_taco_model *m, double k, double w,
                           double rest, double all);
/* V c1 r^kappa, the accuracy term of the bracket at r = 1 - s (up to a
 * constant), and its derivative in r when dr != NULL. */
double scen_taco_acc_loss(const scen_taco_model *m, double r, double *dr);

/* eq. 13's curve fitted to measured (share, accuracy) points (taco_fit.c):
 * least squares over c0, c1 and kappa in [1, 100], or c0 and c1 alone at
 * kappa_fixed > 0. Fails with DTFL_EDATA when c1 <= 0. */
typedef struct scen_taco_fit_result {
    double c0, c1, kappa;
    double r2, rmse;         /* over the points fitted */
} scen_taco_fit_result;
int scen_taco_fit(const double *s, const double *acc, int n, double kappa_fixed,
                  scen_taco_fit_result *out, dtfl_err *err);

/* One PT's decision and draws at its ES. */
typedef struct scen_taco_use {
    double snr;              /* at its ES, whole band */
    double S, lambda, D;     /* bits: this slot's data and task, the frame's
                                knowledge */
    double x, y, b, f;       /* shares */
    int z;                   /* 1: the task runs on the twin */
} scen_taco_use;

/* Its costs: the placement in full (eqs. 1-4, when x D bits are placed with
 * CPU share f) and the slot's (eqs. 5-12; upload, update and offload count
 * only when z = 1, as eq. 14 weighs them); the accuracy of eq. 13. */
typedef struct scen_taco_cost {
    double t_dl, t_pl, e_dl, e_pl;         /* eqs. 1-4 */
    double t_ul, t_ud, t_ofld;             /* eqs. 5, 7, 9 (times z) */
    double e_ul, e_ud, e_ofld;             /* eqs. 6, 8, 10 (times z) */
    double t_exec, e_exec;                 /* eqs. 11-12 */
    double acc;                            /* eq. 13 */
} scen_taco_cost;

void scen_taco_cost_of(const scen_taco_model *m, const scen_taco_use *u,
                       scen_taco_cost *c);
/* s = (x D + y S) / (D + S), the share of the PT's data behind its twin. */
double scen_taco_share(const scen_taco_use *u);

/* ------------------------------------------------------------------------ */
/* What the policies see and decide                                          */
/* ------------------------------------------------------------------------ */

/* One slot's observation (scen_obs.raw). Arrays are per PT (I) or per PT and
 * ES (I x M, row i). */
typedef struct scen_taco_obs {
    int slot, K;             /* tau; slots per frame of the world */
    int I, M;
    const scen_taco_model *model;
    const scen_taco_engine *engine;
    const double *Q, *h2;    /* (I x M) m, clamped; |h|^2 */
    const double *snr;       /* (I x M) scen_taco_snr of them */
    const double *S, *lambda, *D; /* (I) bits */
    const double *H;         /* (I) delay queues, queue units */
    double E;                /* energy queue, queue units */
    const int *nearest;      /* (I) nearest ES */
    /* the placement in force and last slot's decision; before the first
     * slot access is -1 and the rest 0 */
    const int *access;       /* (I) */
    const double *x, *y, *b, *f;
    const int *z;
    int charge_left;         /* slots the placement in force still pays */
} scen_taco_obs;

/* A decision for one slot. period > 0 places now (access and x) and spreads
 * its cost over period slots (eqs. 18-19 with K = period); period 0 keeps
 * the placement in force (access and x must equal it). */
typedef struct scen_taco_dec {
    int *access;             /* (I) */
    double *x, *y, *b, *f;   /* (I) */
    int *z;                  /* (I) */
    int period;
} scen_taco_dec;

/* The scenario's agents and their action layout, so a decision travels in a
 * scen_action: agent 0 "placement" (I blocks of M: access; box I: x),
 * agent 1 "update" (I blocks of 2: z; box 3I: y, b, f), agent 2 "period"
 * (one block of K + 1 choices). */
void scen_taco_pack(int I, const scen_taco_dec *d, scen_action *a);
void scen_taco_unpack(int I, const scen_action *a, scen_taco_dec *d);

/* ------------------------------------------------------------------------ */
/* The engine (taco_p4.c, taco_bcd.c): what the policies are made of         */
/* ------------------------------------------------------------------------ */

/* How one policy runs the engine (taco_policies.c fills it). */
typedef enum scen_taco_xrule {
    SCEN_TACO_X_CLOSED = 0,  /* x* of P4 in closed form (TACO) */
    SCEN_TACO_X_MENU = 1,    /* the best of {0, 1/4, 1/2, 3/4, 1} (LOT) */
    SCEN_TACO_X_BCD = 2      /* a fifth BCD block (CRO) */
} scen_taco_xrule;

typedef struct scen_taco_plan {
    int period;              /* slots per placement: K (TACO) or 1 */
    int use_y;               /* 0: y = 0 always (LOT, taco-noy) */
    scen_taco_xrule xrule;
    int auction;             /* association by an ascending auction (CRO)
                                instead of the assignment LP */
    int pme;                 /* P4 by the paper's route whatever the
                                engine's solver (taco-pme) */
} scen_taco_plan;

/* Scratch of the engine for one instance size; not shared across threads. */
typedef struct scen_taco_work scen_taco_work;

int scen_taco_work_create(scen_taco_work **out, int I, int M, dtfl_err *err);
void scen_taco_work_destroy(scen_taco_work *w);

/* The bracket of eq. 26 for a decision at this slot, without its
 * constants: sum_i (H_i + h0) T_i + E E_tol - V sum_i A_i, with T and E_tol
 * of eqs. 18-19 (placing: this slot's share of the placement's cost;
 * otherwise the placement in force is a constant and left out). In queue
 * units times the model's units. */
double scen_taco_bracket(const scen_taco_obs *o, const scen_taco_dec *d);

/* The greedy start at d's access: every PT offloads with equal shares; y
 * is 1/2 when placing, else the y step's value (use_y 0: y = 0). Placing
 * means d->period > 0, here and below. */
void scen_taco_greedy(const scen_taco_obs *o, const scen_taco_plan *p,
                      scen_taco_dec *d);

/* P5 by block-coordinate descent from d (access and x fixed, x a block of
 * its own for CRO): y, [x], b, f, z in Gauss-Seidel order, or all from the
 * last iterate (engine jacobi). Writes the bracket of every iterate to
 * trace (bcd_max + 1 values, may be NULL); returns the iterations. */
int scen_taco_bcd(scen_taco_work *w, const scen_taco_obs *o,
                  const scen_taco_plan *p, scen_taco_dec *d, double *trace);

/* The blocks alone, each minimising the bracket over its variables with
 * the others fixed (tests check them against dense search). The b step
 * needs the work for its root finder. */
void scen_taco_step_y(const scen_taco_obs *o, scen_taco_dec *d);
void scen_taco_step_x(const scen_taco_obs *o, scen_taco_dec *d);
void scen_taco_step_b(scen_taco_work *w, const scen_taco_obs *o,
                      scen_taco_dec *d);
void scen_taco_step_f(const scen_taco_obs *o, scen_taco_dec *d);
/* What the b and f steps weigh each PT by: w_i of sum_i w_i / r_i(b_i)
 * (P5-2) and c_i of sum_i c_i / f_i (P5-3), both in bracket units. */
void scen_taco_weights(const scen_taco_obs *o, const scen_taco_dec *d,
                       double *wb, double *cf);
void scen_taco_step_z(const scen_taco_obs *o, scen_taco_dec *d);

/* P4's cost of PT i at ES m with the shares P4 prices (spec 4.2):
 * C*_im = c_im + k_im x* + phi_i(x*); the x* it takes is written to *x. */
double scen_taco_p4_cost(const scen_taco_obs *o, const scen_taco_plan *p,
                         const scen_taco_dec *d, int i, int m, double *x);
/* P4: access and x for every PT given (y, b, f, z) of d, by the plan's
 * association (GLPK's assignment, or the auction), written into d. GLPK
 * trouble is an error; a time-out keeps the best assignment found. */
int scen_taco_p4(scen_taco_work *w, const scen_taco_obs *o,
                 const scen_taco_plan *p, scen_taco_dec *d, double *value,
                 dtfl_err *err);
/* The same by enumerating all M^I assignments (tests; I <= 8): writes the
 * optimum into d and returns its value. value (above, may be NULL) and
 * this are sum_i C*_{i,a_i} with a tie-break of 1e-6 max |C*| per move. */
double scen_taco_p4_brute(scen_taco_work *w, const scen_taco_obs *o,
                          const scen_taco_plan *p, scen_taco_dec *d);
/* What P4's paper route (scen_taco_p4_pme) found. */
typedef struct scen_taco_pme_info {
    int optimal;             /* P4-3 solved to optimality (else the time
                                limit stopped it at its best point) */
    double bound;            /* a proven lower bound of P4 in value's units:
                                P4-3's optimum, or out of time its best open
                                node's (-INFINITY: none, NAN: unknown) */
    int fractional;          /* PTs whose a~_i came out fractional */
    int repairs;             /* moves the capacity repair made (spec 7.4) */
    int columns, binaries, rows; /* of P4-3 */
    double seconds;          /* GLPK's */
} scen_taco_pme_info;

/* P4 by the paper's route (spec 4.3): P4-3 with pieces and tangents of the
 * engine on GLPK, a_i = argmax_m a~_im (ties: lower m), x as the engine
 * says, PTs moved off over-full ESs by least regret. Writes access and x
 * into d; value as scen_taco_p4's; info may be NULL. scen_taco_p4 calls it
 * when the plan or the engine asks for it. */
int scen_taco_p4_pme(scen_taco_work *w, const scen_taco_obs *o,
                     const scen_taco_plan *p, scen_taco_dec *d, double *value,
                     scen_taco_pme_info *info, dtfl_err *err);
/* PTs an ES may hold in P4 (cap shares). */
int scen_taco_p4_seats(const scen_taco_obs *o);

/* One frame start or slot of a policy: P4 and P5 alternated from the
 * greedy start with the safeguard (spec 4.1) when placing, else P5 alone.
 * Returns the alternations made (0 when not placing). */
int scen_taco_decide(scen_taco_work *w, const scen_taco_obs *o,
                     const scen_taco_plan *p, scen_taco_dec *d, dtfl_err *err);

#endif /* DTFL_SCEN_TACO_H */
