/*
 * tmo_int.h - internal to the tmo files: the solvers' scratch and the
 * pieces the P4 files share.
 */
#ifndef DTFL_SCEN_TMO_INT_H
#define DTFL_SCEN_TMO_INT_H

#include "tmo.h"

#include "../sched/sched.h"
#include "../twin/twin.h"

/* Shares may sum past 1 by this much (P4-2 normalises them to 1 in floating
 * point; the knapsacks of P4-1 allow for it). */
#define TMO_SHARE_TOL 1e-9

struct scen_tmo_work {
    int I, M;
    sched_band *band;        /* P4-2-1's solver */
    double *buf;             /* one allocation for the doubles below */
    double *c, *snr, *cw;    /* (I) one ES's weights and SNRs */
    double *b, *fb;          /* (I) its shares, in member order */
    double *u0, *f0;         /* (I) shares of an AM run */
    double *cost;            /* (I x M) P4-1's w_im */
    double *incumbent;       /* (I x M) the current assignment, 0/1 */
    /* the local search's view of the current assignment: per ES its g_m,
     * the band's multiplier, sum sqrt of the CPU weights; per PT what ES
     * m costs without it (gout) and that set's multiplier */
    double *g, *mu, *rootc;  /* (M) */
    double *gout, *muout;    /* (I) */
    double *weak;            /* (I x M) A_im + c_i / r_im(1): what joining
                                an empty ES costs, the band part least */
    int *ibuf;               /* one allocation for the ints below */
    int *a0, *a1;            /* (I) assignments */
    int *set;                /* (I) the PTs of one ES */
    int *count;              /* (M) */
    sched_lp *lp_eq;         /* P4-1 with equal shares (an LP), kept */
    sched_lp *lp_kn;         /* P4-1 with knapsacks (a MILP), kept */
    int lp_I, lp_M;          /* the size they were built for */
};

/* g_m of the n PTs in who (P4-2-1 and P4-2-2 solved); their shares into u
 * and f at the PTs' own indices when not NULL; the band's multiplier into
 * *mu when not NULL (0 for no PT). */
double tmo__set_cost(scen_tmo_work *w, const scen_tmo_slot *s, int m,
                     const int *who, int n, double *u, double *f, double *mu);
/* tmo__set_cost of ES m's PTs under access, without PT out and with PT
 * in (-1: none) */
double tmo__es_cost(scen_tmo_work *w, const scen_tmo_slot *s, const int *access,
                    int m, int out, int in, double *u, double *f, double *mu);
/* Is every PT on an ES, within both knapsacks of every ES? */
int tmo__fits(const scen_tmo_slot *s, const double *u, const double *f,
              const int *access);

/* ---- the controller's position estimates (tmo_pred.c) ---- */

typedef struct tmo_pred tmo_pred;

/* A predictor of the kind; gru reads its file (dtfl predict-train). */
int tmo_pred_create(tmo_pred **out, scen_tmo_pred_kind kind, const char *file,
                    int I, dtfl_err *err);
void tmo_pred_destroy(tmo_pred *p);
/* Where each PT is believed to be at slot o->slot (I each, in the world);
 * called once per slot, in order (the GRU steps). */
void tmo_pred_positions(tmo_pred *p, const scen_tmo_obs *o, double *x,
                        double *y);
int tmo_pred_save(const tmo_pred *p, uint8_t *buf, size_t *len, dtfl_err *err);
int tmo_pred_load(tmo_pred *p, const uint8_t *buf, size_t len, dtfl_err *err);

/* ---- the scenario instance (tmo.c, tmo_state.c) ---- */

typedef struct tmo {
    const scen_setup *setup;
    scen_tmo_setup cfg;
    scen_agent agent[3];
    scen_info info;
    twin_world *world;
    uint64_t useed;          /* keys the draws of this episode */
    int I, M, T, t;
    double *es_x, *es_y;     /* (M) */
    double *es_dist;         /* (M x M) of eq. 1 */
    double *lam, *J, *D;     /* (I) this slot's draws; D once per PT */
    double *h2;              /* (I x M) this slot's |h|^2 */
    scen_tmo_status *truth;  /* (I) now */
    scen_tmo_status *status; /* (I) the last uploaded */
    int *status_slot;        /* (I) */
    double *px, *py;         /* (I) positions at t - 1 (velocities) */
    int *prev;               /* (I) pi(t - 1); -1 before slot 0 */
    int *up_from;            /* (I) the ES the last status went through */
    int *infer;              /* (I) the effects' task images */
    scen_transfer *ups;      /* (I) the effects' status uploads */
    int *access;             /* (I) pi(t), the last step's */
    double *u, *f;           /* (I) the last step's shares */
    double *uprev;           /* (I) the shares of t - 1 (upload link) */
    double *share;           /* (I) zeros: the effects' data shares */
    sched_lyap *queue;       /* eq. 13 */
    /* the frame in force */
    int t0, t_next, tau, frames;
    double lts;              /* E^lts(t^(k)), J */
    double upl_time;         /* sum_i T^upl(t^(k)), s */
    /* the last step */
    scen_tmo_pt_cost *cost;  /* (I) realised */
    double *moved;           /* (I) m */
    double resp, sts, exec, mig, tra, arrival, q_before;
    int migrations, uploaded;
    scen_tmo_realised last;  /* what the next observation reports */
    scen_tmo_obs obs;
    double reward[3];
} tmo;

int tmo__reset(void *self, int episode, dtfl_err *err);
int tmo__describe(void *self, const char **key, const char **text,
                  double *num, int cap);
int tmo__save(void *self, uint8_t *buf, size_t *len, dtfl_err *err);
int tmo__load(void *self, const uint8_t *buf, size_t len, dtfl_err *err);

#endif /* DTFL_SCEN_TMO_INT_H */
