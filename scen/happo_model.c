/*
 * happo_model.c - the models of Beta-HAPPO's scenario (002) as pure
 * functions: the Rician gain (eq. 5), the uplink SINR and rate (eqs. 7-8)
 * under the interference readings, the sync time (9), the energy (13), the
 * failure (12), the virtual queue (15), the resource mapping (M1) and the
 * reward terms (18, 28). Readings and errors are the spec's (sections 2
 * and 6); each is a field of scen_happo_model.
 */
#include "happo.h"

#include <math.h>

double scen_happo_gain(const scen_happo_model *m, double d, double hr, double hi)
{
    d = d < 1.0 ? 1.0 : d;
    const double los = sqrt(m->kappa / (m->kappa + 1.0)), sc = sqrt(1.0 / (m->kappa + 1.0));
    const double re = los + sc * hr, im = sc * hi;
    return m->rho0 * pow(d, -m->phi) * (re * re + im * im); /* eq. 5 */
}

/* The interference at MU k's BS (eq. 7 by the reading). */
static double uplink__interference(const scen_happo_model *m, int K, int M,
                                   const double *g, const double *p,
                                   const int *assoc, const int *tx, int k)
{
    const int b = assoc[k];
    double I = 0.0;
    for (int i = 0; i < K; i++) {
        if (i == k || !tx[i])
            continue;
        if (m->interference == SCEN_HAPPO_INTRACELL && assoc[i] != b)
            continue;
        /* literal: the interferer's gain to its own BS (spec E2) */
        const int at = m->interference == SCEN_HAPPO_LITERAL ? assoc[i] : b;
        I += p[i] * g[(size_t)i * M + at];
    }
    return I;
}

void scen_happo_uplink(const scen_happo_model *m, int K, int M, const double *g,
                       const double *p, const int *assoc, const int *tx,
                       double *sinr, double *rate)
{
    for (int k = 0; k < K; k++) {
        if (!tx[k]) {
            sinr[k] = rate[k] = 0.0;
            continue;
        }
        const double I = uplink__interference(m, K, M, g, p, assoc, tx, k);
        sinr[k] = p[k] * g[(size_t)k * M + assoc[k]] / (I + m->noise); /* eq. 7 */
        rate[k] = m->bw * log2(1.0 + sinr[k]);                          /* eq. 8 */
    }
}

double scen_happo_time(double D, double C, double R, int relay, double w, double f)
{
    const double up = D / R, hop = relay ? D / w : 0.0;
    return up + hop + D * C / f; /* eq. 9 */
}

double scen_happo_energy(const scen_happo_model *m, double p, double D, double R,
                         double tau)
{
    const double t = D / R;
    return p * (m->energy_capped && t > tau ? tau : t); /* eq. 13 */
}

int scen_happo_failure(int request, int migrating, double t, double tau)
{
    return request && (migrating || t > tau); /* eq. 12 */
}

double scen_happo_queue(const scen_happo_model *m, double Y, int X)
{
    const double next = Y + X - m->eps; /* eq. 15 */
    return next > 0.0 ? next : 0.0;
}

double scen_happo_share(double total, double mine, const double *all,
                        const int *members, int n)
{
    double s = 0.0;
    for (int i = 0; i < n; i++)
        s += all[members[i]];
    return s > 0.0 ? total * mine / s : 0.0; /* (M1) */
}

double scen_happo_xi(const scen_happo_model *m, double E, double Y, int X,
                     double qkt)
{
    const double energy = m->reward_literal ? E / qkt : E; /* eq. 18 */
    return energy + m->eta * Y * (X - m->eps);
}

double scen_happo_reward(const scen_happo_model *m, const double *xi, int K)
{
    double s = 0.0;
    for (int k = 0; k < K; k++)
        s += xi[k];
    return m->reward_literal ? -m->nu * s : -m->nu * s / K; /* eq. 28 */
}
