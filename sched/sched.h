/*
 * sched.h - the algorithm library of dtfl, scenario-free: reinforcement
 * learners (PPO, A2C, DDPG on one MLP, one Adam and the action heads of
 * rl.h) behind one learner interface, and the knobs each algorithm takes.
 *
 * Also the optimisation pieces scenarios build their controllers from:
 * virtual queues (Lyapunov drift-plus-penalty), UCB1, LP/MILP on GLPK and
 * McCormick relaxations of bilinear terms.
 *
 * A learner sees a vector observation and chooses `blocks` independent
 * choices among `choices` (a factorised categorical, as a scenario's
 * discrete action space declares it); it learns from the rewards fed back
 * after each action. What the observation means, what the choices do and
 * where the reward comes from belong to the scenario (scen/), never here:
 * no file of sched/ names a paper's formula.
 *
 * What is not here: datasets, MPI, scenarios.
 */
#ifndef DTFL_SCHED_H
#define DTFL_SCHED_H

#include <stddef.h>
#include <stdint.h>

#include "../base/dtfl.h"

/* ------------------------------------------------------------------------ */
/* Learned policies: the knobs of their algorithms (rl.h implements them)   */
/* ------------------------------------------------------------------------ */

typedef enum rl_act { RL_ACT_TANH = 0, RL_ACT_RELU = 1 } rl_act;
/* Most dense layers of one network (hidden layers + 1). */
#define RL_MAX_LAYERS 6

typedef enum rl_head {
    RL_HEAD_CATEGORICAL = 0, /* K choices among A */
    RL_HEAD_GAUSSIAN = 1,    /* K values */
    RL_HEAD_MIXED = 2        /* blocks of either kind (rl_mixed.c) */
} rl_head;

/* One block of a mixed head: a factorised categorical (K choices among A)
 * or a diagonal Gaussian (K values). */
#define RL_MAX_BLOCKS 4
typedef struct rl_block {
    int gauss;
    int K, A;
} rl_block;

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
    int nblocks;            /* RL_HEAD_MIXED: its blocks, in output order */
    rl_block block[RL_MAX_BLOCKS];
    int rmsprop;            /* optimiser: Adam (0) or RMSprop (1, SB3's A2C) */
    double rms_alpha;       /* RMSprop's smoothing */
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

/* ------------------------------------------------------------------------ */
/* Multi-agent learners (rl_marl.c, rl_happo.c): HAPPO and MAPPO            */
/* ------------------------------------------------------------------------ */

typedef struct sched_marl sched_marl;

/* HAPPO (Kuba et al.; HARL's on_policy_ha_runner): agents update one after
 * another in a random order, each on its clipped surrogate weighted by the
 * product of the ratios of the agents updated before it; MAPPO: every agent
 * on the same rollout at once (the factor is 1), actors shared per type;
 * MADDPG (Lowe et al.; HARL's maddpg): deterministic actors, critics on the
 * state and every agent's values, a replay buffer, target networks. */
typedef enum sched_marl_algo {
    SCHED_MARL_HAPPO = 0,
    SCHED_MARL_MAPPO = 1,
    SCHED_MARL_MADDPG = 2    /* deterministic actors, centralised critics on
                                (state, every agent's values), replay */
} sched_marl_algo;
typedef enum sched_marl_head {
    SCHED_MARL_BETA = 0,     /* alpha, beta = 1 + softplus (rl_beta.c) */
    SCHED_MARL_GAUSS = 1     /* mean, std = 0.5 sigmoid(s) on [-1, 1] (HARL) */
} sched_marl_head;
typedef enum sched_marl_order {
    SCHED_MARL_PER_UPDATE = 0, /* a random permutation per update (HARL) */
    SCHED_MARL_FIXED = 1,      /* agent order */
    SCHED_MARL_PER_EPOCH = 2   /* Algorithm 1 of 002 as printed: a permutation
                                  and the factor from 1 every epoch, each
                                  agent one epoch in turn */
} sched_marl_order;

