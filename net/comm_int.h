/*
 * comm_int.h - internal to net/: a communicator is an ops table plus the
 * backend's state. mpi.c and local.c fill it; comm.c dispatches.
 */
#ifndef DTFL_NET_COMM_INT_H
#define DTFL_NET_COMM_INT_H

#include "net.h"

typedef struct net_comm_ops {
    int (*isend)(net_comm *c, int dest, int tag, const void *buf, size_t len,
                 net_req **req, dtfl_err *err);
    int (*wait)(net_comm *c, net_req *req, dtfl_err *err);
    int (*recv)(net_comm *c, int src, int tag, uint8_t **buf, size_t *len,
                dtfl_err *err);
    int (*barrier)(net_comm *c, dtfl_err *err);
    int (*bcast)(net_comm *c, void *buf, size_t len, int root, dtfl_err *err);
    int (*allreduce_i64)(net_comm *c, int64_t *v, int n, dtfl_err *err);
    int (*allreduce_max)(net_comm *c, double *v, int n, dtfl_err *err);
    void (*abort)(net_comm *c, int status);
    void (*destroy)(net_comm *c);
} net_comm_ops;

struct net_comm {
    const net_comm_ops *ops;
    int rank, size;
    int tag_max;
    void *impl;     /* backend state */
};

/* Sleeps until dtfl_now() reaches t (pacing of emulated links). */
void net__sleep_until(double t);

#endif /* DTFL_NET_COMM_INT_H */
