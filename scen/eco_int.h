/*
 * eco_int.h - internal to the ecoedgetwin scenario (eco*.c): the instance
 * and the functions its files share.
 */
#ifndef DTFL_SCEN_ECO_INT_H
#define DTFL_SCEN_ECO_INT_H

#include "eco.h"
#include "scen_int.h"

typedef struct eco {
    const scen_setup *setup;
    scen_eco_setup cfg;
    scen_agent agent[4];
    scen_info info;
    twin_world *world;
    uint64_t useed;
    int U, S, Kc, K, T, t;
    int twinless;            /* the benchmark: nominal view, no twin energy */
    /* servers (S) */
    double *sx, *sy, *F_srv;
    double *x_srv;           /* AR(1) load, unclipped */
    double *f_srv, *f_srv_est, *f_srv_view;
    double *n_last;          /* tasks processed last slot / U */
    int *cell_c, *cell_r;    /* grid cell, for hops */
    int *n_srv;              /* tasks processed this slot */
    /* users (U) */
    double *F_dev, *x_dev, *f_dev, *f_dev_est, *f_dev_view;
    double *budget, *p, *D, *C;
    double *px, *py, *qx, *qy; /* positions now and a slot ago */
    double *last_L, *last_mig;
    double *zero;            /* zeros: the real driver's data shares */
    int *content, *host;
    /* candidates (U x Kc) */
    int *cand, *hops_host, *cached;
    double *dist, *rate;
    /* contents (K) */
    double *k_bits, *k_cpb, *k_cdf;
    scen_eco_cache cache;
    /* the last step (U) */
    scen_eco_user *res;
    int *server, *proc, *hit, *moved, *fwd, *pick, *put;
    int *infer;              /* (U) the effects' images to classify */
    int *hit_from;           /* (U) the effects' server serving a hit, -1 */
    int *cache_pairs;        /* (2 S K) the effects' caches after the step */
    int *res_hops;           /* (U) backhaul hops of the task (migration or
                                forward) */
    scen_transfer *xfer;     /* (2U) the effects' forwarded tasks, then
                                the outcomes kept */
    double *beta;
    double sum_L, sum_Lest, sum_gapl, sum_gape, sum_g9, energy, e_local, e_dt;
    double sum_qoe, sum_beta, reward_v;
    double sum_cmp;          /* the edge's modelled compute seconds */
    double meas_cmp;         /* real mode: the twins' measured seconds */
    double meas_energy;      /* real mode: eq. 8 at the measured busy time */
    int offloaded, hits, migrations, forwards, late;
    scen_eco_obs obs;
    double reward[4];
} eco;

/* eco_world.c: an episode's fixed draws (CPUs, budgets, contents, caches
 * cleared, services at the nearest server) and a slot's (loads, the twins'
 * estimates, powers, tasks, fading, candidates, views). */
void eco__episode(eco *y);
void eco__slot_draws(eco *y);
/* hops between two servers' grid cells (Manhattan) */
int eco__hops(const eco *y, int a, int b);
/* the view of the CPUs the controller gets */
void eco__views(eco *y);

/* eco_state.c */
int eco__state_dim(int U, int S, int Kc);
void eco__agent_obs(void *self, int a, float *x);
int eco__describe(void *self, const char **key, const char **text,
                  double *num, int cap);
int eco__save(void *self, uint8_t *buf, size_t *len, dtfl_err *err);
int eco__load(void *self, const uint8_t *buf, size_t len, dtfl_err *err);
int eco__reset(void *self, int episode, dtfl_err *err);

#endif
