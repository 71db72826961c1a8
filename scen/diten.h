/*
 * diten.h - the scenario `diten` (003_8fb9af7836691d5d.txt, DITEN): a policy
 * decides each slot where every user's twin lives (association kappa) and
 * how much of last slot's data each twin trains on again (historical ratios
 * gamma); the decision is scored by the data-utility model (eqs. 11-12),
 * the migration, synchronisation and computation costs (eqs. 13-15, 21),
 * the objective (22) and the barrier reward (24-25).
 *
 * Public to the scenario's tests, benchmarks and the utility-fit command;
 * the drivers see the scenario only through scen.h.
 */
#ifndef DTFL_SCEN_DITEN_H
#define DTFL_SCEN_DITEN_H

#include <stddef.h>
#include <stdint.h>

#include "scen.h"

/* What a policy sees at slot t. Arrays are owned by the caller. */
typedef struct scen_diten_obs {
    int slot;                  /* t, from 0 */
    int users, servers;        /* U, S */
    const double *user_xy;     /* (U, 2) m */
    const double *server_xy;   /* (S, 2) m */
    const double *p;           /* (S,) communication resource p_s */
    const double *q;           /* (S,) computation capacity q_s */
    const double *eps;         /* (S,) CPU cycles per unit of data */
    const double *dist;        /* (U, S) user-server distance l_{u,s} */
    const double *server_dist; /* (S, S) Manhattan l_{s,s'} */
    const double *phi;         /* (U,) EMD of each user's data */
    const double *twin_bits;   /* (U,) D_twin, bits */
    const int *n_new;          /* (U,) D_{u,t}, samples */
    const int *n_prev;         /* (U,) D_{u,t-1}, samples */
    const int *prev_assoc;     /* (U,) kappa^{t-1}; -1 before the first slot */
} scen_diten_obs;

/* Constants of the model (Table II of 003 by default). Data enters the
 * utility as a sample count and the costs in "cost units": the paper calls
 * an image 28 x 28 bits, so by default a sample is 784 units and a bit of
 * base twin data is 1 unit (DESIGN.md section 4 on why). */
typedef struct scen_diten_params {
    double a[6];             /* a1..a6 of eqs. 11-12 */
    double unit_per_sample;  /* cost units per sample of D_dat */
    double unit_per_bit;     /* cost units per bit of D_twin */
    double n_mig;            /* energy per unit of data per metre, wired */
    double n_syn;            /* energy per second of upload per metre */
    double n_cmp;            /* energy per CPU cycle */
    double E_s, E_us;        /* training and fine-tuning epochs */
    double P_u;              /* user transmit power, W */
    double W;                /* subchannel bandwidth, Hz */
    double xi;               /* channel power gain */
    double N0;               /* noise power, W */
    double f0;               /* scale of Norm, eq. 22 */
    double beta1, beta2;     /* weights of utility and cost, eq. 22 */
    double barrier_f;        /* curve coefficient f of eq. 24 */
    double barrier_cap;      /* penalty per broken constraint (eq. 24 is
                                infinite there) */
} scen_diten_params;

/* How a policy's historical ratios gamma are set once it has chosen the
 * association. */
typedef enum scen_diten_allocation {
    SCEN_DITEN_ALLOC_FIXED = 0,   /* scen_diten_setup.gamma for every user */
    SCEN_DITEN_ALLOC_OPTIMAL = 1, /* the global optimum of eq. 26 */
    SCEN_DITEN_ALLOC_RANDOM = 2,  /* U[0, 1] per user (baseline 3 of 003) */
    SCEN_DITEN_ALLOC_FULL = 3     /* 1 for every user */
} scen_diten_allocation;

/* The scenario's settings (scen_setup.params): the model, the allocation
 * of sched.allocation and sched.gamma. */
typedef struct scen_diten_setup {
    scen_diten_params model;
    scen_diten_allocation allocation;
    double gamma;            /* for SCEN_DITEN_ALLOC_FIXED */
} scen_diten_setup;

/* The ratios gamma (U) of the configured allocation for an association;
 * random ones are keyed by (seed, user, count), count the random
 * allocations made before. */
void scen_diten_allocate(const scen_diten_setup *cfg, uint64_t seed,
                         uint32_t count, const scen_diten_obs *o,
                         const int *assoc, double *gamma);

/* The state of Sec. IV-A of 003 for learned policies: per user its position,
 * EMD, twin size, new and previous sample counts, distance to every server
 * and a one-hot of its current server; per server its position and
 * capacities; all scaled to about [0, 1]. */