/* One agent: its observation, its action (a discrete part of blocks
 * choices among choices, each a unit value quantised to
 * min(floor(y choices), choices - 1); a box of values in [lo, hi]), its
 * reward stream (one critic on the state each) and its type (MAPPO's
 * parameter sharing). */
typedef struct sched_marl_agent {
    int obs_dim;
    int blocks, choices;
    int box;
    double lo, hi;
    int stream, type;
} sched_marl_agent;

#define SCHED_MARL_MAX_STREAMS 4

typedef struct sched_marl_params {
    sched_marl_algo algo;
    sched_marl_head head;
    sched_marl_order order;
    int share;               /* MAPPO: one actor per agent type */
    int agents;
    const sched_marl_agent *agent;  /* (agents) */
    int state_dim;           /* the critics' input */
    int hidden[RL_MAX_LAYERS], layers;
    rl_act act;
    double lr_actor, lr_critic, adam_eps;
    double gamma, lambda;    /* discount, GAE (eq. 31) */
    double clip;             /* ratio clip epsilon (eq. 30) */
    double ent_coef, max_grad_norm;
    int epochs, minibatches; /* Rp epochs of rollout / minibatches */
    int rollout;             /* slots per update */
    int norm_adv;            /* normalise each stream's advantages */
    int mask_inactive;       /* leave masked action values out (spec A12) */
    int categorical;         /* discrete blocks: a softmax over each one's
                                choices, not a quantised value */
    int td0;                 /* critics' target r + gamma V(s') (eq. 32 as
                                printed), not the GAE return (HARL) */
    /* MADDPG: replay rows, minibatch, uniform actions for the first warmup
     * slots, an update every train_every, soft target update, noise std */
    int buffer, batch, warmup, train_every;
    double tau, noise;
    uint64_t seed;
    /* marl.envs (HAPPO, MAPPO, one minibatch): an update takes `rollout`
     * slots of each of envs environments; this learner plays those with e %
     * env_ranks == env_rank, in turn. Gradients are per environment, summed
     * in environment order after gather (NULL: it plays them all) filled
     * every row of the table (net_collect_rows): the same bits for any
     * env_ranks. */
    int envs, env_rank, env_ranks;
    int (*gather)(void *ctx, double *table, int rows, int width);
    void *gather_ctx;
    /* after each agent's HAPPO turn, its actor updated (NULL: none) */
    void (*turn_hook)(void *ctx, struct sched_marl *m, int agent);
    void *turn_ctx;
} sched_marl_params;

/* Table I of 002 with HARL's defaults where it is silent (spec 3). */
sched_marl_params sched_marl_defaults(void);

typedef struct sched_marl_stats {
    double pg_loss, v_loss, entropy, factor_mean, clipfrac, seconds;
    int updates;
} sched_marl_stats;

/* Spent since creation: seconds and FLOPs of updates (2 P a forward, 4 P
 * a backward per sample, P weights), of acting, and slots acted on. */
typedef struct sched_marl_counters {
    double update_seconds, update_flops, act_seconds, act_flops;
    long updates, slots;
} sched_marl_counters;

int sched_marl_create(sched_marl **out, const sched_marl_params *p, dtfl_err *err);
void sched_marl_destroy(sched_marl *m);
const sched_marl_params *sched_marl_params_of(const sched_marl *m);
/* A slot begins: the critics' state (state_dim), recorded when training. */
void sched_marl_begin(sched_marl *m, const float *state);
/* Agent a acts on obs: act_i (blocks), act_f (box, in [lo, hi]); sampled
 * and recorded when training, the heads' means otherwise. */
void sched_marl_act(sched_marl *m, int a, const float *obs, int *act_i,
                    double *act_f);
/* The slot's rewards (one per stream), every agent's mask of the values
 * that acted (blocks then box; NULL: all) and whether the episode ended;
 * returns 1 when the rollout is full and sched_marl_update is due. */
int sched_marl_feedback(sched_marl *m, const double *reward,
                        const uint8_t *const *mask, int done);
/* Instead of sched_marl_act while training: agent a took (act_i, act_f)
 * on obs, recorded as if sampled (tests feed exact expectations; a
 * quantised block records its choice's midpoint). */
