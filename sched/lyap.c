/*
 * lyap.c - virtual queues for long-term constraints (Lyapunov
 * optimisation, Neely's drift-plus-penalty), scenario-free: n queues, each
 * with a budget per step,
 *     Q_j(t+1) = max(Q_j(t) + x_j(t) - b_j, 0),
 * the quadratic Lyapunov function L = 1/2 sum_j Q_j^2, and the
 * drift-plus-penalty bracket sum_j Q_j (x_j - b_j) + V penalty a controller
 * minimises each step. A queue that stays bounded keeps its constraint on
 * average: (1/T) sum_t x_j(t) <= b_j + (Q_j(T) - Q_j(0)) / T exactly, which
 * sched_lyap_slack reports. (TMO's energy-deficit queue, eq. 13 of 000;
 * TACO's delay and energy queues, eqs. 21-22 of 001.)
 */
#include "sched.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct sched_lyap {
    int n;
    double *q, *q0, *b;  /* (n) each: values, at the start, budgets */
    double *sum;         /* (n) sum of arrivals since the start */
    double *q_last, *x_last; /* (n) each: before the last push, its arrivals */
    long steps;
};

int sched_lyap_create(sched_lyap **out, int n, const double *budget,
                      dtfl_err *err)
{
    *out = NULL;
    if (n <= 0)
        return dtfl_err_set(err, DTFL_EINTERNAL, "queues: %d of them", n);
    sched_lyap *l = calloc(1, sizeof *l);
    if (l == NULL || (l->q = calloc(6 * (size_t)n, sizeof(double))) == NULL) {
        free(l);
        return dtfl_err_set(err, DTFL_ENOMEM, "queues: out of memory");
    }
    l->n = n;
    l->q0 = l->q + n;
    l->b = l->q0 + n;
    l->sum = l->b + n;
    l->q_last = l->sum + n;
    l->x_last = l->q_last + n;
    memcpy(l->b, budget, sizeof(double) * (size_t)n);
    *out = l;
    return 0;
}

void sched_lyap_destroy(sched_lyap *l)
{
    if (l == NULL)
        return;
    free(l->q);
    free(l);
}

void sched_lyap_reset(sched_lyap *l, const double *q0)
{
    for (int j = 0; j < l->n; j++)
        l->q[j] = l->q0[j] = q0 != NULL && q0[j] > 0 ? q0[j] : 0.0;
    memset(l->sum, 0, sizeof(double) * (size_t)l->n);
    l->steps = 0;
}

const double *sched_lyap_values(const sched_lyap *l) { return l->q; }

double sched_lyap_value(const sched_lyap *l)
{
    double v = 0.0;
    for (int j = 0; j < l->n; j++)
        v += 0.5 * l->q[j] * l->q[j];
    return v;
}

double sched_lyap_dpp(const sched_lyap *l, const double *x, double V,
                      double penalty)
{
    double v = V * penalty;
    for (int j = 0; j < l->n; j++)
        v += l->q[j] * (x[j] - l->b[j]);
    return v;
}

double sched_lyap_push(sched_lyap *l, const double *x)
{
    double before = sched_lyap_value(l);
    memcpy(l->q_last, l->q, sizeof(double) * (size_t)l->n);
    memcpy(l->x_last, x, sizeof(double) * (size_t)l->n);
    for (int j = 0; j < l->n; j++) {
        double next = l->q[j] + x[j] - l->b[j];
        l->q[j] = next > 0.0 ? next : 0.0;
        l->sum[j] += x[j];
    }
    l->steps++;
    return sched_lyap_value(l) - before;
}

void sched_lyap_redo(sched_lyap *l, int j, double x)
{
    if (l->steps == 0)
        return;
    l->sum[j] += x - l->x_last[j];
    l->x_last[j] = x;
    double next = l->q_last[j] + x - l->b[j];
    l->q[j] = next > 0.0 ? next : 0.0;
}

double sched_lyap_slack(const sched_lyap *l, int j)
{
    if (l->steps == 0)
        return 0.0;
    /* b + (Q(T) - Q(0)) / T - mean arrival: never negative */
    return l->b[j] + (l->q[j] - l->q0[j]) / (double)l->steps -
           l->sum[j] / (double)l->steps;
}

/* State: u32 n, u64 steps, then per queue q, q0, sum as float64. */
int sched_lyap_save(const sched_lyap *l, uint8_t *buf, size_t *len,
                    dtfl_err *err)
{
    size_t need = 12 + 24 * (size_t)l->n;
    if (buf != NULL) {
        if (*len < need)
            return dtfl_err_set(err, DTFL_ERANGE, "queues: buffer");
        dtfl_put_u32(buf, (uint32_t)l->n);
        dtfl_put_u64(buf + 4, (uint64_t)l->steps);
        for (int j = 0; j < l->n; j++) {
            const double v[3] = {l->q[j], l->q0[j], l->sum[j]};
            for (int k = 0; k < 3; k++) {
                uint64_t u;
                memcpy(&u, &v[k], 8);
                dtfl_put_u64(buf + 12 + 24 * (size_t)j + 8 * (size_t)k, u);
            }
        }
    }
    *len = need;
    return 0;
}

int sched_lyap_load(sched_lyap *l, const uint8_t *buf, size_t len,
                    dtfl_err *err)
{
    if (len != 12 + 24 * (size_t)l->n || dtfl_get_u32(buf) != (uint32_t)l->n)
        return dtfl_err_set(err, DTFL_EDATA, "queues: %zu bytes for %d queues",
                            len, l->n);
    double v[3];
    for (int j = 0; j < l->n; j++) {
        for (int k = 0; k < 3; k++) {
            uint64_t u = dtfl_get_u64(buf + 12 + 24 * (size_t)j + 8 * (size_t)k);
            memcpy(&v[k], &u, 8);
        }
        /* at most 1e150, so that squares and drifts stay finite */
        if (!(v[0] >= 0.0 && v[0] <= 1e150) || !(v[1] >= 0.0 && v[1] <= 1e150) ||
            !(fabs(v[2]) <= 1e150))
            return dtfl_err_set(err, DTFL_EDATA, "queues: queue %d is %g", j, v[0]);
    }
    for (int j = 0; j < l->n; j++)
        for (int k = 0; k < 3; k++) {
            uint64_t u = dtfl_get_u64(buf + 12 + 24 * (size_t)j + 8 * (size_t)k);
            double *dst = k == 0 ? &l->q[j] : k == 1 ? &l->q0[j] : &l->sum[j];
            memcpy(dst, &u, 8);
        }
    l->steps = (long)dtfl_get_u64(buf + 4);
    return 0;
}