int scen_diten_state_dim(int users, int servers);
/* The scales: the area (m) and the configured maxima of a slot's samples
 * and of D_twin (bits). */
typedef struct scen_diten_scale {
    double width, height, samples_max, twin_bits_max;
} scen_diten_scale;
void scen_diten_state(const scen_diten_scale *sc, const scen_diten_obs *o,
                      float *state);
/* Index of the nearest server to user u in an observation. */
int scen_diten_nearest(const scen_diten_obs *o, int u);

scen_diten_params scen_diten_defaults(void);

/* v(phi) of eq. 12. */
double scen_diten_v(const scen_diten_params *p, double phi);
/* rho(n, phi) of eq. 11, n in samples. */
double scen_diten_utility(const scen_diten_params *p, double n, double phi);
/* d rho / d n. */
double scen_diten_utility_dn(const scen_diten_params *p, double n,
                              double phi);
/* Norm(x, f0) = 2 / (1 + exp(-x / (2 f0))) - 1 of eq. 22. */
double scen_diten_norm(double x, double f0);
/* Uplink rate W log2(1 + P_u xi / N0), bits/s (eq. 14). */
double scen_diten_rate(const scen_diten_params *p);
/* The barrier of eq. 24 at x (a constraint is x < 0): -ln(-x) / f, or cap
 * when x >= 0 (then *broken is set). */
double scen_diten_barrier(double x, double f, double cap, int *broken);

/* Per-server costs of a decision (eqs. 13-15), each (S,): migration of the
 * twins arriving at s, synchronisation of its users' new data, computation
 * on its twins' training sets. prev_assoc < 0 means no migration. */
void scen_diten_costs(const scen_diten_params *p, const scen_diten_obs *o,
                       const int *assoc, const double *gamma, double *mig,
                       double *syn, double *cmp);

/* What a decision is worth. */
typedef struct scen_diten_eval {
    double utility;     /* mean rho over users (eq. 11) */
    double cost;        /* sum over servers of C_s (eq. 21) */
    double cost_norm;   /* mean over servers of Norm(C_s, f0) */
    double objective;   /* e^t (eq. 22) */
    double reward;      /* r[t] (eq. 25), barriers capped */
    int violations;     /* broken constraints C2 (compute) and C3 (sync) */
} scen_diten_eval;

/* Evaluates a decision; scratch holds 3S doubles. */
void scen_diten_evaluate(const scen_diten_params *p, const scen_diten_obs *o,
                          const int *assoc, const double *gamma,
                          double *scratch, scen_diten_eval *out);

/* ------------------------------------------------------------------------ */
/* Fitting the utility model to measured accuracies (utility_fit.c)          */
/* ------------------------------------------------------------------------ */

typedef struct scen_diten_fit_result {
    double a[6];      /* fitted a1..a6 */
    double se[6];     /* their standard errors */
    double r2, rmse;  /* of accuracy, over the points */
    int points, iterations;
    int converged;    /* 1: GSL's tolerances were met, 0: iteration limit */
    int at_bound[6];  /* 1: pressed against its bound (se is NaN) */
} scen_diten_fit_result;

/* Least-squares fit of eqs. 11-12 to m points (n_i samples, EMD phi_i,
 * accuracy acc_i) from the start a0, with a1, a2, a3, a4, a6 kept > 0 and
 * every a_k within wide bounds (utility_fit.c; a start outside them is
 * refused). Needs m > 6. */
int scen_diten_fit(const double *n, const double *phi, const double *acc,
                      int m, const double a0[6], scen_diten_fit_result *out,
                      dtfl_err *err);

/* ------------------------------------------------------------------------ */
/* Historical-data allocation (eq. 26)                                      */
/* ------------------------------------------------------------------------ */

/* The global optimum of eq. 26 for a given association: maximise e^t over
 * gamma in [0, 1]^U with C_cmp,s <= q_s. Theorem 2 of 003 claims the
 * problem convex; it is not in general (DESIGN.md section 4), so the solver
 * searches each server's one-parameter family of KKT candidates globally.
 * Writes gamma (U,). */
void scen_diten_gamma_optimal(const scen_diten_params *p, const scen_diten_obs *o,
                         const int *assoc, double *gamma);

/* A local method for comparison (projected gradient ascent from gamma =
 * 1/2, as an interior-point method would start): returns the KKT point it
 * stops at. */
void scen_diten_gamma_local(const scen_diten_params *p, const scen_diten_obs *o,
                       const int *assoc, double *gamma);

#endif /* DTFL_SCEN_DITEN_H */
