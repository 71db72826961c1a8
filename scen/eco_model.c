/*
 * eco_model.c - the models of EcoEdgeTwin (004) as pure functions of one
 * user's resolved task: the rate (eq. 6), the latency with the twin's gap
 * (eq. 7 and the paragraph before it), the energy (eq. 8), the migration
 * cost (eq. 3), the paper's discrepancy (eq. 9, logged), QoE (eqs. 10-11)
 * and the reward (eq. 13). Readings are the spec's section 2; each printed
 * form that does not hold (units, signs) is noted where it is replaced.
 *
 * One sign convention throughout (spec 6.6): the twin estimates f^, the CPU
 * runs at f_act = f^ - f~; the environment scores with f_act, and the
 * estimate and the gap are kept apart so that estimate + gap = real.
 */
#include "eco.h"

#include <math.h>

double scen_eco_gain(const scen_eco_model *m, double d)
{
    d = d < 10.0 ? 10.0 : d;
    if (m->pathloss == SCEN_ECO_PL_LITERAL) /* eq. 6: g0, and 1/d as printed */
        return m->g0 / d;
    return pow(10.0, -(128.1 + 37.6 * log10(d / 1000.0)) / 10.0);
}

double scen_eco_rate(const scen_eco_model *m, double p, double gain, double h2)
{
    return m->bw * log2(1.0 + p * gain * h2 / m->noise); /* eq. 6 */
}

double scen_eco_w(const scen_eco_model *m, double l)
{
    if (l <= m->l_min) /* eq. 11 */
        return 1.0;
    if (l < m->l_max)
        return (m->l_max - l) / (m->l_max - m->l_min);
    return m->w_beyond;
}

double scen_eco_gap(double lambda, double f_est, double f_act)
{
    const double dev = f_est - f_act; /* f~ */
    return lambda > 0.0 ? lambda * dev / (f_est * (f_est - dev)) : 0.0;
}

double scen_eco_g9(double lambda, double f_est, double f_act)
{
    return lambda > 0.0 ? -lambda * (f_est - f_act) / (f_act * (f_act + f_est)) : 0.0;
}

/* The edge part: uplink, router, backhaul, compute, outcome (spec 2: the
 * printed L_ij = beta C / (R f) is s^2/bit). */
static void model__edge(const scen_eco_model *m, const scen_eco_task *t,
                        scen_eco_user *u)
{
    const double out = m->out_frac * t->D / t->rate;
    if (t->beta <= 0.0)
        return;
    if (t->hit) { /* the outcome is at the server: no upload, no work */
        u->l_edge = u->l_edge_est = m->tau_r + out;
        u->e_down = m->p_rx * out;
        u->e_tx = m->p_tx * out;
        return;
    }
    const double bits = t->beta * t->D, lambda = t->beta * t->C;
    const double share = m->cpu_equal && t->n_srv > 1 ? t->n_srv : 1.0;
    double bh = 0.0, hop_bits = 0.0;
    if (t->migrate_hops > 0) { /* the service, then the task, to the new host */
        bh = t->migrate_hops * m->tau_r + (bits + m->q_bits) / m->r_bh;
        hop_bits = (bits + m->q_bits) * t->migrate_hops;
    } else if (t->forward_hops > 0) { /* to the host and the outcome back */
        bh = 2.0 * t->forward_hops * m->tau_r + bits / m->r_bh;
        hop_bits = bits * t->forward_hops;
    }
    const double up = bits / t->rate, fixed = up + m->tau_r + bh + out;
    u->l_edge_est = fixed + share * lambda / t->f_srv_est;
    u->gap_edge = share * scen_eco_gap(lambda, t->f_srv_est, t->f_srv);
    u->compute = share * lambda / t->f_srv;
    u->l_edge = fixed + u->compute;
    u->g9 = share * scen_eco_g9(lambda, t->f_srv_est, t->f_srv);
    u->e_up = t->p * up;
    u->e_down = m->p_rx * out;
    u->e_srv = m->e_srv * lambda / t->f_srv; /* busy time, unshared (spec 6.11) */
    u->e_tx = m->p_tx * out;
    u->e_bh = m->e_bh * hop_bits;
    u->cost_mig = t->migrated ? (bits + m->q_bits) * m->c_f : 0.0; /* eq. 3 */
}

void scen_eco_user_of(const scen_eco_model *m, const scen_eco_task *t,
                      scen_eco_user *u)
{
    *u = (scen_eco_user){0};
    const double alpha = t->hit && t->beta > 0.0 ? 0.0 : 1.0 - t->beta;
    const double lambda = alpha * t->C;
    u->l_local_est = lambda / t->f_dev_est;
    u->l_local = lambda / t->f_dev;
    model__edge(m, t, u);
    if (m->combine_max) { /* the parts in parallel (an option) */
        u->latency = fmax(u->l_local, u->l_edge);
        u->latency_est = fmax(u->l_local_est, u->l_edge_est);
    } else { /* eq. 7: one after the other */
        u->latency = u->l_local + u->l_edge;
        u->latency_est = u->l_local_est + u->l_edge_est;
    }
    u->e_dev = m->e_dev * lambda / t->f_dev;
    u->e_local = m->e_dev * t->C / t->f_dev;
    u->energy = u->e_dev + u->e_up + u->e_down + u->e_srv + u->e_tx + u->e_bh; /* eq. 8 */
    /* eq. 10: C_st = psi beta C (edge work) + M_mig; "C_et" is a typo */
    const double work = t->hit || t->beta <= 0.0 ? 0.0 : m->psi * t->beta * t->C;
    const double s = (t->budget - work - u->cost_mig) / t->budget;
    u->qoe = m->lam_w * scen_eco_w(m, u->latency) + (1.0 - m->lam_w) * s;
}

double scen_eco_reward(const scen_eco_model *m, int U, double sum_latency,
                       double energy, double energy_local, double sum_qoe)
{
    if (m->reward_raw)
        return -(m->w[0] * sum_latency + m->w[1] * energy) + m->w[2] * sum_qoe;
    return -m->w[0] * sum_latency / (U * m->l_max) -
           m->w[1] * energy / energy_local + m->w[2] * sum_qoe / U;
}