void sched_marl_record(sched_marl *m, int a, const float *obs, const int *act_i,
                       const double *act_f);
/* This slot's weight in every loss (1 unless set; before feedback). */
void sched_marl_weight(sched_marl *m, double w);
/* log pi_a(act_i, act_f | obs) at agent a's actor now. */
double sched_marl_logp(sched_marl *m, int a, const float *obs, const int *act_i,
                       const double *act_f);
/* Updates every actor and critic from the rollout; next_state bootstraps
 * the values when the last slot did not end an episode (NULL otherwise). */
void sched_marl_update(sched_marl *m, const float *next_state,
                       sched_marl_stats *st);
void sched_marl_set_training(sched_marl *m, int training);
void sched_marl_counters_of(const sched_marl *m, sched_marl_counters *c);
/* Every network's weights: a policy file (version 2, several agents),
 * size from *len with buf NULL; load names what differs. */
int sched_marl_save(const sched_marl *m, uint8_t *buf, size_t *len, dtfl_err *err);
int sched_marl_load(sched_marl *m, const uint8_t *buf, size_t len,
                    const char *name, dtfl_err *err);

/* ------------------------------------------------------------------------ */
/* Learners: one algorithm on one agent's observation and action space      */
/* ------------------------------------------------------------------------ */

typedef struct sched_learner_params {
    const char *algo;        /* "ppo", "a2c" or "ddpg" */
    int obs_dim;             /* floats in an observation */
    int blocks, choices;     /* a discrete action: blocks choices among
                                choices; or (blocks 0) */
    int box;                 /* a continuous one: box values in [lo, hi] */
    double lo, hi;
    rl_ac_params ppo, a2c;   /* the knobs of each algorithm */
    rl_ddpg_params ddpg;
    uint64_t seed;
    /* several discrete parts (nparts > 0, blocks and choices then unused):
     * part i is part_blocks[i] choices among part_choices[i], the parts'
     * choices consecutive in the action; with a box too, or two parts or
     * more, the actor-critic takes a mixed head (rl_mixed.c) whose values
     * in [-1, 1] map linearly onto [lo, hi], as SB3 rescales a box */
    int nparts;
    int part_blocks[RL_MAX_BLOCKS - 1], part_choices[RL_MAX_BLOCKS - 1];
} sched_learner_params;

typedef struct sched_learner sched_learner;

/* Creates a learner. Discrete actions: actor-critic algorithms (ppo, a2c)
 * put a factorised categorical head on the actor, ddpg scores every
 * (block, choice) pair in [-1, 1] and each block takes its best-scored
 * choice. Continuous actions: a diagonal Gaussian head whose samples are
 * clipped to [lo, hi] (CleanRL's way), or ddpg's tanh outputs mapped onto
 * [lo, hi]. An action of both kinds is refused. Starts greedy (not
 * training). */
int sched_learner_create(sched_learner **out, const sched_learner_params *p,
                         dtfl_err *err);
void sched_learner_destroy(sched_learner *l);
/* The action for obs (obs_dim): choices (blocks) or values (box), sampled
 * while training, the mode otherwise. The observation of an action
 * completes the learner's last transition (DDPG) and bootstraps a rollout
 * cut mid-episode (PPO, A2C). */
int sched_learner_act(sched_learner *l, const float *obs, int *act,
                      double *box, dtfl_err *err);
/* The reward of the last action, and whether it ended an episode; nothing
 * while not training. */
int sched_learner_feedback(sched_learner *l, double reward, int done,
                           dtfl_err *err);
/* Explore and learn (1), or act greedily and learn nothing (0). */
void sched_learner_set_training(sched_learner *l, int training);
/* The networks' weights as a policy file (rl_io.c): bytes written to buf
 * (its size from *len on a first call with buf NULL); load refuses a file
 * of another algorithm or size, naming what differs. */
int sched_learner_save(sched_learner *l, uint8_t *buf, size_t *len,
                       dtfl_err *err);
int sched_learner_load(sched_learner *l, const uint8_t *buf, size_t len,
                       dtfl_err *err);

