/*
 * marl_int.h - internal to the multi-agent learners (rl_marl.c: agents,
 * networks, rollout, policy files; rl_happo.c: the updates).
 */
#ifndef DTFL_SCHED_MARL_INT_H
#define DTFL_SCHED_MARL_INT_H

#include "rl.h"

#include <math.h>

/* An actor: one MLP (and, Gaussian head, the std parameters s) with its
 * optimisers; MAPPO with sharing gives agents of one type one actor. */
typedef struct marl_actor {
    rl_mlp *net;
    rl_adam *opt, *opt_s;
    float *s, *gs;           /* (D) Gaussian std parameters and gradients */
    int D;                   /* unit values per agent */
} marl_actor;

/* One agent's rollout. */
typedef struct marl_agent {
    sched_marl_agent spec;
    int D;                   /* blocks + box: its unit values */
    int ncat;                /* categorical blocks: blocks x choices logits
                                first in the actor's output; else 0 */
    int h0;                  /* the first value the Beta or Gaussian head
                                covers: blocks (categorical) or 0 */
    int actor;               /* index into actors */
    float *obs;              /* (N, obs_dim) */
    double *x;               /* (N, D) the values sampled (Gaussian: a in R) */
    uint8_t *mask;           /* (N, D) */
    double *lp_old;          /* (N) */
} marl_agent;

struct sched_marl {
    sched_marl_params p;
    int N;                   /* rollout slots */
    int streams;
    marl_agent *ag;          /* (agents) */
    marl_actor *actors;
    int nactors;
    rl_mlp *critic[SCHED_MARL_MAX_STREAMS];
    rl_adam *copt[SCHED_MARL_MAX_STREAMS];
    float *state;            /* (N + 1, state_dim) */
    double *reward;          /* (N, streams) */
    uint8_t *done;           /* (N) */
    double *adv, *ret;       /* (N, streams) */
    double *factor;          /* (N) */
    double *weight;          /* (N) each slot's sample weight */
    double *vals;            /* (N + 1) a critic's values */
    float *xb, *dout;        /* scratch: (N, widest obs), (N, widest nout) */
    double *lp_new;          /* (N) */
    int *idx;                /* (N) minibatch order */
    int *act;                /* (N) the samples where an agent acted */
    int n;                   /* slots recorded (MADDPG: rows held) */
    int at;                  /* the row the current slot is written to */
    int B;                   /* the networks' largest batch */
    int values;              /* sum over agents of D */
    struct marl_dd *dd;      /* MADDPG's targets and scratch (rl_maddpg.c) */
    double w_next;           /* the next slot's weight (sched_marl_weight) */
    int Er;                  /* environments this learner plays (envs) */
    int width;               /* a gradient row: the widest network (+ D) */
    double *etab;            /* (envs, width) per-environment rows; NULL
                                with one environment */
    int training;
    uint64_t step, updates;
    sched_marl_counters count;
};

/* MADDPG (rl_maddpg.c): targets and scratch; an exploring action's unit
 * values u (D) from the actor's output z; a slot's row stored, and an
 * update when one is due. */
int marl__dd_create(sched_marl *m, dtfl_err *err);
void marl__dd_destroy(sched_marl *m);
void marl__dd_explore(sched_marl *m, int a, const float *z, double *u);
void marl__dd_feedback(sched_marl *m, const double *reward, int done);
/* Copies every network into its target (after a policy file loaded). */
void marl__dd_sync(sched_marl *m);

static inline double marl__sigmoid(double z) { return 1.0 / (1.0 + exp(-z)); }

/* Agent g's observations of rows rows[i] + next (modulo the rows held)
 * into the scratch batch m->xb (B rows). */
const float *marl__gather(sched_marl *m, const marl_agent *g, const int *rows, int B,
                          int next);

/* A forward pass of net over B samples (its FLOPs counted), and a
 * backward one. */
const float *marl__forward(sched_marl *m, rl_mlp *net, const float *x, int B);
void marl__backward_net(sched_marl *m, rl_mlp *net, const float *dout, int B, float *dx);

/* The log-probability and entropy of agent a's values x (D) under the
 * actor's output out, over the values mask keeps (NULL: all). */
double marl__logp(const sched_marl *m, const marl_agent *g, const float *out,
                  const double *x, const uint8_t *mask, double *entropy);
/* dout += w_lp d logp + w_ent d H; the Gaussian std's gradient into gs. */
void marl__backward(const sched_marl *m, const marl_agent *g, const float *out,
                    const double *x, const uint8_t *mask, double w_lp,
                    double w_ent, float *dout);

#endif
