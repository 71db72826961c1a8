/*
 * sched.h - scheduling policies of dtfl behind one interface.
 *
 * A policy sees an observation of the network (the status information
 * g_{s,u} of 003: user positions, EMD, twin and data sizes; server
 * positions and capacities; distances) and decides the twin association
 * kappa^t and the historical-data ratios gamma^t. Policies are found by name
 * in a registry; each is data plus a few functions (sched_ops).
 *
 * What is not here: datasets, MPI. The root rank decides; the runtime
 * broadcasts the decision.
 */
#ifndef DTFL_SCHED_H
#define DTFL_SCHED_H

#include <stddef.h>
#include <stdint.h>

#include "../base/dtfl.h"

/* What a policy sees at slot t. Arrays are owned by the caller. */
typedef struct sched_obs {
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
} sched_obs;

/* What a policy decides. Arrays are owned by the caller. */
typedef struct sched_decision {
    int *assoc;     /* (U,) server of each user's twin */
    double *gamma;  /* (U,) share of last slot's data reused, [0, 1] */
} sched_decision;

/* ------------------------------------------------------------------------ */
/* The DITEN scenario of 003_8fb9af7836691d5d.txt: utility and costs        */
/* ------------------------------------------------------------------------ */

/* Constants of the model (Table II of 003 by default). Data enters the
 * utility as a sample count and the costs in "cost units": the paper calls
 * an image 28 x 28 bits, so by default a sample is 784 units and a bit of
 * base twin data is 1 unit (DESIGN.md section 4 on why). */
typedef struct sched_diten_params {
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
} sched_diten_params;

/* ------------------------------------------------------------------------ */
/* Learned policies: the knobs of their algorithms (rl.h implements them)   */
/* ------------------------------------------------------------------------ */

typedef enum rl_act { RL_ACT_TANH = 0, RL_ACT_RELU = 1 } rl_act;

typedef enum rl_head { RL_HEAD_CATEGORICAL = 0, RL_HEAD_GAUSSIAN = 1 } rl_head;

typedef struct rl_ac_params {
    int obs_dim;
    rl_head head;
    int K, A;               /* categorical: K choices of A; Gaussian: K dims */
    int hidden, layers;     /* hidden width and count, both networks */
    rl_act act;
    double lr_actor, lr_critic;
    double adam_eps;
    double gamma, lambda;   /* discount and GAE factor (eqs. 32-33) */
    double clip;            /* PPO ratio clip epsilon (eq. 34); <= 0: none */
    int clip_vloss;         /* clip value updates by `clip` too */
    double ent_coef, vf_coef;
    double max_grad_norm;   /* per network; <= 0: none */
    int norm_adv;           /* normalise advantages per minibatch */
    int ratio_per_head;     /* categorical: a ratio and clip per choice
                               (per user, as MAPPO's per-agent ratios), not
                               one for the joint action */
    int norm_reward;        /* divide rewards by the running std of the
                               discounted return, clip to +-10 (CleanRL's
                               NormalizeReward wrapper) */
    int epochs, minibatches;/* M epochs of (rollout / minibatches) samples */
    int rollout;            /* steps collected per update */
    double init_log_std;    /* Gaussian head */
    double hidden_gain, actor_gain, critic_gain; /* orthogonal init */
    uint64_t seed;
} rl_ac_params;


typedef struct rl_ddpg_params {
    int obs_dim, D;         /* action: D scores in [-1, 1] */
    int hidden, layers;
    double lr_actor, lr_critic;
    double gamma, tau;      /* discount, soft target update */
    double noise;           /* std of exploration noise on the scores */
    int batch, buffer;      /* minibatch, replay capacity */
    int learning_starts;    /* random actions before this many steps */
    int train_every;        /* gradient steps every this many steps */
    int policy_delay;       /* actor and targets every this many critic steps */
    uint64_t seed;
} rl_ddpg_params;


/* CleanRL's ppo.py, with the paper's settings where 003 gives them. */
rl_ac_params rl_ppo_defaults(void);
/* Advantage actor-critic (Stable-Baselines3's A2C settings). */
rl_ac_params rl_a2c_defaults(void);
/* CleanRL's ddpg_continuous_action.py, scaled to short runs. */
rl_ddpg_params rl_ddpg_defaults(void);

