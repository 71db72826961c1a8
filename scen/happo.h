/*
 * happo.h - the models of the scenario `happo` (002_ca0ca53b36ca2425.txt,
 * Beta-HAPPO, arXiv 2409.01092): K mobile users (MUs) with digital twins on
 * the MEC servers of M base stations (BSs) and a control centre; every
 * 50 ms slot the MUs choose transmit powers, the BSs split compute and
 * wired relay rates, and a DT's status synchronisation fails past its
 * deadline; every frame the control centre re-deploys the DTs.
 * ../shared/specs/happo.md is the reading of the paper this follows
 * (section numbers below are the spec's); each reading is a choice here.
 *
 * The files: happo_model.c (eqs. 5-13, 15, 26-28 and the resource
 * mapping (M1) as pure functions), happo.c (the scenario: the slot's draws,
 * the decision mapped and scored, tables), happo_state.c (the agents'
 * observations, the critics' state, action masks, checkpoints),
 * happo_policies.c (fullpower, pathloss-pc, random, and the multi-agent
 * learners of sched/).
 */
#ifndef DTFL_SCEN_HAPPO_H
#define DTFL_SCEN_HAPPO_H

#include "scen.h"

typedef enum scen_happo_interference {
    SCEN_HAPPO_PHYSICAL = 0,  /* every other transmitting MU at k's BS */
    SCEN_HAPPO_LITERAL = 1,   /* eq. 7 as printed: each interferer's gain to
                                 its own BS (spec E2) */
    SCEN_HAPPO_INTRACELL = 2  /* only MUs associated with k's BS */
} scen_happo_interference;

/* Table I and the spec's readings, SI units. */
typedef struct scen_happo_model {
    double bw;               /* B, Hz */
    double noise;            /* sigma^2, W */
    double rho0;             /* gain at 1 m */
    double phi;              /* path-loss exponent */
    double kappa;            /* Rician factor */
    double wired;            /* w_ij, bit/s per ordered BS pair */
    double f_max;            /* f_m^max, cycle/s */
    double eps;              /* the failure-rate bound epsilon */
    double eta;              /* eta: weight of failures */
    double nu;               /* nu: reward scale */
    int interference;        /* scen_happo_interference */
    int energy_capped;       /* eq. 13: p min(D/R, tau) (1) or p D/R (0) */
    int reward_literal;      /* eq. 28: E / (QKT) as printed (1) or per user (0) */
} scen_happo_model;

/* |h|^2 of eq. 5 at distance d (m, at least 1): rho0 d^-phi |sqrt(kappa /
 * (kappa + 1)) + sqrt(1 / (kappa + 1)) (hr + j hi)|^2, the line of sight
 * h = 1 and (hr, hi) the scattered part's CN(0, 1) draw. */
double scen_happo_gain(const scen_happo_model *m, double d, double hr, double hi);

/* One slot's uplink: K MUs, M BSs, gains g (K x M, |h_km|^2), powers p (K),
 * each MU's BS (assoc, K) and whether it transmits (tx, K: a request and
 * its DT not migrating). SINR (eq. 7, by the interference reading) and
 * rate (eq. 8, bit/s) into sinr and rate (K; 0 for MUs not transmitting). */
void scen_happo_uplink(const scen_happo_model *m, int K, int M, const double *g,
                       const double *p, const int *assoc, const int *tx,
                       double *sinr, double *rate);

/* Eq. 9: the sync time of D bits of C cycles a bit at rate R, relayed over
 * the wired w (bit/s) when the serving BS does not host the DT (relay), and
 * computed at f (cycle/s). */
double scen_happo_time(double D, double C, double R, int relay, double w, double f);
/* Eq. 13: the MU's energy, capped at the deadline when the model says so. */
double scen_happo_energy(const scen_happo_model *m, double p, double D, double R,
                         double tau);
/* Eq. 12: a failure: every request while the DT migrates, else a request
 * past its deadline. */
int scen_happo_failure(int request, int migrating, double t, double tau);
/* Eq. 15: Y[n+1] = max(Y[n] + X[n] - epsilon, 0). */
double scen_happo_queue(const scen_happo_model *m, double Y, int X);

/* The resource mapping (M1, spec 1): f = f_max c_k / sum c over the DTs the
 * server computes for (members, n of them), w = w_ij b_k / sum b over the
 * MUs relayed on one link; 0 when the sum is 0. */
double scen_happo_share(double total, double mine, const double *all,
                        const int *members, int n);

/* Eq. 28's per-MU term Xi_k: E_k + eta Y_k[qT] (X_k - epsilon) per user
 * (the reading), or E_k / (Q K T) + eta Y (X - epsilon) (literal, QKT the
 * episode's user-slots); the agents' reward is -nu times the sum (per user:
 * divided by K). */
double scen_happo_xi(const scen_happo_model *m, double E, double Y, int X,
                     double qkt);
double scen_happo_reward(const scen_happo_model *m, const double *xi, int K);

/* ------------------------------------------------------------------------ */
/* The scenario (happo.c)                                                    */
/* ------------------------------------------------------------------------ */

/* The section `happo` of a config, SI units. */
typedef struct scen_happo_setup {
    scen_happo_model model;
    double p_max;            /* P_max, W */
    double lambda;           /* request probability per slot */
    double data_bits[2];     /* D ~ U[lo, hi], bits */
    double cycles[2];        /* C ~ U[lo, hi], cycles per bit */
    double deadline[2];      /* tau ~ U[lo, hi) slot lengths */
    int migration_slots;     /* G_k; 0: ceil(S_k / (w delta_t)) */
    double queue_scale;      /* Y_s: queues in observations */
    double cc_cap;           /* r_c's term per MU at most this, s */
    int obs_queue;           /* Y_k[qT] in the MUs' observations (A9) */
    int cc_failures;         /* r_c charges migration failures (A18) */
    int real_pacing;         /* real mode: relays paced at w_k */
} scen_happo_setup;

/* What the heuristics see at a slot (scen_obs.raw); arrays owned by the
 * scenario. */
typedef struct scen_happo_obs {
    int K, M;
    const scen_happo_setup *cfg;
    const double *ux, *uy;   /* (K) MU positions, m */
    const double *bx, *by;   /* (M) BS positions, m */
    const int *request;      /* (K) a_k */
    const double *D, *C, *tau; /* (K) bits, cycles a bit, s */
    const int *assoc;        /* (K) nearest BS */
    const int *host;         /* (K) beta_k(q): the DT's server this frame */
    const double *dist;      /* (K x M) m */
} scen_happo_obs;

/* The agents: MU k is agent k (p_k in [0, P_max]), BS m agent K + m (2K
 * scores in [0, 1]: c_{m,k} then b_{m,k}, k = 0..K-1), the control centre
 * agent K + M (K choices among M: the DTs' servers; executed at frame
 * starts). */
static inline int scen_happo_bs(int K, int m) { return K + m; }
static inline int scen_happo_cc(int K, int M) { return K + M; }

#endif