/* The speed of PPO's learner (dtfl bench rl): median seconds per action
 * (actor sample and critic value of one state) and per update of a full
 * rollout of random states at the default settings, for an observation of
 * obs_dim floats and blocks choices among choices, with their FLOPs. */
typedef struct sched_rl_speed {
    double act_seconds, act_flops;        /* one action */
    double update_seconds, update_flops;  /* one update */
    double update_samples;                /* rollout x epochs */
} sched_rl_speed;
int sched_ppo_speed(int obs_dim, int blocks, int choices, int rollout,
                    int minibatches, sched_rl_speed *out, dtfl_err *err);
/* The same for any actor-critic (head, sizes, algorithm's knobs in p). */
int sched_ac_speed(const rl_ac_params *p, sched_rl_speed *out, dtfl_err *err);

/* ------------------------------------------------------------------------ */
/* Virtual queues for long-term constraints (lyap.c)                        */
/* ------------------------------------------------------------------------ */

typedef struct sched_lyap sched_lyap;

/* n queues, each with budget[j] per step; all start at 0. */
int sched_lyap_create(sched_lyap **out, int n, const double *budget,
                      dtfl_err *err);
void sched_lyap_destroy(sched_lyap *l);
/* Back to q0 (n; NULL: zeros), with the running sums cleared. */
void sched_lyap_reset(sched_lyap *l, const double *q0);
const double *sched_lyap_values(const sched_lyap *l);
/* L = 1/2 sum_j Q_j^2. */
double sched_lyap_value(const sched_lyap *l);
/* The drift-plus-penalty bracket of a candidate step with arrivals x (n):
 * sum_j Q_j (x_j - b_j) + V penalty. */
double sched_lyap_dpp(const sched_lyap *l, const double *x, double V,
                      double penalty);
/* One step with arrivals x (n): Q_j <- max(Q_j + x_j - b_j, 0); returns
 * the drift L(after) - L(before). */
double sched_lyap_push(sched_lyap *l, const double *x);
/* Queue j's last push again with arrival x in place of the one it had (a
 * measurement that came after the step); nothing before the first push. */
void sched_lyap_redo(sched_lyap *l, int j, double x);
/* b_j + (Q_j(T) - Q_j(0)) / T - (1/T) sum_t x_j(t): never negative (the
 * queue's bound on the average constraint). */
double sched_lyap_slack(const sched_lyap *l, int j);
int sched_lyap_save(const sched_lyap *l, uint8_t *buf, size_t *len,
                    dtfl_err *err);
int sched_lyap_load(sched_lyap *l, const uint8_t *buf, size_t len,
                    dtfl_err *err);

/* ------------------------------------------------------------------------ */
/* UCB1 over losses (ucb.c)                                                 */
/* ------------------------------------------------------------------------ */

typedef struct sched_ucb_params {
    int arms;
    double c;         /* weight of the exploration bonus (1: UCB1) */
    double discount;  /* 1: UCB1; < 1: discounted counts for drifting losses */
} sched_ucb_params;

typedef struct sched_ucb sched_ucb;

int sched_ucb_create(sched_ucb **out, const sched_ucb_params *p, dtfl_err *err);
void sched_ucb_destroy(sched_ucb *u);
/* The arm to play next: every arm once in order, then UCB1 on losses
 * scaled to [0, 1] by the range seen, ties to the smaller arm. */
int sched_ucb_select(const sched_ucb *u);
int sched_ucb_update(sched_ucb *u, int arm, double loss, dtfl_err *err);
double sched_ucb_plays(const sched_ucb *u, int arm);
double sched_ucb_mean(const sched_ucb *u, int arm);
/* State for checkpoints (bit for bit); load refuses another arm count. */
int sched_ucb_save(const sched_ucb *u, uint8_t *buf, size_t *len,
                   dtfl_err *err);
int sched_ucb_load(sched_ucb *u, const uint8_t *buf, size_t len,
                   dtfl_err *err);

/* ------------------------------------------------------------------------ */
/* One server's band and CPU shared among its users (band.c)               */
/* ------------------------------------------------------------------------ */

