/*
 * tmo_model.c - the models of the TMO scenario (000, tmo.h): the uplink
 * rate (eq. 2), one PT's latencies and energies in a slot (eqs. 1, 3-7),
 * and the parts of the slot problem P4 (eq. 21) that a fixed assignment
 * leaves: the a-only terms A_im and the weights of 1/r and 1/f.
 *
 * Units: bits, seconds, joules, cycles, hertz, watts, metres. The rate is
 * sched_band_rate (r(u) = u W log2(1 + s / u), s the SNR at the full band:
 * N0 is a density, so the noise grows with the share u).
 */
#include "tmo.h"
#include "../sched/sched.h"

#include <math.h>

/* s = g0 d^-theta p |h|^2 / (N0 W), d clamped to at least d_min (eq. 2) */
double scen_tmo_snr(const scen_tmo_model *m, double dist, double h2)
{
    double d = dist > m->d_min ? dist : m->d_min;
    return m->g0 * pow(d, -m->theta) * m->p_pt * h2 / (m->n0 * m->bw);
}

double scen_tmo_rate(const scen_tmo_model *m, double snr, double u)
{
    return sched_band_rate(m->bw, snr, u); /* eq. 2 */
}

/* bits over a rate, no bits costing nothing even at rate 0 */
static double tmo__time(double bits, double rate)
{
    return bits > 0.0 ? bits / rate : 0.0;
}

void scen_tmo_pt(const scen_tmo_model *m, double snr, double lambda,
                 double J, double D, double moved, int upload, double u,
                 double f, scen_tmo_pt_cost *c)
{
    const double r = scen_tmo_rate(m, snr, u);
    c->t_tra = tmo__time(lambda, r);                          /* eq. 4 */
    c->e_tra = m->p_pt * c->t_tra;                            /* eq. 5 */
    c->t_exe = tmo__time(lambda * m->c_es, f * m->f_es);      /* eq. 6 */
    c->e_exe = m->rho * m->f_es * m->f_es * lambda * m->c_es; /* eq. 7 */
    c->e_mig = m->phi_mig * D * moved;                        /* eq. 1 */
    c->t_upl = upload ? tmo__time(J, r) : 0.0;
    c->e_upl = upload ? m->p_pt * c->t_upl + m->fibre_w * J / m->fibre_bps
                      : 0.0;                                  /* eq. 3 */
}

/* ---- P4's pieces (eq. 21 with a fixed) ---- */

/* Q [rho F^2 lambda C + phi D d(pi(t-1), m) + delta p^m J / (r^m tau)] */
double scen_tmo_fixed(const scen_tmo_slot *s, int i, int m)
{
    const scen_tmo_model *md = s->model;
    double e = 0.0;
    if (md->exec_energy)
        e += md->rho * md->f_es * md->f_es * s->lambda[i] * md->c_es;
    if (s->prev[i] >= 0 && s->prev[i] != m)
        e += md->phi_mig * s->D[i] * s->es_dist[(size_t)s->prev[i] * s->M + m];
    if (s->upload)
        e += md->fibre_w * s->J[i] / (md->fibre_bps * s->tau);
    return s->Q * e;
}

/* c_i = V (lambda + delta J) + Q p (lambda + delta J / tau) (P4-2-1) */
double scen_tmo_radio_w(const scen_tmo_slot *s, int i)
{
    const double up = s->upload ? s->J[i] : 0.0;
    return s->model->V * (s->lambda[i] + up) +
           s->Q * s->model->p_pt * (s->lambda[i] + up / s->tau);
}

/* V lambda C / F (P4-2-2) */
double scen_tmo_cpu_w(const scen_tmo_slot *s, int i)
{
    return s->model->V * s->lambda[i] * s->model->c_es / s->model->f_es;
}

double scen_tmo_pair(const scen_tmo_slot *s, int i, int m, double u, double f)
{
    const double snr = s->snr[(size_t)i * s->M + m];
    return scen_tmo_fixed(s, i, m) +
           scen_tmo_radio_w(s, i) / scen_tmo_rate(s->model, snr, u) +
           scen_tmo_cpu_w(s, i) / f;
}
