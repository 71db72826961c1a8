/*
 * diten.c - the model of the DITEN scenario (003_8fb9af7836691d5d.txt):
 * data utility (eqs. 11-12), migration, synchronisation and computation
 * energy (eqs. 13-15), total cost (21), objective (22), and the barrier
 * reward (24-25). Pure functions of an observation and a decision.
 *
 * Units: the utility takes a sample count n (the paper's fit is in samples:
 * n = 200..2000 gives rho = 0.58..0.92 at phi = 0). Costs take data in
 * cost units, unit_per_sample per sample and unit_per_bit per bit of base
 * twin data (784 and 1 by default: the paper's 28 x 28 bits per image).
 * Distances in metres, powers in W, bandwidth in Hz.
 */
#include "diten.h"

#include <math.h>
#include <string.h>

scen_diten_params scen_diten_defaults(void)
{
    scen_diten_params p;
    memset(&p, 0, sizeof p);
    const double a[6] = {0.8862, 6.8382, 0.0006, 0.9172, -0.0231, 0.8366};
    memcpy(p.a, a, sizeof a);
    p.unit_per_sample = 784.0;
    p.unit_per_bit = 1.0;
    p.n_mig = 1e-4;
    p.n_syn = 1e-1;
    p.n_cmp = 1e-7;
    p.E_s = 50;
    p.E_us = 10;
    p.P_u = 0.2;                          /* 200 mW */
    p.W = 15e3;                           /* 15 kHz */
    p.xi = 1.0;
    p.N0 = pow(10.0, -174.0 / 10.0) * 1e-3; /* -174 dBm in W */
    p.f0 = 200;
    p.beta1 = 0.3;
    p.beta2 = 0.7;
    p.barrier_f = 10;
    p.barrier_cap = 10;
    return p;
}

double scen_diten_v(const scen_diten_params *p, double phi)
{
    // eq. 12: v(phi) = a4 exp(-((a5 + phi) / a6)^2)
    double z = (p->a[4] + phi) / p->a[5];
    return p->a[3] * exp(-z * z);
}

double scen_diten_utility(const scen_diten_params *p, double n, double phi)
{
    // eq. 11: rho = v - a1 exp(-a2 (a3 n)^v)
    double v = scen_diten_v(p, phi);
    if (n <= 0)
        return v - p->a[0];
    return v - p->a[0] * exp(-p->a[1] * pow(p->a[2] * n, v));
}

double scen_diten_utility_dn(const scen_diten_params *p, double n,
                              double phi)
{
    // d/dn: a1 a2 v a3^v n^(v-1) exp(-a2 (a3 n)^v)
    double v = scen_diten_v(p, phi);
    if (n <= 0)
        return INFINITY;
    double t = pow(p->a[2] * n, v);
    return p->a[0] * p->a[1] * v * t / n * exp(-p->a[1] * t);
}

double scen_diten_norm(double x, double f0)
{
    return 2.0 / (1.0 + exp(-x / (2.0 * f0))) - 1.0;
}

double scen_diten_rate(const scen_diten_params *p)
{
    return p->W * log2(1.0 + p->P_u * p->xi / p->N0);
}

double scen_diten_barrier(double x, double f, double cap, int *broken)
{
    // eq. 24: B(x) = -ln(-x) / f for x < 0, infinite otherwise (capped)
    if (x < 0) {
        double b = -log(-x) / f;
        return b < cap ? b : cap;
    }
    if (broken != NULL)
        (*broken)++;
    return cap;
}

void scen_diten_costs(const scen_diten_params *p, const scen_diten_obs *o,
                       const int *assoc, const double *gamma, double *mig,
                       double *syn, double *cmp)
{
    const int S = o->servers;
    memset(mig, 0, sizeof(double) * (size_t)S);
    memset(syn, 0, sizeof(double) * (size_t)S);
    memset(cmp, 0, sizeof(double) * (size_t)S);
    const double rate = scen_diten_rate(p);
    for (int u = 0; u < o->users; u++) {
        int s = assoc[u];
        double n_new = o->n_new[u], n_prev = o->n_prev[u];
        double dbar = (n_new + gamma[u] * n_prev) * p->unit_per_sample;
        int from = o->prev_assoc != NULL ? o->prev_assoc[u] : -1;
        if (from >= 0 && from != s) /* eq. 13: the twin and its data move */
            mig[s] += p->n_mig * o->server_dist[(size_t)s * S + from] *
                      (dbar + o->twin_bits[u] * p->unit_per_bit);
        /* eq. 14: upload of the slot's new data over the user's distance */
        syn[s] += p->n_syn * n_new * p->unit_per_sample / rate *
                  o->dist[(size_t)u * S + s];
        /* eq. 15: training and fine-tuning on Dbar */
        cmp[s] += p->n_cmp * o->eps[s] * dbar * (p->E_s + p->E_us);
    }
}

void scen_diten_evaluate(const scen_diten_params *p, const scen_diten_obs *o,
                          const int *assoc, const double *gamma,
                          double *scratch, scen_diten_eval *out)
{
    const int S = o->servers, U = o->users;
    double *mig = scratch, *syn = scratch + S, *cmp = scratch + 2 * S;
    scen_diten_costs(p, o, assoc, gamma, mig, syn, cmp);
    double rho = 0.0;
    for (int u = 0; u < U; u++)
        rho += scen_diten_utility(p, o->n_new[u] + gamma[u] * o->n_prev[u],
                                   o->phi[u]);
    double cost = 0.0, norm = 0.0, barrier = 0.0;
    int broken = 0;
    for (int s = 0; s < S; s++) {
        double c = mig[s] + syn[s] + cmp[s]; /* eq. 21 */
        cost += c;
        norm += scen_diten_norm(c, p->f0);
        /* eq. 25: C2 (computation) and C3 (synchronisation) */
        barrier += scen_diten_barrier(cmp[s] - o->q[s], p->barrier_f,
                                       p->barrier_cap, &broken);
        barrier += scen_diten_barrier(syn[s] - o->p[s], p->barrier_f,
                                       p->barrier_cap, &broken);
    }
    out->utility = rho / U;
    out->cost = cost;
    out->cost_norm = norm / S;
    out->objective = p->beta1 * rho / U - p->beta2 * norm / S; /* eq. 22 */
    out->reward = out->objective - barrier;
    out->violations = broken;
}
