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

/* Settings every policy may read. */
typedef struct sched_params {
    const char *policy;  /* registry name */
    double gamma;        /* fixed historical ratio for the simple policies */
    uint64_t seed;
} sched_params;

typedef struct sched_policy sched_policy;

/* The functions of one policy. `self` is the policy's own state. */
typedef struct sched_ops {
    const char *name;
    const char *summary;
    int (*create)(void **self, const sched_params *p, dtfl_err *err);
    int (*decide)(void *self, const sched_obs *o, sched_decision *d,
                  dtfl_err *err);
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
/* Decides and then checks the decision (every server id in range, every
 * gamma in [0, 1]); a policy that breaks this is an internal error. */
int sched_policy_decide(sched_policy *pol, const sched_obs *o,
                        sched_decision *d, dtfl_err *err);
int sched_policy_save(sched_policy *pol, uint8_t *buf, size_t *len,
                      dtfl_err *err);
int sched_policy_load(sched_policy *pol, const uint8_t *buf, size_t len,
                      dtfl_err *err);

/* Index of the nearest server to user u in an observation. */
int sched_nearest(const sched_obs *o, int u);

#endif /* DTFL_SCHED_H */