/* How a policy's historical ratios gamma are set once it has chosen the
 * association. */
typedef enum sched_allocation {
    SCHED_ALLOC_FIXED = 0,   /* sched_params.gamma for every user */
    SCHED_ALLOC_OPTIMAL = 1, /* the global optimum of eq. 26 */
    SCHED_ALLOC_RANDOM = 2,  /* U[0, 1] per user (baseline 3 of 003) */
    SCHED_ALLOC_FULL = 3     /* 1 for every user */
} sched_allocation;

/* Settings every policy may read. */
typedef struct sched_params {
    const char *policy;      /* registry name */
    sched_allocation allocation;
    double gamma;            /* for SCHED_ALLOC_FIXED */
    uint64_t seed;
    int users, servers;      /* U, S: the sizes learned policies are built for */
    double width, height;    /* area, m (state normalisation) */
    double samples_max;      /* largest per-slot sample count */
    double twin_bits_max;    /* largest D_twin, bits */
    sched_diten_params model;/* the DITEN model (constraints, allocation) */
    rl_ac_params ppo, a2c;   /* settings of the learned policies */
    rl_ddpg_params ddpg;
} sched_params;

typedef struct sched_policy sched_policy;

/* The functions of one policy. `self` is the policy's own state. */
typedef struct sched_ops {
    const char *name;
    const char *summary;
    int (*create)(void **self, const sched_params *p, dtfl_err *err);
    int (*decide)(void *self, const sched_obs *o, sched_decision *d,
                  dtfl_err *err);
    /* learning policies: the reward of the last decision, and whether it
     * ended an episode; NULL for policies that do not learn */
    int (*feedback)(void *self, double reward, int done, dtfl_err *err);
    /* explore and learn (1), or act greedily and learn nothing (0) */
    void (*set_training)(void *self, int training);
    /* state for checkpoints: bytes written to buf (size from *len on the
     * first call with buf NULL); load refuses bytes it did not write */
    int (*save)(void *self, uint8_t *buf, size_t *len, dtfl_err *err);
    int (*load)(void *self, const uint8_t *buf, size_t len, dtfl_err *err);
    void (*destroy)(void *self);
} sched_ops;

/* The registry: every policy, and lookup by name. */
const sched_ops *sched_find(const char *name);
int sched_count(void);
const sched_ops *sched_at(int i);

int sched_policy_create(sched_policy **out, const sched_params *p,
                        dtfl_err *err);
void sched_policy_destroy(sched_policy *pol);
const char *sched_policy_name(const sched_policy *pol);
/* Decides the association, then the ratios by the configured allocation,
 * then checks the decision (every server id in range, every gamma in
 * [0, 1]); a policy that breaks this is an internal error. */
int sched_policy_decide(sched_policy *pol, const sched_obs *o,
                        sched_decision *d, dtfl_err *err);
/* Whether the policy learns from feedback. */
int sched_policy_learns(const sched_policy *pol);
/* Training (explore and learn) or evaluation (greedy). Policies start in
 * evaluation mode. */
void sched_policy_set_training(sched_policy *pol, int training);
/* The reward of the last decision (eq. 25) and whether it ended an
 * episode; no-op for policies that do not learn or are not training. */
int sched_policy_feedback(sched_policy *pol, double reward, int done,
                          dtfl_err *err);

/* The state of Sec. IV-A of 003 for learned policies: per user its position,
 * EMD, twin size, new and previous sample counts, distance to every server
 * and a one-hot of its current server; per server its position and
 * capacities; all scaled to about [0, 1]. */
int sched_state_dim(int users, int servers);
void sched_state(const sched_params *p, const sched_obs *o, float *state);
int sched_policy_save(sched_policy *pol, uint8_t *buf, size_t *len,
                      dtfl_err *err);
int sched_policy_load(sched_policy *pol, const uint8_t *buf, size_t len,
                      dtfl_err *err);

/* Index of the nearest server to user u in an observation. */
int sched_nearest(const sched_obs *o, int u);

sched_diten_params sched_diten_defaults(void);

/* v(phi) of eq. 12. */
double sched_diten_v(const sched_diten_params *p, double phi);
/* rho(n, phi) of eq. 11, n in samples. */
double sched_diten_utility(const sched_diten_params *p, double n, double phi);
/* d rho / d n. */
double sched_diten_utility_dn(const sched_diten_params *p, double n,
                              double phi);