/* r(b) = b bw log2(1 + snr / b): bit/s of a share b of bw Hz whose SNR at
 * the full band is snr (noise grows with the share); 0 for b <= 0. */
double sched_band_rate(double bw, double snr, double b);
double sched_band_rate_db(double bw, double snr, double b);  /* r'(b) > 0 */
double sched_band_rate_db2(double bw, double snr, double b); /* r''(b) < 0 */

typedef struct sched_band sched_band;
int sched_band_create(sched_band **out, dtfl_err *err);
void sched_band_destroy(sched_band *s);
/* min sum_k w_k / r_k(b_k) s.t. sum_k b_k = 1 (w_k > 0, snr_k > 0): writes
 * b (n) and returns the optimum. */
double sched_band_split(sched_band *s, int n, const double *w,
                        const double *snr, double bw, double *b);
/* The multiplier mu of sum b_k = 1 at a split b (w_k r_k'(b_k) / r_k(b_k)^2,
 * the least over k): minus the optimum's derivative in the band. */
double sched_band_price(int n, const double *w, const double *snr, double bw,
                        const double *b);
/* A lower bound of min over b in (0, 1] of w / r(b) + mu b, itself a lower
 * bound of what a user of weight w adds to a split whose multiplier is mu
 * (mu 0: an empty band, exact). Closed form, a few per cent under. */
double sched_band_join(double mu, double w, double snr, double bw);
/* min sum_k c_k / f_k s.t. sum_k f_k = 1 (c_k >= 0): the square-root rule;
 * writes f (n) and returns the optimum (sum_k sqrt(c_k))^2. */
double sched_share_sqrt(int n, const double *c, double *f);

/* ------------------------------------------------------------------------ */
/* Next-step prediction of feature sequences: stacked GRU (seq.c)           */
/* ------------------------------------------------------------------------ */

typedef struct sched_seq sched_seq;

typedef struct sched_seq_params {
    int features;            /* F: values per step, in and out */
    int hidden;              /* H: units per GRU layer */
    int layers;              /* stacked layers, 1..4 */
    int residual;            /* y = x + W_o h + b_o: the head predicts the
                                change (1), or y = W_o h + b_o (0) */
    uint64_t seed;           /* initial weights (PyTorch's uniform) */
} sched_seq_params;

/* A model for batches of up to max_batch sequences and training windows of
 * up to max_steps steps. */
int sched_seq_create(sched_seq **out, const sched_seq_params *p, int max_batch,
                     int max_steps, dtfl_err *err);
void sched_seq_destroy(sched_seq *s);
int sched_seq_features(const sched_seq *s);
/* The network sees (x - offset) / scale (F each); outputs are mapped back.
 * A residual model's head gives the change in units of step (F each; NULL:
 * scale), what one step typically moves each feature, so its weights are
 * of order one whatever the feature's range. */
void sched_seq_set_norm(sched_seq *s, const double *offset, const double *scale,
                        const double *step);
/* Floats of one sequence's hidden state (layers x H; zeros to start). */
size_t sched_seq_state_len(const sched_seq *s);
/* One step of n sequences: x (n, F) raw values, state (n, state_len)
 * updated; y (n, F) the prediction of the next step, raw. */
void sched_seq_step(sched_seq *s, int n, const double *x, float *state,
                    double *y);
/* A predictor file (docs/formats.md): magic, version, sizes, the
 * normalisation, the weights and a CRC; size from *len with buf NULL. */
int sched_seq_save(sched_seq *s, uint8_t *buf, size_t *len, dtfl_err *err);
/* A model from a predictor file for inference on up to max_batch
 * sequences; DTFL_EDATA naming what is wrong with the bytes. */
int sched_seq_load_new(sched_seq **out, const uint8_t *buf, size_t len,
                       int max_batch, dtfl_err *err);

