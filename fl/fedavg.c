/*
 * fedavg.c - the arithmetic of FedAvg (eq. 4 of 003_8fb9af7836691d5d.txt):
 *     w = (1 / D) sum_s D_s w_s.
 * Sums are kept in double and taken in server-id order by the caller, so
 * the result is the same bits whichever ranks hold the servers. fl_quorum
 * is the rule that decides whether a round aggregates at all.
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

int fl_quorum(int reported, int eligible, int min_servers, double min_fraction)
{
    if (reported <= 0 || reported < min_servers)
        return 0;
    /* reported / eligible >= min_fraction, without rounding a product */
    return (double)reported >= min_fraction * (double)eligible - 1e-9;
}
