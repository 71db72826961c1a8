/*
 * happo_int.h - internal to the happo scenario (happo.c, happo_state.c,
 * happo_policies.c): the instance's state.
 */
#ifndef DTFL_SCEN_HAPPO_INT_H
#define DTFL_SCEN_HAPPO_INT_H

#include "happo.h"
#include "scen_int.h"

typedef struct happo {
    const scen_setup *setup;
    scen_happo_setup cfg;
    int K, M, T, slots;          /* MUs, BSs, slots a frame, an episode */
    int t;                       /* the slot the next observe reaches */
    twin_world *world;
    uint64_t useed;              /* keys the episode's draws */
    scen_agent *agent;           /* (K + M + 1) */
    scen_info info;
    scen_happo_obs obs;
    /* the slot's world (observe) */
    double *bx, *by;             /* (M) */
    double *ux, *uy;             /* (K) */
    double *dist, *g;            /* (K x M) distance, |h|^2 */
    double *D, *C, *tau;         /* (K) the request's bits, cycles, deadline */
    int *req, *assoc;            /* (K) a_k, nearest BS */
    /* the episode's memory */
    int *host;                   /* (K) beta_k(q) */
    int *mig_left;               /* (K) slots the DT still migrates */
    int *gk;                     /* (K) G_k */
    double *Y, *Yf;              /* (K) queues now and at the frame start */
    int *last;                   /* (K) the slot of the DT's last successful
                                    sync; -1: none this episode */
    /* the last step */
    int *pick;                   /* (K) the control centre's beta~_k */
    int *tx, *X, *relay, *hosted_m, *relayed_m; /* (K) */
    double *p, *sinr, *rate, *f, *w, *time, *energy, *rc; /* (K) */
    double *zero;                /* (K) no training share */
    double *c, *b;               /* (M x K) the BSs' scores */
    double r_g, r_c, *reward;    /* (agents) */
    int migrations, requests, failures, mig_failures;
    int mig_slots;               /* sum of G_k over the DTs moved this slot */
    scen_transfer *sync;         /* (K) status updates, real mode */
    int nsync;
    int *members;                /* (K) scratch */
} happo;

/* happo.c */
void happo__step_world(happo *h);

/* happo_state.c */
int happo__reset(void *self, int episode, dtfl_err *err);
void happo__episode(happo *h);
int happo__mu_dim(int M);
int happo__bs_dim(int K, int M);
int happo__cc_dim(int K, int M);
int happo__state_dim(int K, int M);
void happo__agent_obs(void *self, int a, float *x);
void happo__state(void *self, float *x);
void happo__action_mask(void *self, int a, uint8_t *mask);
int happo__describe(void *self, const char **key, const char **text,
                    double *num, int cap);
int happo__save(void *self, uint8_t *buf, size_t *len, dtfl_err *err);
int happo__load(void *self, const uint8_t *buf, size_t len, dtfl_err *err);

#endif