/* Training (seq_train.c): Algorithm 1 of 000 made concrete. */
typedef struct sched_seq_train {
    int epochs, batch;
    double lr, adam_eps;
    double clip;             /* global gradient norm; <= 0: none */
    double dropout;          /* on layer 1's output (layers > 1) */
    double pr_max;           /* scheduled sampling: Pr = pr_max e / epochs */
    int pr_per_sample;       /* a draw per sequence (1) or per step (0) */
    int patience;            /* halve lr after this many epochs without a
                                better validation loss */
    int stop_after;          /* stop after this many such epochs (0: never) */
    int val_period;          /* validation: the true input every this many
                                steps, the model's own output between */
    uint64_t seed;           /* shuffles, draws, masks */
} sched_seq_train;

typedef struct sched_seq_report {
    int epochs;              /* run */
    int best_epoch;          /* whose weights were kept */
    double best_val;         /* its validation MSE (normalised units) */
    double train_loss;       /* the last epoch's */
    double lr;               /* at the end */
    double seconds;
} sched_seq_report;

/* Called after every epoch (may be NULL). */
typedef void (*sched_seq_progress)(int epoch, double train_loss,
                                   double val_loss, double lr, void *ctx);

/* Trains on N windows of L steps (train: N x L x F raw floats; val: Nv x L
 * x F) to predict each next step: Adam on the mean squared error, fed-back
 * outputs detached, the best weights on validation kept. The model needs
 * max_batch >= batch and max_steps >= L - 1. */
int sched_seq_fit(sched_seq *s, const float *train, int N, const float *val,
                  int Nv, int L, const sched_seq_train *t,
                  sched_seq_progress fn, void *ctx, sched_seq_report *rep,
                  dtfl_err *err);
/* Validation loss as fit computes it (normalised MSE, true input every
 * period steps). */
double sched_seq_eval(sched_seq *s, const float *seqs, int n, int L,
                      int period);
/* Autoregressive forecasts: for each of n windows (n x L x F raw), the
 * true steps 0..warm-1 go in, then horizon steps of the model's own
 * output; out (n x horizon x F raw) gets the forecasts of steps warm ..
 * warm + horizon - 1 (warm + horizon <= L). */
void sched_seq_forecast(sched_seq *s, const float *seqs, int n, int L,
                        int warm, int horizon, double *out);

/* ------------------------------------------------------------------------ */
/* Linear and mixed-integer programs on GLPK (lp_glpk.c)                    */
/* ------------------------------------------------------------------------ */

typedef struct sched_lp sched_lp;

typedef enum sched_lp_status {
    SCHED_LP_OPTIMAL = 0,    /* proven optimal (within mip_gap for a MILP) */
    SCHED_LP_FEASIBLE = 1,   /* a feasible point, not proven optimal (time) */
    SCHED_LP_INFEASIBLE = 2,
    SCHED_LP_UNBOUNDED = 3,
    SCHED_LP_UNKNOWN = 4     /* stopped before any feasible point */
} sched_lp_status;

typedef struct sched_lp_options {
    double time_limit_s;     /* <= 0: none */
    double mip_gap;          /* relative gap at which a MILP stops; 0: exact */
    const double *incumbent; /* (cols) a feasible point for the branch and
                                bound to start from, and the answer
                                (SCHED_LP_FEASIBLE) when time runs out
                                before any better; NULL: none */
    int warm;                /* start from the last solve's basis (after
                                sched_lp_set_col or _set_row), not from
                                scratch; a MILP's branch and bound then
                                starts from the LP it leaves */
} sched_lp_options;

typedef struct sched_lp_result {
    sched_lp_status status;
    double objective;
    double seconds;
    double bound; /* proven: the objective when optimal; a MILP out of time:
                     its best open node's (-+INFINITY: none); NAN: unknown */
} sched_lp_result;

/* An empty problem: minimise (maximize 0) or maximise the objective. */
int sched_lp_create(sched_lp **out, int maximize, dtfl_err *err);
void sched_lp_destroy(sched_lp *lp);
/* A column in [lo, hi] (+-INFINITY for none) with its objective cost,
 * integer or not (integer in [0, 1] is binary). Returns its index from 0,
 * or a negative code. */
int sched_lp_add_col(sched_lp *lp, double lo, double hi, double cost,
                     int integer, dtfl_err *err);
