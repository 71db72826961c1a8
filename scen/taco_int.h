/*
 * taco_int.h - internal to the taco files: the engine's scratch, the
 * per-PT weights every block and the bracket share, and the scenario
 * instance.
 */
#ifndef DTFL_SCEN_TACO_INT_H
#define DTFL_SCEN_TACO_INT_H

#include "taco.h"

#include "../sched/sched.h"
#include "../twin/twin.h"


/* Storage for one decision (scen_taco_dec points into it). */
typedef struct taco_dec_store {
    scen_taco_dec d;
    int *ints;       /* access (I), z (I) */
    double *reals;   /* x, y, b, f (I each) */
} taco_dec_store;

struct scen_taco_work {
    int I, M;
    double *cost;    /* (I x M) C*_im with the move tie-break */
    double *xstar;   /* (I x M) x* of each pair */
    int *count;      /* (M) PTs at each ES */
    int *cur;        /* (I) the access P4 starts from */
    int *fixed;      /* (I) PTs P4 keeps where they are */
    double *cpart;   /* (I x M) c_im of C*, with the tie-break */
    double *kpart;   /* (I x M) k_im of C* */
    double *incumbent; /* (I x M) the current assignment, for the MILP */
    double *price;   /* (M x seats) the auction's prices */
    int *owner;      /* (M x seats) */
    int *queue;      /* (I) */
    int *members;    /* (I) PTs of one ES */
    int *zsave;      /* (I) z before a BCD sweep */
    /* the best decision of an alternation; a Jacobi sweep's scratch and
     * result */
    taco_dec_store best, scratch, next;
    sched_band *band;       /* the b step's solver (sched/band.c) */
    sched_lp *lp;     /* P4's LP with cap shares, kept between solves */
    int lp_seats, lp_I, lp_M; /* the size it was built for */
};

int taco__store_init(taco_dec_store *s, int I);
void taco__store_free(taco_dec_store *s);
void taco__dec_copy(scen_taco_dec *to, const scen_taco_dec *from, int I);

/* The delay weight of PT i, (H_i + h0) in queue units times the queue units
 * per second; the energy weight, E times the units per joule. */
static inline double taco__wt(const scen_taco_obs *o, int i)
{
    const scen_taco_model *m = o->model;
    return (o->H[i] + m->h0 * m->delay_unit) * m->delay_unit;
}

static inline double taco__we(const scen_taco_obs *o)
{
    return o->E * o->model->energy_unit;
}

/* PT i's use of ES m under decision d. */
void taco__use(const scen_taco_obs *o, const scen_taco_dec *d, int i, int m,
               scen_taco_use *u);

/* ---- P4's pieces shared by its two routes (taco_p4.c) ---- */

/* Every pair's C*_im, its parts and x*, with the move tie-break; who stays
 * put (w->fixed) and where everyone is (w->cur). */
void taco__costs(scen_taco_work *w, const scen_taco_obs *o,
                 const scen_taco_plan *p, const scen_taco_dec *d);
/* phi_i(x) = V c1 z_i (1 - s_i(x))^kappa, the accuracy term of C*, and its slope. */
double taco__phi(const scen_taco_obs *o, const scen_taco_dec *d, int i,
                 double x, double *slope);
/* sum_i C*_{i,access_i} */
double taco__value(const scen_taco_work *w, const int *access, int I, int M);
/* The rows of the assignment on columns i M + m: one ES per PT, capacity
 * (seats, or the inherit shares). */
int taco__rows(const scen_taco_obs *o, const scen_taco_dec *d, sched_lp *lp,
               dtfl_err *err);
/* Is the assignment within those rows (and are fixed PTs where they are)? */
int taco__feasible(const scen_taco_work *w, const scen_taco_obs *o,
                   const scen_taco_dec *d, const int *a);

/* ---- the scenario instance (taco.c, taco_state.c) ---- */

/* A saved state's bounds: an offloading PT's band and CPU share, and any
 * delay (s) or energy (J) it carries. */
#define TACO_SHARE_MIN 1e-12
#define TACO_STATE_MAX 1e15

typedef struct taco {
    const scen_setup *setup;
    scen_taco_setup cfg;
    scen_agent agent[3];
    scen_info info;
    twin_world *world;
    uint64_t useed;          /* keys the draws of this episode */
    int I, M, K, T, t;
    double *Q, *h2, *snr;    /* (I x M) */
    double *S, *lam, *D;     /* (I) */
    int *nearest;            /* (I) */
    sched_lyap *queues;      /* I delay queues, then the energy queue */
    double *H;               /* (I) the delay queues' values */
    taco_dec_store last;     /* the placement in force, last slot's rest */
    double *charge_t, *charge_e; /* (I) per slot while charge_left > 0 */
    double *r1;              /* (I) full delay of the placement in force */
    int charge_left;
    /* the last step */
    scen_taco_cost *cost;    /* (I) */
    double *T_tol, *paid_t;  /* (I) eq. 18; the placement delay in it */
    double *arrive;          /* (I + 1) what entered the queues */
    double *t_meas, *work_s; /* (I) eq. 18 with the twin's measured work at
                                its ES (real mode), that work in s */
    double *share;           /* (I) the effects' data shares */
    int *generic, *gkey;     /* (I) the effects' knowledge images, their key */
    int *local;              /* (I) the effects' tasks run on the device */
    scen_transfer *down;     /* (I) the effects' downloads from the cloud */
    int place_t;             /* the slot the placement in force was made */
    int placed;              /* the last step placed */
    double E_tol, bracket;
    int handovers;
    scen_taco_obs obs;
    double reward[3];
} taco;

int taco__reset(void *self, int episode, dtfl_err *err);
int taco__describe(void *self, const char **key, const char **text,
                   double *num, int cap);
int taco__save(void *self, uint8_t *buf, size_t *len, dtfl_err *err);
int taco__load(void *self, const uint8_t *buf, size_t len, dtfl_err *err);

#endif /* DTFL_SCEN_TACO_INT_H */