/* Norm(x, f0) = 2 / (1 + exp(-x / (2 f0))) - 1 of eq. 22. */
double sched_diten_norm(double x, double f0);
/* Uplink rate W log2(1 + P_u xi / N0), bits/s (eq. 14). */
double sched_diten_rate(const sched_diten_params *p);
/* The barrier of eq. 24 at x (a constraint is x < 0): -ln(-x) / f, or cap
 * when x >= 0 (then *broken is set). */
double sched_diten_barrier(double x, double f, double cap, int *broken);

/* Per-server costs of a decision (eqs. 13-15), each (S,): migration of the
 * twins arriving at s, synchronisation of its users' new data, computation
 * on its twins' training sets. prev_assoc < 0 means no migration. */
void sched_diten_costs(const sched_diten_params *p, const sched_obs *o,
                       const int *assoc, const double *gamma, double *mig,
                       double *syn, double *cmp);

/* What a decision is worth. */
typedef struct sched_diten_eval {
    double utility;     /* mean rho over users (eq. 11) */
    double cost;        /* sum over servers of C_s (eq. 21) */
    double cost_norm;   /* mean over servers of Norm(C_s, f0) */
    double objective;   /* e^t (eq. 22) */
    double reward;      /* r[t] (eq. 25), barriers capped */
    int violations;     /* broken constraints C2 (compute) and C3 (sync) */
} sched_diten_eval;

/* Evaluates a decision; scratch holds 3S doubles. */
void sched_diten_evaluate(const sched_diten_params *p, const sched_obs *o,
                          const int *assoc, const double *gamma,
                          double *scratch, sched_diten_eval *out);

/* ------------------------------------------------------------------------ */
/* Fitting the utility model to measured accuracies (utility_fit.c)          */
/* ------------------------------------------------------------------------ */

typedef struct sched_utility_fit_result {
    double a[6];      /* fitted a1..a6 */
    double se[6];     /* their standard errors */
    double r2, rmse;  /* of accuracy, over the points */
    int points, iterations;
    int converged;    /* 1: GSL's tolerances were met, 0: iteration limit */
    int at_bound[6];  /* 1: pressed against its bound (se is NaN) */
} sched_utility_fit_result;

/* Least-squares fit of eqs. 11-12 to m points (n_i samples, EMD phi_i,
 * accuracy acc_i) from the start a0, with a1, a2, a3, a4, a6 kept > 0 and
 * every a_k within wide bounds (utility_fit.c; a start outside them is
 * refused). Needs m > 6. */
int sched_utility_fit(const double *n, const double *phi, const double *acc,
                      int m, const double a0[6], sched_utility_fit_result *out,
                      dtfl_err *err);

/* ------------------------------------------------------------------------ */
/* Historical-data allocation (eq. 26)                                      */
/* ------------------------------------------------------------------------ */

/* The global optimum of eq. 26 for a given association: maximise e^t over
 * gamma in [0, 1]^U with C_cmp,s <= q_s. Theorem 2 of 003 claims the
 * problem convex; it is not in general (DESIGN.md section 4), so the solver
 * searches each server's one-parameter family of KKT candidates globally.
 * Writes gamma (U,). */
void sched_gamma_optimal(const sched_diten_params *p, const sched_obs *o,
                         const int *assoc, double *gamma);

/* The speed of PPO's learner (dtfl bench rl): median seconds per action
 * (actor sample and critic value of one state) and per update of a full
 * rollout of random states at the default settings, with their FLOPs. */
typedef struct sched_rl_speed {
    double act_seconds, act_flops;        /* one action */
    double update_seconds, update_flops;  /* one update */
    double update_samples;                /* rollout x epochs */
} sched_rl_speed;
int sched_ppo_speed(int users, int servers, int rollout, int minibatches,
                    sched_rl_speed *out, dtfl_err *err);

/* A local method for comparison (projected gradient ascent from gamma =
 * 1/2, as an interior-point method would start): returns the KKT point it
 * stops at. */
void sched_gamma_local(const sched_diten_params *p, const sched_obs *o,
                       const int *assoc, double *gamma);

#endif /* DTFL_SCHED_H */
