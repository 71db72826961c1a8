/*
 * fedavg.c - FedAvg (eq. 4 of 003) across ranks, the same bits for any rank
 * count: every owner sends (D_s, w_s) for each of its servers in increasing
 * server id on one tag; rank 0 takes them in server-id order (messages from
 * one source on one tag keep their order), adds D_s w_s into a double
 * accumulator, divides by the total and broadcasts the floats. A server
 * without data sends only its zero weight and sits the round out.
 */
#include "net.h"

#include <stdlib.h>
#include <string.h>

#define TAG_FEDAVG 11

int net_fedavg(net_comm *c, int servers, const double *weight,
               float *const *vec, size_t n, float *out, double *total,
               dtfl_err *err)
{
    const int me = net_rank(c), P = net_size(c);
    int rc = 0;
    net_req **reqs = calloc((size_t)servers, sizeof *reqs);
    uint8_t **msgs = calloc((size_t)servers, sizeof *msgs);
    double *acc = NULL;
    if (reqs == NULL || msgs == NULL)
        goto nomem;
    /* owners send, in server-id order; rank 0's own go through the same
     * path so every server is added the same way */
    for (int s = 0; s < servers && rc == 0; s++) {
        if (net_server_rank(s, P) != me)
            continue;
        int has = weight[s] > 0 && vec[s] != NULL;
        size_t len = 8 + (has ? 4 * n : 0);
        if ((msgs[s] = malloc(len)) == NULL)
            goto nomem;
        double w = has ? weight[s] : 0.0;
        memcpy(msgs[s], &w, 8);
        if (has)
            memcpy(msgs[s] + 8, vec[s], 4 * n);
        rc = net_isend(c, 0, TAG_FEDAVG, msgs[s], len, &reqs[s], err);
    }
    double sum = 0.0;
    if (rc == 0 && me == 0) {
        if ((acc = calloc(n ? n : 1, sizeof *acc)) == NULL)
            goto nomem;
        for (int s = 0; s < servers && rc == 0; s++) {
            uint8_t *m = NULL;
            size_t len = 0;
            rc = net_recv(c, net_server_rank(s, P), TAG_FEDAVG, &m, &len, err);
            if (rc < 0)
                break;
            double w;
            memcpy(&w, m, 8);
            if (w > 0 && len == 8 + 4 * n) {
                for (size_t i = 0; i < n; i++) {
                    float f;
                    memcpy(&f, m + 8 + 4 * i, 4);
                    acc[i] += w * (double)f;
                }
                sum += w;
            } else if (w > 0 || len != 8) {
                rc = dtfl_err_set(err, DTFL_EINTERNAL,
                                  "FedAvg: server %d sent %zu bytes", s, len);
            }
            free(m);
        }
        if (rc == 0 && sum > 0)
            for (size_t i = 0; i < n; i++)
                out[i] = (float)(acc[i] / sum);
    }
    for (int s = 0; s < servers; s++)
        if (reqs[s] != NULL) {
            int r = net_wait(c, reqs[s], err);
            rc = rc < 0 ? rc : r;
        }
    /* everyone learns whether it worked before the broadcast */
    int64_t bad = rc < 0;
    int rc2 = net_allreduce_i64(c, &bad, 1, err);
    if (rc == 0 && rc2 < 0)
        rc = rc2;
    if (rc == 0 && bad)
        rc = dtfl_err_set(err, DTFL_EMPI, "FedAvg failed on another rank");
    if (rc == 0)
        rc = net_bcast(c, &sum, sizeof sum, 0, err);
    if (rc == 0 && sum > 0)
        rc = net_bcast(c, out, 4 * n, 0, err);
    *total = sum;
    goto done;
nomem:
    rc = dtfl_err_set(err, DTFL_ENOMEM, "FedAvg: out of memory");
    for (int s = 0; s < servers && reqs != NULL; s++)
        if (reqs[s] != NULL)
            net_wait(c, reqs[s], NULL);
done:
    if (msgs != NULL)
        for (int s = 0; s < servers; s++)
            free(msgs[s]);
    free(msgs);
    free(reqs);
    free(acc);
    return rc;
}