/* New bounds and cost of a column (the same problem solved again, warm). */
int sched_lp_set_col(sched_lp *lp, int col, double lo, double hi, double cost,
                     dtfl_err *err);
/* A row lo <= sum_k vals[k] x[cols[k]] <= hi; returns its index or a
 * negative code (a column named twice or out of range is refused). */
int sched_lp_add_row(sched_lp *lp, int n, const int *cols, const double *vals,
                     double lo, double hi, dtfl_err *err);
/* New entries and bounds of a row (the same problem solved again, warm):
 * the row's old entries are replaced by these. */
int sched_lp_set_row(sched_lp *lp, int row, int n, const int *cols,
                     const double *vals, double lo, double hi, dtfl_err *err);
/* Solves: simplex for an LP; simplex, then branch and bound when a column
 * is integer. Returns 0 with the status in r (infeasible is a status, not
 * an error), or DTFL_EINTERNAL with GLPK's message when GLPK itself failed
 * (then every sched_lp of this thread is unusable: GLPK's environment was
 * freed, as its manual requires). */
int sched_lp_solve(sched_lp *lp, const sched_lp_options *o,
                   sched_lp_result *r, dtfl_err *err);
/* The last solution (cols). */
const double *sched_lp_x(const sched_lp *lp);
/* Its rows and columns. */
void sched_lp_size(const sched_lp *lp, int *rows, int *cols);
/* Costs of an assignment (I x M, row i: agent i's cost of each choice) as
 * GLPK should see them: a constant per row changes no assignment, and
 * GLPK's tolerances (1e-7) are relative to what tells the choices apart;
 * so each row less its least (into least, I), over the largest spread of
 * any row, which this returns (1 when every row is flat or not finite). */
double sched_lp_assign_scale(int I, int M, const double *cost, double *least);
/* Test hook: makes GLPK fail inside the guard; returns what a caller gets. */
int sched__lp_provoke_error(dtfl_err *err);

/* ------------------------------------------------------------------------ */
/* Relaxations of u = a x (mccormick.c)                                     */
/* ------------------------------------------------------------------------ */

/* The McCormick envelope at (a, x) over [aL, aU] x [xL, xU]: lo <= a x <= hi. */
void sched_mccormick_bounds(double a, double x, double aL, double aU,
                            double xL, double xU, double *lo, double *hi);
/* Its four rows for the columns u, a, x of lp. */
int sched_mccormick_add(sched_lp *lp, int u, int a, int x, double aL,
                        double aU, double xL, double xU, dtfl_err *err);

typedef enum sched_pme_form {
    SCHED_PME_HULL = 0,       /* the hull: envelope rows summed over pieces */
    SCHED_PME_PER_PIECE = 1   /* the rows for every piece alone, as 001
                                 prints them (u = 0 or infeasible, N >= 2) */
} sched_pme_form;

/* The columns a piecewise relaxation added: per piece its binary, x copy
 * and a copy (n each, one allocation, sched_pme_free). */
typedef struct sched_pme {
    int n;
    int *lambda, *xhat, *ahat;
} sched_pme;

/* Piecewise McCormick of u = a x with x's box cut into N equal pieces
 * (binaries, disaggregated copies, their links and the envelope rows). */
int sched_pme_add(sched_lp *lp, int u, int a, int x, double aL, double aU,
                  double xL, double xU, int N, sched_pme_form form,
                  sched_pme *out, dtfl_err *err);
/* The same on pieces of x that other terms share: lambda (N) are binaries
 * of lp already (sched_pme_pieces), so every term a_m x over them puts x
 * in the same piece (001's u_im = a_im x_i: one set of pieces per x_i). */
int sched_pme_add_shared(sched_lp *lp, int u, int a, int x, double aL,
                         double aU, double xL, double xU, int N,
                         sched_pme_form form, const int *lambda,
                         sched_pme *out, dtfl_err *err);
/* N binaries, one per piece, and the row that picks one: their columns
 * into lambda (N). */
int sched_pme_pieces(sched_lp *lp, int N, int *lambda, dtfl_err *err);
void sched_pme_free(sched_pme *p);

#endif /* DTFL_SCHED_H */
