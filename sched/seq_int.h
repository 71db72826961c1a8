/*
 * seq_int.h - internal to seq.c and seq_train.c: the sequence model's
 * layout, and its forward and backward over one step of a window.
 */
#ifndef DTFL_SCHED_SEQ_INT_H
#define DTFL_SCHED_SEQ_INT_H

#include "rl.h"

#define SEQ_MAX_LAYERS 4
#define SEQ_MAX_FEATURES 64

struct sched_seq {
    int F, H, L, maxB, maxT;
    int residual;            /* the head adds to the input */
    rl_gru *g[SEQ_MAX_LAYERS];
    float *wo, *bo;          /* head: (F, H), (F); one slab with its grads */
    float *dwo, *dbo;
    double off[SEQ_MAX_FEATURES], scale[SEQ_MAX_FEATURES];
    double step[SEQ_MAX_FEATURES]; /* residual: the head's unit of change */
    float gain[SEQ_MAX_FEATURES];  /* step / scale */
    double dropout;          /* on layer 1's output, training only */
    float *buf;              /* one allocation for the arrays below */
    float *hs;               /* (L, maxT + 1, maxB, H): h(-1) .. h(maxT - 1) */
    float *mask;             /* (maxT, maxB, H) dropout masks, scaled */
    float *xin;              /* (maxB, F) one step's normalised input */
    float *ys;               /* (maxT, maxB, F) outputs, normalised */
    float *dy;               /* (maxB, F) */
    float *dh;               /* (L, maxB, H) gradients carried to t - 1 */
    float *dtop, *dx;        /* (maxB, H) scratch */
};

size_t seq__nparams(const sched_seq *s);
/* h of layer l after step t (t = -1: the initial state), (maxB, H) */
float *seq__h(const sched_seq *s, int l, int t);
/* Step t of a window for B sequences from x (B, F, normalised): every
 * layer, then the head into ys[t]; train applies the dropout masks of
 * step t. */
void seq__forward(sched_seq *s, int t, const float *x, int B, int train);
/* Step t's backward, latest step first, from dy (B, F) at ys[t]: grads
 * of the head and every layer; dh carries the recurrences (zero it before
 * the last step). */
void seq__backward(sched_seq *s, int t, const float *dy, int B);

#endif /* DTFL_SCHED_SEQ_INT_H */
