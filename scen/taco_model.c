/*
 * taco_model.c - the models of the TACO scenario (001, taco.h): the uplink
 * rate and its derivatives, the delays and energies of eqs. 1-12 and the
 * accuracy of eq. 13, as pure functions of one PT's decision and draws.
 *
 * Units: bits, seconds, joules, cycles, hertz, watts. Readings of the
 * garbled forms (spec section 2): r_im carries no a_im (it would divide by
 * zero for an ES not accessed); the ES's energy per cycle is rho_m F_m^2
 * whatever the share f (time sharing), so only x, y, z change it.
 */
#include "taco.h"
#include "../sched/sched.h"

#include <math.h>

double scen_taco_snr(const scen_taco_model *m, double Q, double h2)
{
    double q = Q > m->q_min ? Q : m->q_min;
    return pow(q, -m->theta) * m->p_pt * h2 / (m->n0 * m->bw);
}

/* r(b) = b B log2(1 + snr / b): the perspective of a concave function, so
 * concave and increasing in b. */
double scen_taco_rate(const scen_taco_model *m, double b, double snr)
{
    return sched_band_rate(m->bw, snr, b); /* eq. 4 */
}

double scen_taco_rate_db(const scen_taco_model *m, double b, double snr)
{
    return sched_band_rate_db(m->bw, snr, b); /* eq. 31's r'(b) */
}

double scen_taco_rate_db2(const scen_taco_model *m, double b, double snr)
{
    return sched_band_rate_db2(m->bw, snr, b);
}

double scen_taco_g_edge(const scen_taco_model *m, double s)
{
    return m->acc_c0 + m->acc_c1 * (1.0 - pow(1.0 - s, m->acc_kappa)); /* eq. 13 */
}

double scen_taco_acc_loss(const scen_taco_model *m, double r, double *dr)
{
    const double vc = m->V * m->acc_c1, k = m->acc_kappa;
    if (dr != NULL)
        *dr = k == 2.0 ? 2.0 * vc * r : vc * k * pow(r, k - 1.0);
    return k == 2.0 ? vc * r * r : vc * pow(r, k);
}

/* d/dv [k v + V c1 r^kappa] = k - V c1 kappa r^(kappa-1) w / all = 0 at
 * r* = (k all / (V c1 kappa w))^(1/(kappa-1)); kappa = 1 is linear: all or
 * nothing. */
double scen_taco_share_opt(const scen_taco_model *m, double k, double w,
                           double rest, double all)
{
    const double vc = m->V * m->acc_c1, kap = m->acc_kappa;
    if (!(vc > 0.0) || !isfinite(k) || !(w > 0.0))
        return 0.0;
    double q = k * all / (vc * kap * w), v;
    if (kap == 1.0)
        v = q < 1.0 ? 1.0 : 0.0;
    else {
        double r = kap == 2.0 ? q : pow(q, 1.0 / (kap - 1.0));
        v = ((1.0 - r) * all - rest) / w;
    }
    return v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v;
}

double scen_taco_share(const scen_taco_use *u)
{
    double all = u->D + u->S;
    return all > 0.0 ? (u->x * u->D + u->y * u->S) / all : 0.0;
}

/* bits / rate, with no bits costing nothing even at rate 0 */
static double taco__time(double bits, double rate)
{
    return bits > 0.0 ? bits / rate : 0.0;
}

void scen_taco_cost_of(const scen_taco_model *m, const scen_taco_use *u,
                       scen_taco_cost *c)
{
    const double es_j = m->k_es * m->f_es * m->f_es; /* J per cycle at the ES */
    const double es_hz = u->f * m->f_es;             /* the PT's share of F_m */
    const double place = u->x * u->D;                /* bits of knowledge */
    c->t_dl = place / m->r_cloud;                                /* eq. 1 */
    c->e_dl = m->p_cloud * c->t_dl;                              /* eq. 2 */
    c->t_pl = taco__time(place * m->c_es, es_hz);                /* eq. 3 */
    c->e_pl = es_j * place * m->c_es;                            /* eq. 4 */
    const double r = scen_taco_rate(m, u->b, u->snr);
    const double up = u->y * u->S;                   /* personal bits */
    if (u->z) {
        c->t_ul = taco__time(up, r);                             /* eq. 5 */
        c->e_ul = m->p_pt * c->t_ul;                             /* eq. 6 */
        c->t_ud = taco__time(up * m->c_es, es_hz);               /* eq. 7 */
        c->e_ud = es_j * up * m->c_es;                           /* eq. 8 */
        c->t_ofld = taco__time(u->lambda, r);                    /* eq. 9 */
        c->e_ofld = m->p_pt * c->t_ofld;                         /* eq. 10 */
        c->t_exec = taco__time(u->lambda * m->c_es, es_hz);      /* eq. 11 */
        c->e_exec = es_j * u->lambda * m->c_es;                  /* eq. 12 */
        c->acc = scen_taco_g_edge(m, scen_taco_share(u));           /* eq. 13 */
    } else {
        c->t_ul = c->e_ul = c->t_ud = c->e_ud = c->t_ofld = c->e_ofld = 0.0;
        c->t_exec = u->lambda * m->c_pt / m->f_pt;
        c->e_exec = m->k_pt * m->f_pt * m->f_pt * u->lambda * m->c_pt;
        c->acc = m->g_local;
    }
}
