/*
 * comm.c - the communicator interface: dispatch to the backend, and what is
 * built from point-to-point messages alone (ping-pong, server placement).
 */
#include "comm_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int net_rank(const net_comm *c) { return c->rank; }
int net_size(const net_comm *c) { return c->size; }
int net_tag_max(const net_comm *c) { return c->tag_max; }

int net_isend(net_comm *c, int dest, int tag, const void *buf, size_t len,
              net_req **req, dtfl_err *err)
{
    if (dest < 0 || dest >= c->size || tag < 0 || tag > c->tag_max)
        return dtfl_err_set(err, DTFL_EINTERNAL,
                            "send to rank %d with tag %d (size %d, tags to "
                            "%d)",
                            dest, tag, c->size, c->tag_max);
    return c->ops->isend(c, dest, tag, buf, len, req, err);
}

int net_wait(net_comm *c, net_req *req, dtfl_err *err)
{
    return c->ops->wait(c, req, err);
}

int net_recv(net_comm *c, int src, int tag, uint8_t **buf, size_t *len,
             dtfl_err *err)
{
    if (src < 0 || src >= c->size || tag < 0 || tag > c->tag_max)
        return dtfl_err_set(err, DTFL_EINTERNAL,
                            "receive from rank %d with tag %d", src, tag);
    return c->ops->recv(c, src, tag, buf, len, err);
}

int net_barrier(net_comm *c, dtfl_err *err) { return c->ops->barrier(c, err); }

int net_bcast(net_comm *c, void *buf, size_t len, int root, dtfl_err *err)
{
    return c->ops->bcast(c, buf, len, root, err);
}

int net_allreduce_i64(net_comm *c, int64_t *v, int n, dtfl_err *err)
{
    return c->ops->allreduce_i64(c, v, n, err);
}

int net_allreduce_max(net_comm *c, double *v, int n, dtfl_err *err)
{
    return c->ops->allreduce_max(c, v, n, err);
}

/* A max over ranks where only the owner holds a number and every other
 * rank holds -inf returns the owner's number unchanged, in any order. */
int net_collect_rows(net_comm *c, double *table, int rows, int width,
                     dtfl_err *err)
{
    for (int i = 0; i < rows; i++)
        if (i % c->size != c->rank)
            for (int j = 0; j < width; j++)
                table[(size_t)i * width + j] = -INFINITY;
    return net_allreduce_max(c, table, rows * width, err);
}

void net_abort(net_comm *c, int status) { c->ops->abort(c, status); }

void net_comm_destroy(net_comm *c)
{
    if (c != NULL)
        c->ops->destroy(c);
}

int net_server_rank(int server, int ranks) { return server % ranks; }

#define PINGPONG_TAG 7

int net_pingpong(net_comm *c, size_t bytes, int reps, double *bytes_per_s,
                 dtfl_err *err)
{
    *bytes_per_s = 0.0;
    if (c->size < 2)
        return 0;
    int rc = 0;
    uint8_t *buf = NULL;
    if (c->rank <= 1) {
        buf = calloc(bytes ? bytes : 1, 1);
        if (buf == NULL)
            return dtfl_err_set(err, DTFL_ENOMEM, "ping-pong: out of memory");
    }
    double best = 0.0;
    for (int r = -1; r < reps && rc == 0 && c->rank <= 1; r++) {
        double t0 = dtfl_now();
        uint8_t *got = NULL;
        size_t n = 0;
        net_req *req = NULL;
        int peer = 1 - c->rank;
        if (c->rank == 0) {
            if ((rc = net_isend(c, peer, PINGPONG_TAG, buf, bytes, &req, err)) == 0 &&
                (rc = net_wait(c, req, err)) == 0)
                rc = net_recv(c, peer, PINGPONG_TAG, &got, &n, err);
        } else {
            if ((rc = net_recv(c, peer, PINGPONG_TAG, &got, &n, err)) == 0 &&
                (rc = net_isend(c, peer, PINGPONG_TAG, got, n, &req, err)) == 0)
                rc = net_wait(c, req, err);
        }
        free(got);
        double dt = dtfl_now() - t0;
        if (r >= 0 && dt > 0 && 2.0 * bytes / dt > best)
            best = 2.0 * bytes / dt;
    }
    free(buf);
    int64_t failed = rc < 0;
    int rc2 = net_allreduce_i64(c, &failed, 1, err);
    if (rc2 < 0)
        return rc2;
    if (failed)
        return rc < 0 ? rc : dtfl_err_set(err, DTFL_EMPI, "ping-pong failed "
                                                          "on another rank");
    rc = net_bcast(c, &best, sizeof best, 0, err);
    *bytes_per_s = best;
    return rc;
}

void net__sleep_until(double t)
{
    double now = dtfl_now();
    if (t <= now)
        return;
    struct timespec ts;
    double d = t - now;
    ts.tv_sec = (time_t)d;
    ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
    nanosleep(&ts, NULL);
}
