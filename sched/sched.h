/*
 * sched.h - the algorithm library of dtfl, scenario-free: reinforcement
 * learners (PPO, A2C, DDPG on one MLP, one Adam and the action heads of
 * rl.h) behind one learner interface, and the knobs each algorithm takes.
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

/* ------------------------------------------------------------------------ */
/* Learners: one algorithm on one agent's observation and action space      */
/* ------------------------------------------------------------------------ */

typedef struct sched_learner_params {
    const char *algo;        /* "ppo", "a2c" or "ddpg" */
    int obs_dim;             /* floats in an observation */
    int blocks, choices;     /* the action: blocks choices among choices */
    rl_ac_params ppo, a2c;   /* the knobs of each algorithm */
    rl_ddpg_params ddpg;
    uint64_t seed;
} sched_learner_params;

typedef struct sched_learner sched_learner;

/* The algorithms a learner can run, by name, with a line of summary each. */
int sched_learner_count(void);
const char *sched_learner_name(int i);
int sched_learner_known(const char *algo);

/* Creates a learner; actor-critic algorithms (ppo, a2c) put a factorised
 * categorical head on the actor, ddpg scores every (block, choice) pair in
 * [-1, 1] and each block takes its best-scored choice. Starts greedy (not
 * training). */
int sched_learner_create(sched_learner **out, const sched_learner_params *p,
                         dtfl_err *err);
void sched_learner_destroy(sched_learner *l);
const char *sched_learner_algo(const sched_learner *l);
/* The action (blocks) for obs (obs_dim): sampled while training, the mode
 * otherwise. The observation of an action completes the learner's last
 * transition (DDPG) and bootstraps a rollout cut mid-episode (PPO, A2C). */
int sched_learner_act(sched_learner *l, const float *obs, int *act,
                      dtfl_err *err);
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

#endif /* DTFL_SCHED_H */
