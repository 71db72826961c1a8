/*
 * fedavg.c - the arithmetic of FedAvg (eq. 4 of 003_8fb9af7836691d5d.txt):
 *     w = (1 / D) sum_s D_s w_s.
 * Sums are kept in double and taken in server-id order by the caller, so
 * the result is the same bits whichever ranks hold the servers.
 */
#include "fl.h"

void fl_fedavg_add(double *acc, const float *w, size_t n, double weight)
{
    for (size_t i = 0; i < n; i++)
        acc[i] += weight * (double)w[i];
}

void fl_fedavg_finish(float *out, const double *acc, size_t n, double total)
{
    const double inv = 1.0 / total;
    for (size_t i = 0; i < n; i++)
        out[i] = (float)(acc[i] * inv);
}
